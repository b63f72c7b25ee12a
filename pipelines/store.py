"""StorePipeline: items written in small batches by wiredup.store.writer; one crawl_runs row per crawl.

Items wait in memory until WIREDUP_STORE_BATCH_SIZE of them (or skipped pages)
are pending, WIREDUP_STORE_FLUSH_SECONDS passed, or the crawl closes; then the
batch is one transaction, in the order the items came (the order dedup saw
them, which their matches rely on). A batch the database refuses (disk full,
locked) stops the crawl as failed (scraper.database_failure); what is pending
then is not stored, and the next run fetches it again.
"""

from __future__ import annotations

import sqlite3

from scrapy import signals
from scrapy.utils.reactor import is_reactor_installed

from scraper.database_failure import database_failed, finish_reason, has_failed
from scraper.items import ArticleItem
from wiredup.settings import Settings
from wiredup.store.writer import Writer


class StorePipeline:
    def __init__(self, writer: Writer, batch_size: int, flush_seconds: float):
        self.writer = writer
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.pending: list[tuple[str, ArticleItem]] = []  # ("store" | "skipped", item), in arrival order
        self._timer = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        writer = Writer(settings.database, settings.grouping, crawler.stats, settings.article_recheck_hours)
        pipeline = cls(writer, settings.store_batch_size, settings.store_flush_seconds)
        pipeline.crawler = crawler
        # spider_closed, not close_spider: only the signal carries the finish reason
        crawler.signals.connect(pipeline.finish_run, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.page_skipped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self) -> None:
        self.writer.begin_run(self.crawler.spidercls.name)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Queue the item for the next batch (written at once when the batch is full)."""
        self._queue("store", item)
        return item

    def page_skipped(self, item, response, exception, spider=None) -> None:
        """A page skipped as no article is done with too: not asked again every run."""
        if self.writer.db is not None and isinstance(item, ArticleItem):
            self._queue("skipped", item)

    def close_spider(self) -> None:
        self.flush()

    def _queue(self, action: str, item: ArticleItem) -> None:
        self.pending.append((action, item))
        if len(self.pending) >= self.batch_size:
            self.flush()
        elif self._timer is None and is_reactor_installed():
            from twisted.internet import reactor

            self._timer = reactor.callLater(self.flush_seconds, self.flush)

    def flush(self) -> None:
        """Write the pending items in one transaction (wiredup.store.writer)."""
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None
        batch, self.pending = self.pending, []
        if not batch or has_failed(self.crawler):  # a failed database takes nothing more this run
            return
        try:
            self.writer.write_batch(batch)
        except sqlite3.OperationalError as error:
            self.crawler.stats.inc_value("wiredup/store_failed", len(batch))
            database_failed(self.crawler, error)

    def finish_run(self, spider, reason: str) -> None:
        if self.writer.db is None:
            return
        self.flush()
        self.writer.finish_run(finish_reason(self.crawler, reason))
