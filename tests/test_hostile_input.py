"""Hostile input: one real crawl, then a rerun, against a server on 127.0.0.1 serving every kind of
broken page, transport fault, feed and sitemap (tests/hostile_site.py), read case by case.

Each case must end as its ``expect`` says: stored once with the right text, skipped (counted under
``wiredup/skipped/<reason>`` and logged with its URL) or not fetched (``wiredup/fetch_failed/<reason>``,
logged with its URL). The crawl must finish, the database must pass its integrity check, and the
rerun must store nothing twice and leave alone what is gone or asked to wait.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import fault_log
from conftest import copy_project, scrapy_crawl
from hostile_site import (
    BAD_LINK_NAMES, CANARY_PATH, CASES, FEEDS, LISTINGS, LOCAL_TARGET, OFFSITE_TARGET, ROBOTS_CASES, SITEMAPS,
    TOO_LARGE_SITEMAPS, Case, HostileSite, via_pages, via_path,
)
from news_site import write_sources

# Short timeouts and one retry keep the hanging cases to seconds; no AutoThrottle, many slots:
# the hostile cases are all on one host and must not wait for each other.
CRAWL_SETTINGS = ("-s", "DOWNLOAD_TIMEOUT=4", "-s", "RETRY_TIMES=1", "-s", "AUTOTHROTTLE_ENABLED=False",
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16")
NOT_FETCHED = re.compile(r"Not fetched \((\w+)\): (\S+)")
NOT_AN_ARTICLE = re.compile(r"not an article \((\w+)[^)]*\): (\S+)")
NOT_FOLLOWED = re.compile(r"Not followed \((\w+)\): (\S+) on (\S+)")


@dataclass
class HostileCrawl:
    site: HostileSite
    project: Path
    logs: list[str]  # stderr of the first run and of the rerun
    paths: list[list[str]]  # what each run asked of the main port
    stats: list[dict]  # crawl_runs.stats of each run
    articles: list[tuple[str, str, str | None]]  # url, text, title, after the rerun
    url_state: dict[str, dict]
    integrity: str

    def text(self, path: str, role: str = "main") -> str | None:
        texts = [text for url, text, _ in self.articles if url == self.site.url(path, role)]
        assert len(texts) <= 1, f"{path} stored {len(texts)} times"
        return texts[0] if texts else None

    def logged(self, pattern: re.Pattern, run: int = 0) -> list[tuple[str, str]]:
        return pattern.findall(self.logs[run])


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> HostileCrawl:
    root = tmp_path_factory.mktemp("hostile")
    project = copy_project(root / "proj")
    with HostileSite(root / "canary.txt") as site:
        sources = write_sources(project / "sources.toml", site.sources())
        logs, paths = [], []
        for _ in range(2):  # the crawl, then a rerun on the same database
            mark = len(site.paths())
            result = scrapy_crawl(project, "-a", f"sources={sources}", *CRAWL_SETTINGS)
            assert result.returncode == 0, result.stderr[-4000:]
            logs.append(result.stderr)
            paths.append(site.paths()[mark:])
        with sqlite3.connect(project / "news.db") as conn:
            conn.row_factory = sqlite3.Row
            stats = [json.loads(row["stats"]) for row in conn.execute("SELECT stats FROM crawl_runs ORDER BY id")]
            articles = [tuple(row) for row in conn.execute("SELECT url, text, title FROM articles")]
            url_state = {row["url"]: dict(row) for row in conn.execute("SELECT * FROM url_state")}
            (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        result = HostileCrawl(site, project, logs, paths, stats, articles, url_state, integrity)
        expected = [site.url(case.path) for case in CASES if case.expect == "stored"] + [site.url(path, role) for role, path in via_pages()]
        expected.append(site.local_article.as_uri())
        stored = [url for url, _, _ in articles]
        fault_log.record(
            "hostile_input", runs=len(logs), wrong=len(stored_wrong(site, articles)),
            # every page case, bad feed, sitemap, listing and robots.txt, each bad link where it was met, the local source
            cases=len(CASES) + len(FEEDS) + len(SITEMAPS) + len(LISTINGS) + len(ROBOTS_CASES) + 3 * len(BAD_LINK_NAMES) + 1,
            lost=len(set(expected) - set(stored)), duplicated=len(stored) - len(set(stored)),
        )
        yield result


def stored_wrong(site: HostileSite, articles) -> list[str]:
    """The readable cases stored with a text other than what the site served for them: their snippet
    missing (mojibake, another page's text under their URL), or replacement characters in it."""
    texts = {url: text for url, text, _ in articles}
    wrong = []
    for case in CASES:
        text = texts.get(site.url(case.path))
        if case.expect == "stored" and text is not None:
            if case.snippet not in text or text.count("\ufffd") > (3 if case.name == "invalid-utf-8" else 0):
                wrong.append(case.name)
    return wrong


def _reason(case: Case) -> str | None:
    return case.expect.split(":", 1)[1] if ":" in case.expect else None


@pytest.mark.parametrize("case", [case for case in CASES if case.expect == "stored"], ids=lambda case: case.name)
def test_a_readable_page_is_stored_once_with_its_text_decoded(crawl, case):
    text = crawl.text(case.path)
    assert text is not None, f"{case.name} was not stored"
    assert case.snippet in text, text[:300]
    # no mojibake (invalid-utf-8 keeps its three broken bytes as replacement characters), no NUL
    assert text.count("\ufffd") <= (3 if case.name == "invalid-utf-8" else 0) and "\0" not in text, text[:300]


@pytest.mark.parametrize("case", [case for case in CASES if case.expect.startswith("skipped")], ids=lambda case: case.name)
def test_a_page_without_an_article_is_skipped_counted_and_logged(crawl, case):
    url = crawl.site.url(case.path)
    assert crawl.text(case.path) is None
    reasons = [reason for reason, logged_url in crawl.logged(NOT_AN_ARTICLE) if logged_url == url]
    assert len(reasons) == 1, f"{url} not logged as skipped once: {reasons}"
    assert crawl.stats[0].get(f"wiredup/skipped/{reasons[0]}", 0) >= 1
    if _reason(case):
        assert reasons == [_reason(case)]
    assert crawl.url_state[url]["next_fetch"] is None, "a skipped page is asked again"
    assert case.path not in crawl.paths[1], "the rerun fetched a skipped page again"


@pytest.mark.parametrize("case", [case for case in CASES if case.expect.startswith("failed")], ids=lambda case: case.name)
def test_a_page_that_cannot_be_fetched_is_counted_and_logged_by_reason(crawl, case):
    url = crawl.site.url(case.path)
    reason = _reason(case)
    assert crawl.text(case.path) is None
    assert (reason, url) in crawl.logged(NOT_FETCHED), [line for line in crawl.logged(NOT_FETCHED) if line[1] == url]
    assert crawl.stats[0].get(f"wiredup/fetch_failed/{reason}", 0) >= 1
    if case.requests is not None:
        assert crawl.paths[0].count(case.path) == case.requests, crawl.paths[0].count(case.path)
    assert case.path not in crawl.paths[1], "the rerun asked again at once for a page that failed"


def test_every_logged_skip_and_failure_is_counted_by_its_reason(crawl):
    for run, stats in enumerate(crawl.stats):
        for pattern, prefix in ((NOT_FETCHED, "wiredup/fetch_failed/"), (NOT_AN_ARTICLE, "wiredup/skipped/")):
            logged = Counter(reason for reason, _ in crawl.logged(pattern, run))
            counted = {key.removeprefix(prefix): value for key, value in stats.items() if key.startswith(prefix)}
            assert logged == counted, (run, prefix, logged, counted)
        assert stats.get("spider_exceptions/count", 0) == 0, "a hostile page made the spider fail"


def test_retry_after_is_honoured_and_not_asked_again_this_run(crawl):
    fetched = datetime.now(timezone.utc)
    for name, at_least in (("too-many-requests", timedelta(hours=2)), ("unavailable-retry-after", timedelta(hours=2.9))):
        state = crawl.url_state[crawl.site.url(f"/hostile/{name}")]
        assert datetime.fromisoformat(state["next_fetch"]) >= fetched + at_least - timedelta(minutes=10), state


def test_gone_pages_are_never_asked_again_and_failures_back_off(crawl):
    for name in ("not-found", "gone"):
        assert crawl.url_state[crawl.site.url(f"/hostile/{name}")]["next_fetch"] is None
    for name in ("server-error", "timeout", "slow-drip", "connection-reset", "gzip-bomb", "over-size-limit"):
        state = crawl.url_state[crawl.site.url(f"/hostile/{name}")]
        assert state["failures"] >= 1 and state["next_fetch"], (name, state)


def test_redirects_off_the_allowed_domains_are_never_followed(crawl):
    assert OFFSITE_TARGET not in crawl.site.paths()


@pytest.mark.parametrize("role, path", via_pages())
def test_bad_feeds_sitemaps_and_robots_still_lead_to_their_readable_articles(crawl, role, path):
    assert crawl.text(path, role) is not None, f"{path} not stored"


def test_external_entities_are_never_resolved(crawl):
    # resolved, an entity would have put the canary's URL (the local file's content) in a link
    assert CANARY_PATH not in crawl.site.paths()
    for kind in ("feed", "sitemap"):
        assert crawl.text(via_path(kind, "external-entity")) is not None


@pytest.mark.parametrize("name", sorted(TOO_LARGE_SITEMAPS))
def test_a_sitemap_of_a_million_urls_is_skipped_as_too_large(crawl, name):
    url = crawl.site.url(f"/sitemaps/{name}.xml")
    assert f"/sitemaps/{name}.xml" in crawl.paths[0]
    assert ("too_large", url) in crawl.logged(NOT_FETCHED)
    assert not [path for path in crawl.site.paths() if path.startswith("/articles/n")]  # none of its URLs asked


def test_entity_bombs_are_not_expanded(crawl):
    assert not [text for _, text, _ in crawl.articles if "lollol" in text]
    assert not [url for url in crawl.url_state if "lollol" in url]
    for kind in ("feed", "sitemap"):
        assert crawl.text(via_path(kind, "entity-bomb")) is not None


@pytest.mark.parametrize("role", ROBOTS_CASES)
def test_a_host_whose_robots_txt_fails_is_not_crawled_and_the_crawl_goes_on(crawl, role):
    # RFC 9309: an unreachable robots.txt (5xx, no answer) means complete disallow, for this run
    paths = crawl.site.paths(role)  # both runs
    assert set(paths) == {"/robots.txt"}, f"asked for more than robots.txt: {paths}"
    netloc = crawl.site.url("", role).removeprefix("http://")
    for run, (log, stats) in enumerate(zip(crawl.logs, crawl.stats)):
        assert f"robots.txt of {netloc} unreachable" in log
        assert stats["wiredup/robots_unreachable"] == len(ROBOTS_CASES)
        # its home page (and its own robots.txt, asked for Sitemap: lines) counted and logged as forbidden
        assert ("robots_forbidden", crawl.site.url("/", role)) in crawl.logged(NOT_FETCHED, run)
    assert crawl.text(via_path("robots", role), role) is None


def test_the_rerun_stores_nothing_twice_and_fetches_no_stored_article(crawl):
    assert crawl.integrity == "ok"
    urls = [url for url, _, _ in crawl.articles]
    assert len(urls) == len(set(urls))
    stored_paths = {url.split("/", 3)[3] for url in urls}
    assert not ["/" + path for path in stored_paths if "/" + path in crawl.paths[1]], crawl.paths[1]
    assert crawl.stats[1].get("wiredup/stored/new", 0) == 0


BAD_LINK_PAGES = [("feed", f"/feeds/{name}.xml") for name in FEEDS if name == "bad-links"] + [
    ("sitemap", f"/sitemaps/{name}.xml") for name in SITEMAPS if name == "bad-links"] + [
    ("listing", f"/listings/{name}.html") for name in LISTINGS]


@pytest.mark.parametrize("kind, path", BAD_LINK_PAGES)
def test_each_bad_link_is_counted_and_logged_and_the_entries_after_it_are_read(crawl, kind, path):
    # issue 20, 1: a mailto:, javascript:, tel:, urn: or invalid IPv6 link ended the page's parse
    page_url = crawl.site.url(path)
    logged = [(reason, url) for reason, url, on in crawl.logged(NOT_FOLLOWED) if on == page_url]
    assert len(logged) == len(BAD_LINK_NAMES), logged
    assert crawl.text(via_path(kind, "bad-links")) is not None, "the entry after the bad links was not stored"
    # parsed to its end, so its validators are kept: the rerun finds it unchanged and need not parse it
    assert crawl.url_state[page_url]["content_hash"]


def test_links_from_a_web_page_never_reach_a_file_data_or_another_host(crawl):
    # issue 20, 4: a file-located source next to the web ones turned the offsite filter off
    stored = [url for url, _, _ in crawl.articles]
    local = crawl.site.local_article.as_uri()
    assert [url for url in stored if not url.startswith(crawl.site.url("/")) and url != local] == [], stored
    assert not [text for _, text, _ in crawl.articles if "root:" in text or "Injected" in text]
    assert LOCAL_TARGET not in crawl.site.paths()
    assert not [url for url in crawl.url_state if urlsplit(url).scheme not in ("http", "https") and url != local
                and not url.startswith(crawl.site.local_feed.parent.as_uri())]


def test_a_local_source_next_to_web_sources_is_still_crawled(crawl):
    assert crawl.site.local_article.as_uri() in [url for url, _, _ in crawl.articles]
