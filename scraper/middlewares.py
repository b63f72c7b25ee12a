"""Downloader middlewares: incremental crawling and robots.txt ``Crawl-delay``.

Requests carry ``meta["wiredup_kind"]`` (article, feed, sitemap, listing,
robots) and ``meta["wiredup_source"]``, set by the spider.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured

from scraper import url_state
from scraper.database import open_database

logger = logging.getLogger(__name__)

REVALIDATED = ("feed", "sitemap", "listing")  # fetched every run, with validators


class IncrementalMiddleware:
    """Fetch only what is new or due, and remember every outcome in ``url_state``.

    An article stored before is not requested again (unless
    WIREDUP_ARTICLE_RECHECK_HOURS says when); a URL that failed waits out its
    back-off; feeds, sitemaps and listings are asked with If-None-Match /
    If-Modified-Since, and a body identical to the last one is marked
    ``meta["wiredup_unchanged"]`` so the spider need not parse it again.
    WIREDUP_INCREMENTAL = False fetches everything.
    """

    def __init__(self, database_path: str, recheck_hours: float, first_backoff: timedelta, stats):
        self.database_path = database_path
        self.recheck_hours = recheck_hours
        self.first_backoff = first_backoff
        self.stats = stats
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("WIREDUP_INCREMENTAL", True):
            raise NotConfigured
        middleware = cls(
            settings.get("WIREDUP_DATABASE"),
            settings.getfloat("WIREDUP_ARTICLE_RECHECK_HOURS"),
            timedelta(minutes=settings.getfloat("WIREDUP_RETRY_BACKOFF_MINUTES", 30)),
            crawler.stats,
        )
        middleware.crawler = crawler
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider) -> None:
        self.db = open_database(self.database_path)

    def spider_closed(self, spider) -> None:
        if self.db is not None:
            self.db.conn.close()
            self.db = None

    def process_request(self, request):
        kind = request.meta.get("wiredup_kind")
        if kind is None or self.db is None:
            return None
        current = url_state.state(self.db, request.url)
        now = datetime.now(timezone.utc)
        if kind == "article":
            if current is None and self._stored(request.url):
                self._skip("stored_before", request)
            if not url_state.is_due(current, now):
                reason = "backing_off" if current and current["failures"] else "not_due"
                self._skip(reason, request)
        elif kind in REVALIDATED and current and current["last_status"] == 200:
            if current["etag"]:
                request.headers.setdefault("If-None-Match", current["etag"])
            if current["last_modified"]:
                request.headers.setdefault("If-Modified-Since", current["last_modified"])
        return None

    def process_response(self, request, response):
        kind = request.meta.get("wiredup_kind")
        if kind is None or self.db is None:
            return response
        previous = url_state.state(self.db, request.url) if kind in REVALIDATED else None
        if response.status == 304:
            self.stats.inc_value(f"wiredup/incremental/not_modified/{kind}")
        elif previous and previous["content_hash"] == url_state.body_hash(response.body):
            request.meta["wiredup_unchanged"] = True
            self.stats.inc_value(f"wiredup/incremental/unchanged/{kind}")
        url_state.record(
            self.db, request.url, kind, request.meta.get("wiredup_source"),
            now=datetime.now(timezone.utc),
            status=response.status,
            body=response.body,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            recheck_hours=self.recheck_hours,
            first_backoff=self.first_backoff,
        )
        return response

    def process_exception(self, request, exception):
        kind = request.meta.get("wiredup_kind")
        if kind is not None and self.db is not None and not isinstance(exception, IgnoreRequest):
            url_state.record(
                self.db, request.url, kind, request.meta.get("wiredup_source"),
                now=datetime.now(timezone.utc), error=type(exception).__name__, first_backoff=self.first_backoff,
            )
        return None

    def _stored(self, url: str) -> bool:
        """An article stored before url_state existed (or reached under another URL) counts as fetched."""
        row = self.db.execute("SELECT 1 FROM articles WHERE final_url = ? OR url = ? LIMIT 1", [url, url]).fetchone()
        return row is not None

    def _skip(self, reason: str, request) -> None:
        self.stats.inc_value(f"wiredup/incremental/{reason}")
        raise IgnoreRequest(f"{reason}: {request.url}")


class CrawlDelayMiddleware:
    """Honour robots.txt ``Crawl-delay`` and a source's ``delay``: the larger is the host's minimum delay.

    Scrapy obeys robots.txt rules but not Crawl-delay. By the time a request
    reaches this middleware, RobotsTxtMiddleware has parsed the host's
    robots.txt; the delay goes into the downloader's per-slot settings (used
    when the host's slot is made) and onto the slot if it exists already.
    ``scraper.throttle.PoliteThrottle`` keeps AutoThrottle from going below it.
    """

    def __init__(self, user_agent: str):
        self.user_agent = user_agent
        self.known: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        middleware = cls(crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT"))
        middleware.crawler = crawler
        return middleware

    def process_request(self, request):
        host = urlsplit(request.url).netloc
        if not host or host in self.known:
            return None
        self.known.add(host)
        sources = getattr(self.crawler.spider, "sources", [])
        source_delay = max((source.delay for source in sources if host in source.hosts()), default=0.0)
        delay = max(self._robots_delay(host), source_delay)
        if delay:
            downloader = self.crawler.engine.downloader
            key = downloader.get_slot_key(request)
            downloader.per_slot_settings.setdefault(key, {})["delay"] = delay
            if key in downloader.slots:
                downloader.slots[key].delay = max(downloader.slots[key].delay, delay)
            logger.info("Keeping %.2f s between requests to %s (robots.txt Crawl-delay / source delay)", delay, host)
        return None

    def _robots_delay(self, host: str) -> float:
        robots = next(
            (m for m in self.crawler.engine.downloader.middleware.middlewares if isinstance(m, RobotsTxtMiddleware)), None
        )
        # RobotsTxtMiddleware keeps no public accessor for its parsers; a
        # test against a real server catches a change of this private shape.
        parser = getattr(robots, "_parsers", {}).get(host)
        protego = getattr(parser, "rp", None)
        if protego is None or not hasattr(protego, "crawl_delay"):
            return 0.0
        return float(protego.crawl_delay(self.user_agent) or 0.0)


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
