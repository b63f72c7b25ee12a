"""Work a batch job owes the database (the ``pending_work`` table): written in the transaction that
makes it owed, cleared in the one that does it, so a job killed in between is finished by the next.

>>> from wiredup.store.schema import open_database
>>> db = open_database(":memory:")
>>> with db.atomic():
...     owe(db, "regroup")
>>> owed(db, "regroup")
True
>>> with db.atomic():
...     settle(db, "regroup")
>>> owed(db, "regroup")
False
"""

from __future__ import annotations

from datetime import datetime, timezone


def owe(db, job: str) -> None:
    """Record that ``job`` must run (kept from the first time it was owed). Inside the caller's transaction."""
    db.execute("INSERT OR IGNORE INTO pending_work (job, since) VALUES (?, ?)",
               [job, datetime.now(timezone.utc).isoformat(timespec="seconds")])


def owed(db, job: str) -> bool:
    return db.execute("SELECT 1 FROM pending_work WHERE job = ?", [job]).fetchone() is not None


def settle(db, job: str) -> None:
    """``job`` is done. Inside the transaction that did it."""
    db.execute("DELETE FROM pending_work WHERE job = ?", [job])
