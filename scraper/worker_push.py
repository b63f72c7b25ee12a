"""RedisPushPipeline: on a crawl worker, hand each extracted article to the ingest process.

An item pipeline of the worker mode, so it lives with the rest of it (scraper.worker_*), not
in pipelines/, whose adapters stand over the core.

Instead of DedupPipeline and StorePipeline (``WIREDUP_MODE = "worker"`` swaps them, see
scraper.worker_mode): the item goes, as JSON, on the Redis list the ingest process reads
(scraper.worker_messages). A page ExtractPipeline skipped is sent as "skipped", so the ingest
process marks its URL done as StorePipeline does standalone, in one transaction with the end of
the request's lease.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from scraper.items import ArticleItem
from scraper.worker_messages import ITEMS, article_message, encode, skipped_message
from scraper.worker_queue import Keys, ack
from wiredup.settings import Settings


class RedisPushPipeline:
    def __init__(self, server, keys: Keys, stats):
        self.server = server
        self.keys = keys
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not Settings.from_values(crawler.settings).redis_url:
            raise NotConfigured("WIREDUP_REDIS_URL is not set")
        keys = Keys(crawler.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": crawler.spidercls.name})
        pipeline = cls(get_redis_from_settings(crawler.settings), keys, crawler.stats)
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.page_skipped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.send_stats, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.server.lpush(ITEMS, encode(article_message(item)))
        self.stats.inc_value("wiredup/worker/pushed")
        return item

    def page_skipped(self, item, response, exception, spider=None) -> None:
        if not isinstance(item, ArticleItem):
            return
        pipe = self.server.pipeline(transaction=True)
        pipe.lpush(ITEMS, encode(skipped_message(item)))
        if response is not None:
            ack(self.server, self.keys, response.meta, pipe)
        pipe.execute()

    def send_stats(self, spider, reason: str) -> None:
        """The worker's counters (pages fetched, skipped by reason...) for the ingest's crawl_runs row."""
        counts = {key: value for key, value in self.stats.get_stats().items() if isinstance(value, int) and not isinstance(value, bool)}
        self.server.lpush(ITEMS, encode({"type": "stats", "reason": reason, "stats": counts}))
