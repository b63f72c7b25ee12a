"""Scheduled, incremental, polite crawling, checked against real HTTP servers on 127.0.0.1.

Two outlets (tests/news_site.py), each a ``NewsSite`` on its own port, serve the fixture articles:
outlet A the Hurriyet page (seed 000) with seeds 002 and 004, outlet B the RFI page (seed 001, a
wire copy of the same AFP story) with seed 003. Every test runs the real ``scrapy crawl news`` in a
fresh copy of the project and reads the database with sqlite3 and the sites' request logs.

Download slots are per host and port (scraper.throttle.HostPortDownloader), so the two outlets
(127.0.0.1:A and 127.0.0.1:B) are two sites, each with its own Crawl-delay.

The stored ``articles.url`` is the page's rel=canonical URL (a real site's), ``articles.final_url``
the URL fetched from the test server.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import BIN, FIXTURES, copy_project, load_manifest, scrapy_crawl
from news_site import BROKEN_PATH, MISSING_PATH, REDIRECT_PATH, SECRET_PATH, NewsSite, full_source, write_sources

CRAWL_DELAY = 0.5
SLACK = 0.9  # consecutive requests to one host at least 90 % of the Crawl-delay apart
FAST = ("-s", "AUTOTHROTTLE_START_DELAY=0.1")

MANIFEST = {page["seed"]: page for page in load_manifest()["article"]}
OUTLET_A = ("000", "002", "004")
OUTLET_B = ("001", "003")
REDIRECT_A = "002"  # /articles/old-url.html on outlet A answers 301 to this seed's page
REDIRECT_B = "003"

NEW_PATH = "/articles/azerbaijan-france-envoy-row-deepens.html"
NEW_URL = "https://www.rfi.fr/en/international/20240418-azerbaijan-france-envoy-row-deepens"
NEW_TITLE = "Azerbaijan and France trade barbs as envoy row deepens"


def article_path(seed: str) -> str:
    return "/articles/" + Path(MANIFEST[seed]["file"]).name


def article_html(seed: str) -> bytes:
    return (FIXTURES / MANIFEST[seed]["file"]).read_bytes()


def articles_of(seeds) -> dict[str, bytes]:
    return {article_path(seed): article_html(seed) for seed in seeds}


def new_afp_copy() -> str:
    """Another copy of the AFP story: the RFI page with a new title, canonical URL and a few new sentences."""
    old = MANIFEST["001"]
    html = article_html("001").decode("utf-8")
    html = html.replace(old["url"], NEW_URL).replace(old["title"], NEW_TITLE)
    replacements = {
        "Azerbaijan on Wednesday accused France of pressuring and threatening the country":
            "Azerbaijan on Thursday again accused France of pressuring and threatening the country",
        "It comes as Yerevan seeks to reduce its dependence on Moscow, traditionally Armenia's ally.":
            "The row comes as Yerevan tries to loosen its ties with Moscow, long Armenia's main ally and arms supplier.",
        "On Wednesday, peacekeepers began withdrawing from the enclave.":
            "By Thursday a first column of peacekeepers had left the enclave, local officials said.",
    }
    for before, after in replacements.items():
        assert before in html, before
        html = html.replace(before, after)
    assert NEW_URL in html and NEW_TITLE in html and old["url"] not in html
    return html


# -- running crawls ------------------------------------------------------------------------------


def crawl(project: Path, sources: Path, *extra: str) -> subprocess.CompletedProcess:
    return scrapy_crawl(project, "-a", f"sources={sources}", *FAST, *extra)


def crawl_ok(project: Path, sources: Path, *extra: str) -> subprocess.CompletedProcess:
    result = crawl(project, sources, *extra)
    assert result.returncode == 0, f"crawl failed ({result.returncode}):\n{result.stderr[-4000:]}"
    return result


def popen_crawl(project: Path, sources: Path, log_name: str, *extra: str) -> subprocess.Popen:
    """Start a crawl; its stdout and stderr go to files (a pipe nobody reads could fill and block it)."""
    out = open(project / f"{log_name}.stdout", "w")
    err = open(project / f"{log_name}.stderr", "w")
    process = subprocess.Popen(
        [str(BIN / "scrapy"), "crawl", "news", "-a", f"sources={sources}", *FAST, *extra],
        cwd=project,
        stdout=out,
        stderr=err,
        text=True,
    )
    out.close()
    err.close()
    process.stderr_path = project / f"{log_name}.stderr"
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


# -- the database --------------------------------------------------------------------------------


def stored(project: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(project / "news.db") as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT id, url, final_url, cluster_id FROM articles ORDER BY id").fetchall()


def runs(project: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(project / "news.db") as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM crawl_runs ORDER BY id").fetchall()


def clusters_by_url(project: Path) -> dict[str, int]:
    return {row["url"]: row["cluster_id"] for row in stored(project)}


def stored_paths_on(project: Path, site: NewsSite) -> set[str]:
    """The paths of ``site`` that stored articles were fetched from."""
    return {urlsplit(row["final_url"]).path for row in stored(project) if (row["final_url"] or "").startswith(site.base + "/")}


# -- the two outlets -----------------------------------------------------------------------------


@dataclass
class Outlets:
    project: Path
    sources: Path
    a: NewsSite
    b: NewsSite

    @property
    def sites(self) -> tuple[NewsSite, NewsSite]:
        return (self.a, self.b)


@contextmanager
def two_outlets(project_dir: Path, **site_options) -> Iterator[Outlets]:
    """Outlets A and B served on two ports, and a project copy whose sources.toml crawls both."""
    project = copy_project(project_dir)
    a = NewsSite("outlet-a", articles_of(OUTLET_A), crawl_delay=CRAWL_DELAY, redirect_to=article_path(REDIRECT_A), **site_options)
    b = NewsSite("outlet-b", articles_of(OUTLET_B), crawl_delay=CRAWL_DELAY, redirect_to=article_path(REDIRECT_B), **site_options)
    try:
        a.start()
        b.start()
        sources = write_sources(project / "sources.toml", [full_source(a), full_source(b)])
        yield Outlets(project, sources, a, b)
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def outlets(tmp_path) -> Iterator[Outlets]:
    with two_outlets(tmp_path / "proj") as value:
        yield value


# -- a, b, c: three crawls of the same two outlets, one after the other -------------------------


@dataclass
class Run:
    result: subprocess.CompletedProcess
    marks: dict[str, tuple[int, int]]  # site name -> (log position before, after) the run

    def requests(self, site: NewsSite):
        start, end = self.marks[site.name]
        return site.since(start)[: end - start]


def run_between(outlets: Outlets, *extra: str) -> Run:
    before = {site.name: site.mark() for site in outlets.sites}
    result = crawl_ok(outlets.project, outlets.sources, *extra)
    return Run(result, {site.name: (before[site.name], site.mark()) for site in outlets.sites})


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory) -> Iterator[Outlets]:
    with two_outlets(tmp_path_factory.mktemp("scheduled") / "proj") as value:
        yield value


@pytest.fixture(scope="module")
def first_run(scheduled) -> Run:
    return run_between(scheduled)


@pytest.fixture(scope="module")
def second_run(scheduled, first_run) -> tuple[Run, set[str], dict[str, set[str]]]:
    before_urls = set(clusters_by_url(scheduled.project))
    before_paths = {site.name: stored_paths_on(scheduled.project, site) for site in scheduled.sites}
    scheduled.a.add_article(NEW_PATH, new_afp_copy())
    return run_between(scheduled), before_urls, before_paths


@pytest.fixture(scope="module")
def third_run(scheduled, second_run) -> Run:
    return run_between(scheduled)


def test_first_run_stores_every_article_once_and_groups_the_afp_copies(scheduled, first_run):
    rows = stored(scheduled.project)
    expected = {MANIFEST[seed]["url"]: (site, article_path(seed)) for site, seeds in ((scheduled.a, OUTLET_A), (scheduled.b, OUTLET_B)) for seed in seeds}
    assert sorted(row["url"] for row in rows) == sorted(expected), [row["url"] for row in rows]
    for row in rows:
        site, path = expected[row["url"]]
        assert row["final_url"] == site.url(path), row["url"]
    cluster = {MANIFEST[seed]["url"]: None for seed in MANIFEST}
    cluster.update({row["url"]: row["cluster_id"] for row in rows})
    afp = cluster[MANIFEST["000"]["url"]]
    assert afp is not None and cluster[MANIFEST["001"]["url"]] == afp
    alone = [cluster[MANIFEST[seed]["url"]] for seed in ("002", "003", "004")]
    assert None not in alone and len(set(alone)) == 3 and afp not in alone


def test_first_run_never_requests_a_page_robots_txt_disallows(scheduled, first_run):
    for site in scheduled.sites:
        paths = first_run.requests(site)
        assert "/robots.txt" in [request.path for request in paths], site.name
        assert SECRET_PATH not in [request.path for request in paths], site.name


def test_first_run_keeps_the_crawl_delay_between_article_pages_of_one_host(scheduled, first_run):
    for site in scheduled.sites:
        times = [request.time for request in first_run.requests(site) if request.path.startswith("/articles/")]
        assert len(times) >= 3, (site.name, site.paths())
        gaps = [round(later - earlier, 3) for earlier, later in zip(times, times[1:])]
        too_close = [gap for gap in gaps if gap < CRAWL_DELAY * SLACK]
        assert not too_close, f"{site.name}: gaps between article requests {gaps} (Crawl-delay {CRAWL_DELAY})"


def test_first_run_counts_the_404_and_500_pages_in_its_stats(scheduled, first_run):
    for site in scheduled.sites:
        statuses = {(request.path, request.status) for request in first_run.requests(site)}
        assert (MISSING_PATH, 404) in statuses and (BROKEN_PATH, 500) in statuses, site.name
    stats = json.loads(runs(scheduled.project)[0]["stats"])
    failed = {key: value for key, value in stats.items() if key.startswith("wiredup/fetch_failed/")}
    assert any("404" in key for key in failed), failed
    assert any("500" in key for key in failed), failed
    # one 404 and one 500 on each outlet (retries of the 500 may be counted once or not at all)
    assert sum(value for key, value in failed.items() if "404" in key) == 2, failed
    assert sum(value for key, value in failed.items() if "500" in key) == 2, failed


def test_first_run_follows_the_redirect_to_an_article_stored_once(scheduled, first_run):
    for site, seed in ((scheduled.a, REDIRECT_A), (scheduled.b, REDIRECT_B)):
        statuses = [(request.path, request.status) for request in first_run.requests(site)]
        assert (REDIRECT_PATH, 301) in statuses, site.name
        target = [row for row in stored(scheduled.project) if row["url"] == MANIFEST[seed]["url"]]
        assert len(target) == 1
        assert target[0]["final_url"] == site.url(article_path(seed))
    assert not [row for row in stored(scheduled.project) if REDIRECT_PATH in (row["final_url"] or "")]


def test_second_run_fetches_only_the_new_article_and_groups_it(scheduled, second_run):
    run, before_urls, before_paths = second_run
    a_paths = [request.path for request in run.requests(scheduled.a)]
    b_paths = [request.path for request in run.requests(scheduled.b)]
    assert a_paths.count(NEW_PATH) == 1, a_paths
    for path in ("/robots.txt", "/", "/feed.xml", "/sitemap-index.xml", "/sitemap-news.xml"):
        assert path in a_paths, (path, a_paths)
    for path in ("/robots.txt", "/", "/feed.xml", "/sitemap-index.xml"):
        assert path in b_paths, (path, b_paths)
    for site in scheduled.sites:
        again = sorted({request.path for request in run.requests(site)} & before_paths[site.name])
        assert not again, f"{site.name}: articles stored by the first run fetched again: {again}"
    clusters = clusters_by_url(scheduled.project)
    assert set(clusters) == before_urls | {NEW_URL}
    assert clusters[NEW_URL] == clusters[MANIFEST["000"]["url"]] == clusters[MANIFEST["001"]["url"]]
    assert len(runs(scheduled.project)) == 2


def test_second_run_does_not_request_a_known_redirect_again(scheduled, second_run):
    # /articles/old-url.html answered 301 to an article the first run stored: url_state keeps URLs
    # "as requested, before redirects", so the alias is known and need not be asked again.
    run = second_run[0]
    for site in scheduled.sites:
        statuses = [(request.path, request.status) for request in run.requests(site)]
        assert (REDIRECT_PATH, 301) not in statuses, f"{site.name}: second run asked the known redirect again: {statuses}"


def test_second_run_revalidates_the_feeds(scheduled, second_run):
    run = second_run[0]
    for site in scheduled.sites:
        feeds = [request for request in run.requests(site) if request.path == "/feed.xml"]
        assert feeds, site.name
        assert all(request.conditional for request in feeds), [request.headers for request in feeds]
    # outlet A's feed changed (new article): a full answer; outlet B's did not
    assert [request.status for request in run.requests(scheduled.a) if request.path == "/feed.xml"][-1] == 200
    assert [request.status for request in run.requests(scheduled.b) if request.path == "/feed.xml"][-1] == 304


def test_third_run_with_nothing_new_requests_no_article_page(scheduled, third_run):
    for site in scheduled.sites:
        requests = third_run.requests(site)
        articles = set(site.article_paths)
        fetched = [request.path for request in requests if request.path in articles]
        assert not fetched, f"{site.name}: article pages requested with nothing new: {fetched}"
        feeds = [request.status for request in requests if request.path == "/feed.xml"]
        assert feeds and set(feeds) == {304}, (site.name, feeds)
    assert len(runs(scheduled.project)) == 3
    assert len(stored(scheduled.project)) == len(OUTLET_A) + len(OUTLET_B) + 1


# -- d: two crawls at once on one database -------------------------------------------------------


def _start_two(outlets: Outlets, *extra: str) -> tuple[list[subprocess.Popen], bool]:
    """Start two crawls together (user agents wiredup-test-1 and -2); wait for both; report whether
    ``news.db.lock`` existed while they ran."""
    lock = outlets.project / "news.db.lock"
    processes = []
    saw_lock = False
    try:
        for number in (1, 2):
            processes.append(popen_crawl(outlets.project, outlets.sources, f"crawl-{number}", "-s", f"USER_AGENT=wiredup-test-{number}", *extra))
        deadline = time.monotonic() + 120
        while any(process.poll() is None for process in processes) and time.monotonic() < deadline:
            saw_lock = saw_lock or lock.exists()
            time.sleep(0.02)
        for process in processes:
            process.wait(timeout=max(1, deadline - time.monotonic()))
            process.stderr_text = process.stderr_path.read_text(errors="replace")
    finally:
        for process in processes:
            stop(process)
    return processes, saw_lock


def _agents_in_order(outlets: Outlets) -> list[str]:
    requests = sorted((request for site in outlets.sites for request in site.since()), key=lambda request: request.time)
    return [request.user_agent for request in requests]


def test_two_crawls_at_once_one_runs_the_other_stops_with_one_line(outlets):
    processes, saw_lock = _start_two(outlets)
    codes = [process.returncode for process in processes]
    assert sorted(code == 0 for code in codes) == [False, True], [(code, process.stderr_text[-2000:]) for code, process in zip(codes, processes)]
    loser = next(process for process in processes if process.returncode != 0)
    lines = [line for line in loser.stderr_text.splitlines() if "another crawl" in line.lower()]
    assert len(lines) == 1, loser.stderr_text[-3000:]
    assert "another crawl" in loser.stderr_text.strip().splitlines()[-1].lower(), "the reason is not the last line"
    assert "Traceback" not in loser.stderr_text, loser.stderr_text[-3000:]
    assert saw_lock, "news.db.lock never appeared while the crawls ran"
    loser_agent = f"wiredup-test-{processes.index(loser) + 1}"
    assert loser_agent not in _agents_in_order(outlets), "the crawl that stopped still requested pages"
    rows = stored(outlets.project)
    assert len(rows) == len({row["url"] for row in rows}) == len(OUTLET_A) + len(OUTLET_B)


def test_two_crawls_at_once_with_wait_for_lock_run_one_after_the_other(outlets):
    processes, saw_lock = _start_two(outlets, "-s", "WIREDUP_WAIT_FOR_LOCK=True")
    codes = [process.returncode for process in processes]
    assert codes == [0, 0], [(code, process.stderr_text[-2000:]) for code, process in zip(codes, processes)]
    assert saw_lock
    agents = _agents_in_order(outlets)
    first = agents[0]
    switches = [index for index, (earlier, later) in enumerate(zip(agents, agents[1:])) if earlier != later]
    assert len(switches) <= 1, f"the two crawls' requests interleave: {agents}"
    assert set(agents) <= {"wiredup-test-1", "wiredup-test-2"} and first in agents
    rows = stored(outlets.project)
    assert len(rows) == len({row["url"] for row in rows}) == len(OUTLET_A) + len(OUTLET_B)
    crawl_runs = runs(outlets.project)
    assert len(crawl_runs) == 2
    assert crawl_runs[0]["finished"] and crawl_runs[0]["finished"] <= crawl_runs[1]["started"], [dict(row) for row in crawl_runs]


# -- e: each way of finding articles, alone ------------------------------------------------------


def _discovery(tmp_path: Path, source_of, *, expect_paths=(), forbid_paths=(), **site_options):
    """Serve outlet A with only one entry point listing articles; crawl a source naming only ``source_of(site)``."""
    project = copy_project(tmp_path / "proj")
    options = {"robots_sitemap": False, "home_links": False, "feed_items": False, "sitemap_urls": False, **site_options}
    with NewsSite("outlet-a", articles_of(OUTLET_A), crawl_delay=CRAWL_DELAY, redirect_to=article_path(REDIRECT_A), **options) as site:
        sources = write_sources(project / "sources.toml", [{"name": "outlet-a", **source_of(site)}])
        crawl_ok(project, sources)
        paths = site.paths()
        urls = {row["url"] for row in stored(project)}
    assert urls == {MANIFEST[seed]["url"] for seed in OUTLET_A}, (urls, paths)
    for path in expect_paths:
        assert path in paths, (path, paths)
    for path in forbid_paths:
        assert path not in paths, (path, paths)
    assert SECRET_PATH not in paths


def test_discovery_by_feed_only(tmp_path):
    _discovery(tmp_path, lambda site: {"feeds": [site.url("/feed.xml")]}, feed_items=True,
               expect_paths=["/feed.xml"], forbid_paths=["/sitemap-index.xml", "/sitemap-news.xml", "/"])


def test_discovery_by_news_sitemap_only(tmp_path):
    _discovery(tmp_path, lambda site: {"sitemaps": [site.url("/sitemap-news.xml")]}, sitemap_urls=True,
               expect_paths=["/sitemap-news.xml"], forbid_paths=["/feed.xml", "/sitemap-index.xml", "/"])


def test_discovery_by_sitemap_index_only(tmp_path):
    _discovery(tmp_path, lambda site: {"sitemaps": [site.url("/sitemap-index.xml")]}, sitemap_urls=True,
               expect_paths=["/sitemap-index.xml", "/sitemap-news.xml"], forbid_paths=["/feed.xml", "/"])


def test_discovery_by_robots_txt_sitemap_line_only(tmp_path):
    # The home page links to no article: only robots.txt's Sitemap: line leads to them.
    _discovery(tmp_path, lambda site: {"home": site.url("/"), "article_patterns": ["/articles/"]},
               robots_sitemap=True, sitemap_urls=True,
               expect_paths=["/", "/robots.txt", "/sitemap-index.xml", "/sitemap-news.xml"], forbid_paths=["/feed.xml"])


def test_discovery_by_listing_only(tmp_path):
    _discovery(tmp_path, lambda site: {"home": site.url("/"), "article_patterns": ["/articles/"]}, home_links=True,
               expect_paths=["/", REDIRECT_PATH, MISSING_PATH], forbid_paths=["/feed.xml", "/sitemap-news.xml"])


def test_a_crawl_stopped_early_leaves_the_feed_to_be_parsed_again(tmp_path):
    # The first crawl stops after three pages (robots.txt, the feed, an article): the articles parsed
    # from the feed died with it. The feed has not changed, yet the next run must still ask for them.
    project = copy_project(tmp_path / "proj")
    with NewsSite("outlet-a", articles_of(OUTLET_A), crawl_delay=CRAWL_DELAY, feed_items=True, sitemap_urls=False,
                  home_links=False, robots_sitemap=False) as site:
        sources = write_sources(project / "sources.toml", [{"name": "outlet-a", "feeds": [site.url("/feed.xml")]}])
        crawl_ok(project, sources, "-s", "CLOSESPIDER_PAGECOUNT=3", "-s", "WIREDUP_STORE_BATCH_SIZE=1")
        assert "/feed.xml" in site.paths() and len(stored(project)) < len(OUTLET_A)
        mark = site.mark()
        crawl_ok(project, sources)
        feed_requests = [request for request in site.since(mark) if request.path == "/feed.xml"]
        urls = {row["url"] for row in stored(project)}
    assert urls == {MANIFEST[seed]["url"] for seed in OUTLET_A}
    assert feed_requests and all(request.status == 200 for request in feed_requests)  # no validators sent


def test_feed_and_sitemap_entries_older_than_the_max_age_are_not_fetched(tmp_path):
    from datetime import datetime, timezone

    project = copy_project(tmp_path / "proj")
    with NewsSite("outlet-a", articles_of(OUTLET_A), crawl_delay=0, feed_items=True, sitemap_urls=True,
                  home_links=False, robots_sitemap=False) as site:
        site.add_article(NEW_PATH, new_afp_copy(), title=NEW_TITLE,
                         published=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        sources = write_sources(project / "sources.toml", [
            {"name": "outlet-a", "feeds": [site.url("/feed.xml")], "sitemaps": [site.url("/sitemap-news.xml")]}])
        crawl_ok(project, sources, "-s", "WIREDUP_MAX_AGE_DAYS=30")
        fetched = {path for path in site.paths() if path.startswith("/articles/")}
    assert fetched == {NEW_PATH}  # the fixture pages date from 2023 and 2024
    assert [row["url"] for row in stored(project)] == [NEW_URL]
    stats = json.loads(runs(project)[0]["stats"])
    assert stats["wiredup/discovery/too_old"] == 2 * len(OUTLET_A)  # each in the feed and in the sitemap


@contextmanager
def static_site(root: Path) -> Iterator[str]:
    """``root`` served over HTTP on 127.0.0.1; yields the base URL."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("max_depth, stored_seeds", [(1, set()), (2, {"002"})])
