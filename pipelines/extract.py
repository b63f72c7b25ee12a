"""ExtractPipeline: the article text and metadata of a page, or a counted skip.

Runs trafilatura with comments off, then keeps what a news user needs:
title, authors as a list, published date, language, site name, canonical URL.
"""

from __future__ import annotations

import hashlib

import trafilatura
from scrapy.exceptions import DropItem
from trafilatura.utils import load_html

from pipelines.article_text import prune_date_widgets, prune_teasers, strip_metadata_lines
from scraper.items import ArticleItem
from scraper.urls import canonical_url

HTML_TYPES = {"text/html", "application/xhtml+xml", ""}


class ExtractPipeline:
    def __init__(self, stats, min_text_chars: int):
        self.stats = stats
        self.min_text_chars = min_text_chars

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.stats, crawler.settings.getint("WIREDUP_MIN_TEXT_CHARS", 250))
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.content_type not in HTML_TYPES:
            self._skip("not_html", item, item.content_type)
        tree = load_html(item.html) if item.body.strip() else None
        if tree is None:
            self._skip("empty_page", item)
        language = page_language(tree)
        prune_teasers(tree, self_urls(tree, item.url))
        prune_date_widgets(tree)
        document = trafilatura.bare_extraction(tree, url=item.url, include_comments=False, with_metadata=True)
        if document is None or not (document.text or "").strip():
            self._skip("no_article_text", item)
        authors = split_authors(document.author)
        text = strip_metadata_lines(document.text, authors)
        if len(text) < self.min_text_chars:
            self._skip("too_short", item, f"{len(text)} characters")
        item.text = text
        item.text_hash = hashlib.sha1(text.encode("utf-8")).hexdigest()
        item.canonical_url = canonical_url(item.url, document.url)
        item.title = clean_title(document.title, document.sitename)
        item.authors = authors
        item.published = document.date or None
        item.language = language
        item.sitename = document.sitename or document.hostname or None
        item.description = document.description or None
        self.stats.inc_value("wiredup/extracted")
        return item

    def _skip(self, reason: str, item: ArticleItem, detail: str = "") -> None:
        self.stats.inc_value("wiredup/skipped")
        self.stats.inc_value(f"wiredup/skipped/{reason}")
        raise DropItem(f"not an article ({reason}{': ' + detail if detail else ''}): {item.url}")


def self_urls(tree, url: str) -> set[str]:
    """The URLs a page goes by: where it was fetched, its rel=canonical and og:url.

    >>> sorted(self_urls(load_html('<html><head><link rel="canonical" href="https://e.com/a"></head><body>x</body></html>'), "file:///a.html"))
    ['file:///a.html', 'https://e.com/a']
    """
    declared = tree.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content')
    return {url, *(value.strip() for value in declared if value.strip())}


def clean_title(title: str | None, sitename: str | None) -> str | None:
    """The headline without the site name that page titles often append.

    >>> clean_title("France recalls envoy | The Armenian Report", "The Armenian Report")
    'France recalls envoy'
    >>> clean_title("Macron: stop the offensive - Hexagone Daily", "Hexagone Daily")
    'Macron: stop the offensive'
    >>> clean_title("Ceasefire holds", "Daily")
    'Ceasefire holds'
    """
    if not title:
        return None
    title = title.strip()
    if sitename:
        for separator in (" | ", " - ", " – ", " — ", " · ", " :: ", " » "):
            suffix = separator + sitename.strip()
            if title.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


def page_language(tree) -> str | None:
    """The page's declared language as a lower-case primary subtag (``<html lang>``, then ``og:locale``).

    >>> page_language(load_html('<html lang="en-GB"><body><p>x</p></body></html>'))
    'en'
    >>> page_language(load_html('<html><head><meta property="og:locale" content="fr_FR"></head><body>x</body></html>'))
    'fr'
    >>> page_language(load_html('<html><body><p>x</p></body></html>')) is None
    True
    """
    declared = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not declared:
        locales = tree.xpath('//meta[@property="og:locale"]/@content')
        declared = locales[0] if locales else None
    if not declared:
        return None
    primary = declared.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary or None


def split_authors(value: str | None) -> list[str]:
    """trafilatura's author string as a list of names.

    >>> split_authors("Jane Doe; John Roe")
    ['Jane Doe', 'John Roe']
    >>> split_authors(None)
    []
    """
    if not value:
        return []
    return [name.strip() for name in value.split(";") if name.strip()]
