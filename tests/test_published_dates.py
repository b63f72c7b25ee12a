"""Published dates only from evidence, with where they came from (``articles.published_from``).

Real trafilatura and htmldate on small pages, real SQLite, and one real crawl of two outlets on
127.0.0.1 whose undated pages get the date their feed or news sitemap lists them with.
"""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils
from trafilatura.utils import load_html

from conftest import FIXTURES, copy_project, scrapy_crawl
from news_site import NewsSite, write_sources
from wiredup.extract.article import extract_article, visible_texts, words_before_headline
from wiredup.store.articles import seen_columns, update_extracted, upsert_article
from wiredup.store.schema import MIGRATIONS, open_database, schema_version

BODY = "".join(
    f"<p>The harbour board has run the ferry between the two islands {detail}, and it said on Tuesday that the "
    f"timetable would change once the new pier opens, paragraph {number}.</p>"
    for number, detail in enumerate(["in 2011", "since 1996", "as it did in 2020", "every summer"])
)


def page(head: str = "", dateline: str = "") -> str:
    """A news page with no date but what ``head`` declares and ``dateline`` prints under the headline."""
    return (
        f'<html lang="en"><head><title>Ferry timetable changes</title>{head}</head>'
        f"<body><article><h1>Ferry timetable changes</h1>{dateline}{BODY}</article></body></html>"
    )


def test_years_in_the_body_are_no_publication_date():
    # htmldate's extensive search, which trafilatura runs by default, reads "in 2011" as 2011-01-01
    article = extract_article(page(), "https://islands.example/news/ferry-timetable")
    assert "in 2011" in article.text and "since 1996" in article.text
    assert (article.published, article.published_from) == (None, None)


def test_a_feed_date_fills_in_for_an_undated_page():
    article = extract_article(page(), "https://islands.example/news/ferry-timetable", listed_date="Tue, 07 May 2024 09:30:00 +0200",
                              listed_from="feed")
    assert (article.published, article.published_from) == ("2024-05-07T09:30:00+02:00", "feed")


def test_a_news_sitemap_date_fills_in_for_an_undated_page():
    article = extract_article(page(), "https://islands.example/news/ferry-timetable", listed_date="2024-05-07", listed_from="sitemap")
    assert (article.published, article.published_from) == ("2024-05-07", "sitemap")


def test_a_placeholder_feed_date_is_no_date():
    article = extract_article(page(), "https://islands.example/news/ferry-timetable", listed_date="Thu, 01 Jan 1970 00:00:00 +0000",
                              listed_from="feed")
    assert (article.published, article.published_from) == (None, None)


def test_json_ld_date_published_wins_over_the_feed():
    linked_data = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-02T08:15:00+01:00"}</script>'
    article = extract_article(page(linked_data), "https://islands.example/news/ferry-timetable", listed_date="2024-05-07",
                              listed_from="feed")
    assert (article.published, article.published_from) == ("2024-05-02T08:15:00+01:00", "jsonld")


def test_meta_time_url_and_dateline_are_named():
    meta = '<meta property="article:published_time" content="2024-05-02T08:15:00+01:00">'
    assert extract_article(page(meta), "https://islands.example/news/ferry").published_from == "meta"
    time = '<p>By Ann Lee, <time datetime="2024-05-02T08:15:00+01:00">Thursday morning</time></p>'
    assert extract_article(page(dateline=time), "https://islands.example/news/ferry").published_from == "time"
    dated_url = extract_article(page(), "https://islands.example/2024/05/02/ferry-timetable")
    assert (dated_url.published, dated_url.published_from) == ("2024-05-02", "url")
    shown = extract_article(page(dateline="<p>By Ann Lee, May 2, 2024</p>"), "https://islands.example/news/ferry")
    assert (shown.published, shown.published_from) == ("2024-05-02", "dateline")


def test_the_date_line_is_read_under_the_headline_not_under_a_menu_copy_of_it():
    # a menu teases the same story above it, followed by other stories' dates
    menu = "<nav><a href='/ferry'>Ferry timetable changes</a> <span>1 March 2019</span> <a href='/x'>Bridge</a> <span>1 March 2019</span></nav>"
    html = page(dateline="<p>By Ann Lee, May 2, 2024</p>").replace("<body>", "<body>" + menu)
    assert extract_article(html, "https://islands.example/news/ferry").published == "2024-05-02"


