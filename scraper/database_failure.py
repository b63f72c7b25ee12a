"""A crawl that cannot write its database stops, as failed (issue 20, case 2).

A write that fails for the database's sake (disk full, locked by another process past the busy
timeout, an I/O error: ``sqlite3.OperationalError``) would fail for every item after it too. Going on
would fetch pages that cannot be recorded, and a run that still ended "finished" would keep its
feeds' validators, so the next runs find the feeds unchanged and never ask for the articles again.
So the first such error closes the spider with the reason ``database_error``: the run is recorded as
failed (when the database takes even that), keeps no validators, exits 1 (scraper.crawl_command), and
the next run fetches everything it did not store.
"""

from __future__ import annotations

import logging
import sqlite3

from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

DATABASE_ERROR = "database_error"  # the finish reason of a crawl that could not write
STAT = "wiredup/database_error"  # how many writes failed; set once the crawl has failed
FAILED_REASONS = (DATABASE_ERROR,)  # finish reasons that make `scrapy crawl` exit 1


def database_failed(crawler, error: sqlite3.Error) -> None:
    """Count ``error``, log the first one, and close the spider as ``database_error`` (once)."""
    first = not crawler.stats.get_value(STAT)
    crawler.stats.inc_value(STAT)
    if first:
        logger.error(
            "Cannot write the database (%s): the crawl stops as failed (%s); the next run fetches what it did not store",
            error, DATABASE_ERROR,
        )
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        # a spider closing already (the last flush failed) keeps the reason it closes with, and
        # the run is recorded with finish_reason() below
        closing = deferred_from_coro(engine.close_spider_async(reason=DATABASE_ERROR))
        closing.addErrback(lambda failure: logger.debug("Closing after a database error: %s", failure.value))


def has_failed(crawler) -> bool:
    """Whether a write of this crawl failed: its validators must not be kept."""
    return bool(crawler.stats.get_value(STAT))


def finish_reason(crawler, reason: str) -> str:
    """The reason to record: ``database_error`` once a write failed, even when the failure came
    too late to close the spider with it (the last flush, at close)."""
    return DATABASE_ERROR if has_failed(crawler) else reason
