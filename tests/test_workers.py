"""Many hosts: crawl workers (``WIREDUP_MODE=worker``) and one ``wiredup ingest``, through a real
``redis-server`` (tests/redis_server.py) and real news sites on 127.0.0.1 (tests/news_site.py).

Each test runs real ``scrapy crawl news`` workers and the real ``wiredup ingest`` command as
processes in a fresh copy of the project, and reads the database and the sites' request logs;
workers tell themselves apart in the logs by their User-Agent.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

import fault_log
from conftest import BIN, copy_project
from news_site import NewsSite, full_source, write_sources
from redis_server import RedisServer
from test_crash_recovery import variant
from test_incremental_crawl import FAST, MANIFEST, OUTLET_A, OUTLET_B, article_path, articles_of, crawl_ok

DELAY = 0.3
TIMEOUT = 3  # WIREDUP_WORKER_TIMEOUT: a killed worker's requests are taken over after this long
COPIES = 2  # editions of each seed page per outlet (own path and canonical URL): a crawl long enough to share


def outlet_pages(seeds) -> dict[str, bytes]:
    pages = articles_of(seeds)
    pages.update(variant(seed, number) for seed in seeds for number in range(COPIES))
    return pages


def expected_urls(seeds) -> set[str]:
    return {MANIFEST[seed]["url"] for seed in seeds} | {f"{MANIFEST[seed]['url']}-{number}" for seed in seeds for number in range(COPIES)}


def start_sites(stack: ExitStack, project: Path) -> tuple[NewsSite, NewsSite, Path]:
    a = stack.enter_context(NewsSite("outlet-a", outlet_pages(OUTLET_A), crawl_delay=DELAY, redirect_to=article_path(OUTLET_A[1])))
    b = stack.enter_context(NewsSite("outlet-b", outlet_pages(OUTLET_B), crawl_delay=DELAY, redirect_to=article_path(OUTLET_B[1])))
    return a, b, write_sources(project / "sources.toml", [full_source(a), full_source(b)])


def start_worker(project: Path, sources: Path, server: RedisServer, name: str) -> subprocess.Popen:
    return _start(
        project, name,
        str(BIN / "scrapy"), "crawl", "news", "-a", f"sources={sources}", *FAST,
        "-s", "WIREDUP_MODE=worker", "-s", f"WIREDUP_REDIS_URL={server.url}",
        "-s", f"WIREDUP_WORKER_TIMEOUT={TIMEOUT}", "-s", f"USER_AGENT=wiredup-{name}",
    )


def wait_for_workers(server: RedisServer, count: int) -> None:
    """Until ``count`` workers have registered: an ingest process started before them could find
    the crawl over and stop."""
    client = redis.Redis.from_url(server.url)
    wait_for(lambda: client.scard("news:workers") >= count, what=f"{count} workers to register")


def start_ingest(project: Path, server: RedisServer, name: str = "ingest", idle: float = 3) -> subprocess.Popen:
    return _start(project, name, str(BIN / "wiredup"), "ingest", "news.db", "--redis", server.url, "--stop-when-idle", str(idle))


def _start(project: Path, name: str, *command: str) -> subprocess.Popen:
    with open(project / f"{name}.log", "w") as log:
        process = subprocess.Popen(command, cwd=project, stdout=log, stderr=subprocess.STDOUT)
    process.log = project / f"{name}.log"
    return process


def finish(process: subprocess.Popen, timeout: float = 180) -> str:
    try:
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = process.log.read_text(errors="replace")
    assert process.returncode == 0, f"{process.args[:3]} exited {process.returncode}:\n{text[-4000:]}"
    return text


def articles(db_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT url, cluster_id FROM articles ORDER BY url").fetchall()


def groups(db_path: Path) -> set[frozenset[str]]:
    by_cluster: dict[int, set[str]] = {}
    for url, cluster_id in articles(db_path):
        by_cluster.setdefault(cluster_id, set()).add(url)
    return {frozenset(urls) for urls in by_cluster.values()}


def expected_groups() -> set[frozenset[str]]:
    """Every copy of a seed page is its seed's story; the manifest says which seeds are one story."""
    by_group: dict[str, set[str]] = {}
    for seed in (*OUTLET_A, *OUTLET_B):
        by_group.setdefault(MANIFEST[seed]["group"], set()).update(expected_urls([seed]))
    return {frozenset(urls) for urls in by_group.values()}


