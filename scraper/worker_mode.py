"""``WIREDUP_MODE``: a host crawls standalone (the default: it writes its own database) or is one
of many crawl workers that share a crawl through Redis and send what they extract to one ingest
process (``wiredup ingest``), which groups and stores it.

``WorkerMode`` is a Scrapy add-on (``ADDONS`` in settings.py): add-ons run after every setting
is known, ``-s`` included, so one setting can switch the scheduler, the seen-request filter, the
incremental middlewares and the pipelines together; a worker's spider middleware
(scraper.worker_ack) ends a request's lease (scraper.worker_queue) once what its response gave is safe.

Every crawl loads this add-on, a standalone one too: Redis and scrapy-redis are imported only when
a worker needs them (~0.1 s of every crawl's start otherwise; bench/README.md, issue 19).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wiredup.settings import Settings

if TYPE_CHECKING:
    import redis


class RedisUnreachable(Exception):
    """The Redis a worker or ``wiredup ingest`` is given is not a Redis URL or does not answer:
    its message is the one line to stop with (before anything is locked, opened or written)."""


def reach_redis(url: str, timeout: float = 10) -> redis.Redis:
    """A client of the Redis at ``url`` that has answered a PING; RedisUnreachable if it cannot be.

    >>> reach_redis("notaurl")
    Traceback (most recent call last):
    scraper.worker_mode.RedisUnreachable: 'notaurl' is not a Redis URL: Redis URL must specify one of the following schemes (redis://, rediss://, unix://)
    """
    import redis

    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=timeout)
    except ValueError as error:  # redis-py's message says what is wrong, not with what
        raise RedisUnreachable(f"{url!r} is not a Redis URL: {error}") from None
    try:
        server.ping()
    except redis.exceptions.RedisError as error:
        raise RedisUnreachable(f"cannot reach Redis at {url}: {error}") from None
    return server


class WorkerMode:
    def update_settings(self, settings) -> None:
        wiredup = Settings.from_values(settings)  # checked already: Scrapy builds the spider first
        if wiredup.mode == "standalone":
            return
        url = wiredup.redis_url
        if not url:
            raise SystemExit("wiredup: WIREDUP_MODE=worker needs WIREDUP_REDIS_URL (e.g. redis://ingest-host:6379/0)")
        try:
            reach_redis(url)
        except RedisUnreachable as error:
            raise SystemExit(f"wiredup: WIREDUP_REDIS_URL: {error}") from None
        for name, value in {
            "REDIS_URL": url,
            "SCHEDULER": "scraper.worker_queue.WorkerScheduler",
            "SCHEDULER_QUEUE_CLASS": "scraper.worker_queue.SiteQueue",
            "SCHEDULER_QUEUE_KEY": "%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": "%(spider)s:dupefilter",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,  # one worker stopping must not empty the others' queue
            # A worker has no database: the spider's due retries come from the ingest host (which
            # queues them), and anything that would open WIREDUP_DATABASE gets an empty one.
            "WIREDUP_DATABASE": ":memory:",
        }.items():
            settings.set(name, value, "project")  # over settings.py, under -s
        swaps = {
            # the ingest process holds the lock and records the run's extraction health; a worker
            # holds no lock, so no run limit either (what it leaves stays leased in Redis)
            "EXTENSIONS": {"scraper.run_lock.RunLock": None, "scraper.health.ExtractionHealth": None,
                           "scraper.run_limit.RunLimit": None},
            "DOWNLOADER_MIDDLEWARES": {
                "scraper.middlewares.IncrementalMiddleware": None,
                "scraper.worker_state.WorkerIncrementalMiddleware": 120,
                "scraper.middlewares.UrlStateRecorder": None,
                "scraper.worker_state.WorkerUrlStateRecorder": 650,
            },
            "SPIDER_MIDDLEWARES": {"scraper.worker_ack.AckSpiderOutput": 1000},
            "ITEM_PIPELINES": {  # site clutter is learned where the database is: the ingest process
                "pipelines.declutter.DeclutterPipeline": None,
                "pipelines.dedup.DedupPipeline": None,
                "pipelines.store.StorePipeline": None,
                "scraper.worker_push.RedisPushPipeline": 300,
            },
        }
        for name, components in swaps.items():
            for component, order in components.items():
                settings[name][component] = order
