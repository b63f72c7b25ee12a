"""CrawlProgress: during a crawl, one line every ``LOGSTATS_INTERVAL`` seconds saying how it goes.

It replaces Scrapy's LogStats ("Crawled N pages (at N pages/min), scraped N items"), whose items
are neither articles stored nor pages skipped, and which says nothing of what is left to do:

    Progress after 2 min 0 s: 1234 pages fetched (3.2/s), 456 articles stored, 12 skipped, 789 queued

``LOGSTATS_INTERVAL = 0`` switches it off. The run's summary comes at its end (wiredup.store.summary).
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from wiredup.settings import Settings
from wiredup.store.summary import duration

logger = logging.getLogger(__name__)


class CrawlProgress:
    def __init__(self, crawler, interval: float, worker: bool):
        self.crawler = crawler
        self.interval = interval
        self.worker = worker  # stores nothing: sends its articles to the ingest process
        self.task = None
        self.started = 0.0
        self.pages_before = 0

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured  # bare: Scrapy logs a message as a warning, and this was asked for
        extension = cls(crawler, interval, Settings.from_values(crawler.settings).mode == "worker")
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)  # at the start there is nothing to say

    def spider_closed(self, spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def log(self) -> None:
        logger.info("Progress after %s: %s", duration(time.monotonic() - self.started), self.progress())

    def progress(self) -> str:
        """Pages fetched and their rate since the last line, articles stored (or, on a crawl
        worker, sent to ingest), pages skipped, requests queued."""
        stats = self.crawler.stats.get_stats()
        pages = stats.get("response_received_count", 0)
        rate, self.pages_before = (pages - self.pages_before) / self.interval, pages
        parts = [f"{pages} pages fetched ({rate:.1f}/s)"]
        if self.worker:
            parts.append(f"{stats.get('wiredup/worker/pushed', 0)} sent to ingest")
        else:
            stored = sum(stats.get(f"wiredup/stored/{outcome}", 0) for outcome in ("new", "updated", "unchanged"))
            parts.append(f"{stored} articles stored")
        parts.append(f"{stats.get('wiredup/skipped', 0)} skipped")
        queued = self.queued()
        if queued is not None:
            parts.append(f"{queued} queued")
        return ", ".join(parts)

    def queued(self) -> int | None:
        """Requests not answered yet: in the scheduler, or in the downloader (which takes up to
        CONCURRENT_REQUESTS of them and holds them for each host's delay). None when it cannot
        say (a worker's Redis is gone: the crawl says so itself, a progress line must not stop)."""
        engine = self.crawler.engine
        try:
            return len(engine.scheduler) + len(engine.downloader.active)
        except Exception:  # noqa: BLE001
            return None