def assert_nothing_left(server: RedisServer) -> None:
    client = redis.Redis.from_url(server.url)
    left = sorted(key.decode() for key in client.keys() if not key.decode().startswith(("news:url_state", "news:leases")))
    assert left == [], f"left in Redis after the crawl: {left}"


def requests_by(site: NewsSite, agent: str) -> list[str]:
    return [request.path for request in site.since() if request.user_agent == agent]


# -- two workers and one ingest process against a standalone crawl --------------------------------


@dataclass
class Shared:
    standalone: Path
    standalone_counts: dict[str, Counter]  # site name -> requests per path in the standalone crawl
    project: Path
    server: RedisServer
    sites: dict[str, NewsSite]
    sources: Path
    worker_logs: list[str]
    ingest_log: str


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Iterator[Shared]:
    """A standalone crawl of two outlets, then two workers and one ingest process crawling two
    other outlets serving the same pages (kept running for a second crawl)."""
    base = tmp_path_factory.mktemp("workers")
    alone = copy_project(base / "standalone")
    with ExitStack() as stack:
        a, b, sources = start_sites(stack, alone)
        crawl_ok(alone, sources)
        alone_counts = {site.name: Counter(site.paths()) for site in (a, b)}
    project = copy_project(base / "workers")
    with ExitStack() as stack:
        server = stack.enter_context(RedisServer(base / "redis"))
        a, b, sources = start_sites(stack, project)
        workers = [start_worker(project, sources, server, f"worker-{number}") for number in (1, 2)]
        wait_for_workers(server, 2)
        ingest = start_ingest(project, server)
        logs = [finish(worker) for worker in workers]
        ingest_log = finish(ingest)
        yield Shared(alone, alone_counts, project, server, {site.name: site for site in (a, b)}, sources, logs, ingest_log)


def test_two_workers_store_the_same_articles_and_groups_as_a_standalone_crawl(shared):
    assert_nothing_left(shared.server)
    assert {url for url, _ in articles(shared.project / "news.db")} == expected_urls((*OUTLET_A, *OUTLET_B))
    assert groups(shared.project / "news.db") == groups(shared.standalone / "news.db") == expected_groups()


def test_two_workers_fetch_each_page_once_between_them(shared):
    for name, site in shared.sites.items():
        counts = Counter(site.paths())
        for path in site.article_paths:
            assert counts[path] == 1, (name, path, counts[path])
        # every page as often as the standalone crawl asked it (the 500 page: with its retries);
        # robots.txt is read by each worker that crawls the site (Scrapy reads it per process)
        pages = {path: count for path, count in counts.items() if path != "/robots.txt"}
        assert pages == {path: count for path, count in shared.standalone_counts[name].items() if path != "/robots.txt"}, name
        agents = {request.user_agent for request in site.since()}
        assert counts["/robots.txt"] <= shared.standalone_counts[name]["/robots.txt"] + len(agents) - 1, (name, counts)


def test_two_workers_share_the_sites_one_worker_per_site_at_a_time(shared):
    agents = {f"wiredup-worker-{number}" for number in (1, 2)}
    article_fetchers = {agent for site in shared.sites.values() for agent in agents
                        if set(requests_by(site, agent)) & set(site.article_paths)}
    assert article_fetchers == agents, "both workers should have crawled articles"
    for site in shared.sites.values():
        # one worker at a time: a site's requests change hands at most once (when a worker joins)
        order = [request.user_agent for request in site.since() if request.path != "/robots.txt"]
        changes = sum(1 for earlier, later in zip(order, order[1:]) if earlier != later)
        assert changes <= 1, (site.name, order)


