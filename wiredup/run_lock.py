"""One writer at a time per database: a lock file beside it (``news.db.lock``), held while writing.

A crawl holds it for its whole run (scraper.run_lock); ``wiredup regroup``, ``reextract``, ``same``
and ``different`` hold it too, for as long as they run: a regroup reads every article and then
replaces every match, so a crawl storing articles in between would lose theirs. The lock is an OS
file lock: a process that is killed releases it with itself, so a stale lock never blocks anyone.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)


class LockBusy(Exception):
    """Another process holds the lock and the caller does not wait; the message says who and what to do."""


class DatabaseLock:
    """The write lock of the database at ``database_path``; ``holder`` names the taker in the file
    ("crawl", "regroup"...), for the one line another process prints when it finds it taken."""

    def __init__(self, database_path: str, wait: bool, holder: str = "crawl"):
        self.path = Path(f"{database_path}.lock")
        self.wait = wait
        self.holder = holder
        self.handle = None

    def acquire(self) -> None:
        """Take the lock; raise ``LockBusy`` when another process holds it and we do not wait,
        ``OSError`` when the lock file cannot be made."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if not self.wait:
                handle.close()
                raise LockBusy(
                    f"another crawl or wiredup command is writing {self.path.with_suffix('')} ({holder} holds {self.path}); "
                    "run again later, or set WIREDUP_WAIT_FOR_LOCK=True to wait for it"
                ) from None
            logger.info("Waiting for the process that holds %s (%s)", self.path, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({self.holder})")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
