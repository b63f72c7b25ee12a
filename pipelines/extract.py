"""ExtractPipeline: an item's article text and metadata (wiredup.extract.article), or a counted skip.

With WIREDUP_EXTRACT_PROCESSES other than 1, extraction runs in a process pool
(wiredup.extract.pool) and ``process_item`` returns a coroutine Scrapy
awaits; skips are still counted here, in the crawl's process.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from scraper.items import ArticleItem
from wiredup.extract.article import Article, NotAnArticle, extract_article
from wiredup.extract.pool import ExtractionPool, raise_skip, usable_cores
from wiredup.settings import GroupingSettings, Settings

logger = logging.getLogger(__name__)

# A worker that dies mid-page (killed, out of memory) never answers: the item then fails with a
# timeout after this long, and its URL, not marked done, is fetched again by the next run.
WORKER_TIMEOUT_SECONDS = 300

HTML_TYPES = {"text/html", "application/xhtml+xml", ""}


def pool_size(setting: int) -> int:
    """Worker processes for WIREDUP_EXTRACT_PROCESSES: 0 means one per usable core, 1 means no pool.

    >>> pool_size(3), pool_size(0) == usable_cores()
    (3, True)
    """
    return setting if setting > 0 else usable_cores()


class ExtractPipeline:
    def __init__(self, stats, min_text_chars: int, processes: int, grouping: GroupingSettings):
        self.stats = stats
        self.min_text_chars = min_text_chars
        self.processes = processes
        self.grouping = grouping  # how workers sign articles for DedupPipeline
        self.pool: ExtractionPool | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        pipeline = cls(crawler.stats, settings.min_text_chars, pool_size(settings.extract_processes), settings.grouping)
        # Workers take a second or more to import the extraction and warm it up, and the first article
        # waits for them: started here, with the pipelines, rather than at open_spider, they get
        # ready while the crawl builds its other components and opens the database (bench/README.md, issue 19).
        pipeline.start_pool()
        return pipeline

    def start_pool(self) -> None:
        """Start the extraction workers (once), unless extraction runs in the crawl's process."""
        if self.processes > 1 and self.pool is None:
            self.pool = ExtractionPool(self.processes)
            self.pool.start()

    def open_spider(self) -> None:
        if self.processes > 1:
            self.start_pool()  # already started by from_crawler, unless the pipeline was built otherwise
            logger.info("Extraction runs in %d worker processes", self.processes)
        else:
            logger.info("Extraction runs in the crawl's process (WIREDUP_EXTRACT_PROCESSES=1)")

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def process_item(self, item: ArticleItem):
        """The item with its article (a coroutine when the pool is on), or DropItem for a counted skip."""
        self.stats.inc_value(f"wiredup/source/{item.source}/pages")
        if item.content_type not in HTML_TYPES:
            self._skipped(item, NotAnArticle("not_html", item.content_type))
        if self.pool is None:
            try:
                article = extract_article(item.html, item.url, self.min_text_chars, item.listed_date, item.listed_from)
            except NotAnArticle as skipped:
                self._skipped(item, skipped)
            return self._extracted(item, article)
        return self._extract_in_pool(item)

    async def _extract_in_pool(self, item: ArticleItem) -> ArticleItem:
        future = self.pool.prepare(item.body, item.encoding, item.url, self.min_text_chars, self.grouping, item.listed_date, item.listed_from)
        from twisted.internet import reactor

        try:
            page = await maybe_deferred_to_future(_deferred(future).addTimeout(WORKER_TIMEOUT_SECONDS, reactor))
        except defer.TimeoutError:
            self.pool.abandon(future)  # else closing the pool at the crawl's end waits for it for ever
            raise
        try:
            article = raise_skip(page.result)
        except NotAnArticle as skipped:
            self._skipped(item, skipped)
        item = self._extracted(item, article)
        item.presigned = (item.text, page.fingerprint)
        item.body_gzip = page.body_gzip
        return item

    def _extracted(self, item: ArticleItem, article: Article) -> ArticleItem:
        for name, value in asdict(article).items():
            setattr(item, name, value)
        self.stats.inc_value("wiredup/extracted")
        return item

    def _skipped(self, item: ArticleItem, skipped: NotAnArticle):
        self.stats.inc_value("wiredup/skipped")
        self.stats.inc_value(f"wiredup/skipped/{skipped.reason}")
        self.stats.inc_value(f"wiredup/source/{item.source}/skipped/{skipped.reason}")
        raise DropItem(f"not an article ({skipped}): {item.url}") from None


def _deferred(future) -> defer.Deferred:
    """A Deferred fired on the reactor thread with a concurrent.futures Future's outcome."""
    from twisted.internet import reactor

    deferred = defer.Deferred()

    def done(finished) -> None:
        if finished.cancelled():
            reactor.callFromThread(deferred.cancel)
        elif finished.exception() is not None:
            reactor.callFromThread(deferred.errback, finished.exception())
        else:
            reactor.callFromThread(deferred.callback, finished.result())

    future.add_done_callback(done)
    return deferred
