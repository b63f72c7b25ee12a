"""AckSpiderOutput: a crawl worker's spider middleware (``WIREDUP_MODE = "worker"``, scraper.worker_mode).

Apart from the add-on so that a standalone crawl, which loads the add-on, imports neither Redis
nor scrapy-redis.
"""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from scraper.worker_queue import Keys, ack
from wiredup.settings import Settings


class AckSpiderOutput:
    """End a request's lease when its callback's requests are queued, or, for an article page,
    when its item is pushed (``item_scraped``) or failed a pipeline (``item_error``); a skipped
    page's lease ends with its "skipped" message (scraper.worker_push)."""

    def __init__(self, server, keys: Keys):
        self.server = server
        self.keys = keys

    @classmethod
    def from_crawler(cls, crawler):
        if Settings.from_values(crawler.settings).mode != "worker":
            raise NotConfigured
        keys = Keys(crawler.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": crawler.spidercls.name})
        middleware = cls(get_redis_from_settings(crawler.settings), keys)
        crawler.signals.connect(middleware.item_done, signal=signals.item_scraped)
        crawler.signals.connect(middleware.item_done, signal=signals.item_error)
        return middleware

    def process_spider_output(self, response, result):
        gave_item = False
        for output in result:
            gave_item = gave_item or not isinstance(output, Request)
            yield output
        if not gave_item:
            ack(self.server, self.keys, response.meta)

    async def process_spider_output_async(self, response, result):
        gave_item = False
        async for output in result:
            gave_item = gave_item or not isinstance(output, Request)
            yield output
        if not gave_item:
            ack(self.server, self.keys, response.meta)

    def process_spider_exception(self, response, exception):
        ack(self.server, self.keys, response.meta)  # a spider bug: fetching again would fail again
        return None

    def item_done(self, item, response, spider=None, failure=None) -> None:
        if response is not None:
            ack(self.server, self.keys, response.meta)
