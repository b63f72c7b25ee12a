"""sources.toml: the default works offline; mistakes are named with the field to fix."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, ROOT
from scraper.sources import SourcesError, load_sources


def test_default_sources_point_at_the_bundled_fixture_site():
    (source,) = load_sources(ROOT / "sources.toml")
    assert source.home.startswith("file://") and source.home.endswith("fixtures/site/index.html")
    assert source.feeds and source.sitemaps


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no [[source]] entries"),
        ("[[source]]\nhome = 'https://example.com/'\narticle_patterns = ['/a/']\n", "field 'name' is required"),
        ("[[source]]\nname = 'x'\n", "give at least one of 'home', 'feeds' or 'sitemaps'"),
        ("[[source]]\nname = 'x'\nfeeds = 'https://example.com/rss'\n", "source 'x': field 'feeds' must be a list"),
        ("[[source]]\nname = 'x'\nhome = 'https://example.com/'\n", "field 'article_patterns' is required"),
        ("[[source]]\nname = 'x'\nfeeds = ['missing.xml']\n", "'missing.xml' does not exist"),
        ("[[source]]\nname = 'x'\nfeeds = ['ftp://example.com/rss']\n", "unsupported scheme 'ftp'"),
        ("[[source]]\nname = 'x'\nfeds = ['https://example.com/rss']\n", "unknown field 'feds'"),
        ("[[source]]\nname = 'x'\nhome = 'https://e.com/'\narticle_patterns = ['(']\n", "not a valid regular expression"),
        ("[[source]]\nname = 'x'\nfeeds = ['https://e.com/a']\n[[source]]\nname = 'x'\nfeeds = ['https://e.com/b']\n", "'x' is used twice"),
        ("[[source]\nname = 'x'", "not valid TOML"),
    ],
)
def test_invalid_sources_name_what_to_fix(tmp_path, text, message):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(SourcesError, match=message.replace("[", r"\[").replace("(", r"\(")) as raised:
        load_sources(path)
    assert str(path) in str(raised.value)


def test_relative_paths_resolve_against_the_sources_file(tmp_path):
    (tmp_path / "feed.xml").write_text("<rss/>")
    path = tmp_path / "sources.toml"
    path.write_text("[[source]]\nname = 'local'\nfeeds = ['feed.xml']\n")
    (source,) = load_sources(path)
    assert source.feeds == ((tmp_path / "feed.xml").as_uri(),)


def test_a_crawl_with_a_broken_sources_file_stops_with_one_line_and_touches_no_database(tmp_path):
    from conftest import scrapy_crawl

    sources = tmp_path / "sources.toml"
    sources.write_text("[[source]]\nname = 'x'\nfeds = ['https://example.com/rss']\n")
    database = tmp_path / "news.db"
    result = scrapy_crawl(ROOT, "-a", f"sources={sources}", "-s", f"WIREDUP_DATABASE={database}")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"wiredup: {sources}: source 'x': unknown field 'feds'; "
        "expected one of ['allowed_domains', 'article_patterns', 'delay', 'deny_patterns', 'feeds', 'home', 'listing_patterns', 'max_depth', 'name', 'sitemaps']"
    )
    assert not database.exists()


def test_web_sources_keep_requests_on_their_domains(tmp_path):
    from scrapy.utils.test import get_crawler

    from scraper.spiders.news import NewsSpider

    path = tmp_path / "sources.toml"
    path.write_text(
        "[[source]]\nname = 'a'\nfeeds = ['https://feeds.a.example/rss']\nallowed_domains = ['www.a.example']\n"
        "[[source]]\nname = 'b'\nhome = 'https://b.example:8080/'\narticle_patterns = ['/news/']\ndelay = 1.5\n"
    )
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider), sources=str(path))
    assert spider.allowed_domains == ["b.example", "feeds.a.example", "www.a.example"]
    assert [source.delay for source in spider.sources] == [0.0, 1.5]
    # a local file among the sources: no domain filter (file:// URLs have no host)
    local = tmp_path / "local.toml"
    local.write_text(f"[[source]]\nname = 'c'\nhome = '{FIXTURES / 'site' / 'index.html'}'\narticle_patterns = ['/articles/']\n")
    assert not getattr(NewsSpider.from_crawler(get_crawler(NewsSpider), sources=str(local)), "allowed_domains", None)


def test_a_bad_delay_or_domain_names_the_field(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("[[source]]\nname = 'x'\nfeeds = ['https://x.example/rss']\ndelay = 'slow'\n")
    with pytest.raises(SourcesError, match="field 'delay' must be a number of seconds"):
        load_sources(path)
    path.write_text("[[source]]\nname = 'x'\nfeeds = ['https://x.example/rss']\nallowed_domains = ['https://x.example/']\n")
    with pytest.raises(SourcesError, match="field 'allowed_domains' must be a list of domain names"):
        load_sources(path)
