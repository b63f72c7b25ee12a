"""Downloader middlewares for incremental crawling: skip what is not due, record every outcome.

Requests carry ``meta["wiredup_kind"]`` (article, feed, sitemap, listing,
robots) and ``meta["wiredup_source"]``, set by the spider.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured

from scraper.database_failure import database_failed, has_failed
from wiredup.settings import Settings
from wiredup.store import url_state
from wiredup.store.schema import open_database

logger = logging.getLogger(__name__)

REVALIDATED = ("feed", "sitemap", "listing")  # fetched every run, with validators

# Signal (request, reason): a fetch failed after its response was recorded (Scrapy dropped it on
# the way back: a gzip bomb, one redirect too many); sent by the spider's errback.
fetch_abandoned = object()


class NotDue(IgnoreRequest):
    """A request IncrementalMiddleware does not send: stored before, not due, backing off."""


class NotRecorded(IgnoreRequest):
    """A request dropped because the database would not take its state: the crawl is stopping as
    failed (scraper.database_failure), and the next run asks for it again."""


class _UrlStateMiddleware:
    """What both middlewares share: settings, and a connection for the length of the crawl.
    WIREDUP_INCREMENTAL = False switches both off (everything is fetched, nothing recorded)."""

    def __init__(self, database_path: str, first_backoff: timedelta, stats):
        self.database_path = database_path
        self.first_backoff = first_backoff
        self.stats = stats
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        if not settings.incremental:
            raise NotConfigured
        middleware = cls(settings.database, timedelta(minutes=settings.retry_backoff_minutes), crawler.stats)
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

    # Where the state is read and written: the database here; a crawl worker
    # (scraper.worker_state) reads a Redis copy and sends what it records to the ingest process.
    def state(self, url: str) -> dict | None:
        self._check_not_failed()
        try:
            return url_state.state(self.db, url)
        except sqlite3.OperationalError as error:
            self._failed(error)

    def record(self, url: str, kind: str, source: str | None, **outcome) -> None:
        self._check_not_failed()
        try:
            url_state.record(self.db, url, kind, source, **outcome)
        except sqlite3.OperationalError as error:
            self._failed(error)

    def _check_not_failed(self) -> None:
        """Once a write failed the database is not asked again: locked, each try would hold the
        reactor for the whole busy timeout."""
        if has_failed(self.crawler):
            raise NotRecorded("database_error")

    def _failed(self, error: sqlite3.OperationalError):
        """Stop the crawl as failed, and drop the request in hand: a page whose outcome cannot be
        recorded must not go on to be stored (nor be logged once per page as not fetched)."""
        database_failed(self.crawler, error)
        raise NotRecorded(f"database_error: {error}")


class IncrementalMiddleware(_UrlStateMiddleware):
    """Fetch only what is new or due.

    An article stored before is not requested again (unless
    WIREDUP_ARTICLE_RECHECK_HOURS says when); a URL that failed waits out its
    back-off; feeds, sitemaps and listings are asked with If-None-Match /
    If-Modified-Since. Placed after RobotsTxtMiddleware (100): what robots.txt
    forbids never reaches the state.
    """

    def process_request(self, request):
        kind = request.meta.get("wiredup_kind")
        if kind is None or self.db is None or request.meta.get("retry_times"):
            return None  # a retry of this run is due by definition; its failures are already recorded
        current = self.state(request.url)
        now = datetime.now(timezone.utc)
        if kind == "article":
            if current is None and self._stored(request.url):
                self._skip("stored_before", request)
            if not url_state.is_due(current, now):
                reason = "backing_off" if current and current["failures"] else "not_due"
                self._skip(reason, request)
        elif kind in REVALIDATED and current and current["last_status"] in (200, 304):
            if current["etag"]:
                request.headers.setdefault("If-None-Match", current["etag"])
            if current["last_modified"]:
                request.headers.setdefault("If-Modified-Since", current["last_modified"])
        return None

    def _stored(self, url: str) -> bool:
        """An article stored before url_state existed (or reached under another URL) counts as fetched."""
        return url_state.stored_article(self.db, url)

    def _skip(self, reason: str, request) -> None:
        self.stats.inc_value(f"wiredup/incremental/{reason}")
        raise NotDue(f"{reason}: {request.url}")


class UrlStateRecorder(_UrlStateMiddleware):
    """Record every response and failure of a wiredup request in ``url_state``.

    Placed after RedirectMiddleware (600), so a redirect is recorded under the
    URL that was asked for: an alias is not asked again once its target is
    known. A feed, sitemap or listing whose body is the same as last run is
    marked ``meta["wiredup_unchanged"]`` so the spider need not parse it
    again (bodies may still be compressed here; their hash only has to repeat).

    A feed, sitemap or listing answered 2xx is recorded only when the crawl
    finishes: the article requests parsed from it wait in Scrapy's memory, so a
    crawl killed or stopped early must not leave validators that make the next
    run skip the page (a 304, or the same body) and never ask for them.
    """

    # False where requests outlive the process (a crawl worker's live in Redis)
    defer_revalidated = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deferred: list[tuple[tuple, dict, dict]] = []  # (record args, outcome, the request's meta)

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.fetch_abandoned, signal=fetch_abandoned)
        return middleware

    def spider_closed(self, spider, reason: str = "finished") -> None:
        if self.db is not None and self.deferred:
            if reason == "finished" and not has_failed(self.crawler):  # a last flush that failed fails the run too
                for args, outcome, meta in self.deferred:
                    # a page whose parse stopped half-way keeps no validators: the next run reads it all again
                    if meta.get("wiredup_parsed"):
                        self.record(*args, **outcome)
            else:
                logger.info("Crawl %s: %d feeds, sitemaps and listings will be parsed again next run", reason, len(self.deferred))
            self.deferred = []
        super().spider_closed(spider)

    def process_response(self, request, response):
        kind = request.meta.get("wiredup_kind")
        if kind is None or self.db is None:
            return response
        previous = self.state(request.url) or {}
        if response.status == 304:
            self.stats.inc_value(f"wiredup/incremental/not_modified/{kind}")
        elif kind in REVALIDATED and previous.get("content_hash") == url_state.body_hash(response.body):
            request.meta["wiredup_unchanged"] = True
            self.stats.inc_value(f"wiredup/incremental/unchanged/{kind}")
        args = (request.url, kind, request.meta.get("wiredup_source"))
        outcome = {
            "now": datetime.now(timezone.utc),
            "status": response.status,
            "body": response.body,
            "etag": _header(response, b"ETag"),
            "last_modified": _header(response, b"Last-Modified"),
            "first_backoff": self.first_backoff,
            "previous": previous,
            "retry_after": retry_after(response),
        }
        if self.defer_revalidated and kind in REVALIDATED and 200 <= response.status < 300:
            outcome["content_hash"] = url_state.body_hash(outcome.pop("body"))  # a sitemap may be megabytes
            self.deferred.append((args, outcome, request.meta))
        else:
            self.record(*args, **outcome)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, IgnoreRequest):
            self._record_failure(request, type(exception).__name__)
        return None

    def fetch_abandoned(self, request, reason: str) -> None:
        self._record_failure(request, reason)

    def _record_failure(self, request, error: str) -> None:
        kind = request.meta.get("wiredup_kind")
        if kind is not None and self.db is not None:
            try:
                self.record(
                    request.url, kind, request.meta.get("wiredup_source"),
                    now=datetime.now(timezone.utc), error=error, first_backoff=self.first_backoff,
                )
            except NotRecorded:
                pass  # the crawl is stopping as failed; a failure not recorded is asked again next run


class RetryUnlessTold(RetryMiddleware):
    """Scrapy's retries, except of an answer that says when to come back (429 or 503 with
    Retry-After): asking again at once would be rude, so url_state waits as long as it says."""

    def process_response(self, request, response):
        if response.status in (429, 503) and response.headers.get(b"Retry-After"):
            return response
        return super().process_response(request, response)


def retry_after(response, now: datetime | None = None) -> timedelta | None:
    """A 429 or 503 answer's Retry-After (seconds or an HTTP date) as a wait; None when absent or unreadable.

    >>> from scrapy.http import Response
    >>> retry_after(Response("https://a.example/", status=429, headers={"Retry-After": "120"}))
    datetime.timedelta(seconds=120)
    >>> now = datetime(2024, 4, 17, 12, 0, tzinfo=timezone.utc)
    >>> retry_after(Response("https://a.example/", status=503, headers={"Retry-After": "Wed, 17 Apr 2024 14:00:00 GMT"}), now)
    datetime.timedelta(seconds=7200)
    >>> retry_after(Response("https://a.example/", status=200, headers={"Retry-After": "120"})) is None
    True
    """
    value = _header(response, b"Retry-After") if response.status in (429, 503) else None
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(when - (now or datetime.now(timezone.utc)), timedelta(0))


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