def test_ingest_records_the_run_with_the_workers_counts(shared):
    total = len(expected_urls((*OUTLET_A, *OUTLET_B)))
    with sqlite3.connect(shared.project / "news.db") as conn:
        runs = conn.execute("SELECT finish_reason, pages_fetched, articles_new FROM crawl_runs ORDER BY id").fetchall()
    assert runs[0][0] == "finished" and runs[0][2] == total, (runs, shared.ingest_log[-2000:])
    assert runs[0][1] > total, "pages fetched should add up the workers' counts"


def test_a_second_crawl_fetches_no_article_again(shared):
    # the url_state the ingest process wrote reaches the workers through Redis
    marks = {name: site.mark() for name, site in shared.sites.items()}
    worker = start_worker(shared.project, shared.sources, shared.server, "worker-again")
    wait_for_workers(shared.server, 1)
    ingest = start_ingest(shared.project, shared.server, "ingest-again")
    finish(worker)
    finish(ingest)
    for name, site in shared.sites.items():
        paths = site.paths(marks[name])
        fetched = [path for path in paths if path in site.article_paths]
        assert not fetched, (name, fetched)
        assert "/feed.xml" in paths, (name, paths)
    assert {url for url, _ in articles(shared.project / "news.db")} == expected_urls((*OUTLET_A, *OUTLET_B))


# -- kills ------------------------------------------------------------------------------------------


def wait_for(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path):
    project = copy_project(tmp_path / "proj")
    with ExitStack() as stack:
        server = stack.enter_context(RedisServer(tmp_path / "redis"))
        a, b, sources = start_sites(stack, project)
        first = start_worker(project, sources, server, "worker-1")
        second = start_worker(project, sources, server, "worker-2")
        wait_for_workers(server, 2)
        ingest = start_ingest(project, server)

        def victim_site():
            for site in (a, b):
                fetched = set(requests_by(site, "wiredup-worker-1")) & set(site.article_paths)
                if len(fetched) >= 2 and len(fetched) <= len(site.article_paths) - 2:
                    return site
            return None

        wait_for(lambda: victim_site() is not None, what="worker-1 to crawl articles")
        site = victim_site()
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = site.mark()
        finish(second)
        finish(ingest)
        assert_nothing_left(server)
        taken_over = set(site.paths(killed_at)) & set(site.article_paths)
        assert taken_over, f"nobody finished {site.name} after worker-1 was killed"
        # worker-2 took the killed worker's site over
        assert {r.path for r in site.since(killed_at) if r.user_agent == "wiredup-worker-2"} & set(site.article_paths)
        logs = second.log.read_text() + ingest.log.read_text()
        assert "requests in flight: they are queued again" in logs, "worker-1 had nothing in flight?"
    assert {url for url, _ in articles(project / "news.db")} == expected_urls((*OUTLET_A, *OUTLET_B))
    assert groups(project / "news.db") == expected_groups()


