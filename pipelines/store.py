"""StorePipeline: the only writer. Articles written in small batches; one crawl_runs row per crawl.

Each item is written whole or not at all: the article (upserted by canonical
URL), its raw HTML (gzip, in raw_pages), its signature, its matches, the
cluster it belongs to, and its URLs marked done, in the same transaction.
Items wait in memory until WIREDUP_STORE_BATCH_SIZE of them (or skipped pages)
are pending, WIREDUP_STORE_FLUSH_SECONDS passed, or the crawl closes; then the
batch is one transaction, in the order the items came (the order dedup saw
them, which their matches rely on). A crash loses at most the pending batch,
whose URLs are not done yet, and a rerun fetches them again.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from scrapy import signals
from scrapy.utils.reactor import is_reactor_installed

from wiredup.store import url_state
from wiredup.store.clusters import assign_cluster
from wiredup.store.schema import open_database, upsert_row
from scraper.items import ArticleItem
from wiredup.urls import url_key
from wiredup.extract.clutter import record_page, site_of
from pipelines.dedup import grouping_settings
from wiredup.extract.pool import compress_page

logger = logging.getLogger(__name__)

CACHE_KIB = 64 * 1024


class StorePipeline:
    def __init__(self, database_path: str, signature_scheme: dict, stats, recheck_hours: float = 0,
                 batch_size: int = 1, flush_seconds: float = 2.0):
        self.database_path = database_path
        self.recheck_hours = recheck_hours
        self.signature_scheme = json.dumps(signature_scheme, sort_keys=True)
        self.stats = stats
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.db = None
        self.run_id: int | None = None
        self.pending: list[tuple[str, ArticleItem]] = []  # ("store" | "skipped", item), in arrival order
        self._timer = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(
            crawler.settings.get("WIREDUP_DATABASE"),
            grouping_settings(crawler.settings).scheme(),
            crawler.stats,
            crawler.settings.getfloat("WIREDUP_ARTICLE_RECHECK_HOURS"),
            # 1 when unset (a crawler built without the project's settings.py): one transaction per item
            crawler.settings.getint("WIREDUP_STORE_BATCH_SIZE", 1),
            crawler.settings.getfloat("WIREDUP_STORE_FLUSH_SECONDS", 2.0),
        )
        pipeline.crawler = crawler
        # spider_closed, not close_spider: only the signal carries the finish reason
        crawler.signals.connect(pipeline.finish_run, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.page_skipped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self) -> None:
        self.db = open_database(self.database_path)
        # A batch touches pages all over a large database (FTS, URL and cluster indexes): SQLite's
        # default 2 MB page cache spills them to the WAL mid-transaction.
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        with self.db.conn:
            # The run lock admits one crawl at a time: a run left unfinished was killed.
            self.db.execute("UPDATE crawl_runs SET finish_reason = 'interrupted' WHERE finished IS NULL AND finish_reason IS NULL")
            self.run_id = self.db["crawl_runs"].insert({"spider": self.crawler.spidercls.name, "started": _now()}).last_pk
        logger.info("Crawl run %d writing to %s", self.run_id, self.database_path)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Queue the item for the next batch (written at once when the batch is full)."""
        self._queue("store", item)
        return item

    def page_skipped(self, item, response, exception, spider=None) -> None:
        """A page skipped as no article is done with too: not asked again every run."""
        if self.db is not None and isinstance(item, ArticleItem):
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
        """Write the pending items in one transaction; if one of them fails, each on its own."""
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            with self.db.conn:
                outcomes = [self.write(action, item) for action, item in batch]
        except Exception:
            logger.exception("A batch of %d items failed to store; storing them one by one", len(batch))
            outcomes = [self._write_alone(action, item) for action, item in batch]
        for (_, item), outcome in zip(batch, outcomes):
            if outcome is not None:
                self.stats.inc_value(f"wiredup/stored/{outcome}")
                self.stats.inc_value(f"wiredup/source/{item.source}/stored/{outcome}")

    def _write_alone(self, action: str, item: ArticleItem) -> str | None:
        try:
            with self.db.conn:
                return self.write(action, item)
        except Exception:
            logger.exception("Could not store %s; its URL stays due and the next run fetches it again", item.url)
            self.stats.inc_value("wiredup/store_failed")
            return None

    def write(self, action: str, item: ArticleItem) -> str | None:
        """Write one item inside the caller's transaction; return "new", "updated" or "unchanged" (None for a skip)."""
        if action == "skipped":
            self._mark_done(item)
            return None
        article_id, outcome = self._upsert_article(item)
        upsert_row(
            self.db,
            "raw_pages",
            {
                "article_id": article_id,
                "url": item.url,
                "status": item.status,
                "headers": json.dumps(item.headers),
                "encoding": item.encoding,
                "html_gzip": item.body_gzip or compress_page(item.body),
                "fetched_at": item.fetched_at,
            },
            key="article_id",
        )
        if not item.unchanged:
            upsert_row(
                self.db,
                "signatures",
                {"article_id": article_id, "scheme": self.signature_scheme, **item.fingerprint.to_columns()},
                key="article_id",
            )
            assign_cluster(self.db, article_id, item.matches, self.run_id, item.fetched_at)
            if item.blocks is not None:
                record_page(self.db, article_id, site_of(item.canonical_url), item.blocks)
        # in the same transaction: a crash before it leaves the URL due, and the next run stores it
        self._mark_done(item)
        return outcome

    def _mark_done(self, item: ArticleItem) -> None:
        url_state.mark_done(self.db, item.requested_urls, now=datetime.now(timezone.utc), recheck_hours=self.recheck_hours)

    def _upsert_article(self, item: ArticleItem) -> tuple[int, str]:
        """Insert or update the article row; return its id and whether it was new, updated or unchanged."""
        row = self.db.execute("SELECT id FROM articles WHERE url = ?", [item.canonical_url]).fetchone()
        seen = {"final_url": item.url, "last_seen": item.fetched_at, "last_run_id": self.run_id}
        if row and item.unchanged:
            self._update_article(row[0], seen)
            return row[0], "unchanged"
        content = {
            "url": item.canonical_url,
            "source": item.source,
            "title": item.title,
            "authors": json.dumps(item.authors, ensure_ascii=False),
            "published": item.published,
            "language": item.language,
            "sitename": item.sitename,
            "description": item.description,
            "updated": item.updated,
            "image": item.image,
            "section": item.section,
            "text": item.text,
            "text_hash": item.text_hash,
            **seen,
        }
        if row:
            self._update_article(row[0], content)
            return row[0], "updated"
        content.update(first_seen=item.fetched_at, first_run_id=self.run_id, url_key=url_key(item.canonical_url))
        cursor = self.db.execute(
            f"INSERT INTO articles ({', '.join(content)}) VALUES ({', '.join('?' for _ in content)})", list(content.values())
        )
        return cursor.lastrowid, "new"

    def _update_article(self, article_id: int, columns: dict) -> None:
        """Plain SQL, like ``_upsert``: sqlite-utils' insert and update read the table's schema on every call."""
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*columns.values(), article_id])

    def finish_run(self, spider, reason: str) -> None:
        if self.db is None:
            return
        self.flush()
        stats = self.stats.get_stats()
        counts = {
            "pages_fetched": stats.get("response_received_count", 0),
            "articles_new": stats.get("wiredup/stored/new", 0),
            "articles_updated": stats.get("wiredup/stored/updated", 0),
            "articles_unchanged": stats.get("wiredup/stored/unchanged", 0),
            "skipped": stats.get("wiredup/skipped", 0),
        }
        with self.db.conn:
            self.db["crawl_runs"].update(
                self.run_id,
                {"finished": _now(), "finish_reason": reason, "stats": json.dumps(stats, default=str, sort_keys=True), **counts},
            )
        self.db.conn.close()
        self.db = None
        logger.info("Crawl run %d finished (%s): %s", self.run_id, reason, counts)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