def test_published_from_is_stored_and_a_listed_date_survives_an_undated_extraction():
    db = open_database(":memory:")
    url = "https://islands.example/news/ferry-timetable"
    listed = extract_article(page(), url, listed_date="2024-05-07", listed_from="sitemap")
    with db.atomic():
        article_id, outcome = upsert_article(db, listed, seen=seen_columns(url, "2024-05-07T10:00:00+00:00", None), source="islands")
    assert outcome == "new"
    # fetched again from a listing page, then re-extracted from raw_pages: no sitemap date either time
    again = extract_article(page() + " ", url)
    with db.atomic():
        upsert_article(db, again, seen=seen_columns(url, "2024-05-08T10:00:00+00:00", None), source="islands")
        update_extracted(db, article_id, again)
    assert db.execute("SELECT published, published_from FROM articles").fetchall() == [("2024-05-07", "sitemap")]
    # the page now declares its date: the page's word wins
    dated = extract_article(page('<meta property="article:published_time" content="2024-05-06">'), url)
    with db.atomic():
        update_extracted(db, article_id, dated)
    assert db.execute("SELECT published, published_from FROM articles").fetchall() == [("2024-05-06", "meta")]


def test_a_database_from_before_published_from_migrates_with_null(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    position = MIGRATIONS.index(next(m for m in MIGRATIONS if m.__name__ == "_add_published_from"))
    for migration in MIGRATIONS[:position]:
        migration(db)
    db.execute(f"PRAGMA user_version = {position}")
    db.execute("INSERT INTO articles (url, text, text_hash, first_seen, last_seen, published) VALUES "
               "('https://a.example/1', 'T', 'h', '2024-05-01', '2024-05-01', '2020-01-01')")
    db.conn.commit()
    db.conn.close()
    migrated = open_database(path)
    assert schema_version(migrated) == len(MIGRATIONS)
    assert migrated.execute("SELECT published, published_from FROM articles").fetchall() == [("2020-01-01", None)]


def test_a_crawl_stores_the_feed_and_sitemap_dates_of_undated_pages(tmp_path):
    project = copy_project(tmp_path / "proj")
    # outlet A lists its page only in its RSS feed, outlet B only in its news sitemap; neither page gives a date
    a = NewsSite("outlet-a", crawl_delay=None, home_links=False, sitemap_urls=False)
    b = NewsSite("outlet-b", crawl_delay=None, home_links=False, feed_items=False)
    a.add_article("/articles/ferry.html", page().replace("<head>", '<head><link rel="canonical" href="https://a.example/ferry">'),
                  published="2024-05-07T09:30:00+02:00")
    b.add_article("/articles/ferry.html", page().replace("<head>", '<head><link rel="canonical" href="https://b.example/ferry">')
                  .replace("paragraph", "para"), published="2024-05-08")
    with a, b:
        sources = write_sources(project / "sources.toml", [
            {"name": site.name, "feeds": [site.url("/feed.xml")], "sitemaps": [site.url("/sitemap-news.xml")],
             "article_patterns": ["/articles/"]}
            for site in (a, b)
        ])
        result = scrapy_crawl(project, "-a", f"sources={sources}", "-s", "AUTOTHROTTLE_START_DELAY=0.1")
    assert result.returncode == 0, result.stderr[-4000:]
    with sqlite3.connect(project / "news.db") as conn:
        rows = conn.execute("SELECT url, published, published_from FROM articles ORDER BY url").fetchall()
    # the feed's RFC 822 pubDate is in UTC: the same moment
    assert rows == [("https://a.example/ferry", "2024-05-07T07:30:00+00:00", "feed"), ("https://b.example/ferry", "2024-05-08", "sitemap")]


def _xpath_visible_texts_and_headline(tree) -> tuple[list[str], int]:
    """The reading visible_texts replaced (an XPath over the body's text nodes, then a walk to the first <h1>'s)."""
    body = tree.find("body")
    if body is None:
        return [], 0
    nodes = body.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
    headings = tree.xpath("//h1")
    for index, node in enumerate(nodes):
        owner = node.getparent()
        if headings and not node.is_tail and (owner is headings[0] or headings[0] in owner.iterancestors()):
            prefix = " ".join(" ".join(nodes[:index]).split())
            return [str(node) for node in nodes], len(prefix) + 1 if prefix else 0
    return [str(node) for node in nodes], 0


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.html")), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_the_page_text_and_the_headline_are_where_the_xpath_reading_found_them(path):
    """visible_texts walks the body in Python and finds the headline on the way: the same texts and date lines."""
    tree = load_html(path.read_text(encoding="utf-8"))
    texts, headline = visible_texts(tree)
    assert (texts, words_before_headline(texts, headline)) == _xpath_visible_texts_and_headline(tree)


def test_the_headline_is_its_first_own_text_not_a_tail_nor_a_hidden_one():
    tree = load_html("<html><body><p>Politics</p><h1><img>Logo <b>Envoy</b></h1><p>May 2, 2024</p></body></html>")
    texts, headline = visible_texts(tree)
    assert texts[headline] == "Envoy" and _xpath_visible_texts_and_headline(tree) == (texts, words_before_headline(texts, headline))
    hidden = load_html("<html><body><noscript><h1>Old</h1></noscript><p>Politics</p><h1>Envoy</h1></body></html>")
    texts, headline = visible_texts(hidden)
    assert headline is None and _xpath_visible_texts_and_headline(hidden) == (texts, 0)