def test_an_ingest_process_killed_mid_stream_loses_no_item(tmp_path):
    project = copy_project(tmp_path / "proj")
    total = len(expected_urls((*OUTLET_A, *OUTLET_B)))
    with ExitStack() as stack:
        server = stack.enter_context(RedisServer(tmp_path / "redis"))
        _, _, sources = start_sites(stack, project)
        finish(start_worker(project, sources, server, "worker-1"))  # every message waits in Redis
        client = redis.Redis.from_url(server.url)
        assert client.llen("news:items") > total
        stored_at_kills = []
        for number in range(3):
            before = len(articles(project / "news.db")) if (project / "news.db").exists() else 0
            if before == total:
                break
            ingest = start_ingest(project, server, f"ingest-killed-{number}")
            wait_for(lambda: (project / "news.db").exists() and len(_safe_articles(project)) > before, what="an article stored")
            ingest.send_signal(signal.SIGKILL)
            ingest.wait()
            stored_at_kills.append(len(articles(project / "news.db")))
        finish(start_ingest(project, server, "ingest-last", idle=1))
        assert_nothing_left(server)
    assert any(count < total for count in stored_at_kills), f"no kill landed mid-stream: {stored_at_kills} of {total}"
    assert {url for url, _ in articles(project / "news.db")} == expected_urls((*OUTLET_A, *OUTLET_B))
    assert groups(project / "news.db") == expected_groups()
    with sqlite3.connect(project / "news.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        not_done = conn.execute("SELECT url FROM url_state WHERE kind = 'article' AND last_status = 200 AND next_fetch IS NOT NULL").fetchall()
    assert not not_done, f"stored articles left due: {not_done}"
    stored = [url for url, _ in articles(project / "news.db")]
    fault_log.record("ingest_kill", killed=len(stored_at_kills), integrity="ok",
                     lost=len(expected_urls((*OUTLET_A, *OUTLET_B)) - set(stored)), duplicated=len(stored) - len(set(stored)))


def _safe_articles(project: Path) -> list:
    try:
        return articles(project / "news.db")
    except sqlite3.OperationalError:  # the schema is being created
        return []


# -- mistakes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (["-s", "WIREDUP_MODE=worker"], "WIREDUP_MODE=worker needs WIREDUP_REDIS_URL"),
        (["-s", "WIREDUP_MODE=worker", "-s", "WIREDUP_REDIS_URL=redis://127.0.0.1:1/0"], "cannot reach Redis at redis://127.0.0.1:1/0"),
        (["-s", "WIREDUP_MODE=workers"], "WIREDUP_MODE='workers': takes one of standalone, worker"),
    ],
)
def test_a_worker_that_cannot_work_exits_1_with_one_line(tmp_path, settings, reason):
    project = copy_project(tmp_path / "proj")
    result = subprocess.run([str(BIN / "scrapy"), "crawl", "news", *settings], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-3000:]
    assert reason in result.stderr.strip().splitlines()[-1], result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert not (project / "news.db").exists()


def test_a_worker_never_opens_the_database(tmp_path):
    """The worker mode (an add-on, which Scrapy runs after it builds the spider) gives a worker no
    database: its spider must read its settings after the add-ons, or it opens, and migrates, the
    WIREDUP_DATABASE that the ingest process is writing ('database is locked')."""
    project = copy_project(tmp_path / "proj")
    with ExitStack() as stack:
        server = stack.enter_context(RedisServer(tmp_path / "redis"))
        _, _, sources = start_sites(stack, project)
        log = finish(start_worker(project, sources, server, "worker"))
        assert redis.Redis.from_url(server.url).llen("news:items") > 0, log[-3000:]  # it crawled, for an ingest to store
    assert not list(project.glob("news.db*")), log[-3000:]


def test_ingest_sets_aside_a_message_it_cannot_read_and_goes_on(tmp_path):
    project = copy_project(tmp_path / "proj")
    with RedisServer(tmp_path / "redis") as server:
        client = redis.Redis.from_url(server.url)
        unreadable = [b"not json", b'{"type": "article", "item": {"url": "https://a.example/1"}}', b'{"type": "telegram"}']
        for data in unreadable:
            client.lpush("news:items", data)
        log = finish(start_ingest(project, server, idle=0.5))
        assert sorted(client.lrange("news:items:bad", 0, -1)) == sorted(unreadable), log[-3000:]
        assert client.llen("news:items") == client.llen("news:items:processing") == 0
    assert log.count("cannot read") == len(unreadable), log[-3000:]
    with sqlite3.connect(project / "news.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        assert conn.execute("SELECT finish_reason FROM crawl_runs").fetchall() == [("finished",)]
