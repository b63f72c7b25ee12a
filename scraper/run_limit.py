"""RunLimit: a crawl ends within WIREDUP_MAX_RUN_MINUTES, whatever delays its sites ask for.

A site may ask for ``Crawl-delay: 600``; CrawlDelay keeps it, so such a site gives about six pages
an hour. Without a bound the run would hold the database's lock until its last page, and the next
scheduled run would find the lock taken. So after WIREDUP_MAX_RUN_MINUTES the spider closes as
``max_run_minutes``, saying in one line how many requests it leaves. Nothing is lost: a run that
did not finish keeps no feed validators (scraper.middlewares.UrlStateRecorder), so the next run
reads its feeds again and asks for what this one did not fetch.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from scraper.middlewares import NotDue
from wiredup.settings import Settings

logger = logging.getLogger(__name__)

REASON = "max_run_minutes"


class LeftForNextRun(NotDue):
    """A request not sent because the run is over: neither recorded nor counted as a failure."""


class RunLimit:
    def __init__(self, crawler, minutes: float):
        self.crawler = crawler
        self.minutes = minutes
        self.timer = None
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        minutes = Settings.from_values(crawler.settings).max_run_minutes
        if not minutes:
            raise NotConfigured  # bare: WIREDUP_MAX_RUN_MINUTES = 0 asked for no limit
        extension = cls(crawler, minutes)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.request_reached_downloader, signal=signals.request_reached_downloader)
        return extension

    def spider_opened(self, spider) -> None:
        from twisted.internet import reactor

        self.timer = reactor.callLater(self.minutes * 60, self.stop)

    def spider_closed(self, spider, reason: str) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None

    def stop(self) -> None:
        """Close the spider, first saying how many requests it leaves to the next run."""
        self.timer = None
        left = self.left()
        self.crawler.stats.set_value("wiredup/left_for_next_run", left)
        logger.warning(
            "Stopping after %g minutes (WIREDUP_MAX_RUN_MINUTES): %d requests left for the next run "
            "(a site's long Crawl-delay, or more pages than one run fetches)", self.minutes, left,
        )
        self.stopping = True
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=REASON))
        self.drain()

    def request_reached_downloader(self, request, spider=None) -> None:
        """While stopping, a request that reaches the downloader (one that waited for its host's
        robots.txt) is drained as soon as it is queued."""
        if self.stopping:
            from twisted.internet import reactor

            reactor.callLater(0, self.drain)

    def drain(self) -> None:
        """Fail the requests waiting in the downloader for their host's delay: Scrapy's engine
        closes only once every request in progress is answered, and with Crawl-delay: 600 that is
        hours away. A page being transferred is left to finish."""
        for slot in self.crawler.engine.downloader.slots.values():
            if slot.latercall is not None:
                slot.latercall.cancel()
                slot.latercall = None
            while slot.queue:
                request, waiting = slot.queue.popleft()
                waiting.errback(LeftForNextRun(f"left for the next run: {request.url}"))

    def left(self) -> int:
        """Requests not answered yet: in the scheduler, or waiting in the downloader (for a host's delay)."""
        engine = self.crawler.engine
        return len(engine.scheduler) + len(engine.downloader.active)
