"""Incremental crawling on a crawl worker, which has no database: the same rules as
``scraper.middlewares``, with the state read from Redis and every outcome sent to the ingest
process (the only writer of ``url_state``, which copies each row back to Redis).

A URL stays due until the ingest process has stored its article: a worker killed in between
leaves it due, as a standalone crawl killed before its store transaction does. Within one crawl
scrapy-redis' shared seen-request filter keeps any URL from being fetched twice.
"""

from __future__ import annotations

import json

from scrapy_redis.connection import get_redis_from_settings

from scraper.middlewares import IncrementalMiddleware, UrlStateRecorder
from scraper.worker_messages import ITEMS, URL_STATE, encode, url_state_message
from scraper.worker_queue import Keys, ack
from wiredup.store import url_state


class _RedisState:
    """Instead of the database: read the ingest host's copy of url_state, send outcomes to it."""

    def spider_opened(self, spider) -> None:
        self.redis = get_redis_from_settings(self.crawler.settings)
        self.keys = Keys(self.crawler.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name})
        self.db = self.redis  # not None: the middlewares' "switched on" test

    def spider_closed(self, spider) -> None:
        self.db = None

    def state(self, url: str) -> dict | None:
        row = self.redis.hget(URL_STATE, url)
        return json.loads(row) if row else None

    def record(self, url: str, kind: str, source: str | None, *, now, body=None, previous=None, first_backoff=None, **outcome) -> None:
        # previous and first_backoff are the ingest host's (its database, its settings)
        if body is not None:
            outcome["content_hash"] = url_state.body_hash(body)
        self.redis.lpush(ITEMS, encode(url_state_message(url, kind, source, now, outcome)))


class WorkerIncrementalMiddleware(_RedisState, IncrementalMiddleware):
    def _stored(self, url: str) -> bool:
        return False  # stored articles are in the Redis copy of url_state (see scraper.ingest)

    def process_exception(self, request, exception):
        # A request not asked (not due, robots.txt, offsite) is done: its lease ends. Scrapy calls
        # every middleware's process_exception for an exception raised in process_request.
        ack(self.redis, self.keys, request)
        return None


class WorkerUrlStateRecorder(_RedisState, UrlStateRecorder):
    # the requests parsed from a feed are queued in Redis before its lease ends: a killed worker loses none
    defer_revalidated = False

    def process_exception(self, request, exception):
        super().process_exception(request, exception)
        # the failure is recorded; a retry, if RetryMiddleware makes one, is queued under a new lease
        ack(self.redis, self.keys, request)
        return None
