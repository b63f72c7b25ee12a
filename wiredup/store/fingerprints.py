"""Fingerprints of stored articles, read from the database in the order batch work needs, or by day.

A stored signature is used as it is when it was made under the current
scheme; otherwise the article's text is signed again, and the caller may write
the new signature back. Every row comes with its `StoryDates` (the window's
two dates), made from ``published`` and ``first_seen`` by
`wiredup.group.window.story_dates` alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from wiredup.group.fingerprint import Fingerprint, fingerprint
from wiredup.group.window import StoryDates, story_dates
from wiredup.settings import GroupingSettings


@dataclass
class StoredFingerprint:
    article_id: int
    url: str
    dates: StoryDates | None
    fingerprint: Fingerprint
    resigned: bool  # signed again now: the stored signature was made under another scheme


def newest_first_seen(db) -> datetime | None:
    """When the last crawl saw its last new article (first seen is wiredup's own clock, never a page's)."""
    (newest,) = db.execute("SELECT max(first_seen) FROM articles").fetchone()
    dates = story_dates(None, newest)
    return dates.seen if dates else None


def stored_fingerprints(db, settings: GroupingSettings, order: str = "story") -> Iterator[StoredFingerprint]:
    """Every stored article with its fingerprint, oldest first by ``order``: "story" (story date)
    or "seen" (first seen); ties by id.

    The order is made in Python from the dates `story_dates` gives, not in SQL: a story date is
    never later than first seen, and dates written with offsets do not sort as strings. Rows are
    fetched a chunk at a time by id, so no read stays open while the caller writes (re-signed
    signatures, say) between chunks.
    """
    scheme = settings.scheme_key()
    ids, times = [], []
    for article_id, published, first_seen in db.execute("SELECT id, published, first_seen FROM articles"):
        dates = story_dates(published, first_seen)
        ids.append(article_id)
        times.append(np.nan if dates is None else getattr(dates, order).timestamp())
    ids, times = np.array(ids, dtype=np.int64), np.array(times)
    order_ids = ids[np.lexsort((ids, times))].tolist()  # undated (NaN) last
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows = {
            row[0]: row
            for row in db.execute(
                f"""SELECT articles.id, articles.url, articles.published, articles.first_seen, signatures.scheme,
                           signatures.minhash, signatures.shingles, signatures.passages,
                           CASE WHEN signatures.scheme IS ? THEN NULL ELSE articles.text END
                    FROM articles LEFT JOIN signatures ON signatures.article_id = articles.id
                    WHERE articles.id IN ({marks})""",
                [scheme, *chunk],
            )
        }
        for article_id in chunk:
            _, url, published, first_seen, *signature = rows[article_id]
            yield _stored_fingerprint(article_id, url, story_dates(published, first_seen), scheme, settings, *signature)


CHUNK = 500  # ids per query: under SQLite's variable limit


def minhash_table(blobs: list[bytes], num_perm: int) -> np.ndarray:
    """Hash values of affine32 LeanMinHash blobs (`Fingerprint.to_columns`) as one (n, num_perm) array.

    Parsed in one numpy step instead of one LeanMinHash per row: a 1M-article
    index is built from the database in seconds. Layout: seed (8 bytes),
    -num_perm (4), scheme code (1), then num_perm little-endian uint32.

    >>> from wiredup.group.fingerprint import fingerprint
    >>> fp = fingerprint("One two three four five six.", GroupingSettings())
    >>> table = minhash_table([fp.to_columns()["minhash"]] * 2, 128)
    >>> table.shape, bool((table[1] == fp.minhash.hashvalues).all())
    ((2, 128), True)
    """
    width = 13 + 4 * num_perm
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), width)
    return raw[:, 13:].copy().view("<u4").astype(np.uint32)  # affine32 values fit; half of datasketch's uint64


@dataclass
class IndexedSignatures:
    """What a candidate index is built from: URLs, their hash values and dates; rows under another scheme apart."""

    urls: list[str]
    hashvalues: np.ndarray  # (len(urls), num_perm)
    story: np.ndarray  # story dates, POSIX seconds (`StoryDates.story`)
    seen: np.ndarray  # first seen, POSIX seconds
    stale_urls: list[str]  # signed under another scheme: `stored_fingerprint` signs them again


def indexed_signatures(db, settings: GroupingSettings, first_day: date, last_day: date | None = None) -> IndexedSignatures:
    """The MinHashes (no shingles, no text) of every stored article published or first seen from
    ``first_day`` to ``last_day`` (None: to the end), UTC days; a few just outside come too.

    Both columns are read through their indexes; a day either side of the range makes up for
    dates written in local time (the story date of `story_dates` is one of the two).
    """
    scheme = settings.scheme_key()
    low = (first_day - timedelta(days=1)).isoformat()
    if last_day is None:
        where, params = "published >= :low OR first_seen >= :low", {"low": low}
    else:
        high = (last_day + timedelta(days=2)).isoformat()  # exclusive: every time of the day after
        where = "(published >= :low AND published < :high) OR (first_seen >= :low AND first_seen < :high)"
        params = {"low": low, "high": high}
    urls, blobs, story, seen, stale = [], [], [], [], []
    rows = db.execute(
        f"""SELECT articles.url, articles.published, articles.first_seen,
                   signatures.scheme IS :scheme AND length(signatures.minhash) = :width, signatures.minhash
            FROM articles LEFT JOIN signatures ON signatures.article_id = articles.id WHERE {where}""",
        {"scheme": scheme, "width": 13 + 4 * settings.num_perm, **params},
    )
    for url, published, first_seen, current, minhash in rows:
        if not current:
            stale.append(url)
            continue
        dates = story_dates(published, first_seen)
        urls.append(url)
        blobs.append(minhash)
        story.append(dates.story.timestamp())
        seen.append(dates.seen.timestamp())
    hashvalues = minhash_table(blobs, settings.num_perm) if blobs else np.zeros((0, settings.num_perm), dtype=np.uint32)
    return IndexedSignatures(urls, hashvalues, np.array(story), np.array(seen), stale)


def stored_fingerprint(db, url: str, settings: GroupingSettings) -> StoredFingerprint | None:
    """One stored article's fingerprint by canonical URL (signed again when stored under another scheme)."""
    scheme = settings.scheme_key()
    row = db.execute(
        """SELECT articles.id, articles.published, articles.first_seen, signatures.scheme, signatures.minhash,
                  signatures.shingles, signatures.passages, CASE WHEN signatures.scheme IS ? THEN NULL ELSE articles.text END
           FROM articles LEFT JOIN signatures ON signatures.article_id = articles.id WHERE articles.url = ?""",
        [scheme, url],
    ).fetchone()
    if row is None:
        return None
    article_id, published, first_seen, *signature = row
    return _stored_fingerprint(article_id, url, story_dates(published, first_seen), scheme, settings, *signature)


def _stored_fingerprint(article_id, url, dates, scheme, settings, stored_scheme, minhash, shingles, passages, text):
    """The stored signature when it was made under ``scheme``, else one made anew from the text."""
    if stored_scheme == scheme:
        columns = {"minhash": minhash, "shingles": shingles, "passages": passages}
        fp, resigned = Fingerprint.from_columns(columns, settings), False
    else:
        fp, resigned = fingerprint(text, settings), True
    return StoredFingerprint(article_id, url, dates, fp, resigned)
