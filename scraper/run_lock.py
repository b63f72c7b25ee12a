"""One crawl at a time per database: wiredup.run_lock's lock file beside it, held for the whole run.

A second ``scrapy crawl news`` on the same database (or one started while ``wiredup regroup`` or
``reextract`` writes it) stops at once with one line saying why (exit status 1, which cron
reports), or waits with WIREDUP_WAIT_FOR_LOCK = True. A crawl that is killed releases the lock
with its process, so a stale lock never blocks the next run.
"""

from __future__ import annotations

from scrapy import signals

from wiredup.run_lock import DatabaseLock, LockBusy
from wiredup.settings import Settings


class RunLock(DatabaseLock):
    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        lock = cls(settings.database, settings.wait_for_lock)
        lock.acquire()
        crawler.signals.connect(lock.release, signal=signals.engine_stopped)
        return lock

    def acquire(self) -> None:
        """Take the lock, or exit with a one-line reason when another process holds it and we do not wait."""
        try:
            super().acquire()
        except LockBusy as busy:
            raise SystemExit(f"wiredup: {busy}") from None
        except OSError as error:
            raise SystemExit(f"wiredup: cannot create the lock file {self.path} ({error.strerror}); make its folder writable") from None
