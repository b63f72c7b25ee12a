"""The ``news`` spider: sources.toml -> feeds, sitemaps and listing pages -> article pages.

It only declares what to fetch and hands every article page on as an
``ArticleItem``; deciding whether a page holds an article, and everything
after, is the pipelines' job.

    scrapy crawl news                     # every source in sources.toml
    scrapy crawl news -a url=PAGE         # one page (URL or local path)
    scrapy crawl news -a sources=my.toml  # another sources file
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots
from scrapy.utils.url import url_is_from_any_domain
from twisted.python.failure import Failure

from scraper.items import ArticleItem
from scraper.middlewares import NotDue, NotRecorded, fetch_abandoned
from scraper.sources import Source, SourcesError, load_sources
from wiredup.extract.encoding import page_encoding
from wiredup.settings import Settings, SettingsError
from wiredup.store import url_state
from wiredup.store.schema import DatabaseError, check_database, open_database

SINGLE_PAGE_SOURCE = "command-line"

# Why a page was not fetched, as short stable names to count by (wiredup/fetch_failed/<reason>).
FAILURE_REASONS = {
    DownloadTimeoutError: "timeout",  # no answer, or one dripping in, within DOWNLOAD_TIMEOUT
    DownloadCancelledError: "too_large",  # over DOWNLOAD_MAXSIZE, said or seen while it arrived
    ResponseDataLossError: "connection_lost",
    DownloadFailedError: "connection_lost",
    DownloadConnectionRefusedError: "connection_refused",
    CannotResolveHostError: "unknown_host",
}
# Scrapy drops some requests with a bare IgnoreRequest; its message tells them apart.
IGNORED_REASONS = {
    "max redirections reached": "too_many_redirects",
    "DOWNLOAD_MAXSIZE": "too_large",  # a gzip body that inflates past the limit
}


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, url: str | None = None, sources: str | None = None, **kwargs):
        # Scrapy would keep any -a NAME=VALUE as an attribute, a typo as silently as a clash with
        # one of ours; names with a leading underscore are a scheduler's (Scrapyd's _job)
        unknown = sorted(name for name in kwargs if not name.startswith("_"))
        if unknown:
            self.logger.warning(
                "Ignored unknown spider argument%s %s: the news spider takes -a url=PAGE or -a sources=FILE",
                "s" if len(unknown) > 1 else "", ", ".join(f"-a {name}" for name in unknown),
            )
        super().__init__(**{name: value for name, value in kwargs.items() if name not in unknown})
        self.page_url = _as_url(url) if url else None
        self.sources_path = sources

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            # Scrapy builds the spider before add-ons, extensions (the run lock) and pipelines: a
            # wrong setting stops the crawl here, before anything is locked, opened or written
            checked = Settings.from_values(crawler.settings)
        except SettingsError as error:
            raise SystemExit(f"wiredup: {error}") from None
        path = spider.sources_path or checked.sources
        if spider.page_url:
            spider.sources = []
        else:
            try:
                spider.sources = load_sources(path)
            except SourcesError as error:
                # A clear one-line reason beats a traceback for a cron job's mail.
                raise SystemExit(f"wiredup: {error}") from None
            domains = set().union(*(source.domains() for source in spider.sources))
            if domains:
                # Scrapy's offsite filter: no request, redirect included, leaves the sources' domains
                # (a source's own pages are only followed to its own domains: see _link)
                spider.allowed_domains = sorted(domains)
        try:
            check_database(checked.database)
        except DatabaseError as error:
            raise SystemExit(f"wiredup: {error}") from None
        crawler.signals.connect(spider.count_redirect_loop, signal=signals.request_dropped)
        crawler.signals.connect(spider.count_offsite_redirect, signal=signals.request_scheduled)
        return spider

    @functools.cached_property
    def wiredup(self) -> Settings:
        """The WIREDUP_* settings the crawl runs with: read once the add-ons have run, which
        ``from_crawler`` comes before (the worker mode gives a worker no database)."""
        return Settings.from_values(self.settings)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.page_url:
            yield self._article_request(self.page_url, SINGLE_PAGE_SOURCE)
            return
        for source in self.sources:
            for host in sorted(_web_origins(source)):
                yield self._request(f"{host}/robots.txt", "robots", source, self.parse_robots)
            for feed in source.feeds:
                yield self._request(feed, "feed", source, self.parse_feed)
            for sitemap in source.sitemaps:
                yield self._request(sitemap, "sitemap", source, self.parse_sitemap)
            if source.home:
                yield self._request(source.home, "listing", source, self.parse_listing)
        for retry in self._due_retries():
            yield self._article_request(retry["url"], retry["source"] or SINGLE_PAGE_SOURCE)

    def parse_robots(self, response: Response, source: Source):
        """Follow the ``Sitemap:`` lines of a site's robots.txt."""
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            if request := self._followed(response, source, url, lambda url: self._request(url, "sitemap", source, self.parse_sitemap)):
                yield request

    def parse_listing(self, response: Response, source: Source, depth: int = 1):
        """Follow the links of a listing page that look like articles of ``source``, and its
        listing links while ``depth`` (home is 1) is under the source's ``max_depth``."""
        if isinstance(response, TextResponse) and not response.meta.get("wiredup_unchanged"):
            for href in response.css("a::attr(href)").getall():
                if request := self._followed(response, source, href, lambda url: self._listing_link(url, source, depth)):
                    yield request
        _parsed_to_its_end(response)

    def _listing_link(self, url: str, source: Source, depth: int) -> scrapy.Request | None:
        if source.is_article_url(url):
            return self._article_request(url, source.name)
        if source.is_listing_url(url, depth):
            request = self._request(url, "listing", source, self.parse_listing)
            request.cb_kwargs["depth"] = depth + 1
            return request
        return None

    def parse_feed(self, response: Response, source: Source):
        """Follow every recent item of an RSS or Atom feed."""
        if not response.meta.get("wiredup_unchanged"):  # else the same bytes as last run: every link was handled then
            selector = scrapy.Selector(text=response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace"), type="xml")
            selector.remove_namespaces()
            for entry in selector.xpath("//item | //entry"):
                link = entry.xpath("link/text() | link[not(@rel) or @rel='alternate']/@href").get()
                # the publication (RSS pubDate, Atom published, Dublin Core date) before an Atom entry's last update
                published = entry.xpath("pubDate/text() | published/text() | date/text()").get() or entry.xpath("updated/text()").get()
                if link and not self._too_old(published):
                    if request := self._followed(response, source, link, lambda url: self._article_request(url, source.name, published, "feed")):
                        yield request
        _parsed_to_its_end(response)

    def parse_sitemap(self, response: Response, source: Source):
        """Follow a sitemap's recent URLs, or a sitemap index's sitemaps."""
        if response.meta.get("wiredup_unchanged"):
            _parsed_to_its_end(response)
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except ValueError:  # inflates past DOWNLOAD_MAXSIZE: a bomb, or far more than the 50,000 URLs a sitemap may hold
                self._count_failure("too_large", response.url)
                return
        kind, entries = _sitemap_entries(body)
        for loc, date in entries:
            if kind == "sitemapindex":
                request = self._followed(response, source, loc, lambda url: self._request(url, "sitemap", source, self.parse_sitemap))
            elif not self._too_old(date):
                request = self._followed(response, source, loc, lambda url: self._article_request(url, source.name, date, "sitemap"))
            else:
                request = None
            if request:
                yield request
        _parsed_to_its_end(response)

    def _followed(self, response: Response, source: Source, href: str, make) -> scrapy.Request | None:
        """``make(url)`` for a link of ``response`` (a feed, sitemap, listing or robots.txt of ``source``),
        or None when the link may not be followed: counted and logged, and the page's other links are
        still read (one bad entry must not end its page's parse, or the entries after it are lost)."""
        try:
            url = response.urljoin(href.strip())
            reason = _unfollowable(url, response.url, source)
            if reason is None:
                return make(url)
        except Exception as error:  # noqa: BLE001 - whatever a link does, the next entry is read
            url, reason = href.strip(), "invalid_url" if isinstance(error, ValueError) else type(error).__name__
        self.crawler.stats.inc_value(f"wiredup/not_followed/{reason}")
        self.logger.warning("Not followed (%s): %s on %s", reason, url[:300], response.url)
        return None

    def parse_article(self, response: Response, source: str):
        yield ArticleItem(
            url=response.url,
            body=response.body,
            encoding=page_encoding(response.body, response.headers.get("Content-Type")),
            content_type=_content_type(response),
            status=response.status,
            headers={key.decode("latin-1"): b", ".join(values).decode("latin-1") for key, values in response.headers.items()},
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            source=source,
            requested_urls=[*response.meta.get("redirect_urls", []), response.request.url],
            listed_date=response.meta.get("wiredup_listed_date"),
            listed_from=response.meta.get("wiredup_listed_from"),
        )

    def count_failure(self, failure: Failure):
        """Count and log a page that could not be fetched, by reason; the crawl goes on."""
        request = failure.request
        if failure.check(HttpError):
            response = failure.value.response
            if response.status == 304:
                return  # not modified since the last run: counted by IncrementalMiddleware
            return self._count_failure(f"http_{response.status}", response.url)
        if failure.check(NotDue, NotRecorded):
            return  # not asked on purpose, or dropped as the crawl stops on a database error: counted where that was decided
        if failure.check(IgnoreRequest):
            if "Forbidden by robots.txt" in str(failure.value):
                # never asked, so never recorded in url_state: the next run asks robots.txt again
                return self._count_failure("robots_forbidden", request.url, logging.INFO)
            reason = next((name for fragment, name in IGNORED_REASONS.items() if fragment in str(failure.value)), "ignored")
            # raised after UrlStateRecorder saw the response: it must hear that the fetch failed after all
            self.crawler.signals.send_catch_log(fetch_abandoned, request=request, reason=reason)
        else:
            reason = next((name for cls, name in FAILURE_REASONS.items() if failure.check(cls)), failure.type.__name__)
        self._count_failure(reason, (request.meta.get("redirect_urls") or [request.url])[0])  # the URL that was asked

    def count_redirect_loop(self, request, spider=None):
        """A redirect back to a URL of its own chain is dropped by Scrapy's duplicate filter, silently."""
        chain = request.meta.get("redirect_urls", [])
        if request.url in chain:
            self._count_failure("redirect_loop", chain[0])

    def count_offsite_redirect(self, request, spider=None):
        """A redirect off the sources' domains is dropped by Scrapy's offsite filter, silently."""
        chain = request.meta.get("redirect_urls")
        domains = getattr(self, "allowed_domains", None)
        # by host name, as Scrapy's offsite filter drops it: url_is_from_any_domain compares the
        # whole network location, port included
        host = urlsplit(request.url).hostname or ""
        if chain and domains and not url_is_from_any_domain(f"http://{host}/", domains):
            self._count_failure("offsite", chain[0])

    def _count_failure(self, reason: str, url: str, level: int = logging.WARNING) -> None:
        self.crawler.stats.inc_value(f"wiredup/fetch_failed/{reason}")
        self.logger.log(level, "Not fetched (%s): %s", reason, url)

    def _article_request(self, url: str, source: str, listed_date: str | None = None, listed_from: str | None = None) -> scrapy.Request:
        """A request for an article page; ``listed_date`` is the date the feed or sitemap ``listed_from``
        gave it, carried to the extraction (the published date of a page that gives none)."""
        meta = {"wiredup_kind": "article", "wiredup_source": source, **_local(url)}
        if listed_date and listed_date.strip():
            meta.update(wiredup_listed_date=listed_date.strip(), wiredup_listed_from=listed_from)
        return scrapy.Request(url, self.parse_article, errback=self.count_failure, cb_kwargs={"source": source}, meta=meta)

    def _request(self, url: str, kind: str, source: Source, callback) -> scrapy.Request:
        return scrapy.Request(
            url, callback, errback=self.count_failure, cb_kwargs={"source": source},
            meta={"wiredup_kind": kind, "wiredup_source": source.name, **_local(url)},
        )

    def _too_old(self, date: str | None) -> bool:
        """Whether a feed or sitemap date is older than WIREDUP_MAX_AGE_DAYS (0: no limit); counted."""
        max_age = self.wiredup.max_age_days
        when = _parse_date(date) if max_age and date else None
        if when is None or datetime.now(timezone.utc) - when <= timedelta(days=max_age):
            return False
        self.crawler.stats.inc_value("wiredup/discovery/too_old")
        return True

    def _due_retries(self) -> list[dict]:
        """Articles that failed in earlier runs and whose back-off is over."""
        if not self.wiredup.incremental:
            return []
        db = open_database(self.wiredup.database)
        try:
            return url_state.retry_due(db, datetime.now(timezone.utc))
        finally:
            db.conn.close()


def _parsed_to_its_end(response: Response) -> None:
    """Say that every link of a feed, sitemap or listing was handled: only then may its validators
    (ETag, Last-Modified, hash) be kept, which make the next run skip it (UrlStateRecorder)."""
    response.meta["wiredup_parsed"] = True


def _unfollowable(url: str, page_url: str, source: Source) -> str | None:
    """Why a link from ``page_url`` (a page of ``source``) may not be followed; None when it may.

    Web pages lead to web pages of the source's own domains; only a page read from a local file
    (a source located on disk) leads to other local files.

    >>> web = Source("x", feeds=("https://a.example/rss",))
    >>> [_unfollowable(url, "https://a.example/rss", web) for url in
    ...  ("https://a.example/1", "mailto:x@a.example", "file:///etc/passwd", "http://localhost/", "http://[name]/x")]
    [None, 'unsupported_scheme', 'local_file', 'offsite', 'invalid_url']
    >>> _unfollowable("file:///news/a.html", "file:///news/feed.xml", Source("y", feeds=("file:///news/feed.xml",)))
    """
    try:
        parts = urlsplit(url)  # raises on a malformed host such as "[name]"
        host, _ = parts.hostname, parts.port
    except ValueError:
        return "invalid_url"
    scheme = parts.scheme.lower()
    if scheme == "file":
        return None if urlsplit(page_url).scheme == "file" else "local_file"
    if scheme not in ("http", "https"):
        return "unsupported_scheme"
    if not host:
        return "invalid_url"
    domains = source.domains()
    if not url_is_from_any_domain(f"http://{host}/", domains):
        return "offsite"
    return None


def _as_url(location: str) -> str:
    """A URL as given, or a local path turned into a ``file://`` URL."""
    if urlsplit(location).scheme in ("http", "https", "file"):
        return location
    path = Path(location).resolve()
    if not path.exists():
        raise SystemExit(f"wiredup: -a url={location}: not a URL and no such file")
    return path.as_uri()


def _local(url: str) -> dict:
    """Request meta for a local file: Scrapy's offsite filter goes by host name, which a file has
    none of (only a source on disk and its own files' links lead to one: see _unfollowable)."""
    return {"allow_offsite": True} if urlsplit(url).scheme == "file" else {}


def _web_origins(source: Source) -> set[str]:
    """scheme://host of the source's http(s) locations: where its robots.txt lives."""
    origins = set()
    for url in (source.home, *source.feeds, *source.sitemaps):
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https"):
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins


def _sitemap_entries(body: bytes) -> tuple[str, list[tuple[str, str | None]]]:
    """A sitemap's type ("urlset" or "sitemapindex") and its (loc, date) entries.

    The date is a news sitemap's ``news:publication_date``, else ``lastmod``
    (Scrapy's Sitemap drops nested elements such as ``news:news``). Parsed as
    Scrapy parses sitemaps: entities not resolved, nothing fetched.

    >>> _sitemap_entries(b'<urlset xmlns:news="n"><url><loc> https://a.example/1 </loc>'
    ...                  b'<news:news><news:publication_date>2024-04-17</news:publication_date></news:news></url></urlset>')
    ('urlset', [('https://a.example/1', '2024-04-17')])
    """
    parser = etree.XMLParser(recover=True, remove_comments=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(body, parser=parser)
    if root is None:
        return "urlset", []
    entries = []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        values = {etree.QName(child).localname: (child.text or "").strip() for child in entry.iter() if isinstance(child.tag, str)}
        if values.get("loc"):
            entries.append((values["loc"], values.get("publication_date") or values.get("lastmod") or None))
    return etree.QName(root).localname, entries


def _parse_date(value: str) -> datetime | None:
    """An RSS (RFC 822) or ISO 8601 date as an aware datetime; None when unreadable.

    >>> _parse_date("Wed, 17 Apr 2024 11:42:00 GMT").isoformat()
    '2024-04-17T11:42:00+00:00'
    >>> _parse_date("2024-04-17").isoformat(), _parse_date("soon")
    ('2024-04-17T00:00:00+00:00', None)
    """
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _content_type(response: Response) -> str:
    header = response.headers.get("Content-Type")
    if header:
        return header.decode("latin-1").split(";", 1)[0].strip().lower()
    # file:// responses carry no headers; the file name is what a browser would go by
    return mimetypes.guess_type(response.url)[0] or ""
