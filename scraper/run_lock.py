"""One crawl at a time per database: a lock file beside it, held for the whole run.

A second ``scrapy crawl news`` on the same database stops at once with one line
saying why (exit status 1, which cron reports), or waits for the first with
WIREDUP_WAIT_FOR_LOCK = True. The lock is an OS file lock: a crawl that is
killed releases it with its process, so a stale lock never blocks the next run.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from scrapy import signals

from wiredup.settings import Settings

logger = logging.getLogger(__name__)


class RunLock:
    def __init__(self, database_path: str, wait: bool):
        self.path = Path(f"{database_path}.lock")
        self.wait = wait
        self.handle = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        lock = cls(settings.database, settings.wait_for_lock)
        lock.acquire()
        crawler.signals.connect(lock.release, signal=signals.engine_stopped)
        return lock

    def acquire(self) -> None:
        """Take the lock, or exit with a one-line reason when another crawl holds it and we do not wait."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+")
        except OSError as error:
            raise SystemExit(f"wiredup: cannot create the lock file {self.path} ({error.strerror}); make its folder writable") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if not self.wait:
                handle.close()
                raise SystemExit(
                    f"wiredup: another crawl is writing {self.path.with_suffix('')} ({holder} holds {self.path}); "
                    "run again later, or set WIREDUP_WAIT_FOR_LOCK=True to wait for it"
                ) from None
            logger.info("Waiting for the crawl that holds %s (%s)", self.path, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
