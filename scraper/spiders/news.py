"""The ``news`` spider: sources.toml -> feeds, sitemaps and listing pages -> article pages.

It only declares what to fetch and hands every article page on as an
``ArticleItem``; deciding whether a page holds an article, and everything
after, is the pipelines' job.

    scrapy crawl news                     # every source in sources.toml
    scrapy crawl news -a url=PAGE         # one page (URL or local path)
    scrapy crawl news -a sources=my.toml  # another sources file
"""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from scraper.items import ArticleItem
from scraper.sources import Source, SourcesError, load_sources

SINGLE_PAGE_SOURCE = "command-line"


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, url: str | None = None, sources: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.page_url = _as_url(url) if url else None
        self.sources_path = sources

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.sources_path or crawler.settings.get("WIREDUP_SOURCES", "sources.toml")
        if spider.page_url:
            spider.sources = []
        else:
            try:
                spider.sources = load_sources(path)
            except SourcesError as error:
                # A clear one-line reason beats a traceback for a cron job's mail.
                raise SystemExit(f"wiredup: {error}") from None
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.page_url:
            yield self._article_request(self.page_url, SINGLE_PAGE_SOURCE)
            return
        for source in self.sources:
            for feed in source.feeds:
                yield scrapy.Request(feed, self.parse_feed, errback=self.count_failure, cb_kwargs={"source": source})
            for sitemap in source.sitemaps:
                yield scrapy.Request(sitemap, self.parse_sitemap, errback=self.count_failure, cb_kwargs={"source": source})
            if source.home:
                yield scrapy.Request(source.home, self.parse_listing, errback=self.count_failure, cb_kwargs={"source": source})

    def parse_listing(self, response: Response, source: Source):
        """Follow the links of a listing page that look like articles of ``source``."""
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            if source.is_article_url(url):
                yield self._article_request(url, source.name)

    def parse_feed(self, response: Response, source: Source):
        """Follow every item of an RSS or Atom feed."""
        selector = scrapy.Selector(text=response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace"), type="xml")
        selector.remove_namespaces()
        links = selector.xpath("//item/link/text() | //entry/link[not(@rel) or @rel='alternate']/@href").getall()
        for link in links:
            yield self._article_request(response.urljoin(link.strip()), source.name)

    def parse_sitemap(self, response: Response, source: Source):
        """Follow a sitemap's URLs, or a sitemap index's sitemaps."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        sitemap = Sitemap(body)
        for entry in sitemap:
            url = response.urljoin(entry["loc"].strip())
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(url, self.parse_sitemap, errback=self.count_failure, cb_kwargs={"source": source})
            else:
                yield self._article_request(url, source.name)

    def parse_article(self, response: Response, source: str):
        yield ArticleItem(
            url=response.url,
            body=response.body,
            encoding=response.encoding if isinstance(response, TextResponse) else "utf-8",
            content_type=_content_type(response),
            status=response.status,
            headers={key.decode("latin-1"): b", ".join(values).decode("latin-1") for key, values in response.headers.items()},
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            source=source,
        )

    def count_failure(self, failure: Failure):
        """Count and log a page that could not be fetched, by reason; the crawl goes on."""
        if failure.check(HttpError):
            response = failure.value.response
            reason, url = f"http_{response.status}", response.url
        else:
            reason, url = failure.type.__name__, failure.request.url
        self.crawler.stats.inc_value(f"wiredup/fetch_failed/{reason}")
        self.logger.warning("Not fetched (%s): %s", reason, url)

    def _article_request(self, url: str, source: str) -> scrapy.Request:
        return scrapy.Request(url, self.parse_article, errback=self.count_failure, cb_kwargs={"source": source})


def _as_url(location: str) -> str:
    """A URL as given, or a local path turned into a ``file://`` URL."""
    if urlsplit(location).scheme in ("http", "https", "file"):
        return location
    path = Path(location).resolve()
    if not path.exists():
        raise SystemExit(f"wiredup: -a url={location}: not a URL and no such file")
    return path.as_uri()


def _content_type(response: Response) -> str:
    header = response.headers.get("Content-Type")
    if header:
        return header.decode("latin-1").split(";", 1)[0].strip().lower()
    # file:// responses carry no headers; the file name is what a browser would go by
    return mimetypes.guess_type(response.url)[0] or ""
