"""``Writer``: how a crawl (or ``wiredup ingest``) stores what it found, one run at a time.

Each item is written whole or not at all: the article (upserted by canonical
URL), its raw HTML, its signature, its matches, the story it belongs to, its
paragraphs for the site clutter learning, and its URLs marked done, in one
transaction. Items are written in batches, in the order they were grouped
(their matches rely on it): a crash loses at most the batch in hand, whose URLs
are not done yet, and a rerun fetches them again.

An item is an ``ArticleItem`` or anything with its fields (url, canonical_url,
the extracted ones, fingerprint, matches, unchanged, blocks, requested_urls...).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from datetime import datetime, timezone

from wiredup.extract.clutter import clutter_site
from wiredup.extract.pool import compress_page
from wiredup.settings import GroupingSettings, Settings
from wiredup.store import url_state
from wiredup.store.articles import save_raw_page, save_signatures, seen_columns, upsert_article
from wiredup.store.schema import open_database
from wiredup.store.site_blocks import record_page
from wiredup.store.stories import assign_story
from wiredup.store.summary import run_summary

logger = logging.getLogger(__name__)

# A batch touches pages all over a large database (FTS, URL and cluster indexes): SQLite's
# default 2 MB page cache spills them to the WAL mid-transaction.
CACHE_KIB = 64 * 1024


class Counters:
    """A run's counters where no Scrapy stats collector is (``wiredup ingest``): the part of its
    interface that wiredup uses.

    >>> counters = Counters()
    >>> counters.inc_value("wiredup/stored/new"); counters.inc_value("wiredup/stored/new", 2)
    >>> counters.get_stats()
    {'wiredup/stored/new': 3}
    """

    def __init__(self):
        self._values: dict = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self._values[key] = self._values.get(key, start) + count

    def get_stats(self) -> dict:
        return dict(self._values)


class Writer:
    """Stores a run's items: ``begin_run``, ``write_batch`` as often as needed, ``finish_run``.
    Outcomes are counted in ``stats`` (Scrapy's stats collector, or ``Counters``).

    >>> writer = Writer(":memory:", GroupingSettings(), stats=Counters())
    >>> run_id = writer.begin_run("news")
    >>> writer.write_batch([("skipped", type("Page", (), {"requested_urls": ["https://a.example/x"]})())])
    [None]
    >>> writer.finish_run("finished")
    """

    def __init__(self, database_path: str, grouping: GroupingSettings, stats, recheck_hours: float = Settings.article_recheck_hours):
        self.database_path = database_path
        self.grouping = grouping
        self.scheme_key = grouping.scheme_key()
        self.stats = stats
        self.recheck_hours = recheck_hours
        self.db = None
        self.run_id: int | None = None
        self.started = 0.0  # time.monotonic() when the run began

    def begin_run(self, spider: str) -> int:
        """Open the database and record a new crawl run; returns its id."""
        self.db = open_database(self.database_path)
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        with self.db.atomic():
            # The run lock admits one crawl at a time: a run left unfinished was killed.
            self.db.execute("UPDATE crawl_runs SET finish_reason = 'interrupted' WHERE finished IS NULL AND finish_reason IS NULL")
            self.run_id = self.db["crawl_runs"].insert({"spider": spider, "started": _now()}).last_pk
        self.started = time.monotonic()  # the run's length, for its summary
        logger.info("Crawl run %d writing to %s", self.run_id, self.database_path)
        return self.run_id

    def write_batch(self, batch: list[tuple[str, object]]) -> list[str | None]:
        """Write ``("store" | "skipped", item)`` pairs in one transaction; when one of them fails,
        each on its own. Returns each item's outcome: "new", "updated", "unchanged", or None for a
        skipped page or one that could not be stored (its URL stays due: the next run fetches it).
        sqlite3.OperationalError when the database cannot be written at all: nothing of the batch is."""
        try:
            with self.db.atomic():
                outcomes = [self._write(action, item) for action, item in batch]
        except sqlite3.OperationalError:
            # the database's fault (disk full, locked past the busy timeout, I/O): every item would
            # fail the same way, so the caller stops the run (nothing was written; the URLs stay due)
            raise
        except Exception:
            logger.exception("A batch of %d items failed to store; storing them one by one", len(batch))
            outcomes = [self._write_alone(action, item) for action, item in batch]
        for (_, item), outcome in zip(batch, outcomes):
            if outcome is not None:
                self.stats.inc_value(f"wiredup/stored/{outcome}")
                self.stats.inc_value(f"wiredup/source/{item.source}/stored/{outcome}")
        return outcomes

    def _write_alone(self, action: str, item) -> str | None:
        try:
            with self.db.atomic():
                return self._write(action, item)
        except sqlite3.OperationalError:
            raise  # not this item's fault: as in write_batch
        except Exception:
            logger.exception("Could not store %s; its URL stays due and the next run fetches it again", item.url)
            self.stats.inc_value("wiredup/store_failed")
            return None

    def _write(self, action: str, item) -> str | None:
        if action == "skipped":  # done with too: not asked again every run
            self._mark_done(item)
            return None
        seen = seen_columns(item.url, item.fetched_at, self.run_id)
        article_id, outcome = upsert_article(self.db, item, seen=seen, source=item.source, unchanged=item.unchanged)
        save_raw_page(
            self.db, article_id, url=item.url, status=item.status, headers=item.headers, encoding=item.encoding,
            html_gzip=item.body_gzip or compress_page(item.body), fetched_at=item.fetched_at,
        )
        if not item.unchanged:
            save_signatures(self.db, self.scheme_key, [(article_id, item.fingerprint)])
            # a changed text is grouped anew: its story follows the new text
            assign_story(self.db, article_id, item.matches, self.grouping, self.run_id, item.fetched_at)
            if item.blocks is not None:
                record_page(self.db, article_id, clutter_site(item.canonical_url), item.blocks)
        # in the same transaction: a crash before it leaves the URL due, and the next run stores it
        self._mark_done(item)
        return outcome

    def _mark_done(self, item) -> None:
        url_state.mark_done(self.db, item.requested_urls, now=datetime.now(timezone.utc), recheck_hours=self.recheck_hours)

    def finish_run(self, reason: str) -> None:
        """Record how the run ended, with its counts and every counter of ``stats``, log its
        summary (wiredup.store.summary), and close."""
        if self.db is None:
            return
        stats = self.stats.get_stats()
        counts = {
            "pages_fetched": stats.get("response_received_count", 0),
            "articles_new": stats.get("wiredup/stored/new", 0),
            "articles_updated": stats.get("wiredup/stored/updated", 0),
            "articles_unchanged": stats.get("wiredup/stored/unchanged", 0),
            "skipped": stats.get("wiredup/skipped", 0),
        }
        row = {"finished": _now(), "finish_reason": reason, "stats": json.dumps(stats, default=str, sort_keys=True), **counts}
        try:
            with self.db.atomic():
                self.db["crawl_runs"].update(self.run_id, row)
        except sqlite3.OperationalError as error:
            # the database that failed the run may refuse this too: the next run marks the row interrupted
            logger.error("Could not record crawl run %d as %s (%s); the next run records it as interrupted", self.run_id, reason, error)
        summary = run_summary(self.db, self.run_id, reason, stats, time.monotonic() - self.started)
        self.db.conn.close()
        self.db = None
        logger.info("%s", summary)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
