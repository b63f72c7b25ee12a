"""rel=canonical never makes different pages one article (issue 20, case 3).

Real crawls of sites on 127.0.0.1: pages that declare the same canonical URL but hold different
texts are stored apart (the first fetched keeps the canonical, each other under its own URL), and
an outlet's rewrite that names another outlet's page as canonical never overwrites that page's row.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing

import fault_log
from conftest import copy_project
from news_site import NewsSite, write_sources
from test_incremental_crawl import MANIFEST, article_html, article_path, crawl_ok

SHARED = "https://www.example.com/world/the-one-story"
SEEDS = ("000", "002", "004")  # three different stories, one site


def with_canonical(seed: str, canonical: str) -> bytes:
    """The fixture page of ``seed`` declaring ``canonical`` as its canonical URL."""
    html = article_html(seed).decode("utf-8")
    html, count = re.subn(r'(<link rel="canonical" href=")[^"]+(")', rf"\g<1>{canonical}\g<2>", html)
    assert count == 1, seed
    return html.replace(MANIFEST[seed]["url"], canonical).encode("utf-8")


def rows(project) -> list[tuple]:
    with closing(sqlite3.connect(project / "news.db")) as conn:
        return conn.execute("SELECT url, final_url, source, text FROM articles ORDER BY id").fetchall()


def test_pages_declaring_one_canonical_with_different_texts_are_stored_apart(tmp_path):
    project = copy_project(tmp_path / "proj")
    pages = {article_path(seed): with_canonical(seed, SHARED) for seed in SEEDS}
    with NewsSite("outlet", pages, crawl_delay=None) as site:
        sources = write_sources(project / "sources.toml", [{"name": "outlet", "feeds": [site.url("/feed.xml")],
                                                           "article_patterns": ["/articles/"]}])
        crawl_ok(project, sources)
        first = rows(project)
        crawl_ok(project, sources)  # nothing new: nothing stored again, nothing merged
        again = rows(project)
        urls = {site.url(path) for path in pages}
    fetched = {final_url for _, final_url, _, _ in first}
    # a page whose text is not stored, or stored over another's, is stored wrong
    fault_log.record("canonical", case="shared", pages=len(SEEDS), wrong=len(SEEDS) - len({text for *_, text in first}))
    assert len(first) == len(SEEDS), [(url, final_url) for url, final_url, _, _ in first]
    assert len({text for *_, text in first}) == len(SEEDS)
    assert fetched == urls
    # the first page fetched keeps the canonical; each other one is stored under its own URL
    assert sum(url == SHARED for url, *_ in first) == 1
    assert all(url == SHARED or url == final_url for url, final_url, _, _ in first)
    assert again == first


def test_a_rewrite_naming_another_outlets_page_as_canonical_never_overwrites_it(tmp_path):
    project = copy_project(tmp_path / "proj")
    with NewsSite("wire", crawl_delay=None) as wire, NewsSite("outlet", crawl_delay=None) as outlet:
        wire_url = wire.url(article_path("001"))
        wire.add_article(article_path("001"), with_canonical("001", wire_url))
        # the outlet's rewrite of another story names the wire's page as its original
        outlet.add_article("/articles/rewrite.html", with_canonical("003", wire_url))
        sources = write_sources(project / "sources.toml", [
            {"name": "wire", "feeds": [wire.url("/feed.xml")], "article_patterns": ["/articles/"]},
            {"name": "outlet", "feeds": [outlet.url("/feed.xml")], "article_patterns": ["/articles/"]},
        ])
        crawl_ok(project, sources)
        stored = rows(project)
        rewrite_url = outlet.url("/articles/rewrite.html")
    by_url = {url: (final_url, source, text) for url, final_url, source, text in stored}
    fault_log.record("canonical", case="other-outlet", pages=2,
                     wrong=int(by_url.get(wire_url, (None, None))[:2] != (wire_url, "wire")))
    assert len(stored) == 2, [(url, final_url) for url, final_url, _, _ in stored]
    assert by_url[wire_url][:2] == (wire_url, "wire")
    assert by_url[rewrite_url][:2] == (rewrite_url, "outlet")
    assert by_url[wire_url][2] != by_url[rewrite_url][2]