def test_listings_are_followed_to_max_depth_and_denied_links_never(tmp_path, max_depth, stored_seeds):
    site = tmp_path / "site"
    (site / "world").mkdir(parents=True)
    (site / "articles").mkdir()
    (site / "index.html").write_text('<a href="/world/">World</a> <a href="/tv/">TV</a>')
    (site / "world" / "index.html").write_text(
        '<a href="/articles/a.html">A</a> <a href="/articles/video-b.html">Video</a>')
    (site / "articles" / "a.html").write_bytes(article_html("002"))
    (site / "articles" / "video-b.html").write_bytes(article_html("003"))
    project = copy_project(tmp_path / "proj")
    with static_site(site) as base:
        sources = write_sources(project / "sources.toml", [{
            "name": "sections", "home": f"{base}/", "article_patterns": ["/articles/"],
            "listing_patterns": ["/world/$", "/tv/$"], "deny_patterns": ["video", "/tv/"], "max_depth": max_depth}])
        crawl_ok(project, sources, *FAST)
    stored_urls = {row["url"] for row in stored(project)}
    assert stored_urls == {MANIFEST[seed]["url"] for seed in stored_seeds}
    url_kinds = dict(sqlite3.connect(project / "news.db").execute("SELECT url, kind FROM url_state").fetchall())
    assert f"{base}/tv/" not in url_kinds and f"{base}/articles/video-b.html" not in url_kinds
    assert (f"{base}/world/" in url_kinds) == (max_depth > 1)
