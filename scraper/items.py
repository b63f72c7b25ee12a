"""The one contract between the spider and the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """A fetched page that may hold an article.

    The spider fills the first block; each pipeline fills its own block, so a
    field's owner is always clear from where it stands.

    >>> item = ArticleItem(url="file:///tmp/a.html", body=b"<html></html>",
    ...                    encoding="utf-8", content_type="text/html", status=200, headers={},
    ...                    fetched_at="2024-04-17T10:00:00+00:00", source="fixtures")
    >>> item.html
    '<html></html>'
    """

    # spider: what was fetched
    url: str
    body: bytes = field(repr=False)
    encoding: str
    content_type: str  # media type without parameters, lower-cased; "" when unknown
    status: int
    headers: dict[str, str] = field(repr=False)
    fetched_at: str
    source: str
    requested_urls: list[str] = field(default_factory=list)  # as asked, then each redirect: url_state's keys
    listed_date: str | None = None  # the date the feed or sitemap that listed the URL gave it, as written there
    listed_from: str | None = None  # "feed" or "sitemap": which one gave listed_date

    # ExtractPipeline: the article and its metadata
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    sitename: str | None = None
    description: str | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)
    text_hash: str | None = None
    updated: str | None = None
    image: str | None = field(default=None, repr=False)
    section: str | None = None
    published_from: str | None = None  # where `published` came from (wiredup.extract.dates.date_source), else listed_from
    # ...and, when an extraction worker did it, the work it took off the crawl's thread:
    presigned: Any = field(default=None, repr=False)  # (text, Fingerprint): valid while `text` is that text
    body_gzip: bytes | None = field(default=None, repr=False)  # `body` gzipped for raw_pages

    # DeclutterPipeline: the page's paragraphs by hash, before the site's clutter was removed
    blocks: dict[str, str] | None = field(default=None, repr=False)

    # DedupPipeline: the article's fingerprint and the stored articles it copies
    fingerprint: Any = field(default=None, repr=False)
    matches: list[tuple[str, Any]] = field(default_factory=list, repr=False)
    unchanged: bool = False

    @property
    def html(self) -> str:
        """The page decoded with the encoding its bytes fit (wiredup.extract.encoding: BOM, header, meta, else a guess)."""
        return self.body.decode(self.encoding, errors="replace")
