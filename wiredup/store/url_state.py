"""Per-URL fetch state: what a scheduled crawl needs to fetch only what is new or due.

Pure rules over the ``url_state`` table; the downloader middleware
(``scraper.middlewares.IncrementalMiddleware``) applies them to requests.

>>> from wiredup.store.schema import open_database
>>> db = open_database(":memory:")
>>> record(db, "https://a.example/1", "article", "site", status=200, body=b"<html>", now=NOW)
>>> is_due(state(db, "https://a.example/1"), NOW)  # fetched, not yet stored: a crash here loses nothing
True
>>> with db.atomic():
...     mark_done(db, ["https://a.example/1"], now=NOW, recheck_hours=0)
>>> is_due(state(db, "https://a.example/1"), NOW)
False
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from wiredup.settings import Settings
from wiredup.store.schema import upsert_row

NOW = datetime(2024, 4, 17, 12, 0, tzinfo=timezone.utc)  # for the examples
BACKOFF_CAP = timedelta(days=1)
GONE = (404, 410)  # never asked for again


def state(db, url: str) -> dict | None:
    """The stored state of ``url``, or None if it was never fetched."""
    cursor = db.execute("SELECT * FROM url_state WHERE url = ?", [url])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def is_due(current: dict | None, now: datetime) -> bool:
    """Whether a URL should be fetched now: never seen, or its next fetch time has come.

    >>> is_due(None, NOW)
    True
    >>> is_due({"next_fetch": "2024-04-17T11:00:00+00:00"}, NOW), is_due({"next_fetch": None}, NOW)
    (True, False)
    """
    if current is None:
        return True
    if current["next_fetch"] is None:
        return False
    return datetime.fromisoformat(current["next_fetch"]) <= now


def backoff(failures: int, first: timedelta) -> timedelta:
    """Wait after ``failures`` consecutive failures: doubling from ``first``, at most a day.

    >>> [backoff(n, timedelta(minutes=30)).total_seconds() / 60 for n in (1, 2, 3)]
    [30.0, 60.0, 120.0]
    >>> backoff(20, timedelta(minutes=30)) == BACKOFF_CAP
    True
    """
    return min(first * 2 ** min(failures - 1, 16), BACKOFF_CAP)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def record(
    db,
    url: str,
    kind: str,
    source: str | None,
    *,
    now: datetime,
    status: int | None = None,
    body: bytes | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    error: str | None = None,
    first_backoff: timedelta = timedelta(minutes=Settings.retry_backoff_minutes),
    previous: dict | None = None,
    retry_after: timedelta | None = None,
    content_hash: str | None = None,
) -> None:
    """Store the outcome of one fetch and when the URL is due again.

    Success (2xx, 3xx: a redirect, or 304 for a validator): due on every run for
    a feed, sitemap or listing; an article stays due until `mark_done` (called
    when it is stored or skipped), so a crawl killed in between fetches it again.
    404/410: never again. Other statuses and transport errors: back off, and at
    least as long as the server's ``retry_after`` says (429, 503), up to a day.
    ``previous`` is the URL's `state` when the caller has read it already; ``content_hash``
    stands for ``body`` when the body itself stayed on a crawl worker.
    """
    previous = (previous if previous is not None else state(db, url)) or {}
    if content_hash is None and body is not None:
        content_hash = body_hash(body)
    success = status is not None and 200 <= status < 400  # a redirect is an answer: its target is fetched
    failures = 0 if success or status in GONE else (previous.get("failures") or 0) + 1
    if success and kind == "article" and 300 <= status < 400:
        next_fetch = None  # an alias: its target is asked under its own URL, and is due until stored
    elif success:
        next_fetch = now
    elif status in GONE:
        next_fetch = None
    else:
        next_fetch = now + max(backoff(failures, first_backoff), min(retry_after or timedelta(0), BACKOFF_CAP))
    row = {
        "url": url,
        "kind": kind,
        "source": source,
        "last_status": status,
        "last_error": error,
        "etag": etag if status != 304 else previous.get("etag"),
        "last_modified": last_modified if status != 304 else previous.get("last_modified"),
        "content_hash": content_hash if content_hash is not None and status != 304 else previous.get("content_hash"),
        "failures": failures,
        "last_fetched": now.isoformat(timespec="seconds"),
        "next_fetch": next_fetch.isoformat(timespec="seconds") if next_fetch else None,
    }
    with db.atomic():
        upsert_row(db, "url_state", row, key="url")  # once per response: no sqlite-utils schema reads


def mark_done(db, urls, *, now: datetime, recheck_hours: float) -> None:
    """The article fetched from ``urls`` (as asked, then redirected) is stored or skipped: not due
    again, or due after ``recheck_hours``. Called inside the caller's transaction."""
    next_fetch = (now + timedelta(hours=recheck_hours)).isoformat(timespec="seconds") if recheck_hours else None
    db.conn.executemany("UPDATE url_state SET next_fetch = ? WHERE url = ?", [(next_fetch, url) for url in urls])


def stored_article(db, url: str) -> bool:
    """Whether an article is stored that was fetched at, or is canonical under, ``url``."""
    return db.execute("SELECT 1 FROM articles WHERE final_url = ? OR url = ? LIMIT 1", [url, url]).fetchone() is not None


def every_state(db, batch: int = 1000):
    """Every URL's state, a batch of dicts at a time."""
    cursor = db.execute("SELECT * FROM url_state")
    names = [description[0] for description in cursor.description]
    while rows := cursor.fetchmany(batch):
        yield [dict(zip(names, row)) for row in rows]


def retry_due(db, now: datetime) -> list[dict]:
    """Articles due now that no feed may list again: failed before and out of back-off, fetched by a
    crawl killed before it stored them, or stored and due for a recheck. A run asks for them first."""
    cursor = db.execute(
        "SELECT url, source FROM url_state WHERE kind = 'article' AND next_fetch <= ? ORDER BY next_fetch",
        [now.isoformat(timespec="seconds")],
    )
    return [dict(zip(("url", "source"), row)) for row in cursor]
