"""An article from a page's HTML, Scrapy-free: text and the metadata a news user needs.

Runs trafilatura with comments off on a page whose teaser boxes and date
widgets were pruned first (pipelines.article_text), then keeps title, authors
as a list, published date, language, site name, description and canonical URL.
The crawl, the benchmarks and re-extraction all call ``extract_article``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

import trafilatura
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from pipelines.article_text import prune_date_widgets, prune_teasers, strip_metadata_lines
from scraper.urls import canonical_url


DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


class NotAnArticle(Exception):
    """The page holds no article; ``reason`` is a short stable name to count skips by."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Article:
    text: str
    text_hash: str
    canonical_url: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    sitename: str | None = None
    description: str | None = None


def extract_article(html: str, url: str, min_text_chars: int = 250) -> Article:
    """The article of a page, or ``NotAnArticle`` saying why not.

    >>> page = '<html lang="en"><head><title>Envoy recalled - Daily</title><meta property="og:site_name" content="Daily"></head>'
    >>> page += '<body><article><h1>Envoy recalled</h1>' + '<p>Paris recalled its ambassador on Tuesday.</p>' * 8 + '</article></body></html>'
    >>> article = extract_article(page, "https://daily.example/envoy?utm_source=rss")
    >>> article.title, article.language, article.canonical_url
    ('Envoy recalled', 'en', 'https://daily.example/envoy')
    >>> try:
    ...     extract_article("<html><body><p>Menu</p></body></html>", "https://daily.example/")
    ... except NotAnArticle as skipped:
    ...     print(skipped.reason, skipped.detail)
    too_short 4 characters
    """
    tree = load_html(html) if html.strip() else None
    if tree is None:
        raise NotAnArticle("empty_page")
    language = page_language(tree)
    prune_teasers(tree, self_urls(tree, url))
    prune_date_widgets(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        with_metadata=True,
        # with the time, so "who ran it first" can be told on the same day
        date_extraction_params={**set_date_params(), "outputformat": DATE_FORMAT},
    )
    if document is None or not (document.text or "").strip():
        raise NotAnArticle("no_article_text")
    authors = split_authors(document.author)
    text = strip_metadata_lines(document.text, authors)
    if len(text) < min_text_chars:
        raise NotAnArticle("too_short", f"{len(text)} characters")
    return Article(
        text=text,
        text_hash=hashlib.sha1(text.encode("utf-8")).hexdigest(),
        canonical_url=canonical_url(url, document.url),
        title=clean_title(document.title, document.sitename),
        authors=authors,
        published=iso_published(document.date),
        language=language,
        sitename=document.sitename or document.hostname or None,
        description=document.description or None,
    )


def self_urls(tree, url: str) -> set[str]:
    """The URLs a page goes by: where it was fetched, its rel=canonical and og:url.

    >>> sorted(self_urls(load_html('<html><head><link rel="canonical" href="https://e.com/a"></head><body>x</body></html>'), "file:///a.html"))
    ['file:///a.html', 'https://e.com/a']
    """
    declared = tree.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content')
    return {url, *(value.strip() for value in declared if value.strip())}


def iso_published(value: str | None) -> str | None:
    """A publication date from htmldate as ISO 8601: in UTC when the page gave a time, else the day alone.

    >>> iso_published("2024-04-17T14:42:00+0300")
    '2024-04-17T11:42:00+00:00'
    >>> iso_published("2024-04-17T00:00:00")
    '2024-04-17'
    >>> iso_published(None) is None
    True
    """
    if not value:
        return None
    moment = datetime.strptime(value, DATE_FORMAT if value[-5:-4] in "+-" else DATE_FORMAT[:-2])
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).isoformat()
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.date().isoformat()  # htmldate's midnight means "no time given"
    return moment.isoformat()


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
