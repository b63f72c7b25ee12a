"""``wiredup ingest``: the one process that groups and stores what the crawl workers extract.

Workers on any number of hosts crawl and extract (``WIREDUP_MODE = "worker"``); this process pops
their messages (scraper.worker_messages) and runs each article through the core steps a
standalone crawl's pipelines run (wiredup.extract.declutter, wiredup.group.incoming,
wiredup.store.writer), so the database keeps a single writer, grouping sees every article, and
story ids stay stable. It lives with the worker mode, not in wiredup.jobs: it queues Scrapy
requests (scrapy-redis) for the workers. It also keeps ``url_state`` (the workers' fetch outcomes),
copies it to Redis for the workers, and queues the articles that are due for a retry.

A message is moved to a processing list (LMOVE) and removed only after its transaction
committed: an ingest process killed at any moment loses nothing, and the next one handles what
it left first. Storing is idempotent (an article is upserted by canonical URL and an unchanged
text is "unchanged"), so a message handled twice changes nothing.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from datetime import datetime, timedelta, timezone

from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter

from scraper.items import ArticleItem
from scraper.run_lock import RunLock
from scraper.spiders.news import SINGLE_PAGE_SOURCE, NewsSpider
from scraper.worker_messages import BAD, ITEMS, PROCESSING, SPIDER, URL_STATE, decode, decode_article, decode_url_state
from scraper.worker_mode import reach_redis
from scraper.worker_queue import Keys, begin_run, live_workers, push_request
from wiredup.extract.declutter import SiteClutter
from wiredup.group.incoming import IncomingArticles
from wiredup.settings import Settings
from wiredup.store import url_state
from wiredup.store.health import record_health
from wiredup.store.schema import open_database
from wiredup.store.writer import Counters, Writer

logger = logging.getLogger(__name__)

RETRY_EVERY = timedelta(minutes=5)  # how often due articles are queued for the workers
SYNC_BATCH = 1000


class Ingest:
    def __init__(self, settings: Settings, redis_url: str):
        self.settings = settings
        self.stats = Counters()
        self.database_path = settings.database
        # first: a Redis that is not there stops ingest before it locks, opens or writes anything
        self.redis = reach_redis(redis_url)
        self.keys = Keys(f"{SPIDER}:requests")
        self.lock = RunLock(settings.database, settings.wait_for_lock)
        self.first_backoff = timedelta(minutes=self.settings.retry_backoff_minutes)
        self.stopping = False
        self.clutter: SiteClutter | None = None
        self.incoming: IncomingArticles | None = None
        self.writer = Writer(settings.database, settings.grouping, self.stats, settings.article_recheck_hours)

    def run(self, stop_when_idle: float | None = None) -> dict:
        """Handle messages until SIGTERM/SIGINT, or until nothing has come for ``stop_when_idle``
        seconds while no worker is alive. Returns the run's counts."""
        self.lock.acquire()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._stop)
        # the site clutter learning and the health rows live with the database, as in a standalone crawl
        if self.settings.clutter.min_pages:
            self.clutter = SiteClutter(open_database(self.database_path), self.settings.clutter, self.stats)
        self.incoming = IncomingArticles(open_database(self.database_path), self.settings.grouping, self.stats)
        self.incoming.open()
        self.writer.begin_run(SPIDER)
        reason = "shutdown"
        try:
            self.copy_url_state()
            next_retries = datetime.now(timezone.utc)
            idle_since = time.monotonic()
            while not self.stopping:
                if self.handle_next():
                    idle_since = time.monotonic()
                    continue
                # caught up: an article fetched but not stored yet no longer looks due
                if datetime.now(timezone.utc) >= next_retries:
                    self.queue_due_retries()
                    next_retries = datetime.now(timezone.utc) + RETRY_EVERY
                if stop_when_idle is not None and time.monotonic() - idle_since >= stop_when_idle and self._crawl_over():
                    reason = "finished"
                    break
        except Exception:
            reason = "failed"  # the message in hand stays in processing: the next ingest handles it first
            raise
        finally:
            counts = self._finish(reason)
        return counts

    def handle_next(self, timeout: float = 1.0) -> bool:
        """Handle one message: first what a killed ingest left in processing, then the oldest queued."""
        data = self.redis.lindex(PROCESSING, -1)
        if data is None:
            data = self.redis.blmove(ITEMS, PROCESSING, timeout, "RIGHT", "LEFT")
        if data is None:
            return False
        try:
            message = decode(data)
            handler = getattr(self, f"_on_{message['type']}")
            handler(message)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            # not a message this version reads (another wiredup version's worker?): set aside, not
            # retried for ever; a database error is not caught, and the message waits in processing
            self._bad(data, error)
        else:
            self.stats.inc_value(f"wiredup/ingest/{message['type']}")
        self.redis.lrem(PROCESSING, -1, data)  # acknowledged: what it carried is committed
        return True

    def _on_article(self, message: dict) -> None:
        item = decode_article(message)
        if self.clutter is not None:
            self.clutter.declutter_item(item)
        self.incoming.group(item)
        # committed before its url_state is copied and the message acknowledged
        self.writer.write_batch([("store", item)])
        self._copy(item.requested_urls)

    def _on_skipped(self, message: dict) -> None:
        page = ArticleItem(
            url=message["url"], body=b"", encoding="utf-8", content_type="", status=0, headers={},
            fetched_at=_now(), source=message.get("source") or "", requested_urls=message["requested_urls"],
        )
        self.writer.write_batch([("skipped", page)])
        self._copy(page.requested_urls)

    def _on_url_state(self, message: dict) -> None:
        url_state.record(
            self.writer.db, message["url"], message["kind"], message.get("source"),
            first_backoff=self.first_backoff, **decode_url_state(message),
        )
        self._copy([message["url"]])

    def _on_stats(self, message: dict) -> None:
        for key, value in message["stats"].items():
            self.stats.inc_value(key, value)

    def _bad(self, data: bytes, error) -> None:
        self.redis.lpush(BAD, data)
        self.stats.inc_value("wiredup/ingest/bad_message")
        logger.error("A message this ingest cannot read (%s: %s) is set aside in %s: %r", type(error).__name__, error, BAD, data[:200])

    def _copy(self, urls) -> None:
        """Copy url_state rows to Redis after their transaction committed: workers see them done."""
        rows = [row for row in (url_state.state(self.writer.db, url) for url in urls) if row]
        if rows:
            self.redis.hset(URL_STATE, mapping={row["url"]: json.dumps(row) for row in rows})

    def copy_url_state(self) -> int:
        """The whole url_state to Redis, where the workers read it (rows written since are copied
        as they are written)."""
        copied = 0
        for batch in url_state.every_state(self.writer.db, SYNC_BATCH):
            self.redis.hset(URL_STATE, mapping={row["url"]: json.dumps(row) for row in batch})
            copied += len(batch)
        logger.info("Copied url_state to Redis (%d URLs)", copied)
        return copied

    def queue_due_retries(self) -> int:
        """Queue the articles due again (failed and out of back-off, fetched but never stored, due for a
        recheck), as a standalone crawl asks for them at its start; the shared seen-request filter
        keeps one from being queued twice in a crawl."""
        due = url_state.retry_due(self.writer.db, datetime.now(timezone.utc))
        if not due:
            return 0
        spider = NewsSpider()
        dupefilter = RFPDupeFilter(self.redis, key=f"{SPIDER}:dupefilter")
        begin_run(self.redis, self.keys, dupefilter.key)
        queued = 0
        for retry in due:
            request = spider._article_request(retry["url"], retry["source"] or SINGLE_PAGE_SOURCE)
            if not dupefilter.request_seen(request):
                push_request(self.redis, self.keys, request, picklecompat.dumps(request.to_dict(spider=spider)))
                queued += 1
        logger.info("Queued %d articles due again", queued)
        return queued

    def _crawl_over(self) -> bool:
        """No worker is alive (one killed counts until WIREDUP_WORKER_TIMEOUT) and nothing waits."""
        return not live_workers(self.redis, self.keys) and not self.redis.llen(ITEMS)

    def _stop(self, signum, frame) -> None:
        logger.info("Stopping after the message in hand (signal %d)", signum)
        self.stopping = True

    def _finish(self, reason: str) -> dict:
        self.incoming.db.conn.close()
        run_id = self.writer.run_id
        self.writer.finish_run(reason)
        if self.clutter is not None:
            self.clutter.finish(self.settings.grouping)  # after the last store, as in a crawl
            self.clutter.db.conn.close()
        if self.settings.health_drop and run_id is not None:
            db = open_database(self.database_path)
            try:
                record_health(db, run_id, self.settings.health_drop)
            finally:
                db.conn.close()
        self.lock.release()
        return {"run": run_id, "reason": reason, **{key.rsplit("/", 1)[1]: value for key, value in self.stats.get_stats().items() if key.startswith("wiredup/ingest/")}}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
