"""Issue 18: a test news web of our own, crawled twice by ``scrapy crawl news``, every group asserted.

Two outlets on 127.0.0.1 (tests/news_web.py): the Daily Ledger publishes originals dated on the
page and in its feed; the Evening Courier runs wire copies of them in a cluttered template, briefs,
a roundup quoting three stories' openings and stories of its own, with no date on any page and a
news sitemap that dates most of them (some copies years after their originals). The first crawl
sees edition 1 of the web; the second, edition 2: a new story with its copy, and a late copy of a
story stored in the first run.

Asserted: the stored groups equal the intended partition after each crawl, pages dated nowhere
store no date, sitemap dates reach their articles with ``published_from = 'sitemap'``, and the
originals keep the date their pages declare.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import copy_project, scrapy_crawl
from news_site import write_sources
from news_web import BRIEF_MAX_WORDS, NewsWeb, Page, load_stories, plan_pages, serve_news_web, write_news_web

FAST = ("-s", "AUTOTHROTTLE_START_DELAY=0.1")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A date as a page could show it, for a reader or a date parser: "May 2, 2024", "2 May 2024",
# "2024-05-02", "05/02/2024", "02.05.2024"; and a year with a month ("December 2008") is no date.
SHOWN_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4})",
    re.IGNORECASE,
)
DATE_MARKUP = re.compile(r"<time\b|datePublished|dateCreated|published_time|pubdate|dc\.date", re.IGNORECASE)


# -- the crawls ----------------------------------------------------------------------------------


@dataclass
class CrawledWeb:
    project: Path
    first_web: NewsWeb  # edition 1, crawled first
    second_web: NewsWeb  # edition 2, crawled second
    first_rows: list[dict]  # the articles table after the first crawl
    second_rows: list[dict]  # ...and after the second


def crawl_ok(project: Path, sources: Path) -> subprocess.CompletedProcess:
    result = scrapy_crawl(project, "-a", f"sources={sources}", *FAST)
    assert result.returncode == 0, f"crawl failed ({result.returncode}):\n{result.stderr[-4000:]}"
    return result


def stored_articles(database: Path) -> list[dict]:
    """Every row of ``articles`` as a dict."""
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM articles ORDER BY id")]


@pytest.fixture(scope="module")
def crawled_web(tmp_path_factory) -> CrawledWeb:
    """A fresh project copy that crawled edition 1 of the web, then edition 2."""
    root = tmp_path_factory.mktemp("news_web")
    project = copy_project(root / "project")
    with serve_news_web(root / "web") as bases:
        first_web = write_news_web(root / "web", bases, edition=1)
        sources = write_sources(project / "sources.toml", first_web.sources())
        crawl_ok(project, sources)
        first_rows = stored_articles(project / "news.db")
        second_web = write_news_web(root / "web", bases, edition=2)
        crawl_ok(project, sources)
        second_rows = stored_articles(project / "news.db")
    return CrawledWeb(project, first_web, second_web, first_rows, second_rows)


# -- reading what was stored ---------------------------------------------------------------------


def fetched_url(row: dict) -> str:
    return row["final_url"] or row["url"]


def stored_partition(rows: list[dict]) -> set[frozenset[str]]:
    """The stored groups, as sets of the URLs the articles were fetched from."""
    groups: dict[int, set[str]] = {}
    for row in rows:
        groups.setdefault(row["cluster_id"], set()).add(fetched_url(row))
    return {frozenset(group) for group in groups.values()}


def partition_difference(stored: set[frozenset[str]], web: NewsWeb) -> str:
    """The stored groups that are not intended and the intended groups not stored, by page label."""
    pages = web.by_url()

    def labels(group) -> str:
        return ", ".join(sorted(pages[url].label if url in pages else url for url in group))

    gold = web.gold_partition()
    wrong = [f"  stored:   {labels(group)}" for group in sorted(stored - gold, key=labels)]
    missed = [f"  intended: {labels(group)}" for group in sorted(gold - stored, key=labels)]
    return "\n".join(["groups stored but not intended:", *wrong, "groups intended but not stored:", *missed])


def rows_by_url(rows: list[dict]) -> dict[str, dict]:
    return {fetched_url(row): row for row in rows}


NO_COLUMN = "<no published_from column>"


def stored_date(row: dict) -> tuple[str | None, str | None]:
    """``(published, published_from)`` of a stored article (``NO_COLUMN`` when the column is missing)."""
    return row["published"], row.get("published_from", NO_COLUMN)


ANY = object()


def pages_of(web: NewsWeb, *, outlet: str | None = None, date_from=ANY) -> list[Page]:
    """The pages of ``outlet`` (any when None) whose date comes from ``date_from`` (None: nowhere)."""
    return [page for page in web.pages if outlet in (None, page.outlet) and (date_from is ANY or page.date_from == date_from)]


# -- the web itself, as built (no crawl) ---------------------------------------------------------


@pytest.fixture(scope="module")
def written_web(tmp_path_factory) -> tuple[Path, NewsWeb, dict[str, bytes]]:
    """Edition 2 written for outlets at made-up ports, and the bytes of edition 1 written before it."""
    folder = tmp_path_factory.mktemp("written_web")
    bases = {"a": "http://127.0.0.1:8001", "b": "http://127.0.0.1:8002"}
    write_news_web(folder, bases, edition=1)
    first = {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    return folder, write_news_web(folder, bases, edition=2), first


def page_file(folder: Path, page: Page) -> Path:
    return folder / page.outlet / (page.path.lstrip("/") + ("index.html" if page.path.endswith("/") else ""))


def test_courier_pages_show_no_date_and_its_sitemap_dates_only_the_dated_ones(written_web):
    folder, web, _ = written_web
    for page in pages_of(web, outlet="b"):
        html = page_file(folder, page).read_text(encoding="utf-8")
        assert not SHOWN_DATE.search(html) and not DATE_MARKUP.search(html), page.label
    sitemap = (folder / "b" / "news-sitemap.xml").read_text(encoding="utf-8")
    listed = dict(re.findall(r"<loc>([^<]+)</loc>.*?<news:publication_date>([^<]+)<", sitemap, re.DOTALL))
    assert listed == {web.url(page): page.date for page in pages_of(web, outlet="b", date_from="sitemap")}
    assert pages_of(web, outlet="b", date_from=None), "the web needs Courier pages dated nowhere"


def test_ledger_pages_and_feed_declare_each_original_date(written_web):
    folder, web, _ = written_web
    feed = (folder / "a" / "feed.xml").read_text(encoding="utf-8")
    for page in pages_of(web, outlet="a"):
        html = page_file(folder, page).read_text(encoding="utf-8")
        assert f'"datePublished": "{page.date}"' in html and f'content="{page.date}"' in html, page.label
        assert web.url(page) in feed, page.label


def test_copies_keep_the_lede_cut_paragraphs_and_add_one_of_their_own(written_web):
    _, web, _ = written_web
    stories = load_stories()
    copies = [page for page in web.pages if page.kind == "copy"]
    assert copies
    for page in copies:
        original = stories[page.story].paragraphs
        assert page.paragraphs[0] == original[0], page.label
        own = [paragraph for paragraph in page.paragraphs if paragraph not in original]
        assert len(own) == 1, page.label
        assert len(page.paragraphs) - 1 < len(original), page.label


def test_briefs_are_a_story_opening_and_the_roundup_quotes_several(written_web):
    _, web, _ = written_web
    stories = load_stories()
    briefs = [page for page in web.pages if page.kind == "brief"]
    assert briefs
    for page in briefs:
        (text,) = page.paragraphs
        assert page.words <= BRIEF_MAX_WORDS and stories[page.story].lede.startswith(text), page.label
    (roundup,) = [page for page in web.pages if page.kind == "roundup"]
    assert len(roundup.quoted) >= 2
    for key in roundup.quoted:
        assert f"“{stories[key].opening()}”" in roundup.paragraphs, key
    briefed = {page.story for page in briefs}
    assert briefed & set(roundup.quoted), "a brief must be quoted in the roundup, to tempt a bridge"


def test_edition_two_adds_pages_and_changes_no_page_of_edition_one(written_web):
    folder, web, first = written_web
    first_pages = {f"{page.outlet}/{page_file(folder, page).relative_to(folder / page.outlet)}" for page in plan_pages() if page.edition == 1}
    assert first_pages < set(first)
    for relative in first_pages:
        assert (folder / relative).read_bytes() == first[relative], relative
    late = [page for page in web.pages if page.edition == 2 and page.kind == "copy"]
    assert any(original.edition == 1 for page in late for original in web.pages if original.story == page.story and original.kind == "original")


# -- the crawls: groups --------------------------------------------------------------------------


def test_first_crawl_stores_every_page_of_the_first_edition(crawled_web):
    stored = [fetched_url(row) for row in crawled_web.first_rows]
    assert sorted(stored) == sorted(crawled_web.first_web.by_url())


def test_first_crawl_groups_every_story_exactly(crawled_web):
    stored = stored_partition(crawled_web.first_rows)
    if stored != crawled_web.first_web.gold_partition():
        pytest.fail(partition_difference(stored, crawled_web.first_web), pytrace=False)


def test_second_crawl_stores_the_new_pages_and_keeps_the_old_ones(crawled_web):
    stored = [fetched_url(row) for row in crawled_web.second_rows]
    assert sorted(stored) == sorted(crawled_web.second_web.by_url())


def test_second_crawl_groups_every_story_exactly(crawled_web):
    stored = stored_partition(crawled_web.second_rows)
    if stored != crawled_web.second_web.gold_partition():
        pytest.fail(partition_difference(stored, crawled_web.second_web), pytrace=False)


def test_a_late_copy_joins_the_group_of_an_original_stored_a_run_before(crawled_web):
    web = crawled_web.second_web
    rows = rows_by_url(crawled_web.second_rows)
    late = [page for page in web.pages if page.kind == "copy" and page.edition == 2]
    checked = 0
    for copy in late:
        (original,) = [page for page in web.pages if page.story == copy.story and page.kind == "original"]
        if original.edition == 1:
            assert rows[web.url(copy)]["cluster_id"] == rows[web.url(original)]["cluster_id"], copy.label
            checked += 1
    assert checked


# -- the crawls: dates ---------------------------------------------------------------------------


def test_pages_dated_nowhere_store_no_published_date(crawled_web):
    rows = rows_by_url(crawled_web.second_rows)
    web = crawled_web.second_web
    undated = pages_of(web, outlet="b", date_from=None)
    wrong = {page.label: stored_date(rows[web.url(page)]) for page in undated if stored_date(rows[web.url(page)]) != (None, None)}
    assert not wrong, f"pages with no date anywhere, stored (published, published_from): {wrong}"


def test_sitemap_dates_reach_their_articles_as_published_from_sitemap(crawled_web):
    rows = rows_by_url(crawled_web.second_rows)
    web = crawled_web.second_web
    wrong = {}
    for page in pages_of(web, outlet="b", date_from="sitemap"):
        published, source = stored_date(rows[web.url(page)])
        if ((published or "")[:10], source) != (page.date[:10], "sitemap"):
            wrong[page.label] = {"sitemap": page.date[:10], "stored": (published, source)}
    assert not wrong, wrong


def test_originals_keep_the_date_their_page_declares(crawled_web):
    rows = rows_by_url(crawled_web.second_rows)
    web = crawled_web.second_web
    wrong = {}
    for page in pages_of(web, outlet="a"):
        published, source = stored_date(rows[web.url(page)])
        if (published or "")[:10] != page.date[:10] or source in (None, "sitemap", NO_COLUMN):
            wrong[page.label] = {"declared": page.date[:10], "stored": (published, source)}
    assert not wrong, wrong
