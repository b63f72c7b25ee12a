"""Fingerprints of stored articles, read from the database in story-date order.

A stored signature is used as it is when it was made under the current
scheme; otherwise the article's text is signed again, and the caller may write
the new signature back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from wiredup.group.fingerprint import Fingerprint, fingerprint
from wiredup.group.window import parse_story_date
from wiredup.settings import GroupingSettings
from wiredup.store.schema import STORY_DATE


@dataclass
class StoredFingerprint:
    article_id: int
    url: str
    story_date: datetime | None
    fingerprint: Fingerprint
    resigned: bool  # signed again now: the stored signature was made under another scheme


def window_start(db, window_days: float | None) -> str | None:
    """The earliest story date a crawl needs in its candidate index: the window back from the newest article."""
    if not window_days:
        return None
    (newest,) = db.execute(f"SELECT max({STORY_DATE}) FROM articles").fetchone()
    newest = parse_story_date(newest)
    if newest is None:
        return None
    return (newest - timedelta(days=window_days)).date().isoformat()


def stored_fingerprints(db, settings: GroupingSettings, since: str | None = None) -> Iterator[StoredFingerprint]:
    """Every stored article (from story date ``since`` on), oldest story first, with its fingerprint.

    Rows are fetched a chunk at a time by id, so no read stays open while the
    caller writes (re-signed signatures, say) between chunks.
    """
    scheme = settings.scheme_key()
    where, params = "", []
    if since is not None:
        where, params = f"WHERE {STORY_DATE} >= ?", [since]
    order = [row[0] for row in db.execute(f"SELECT id FROM articles {where} ORDER BY {STORY_DATE}, id", params)]
    for start in range(0, len(order), CHUNK):
        chunk = order[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows = {
            row[0]: row
            for row in db.execute(
                f"""SELECT articles.id, articles.url, {STORY_DATE}, signatures.scheme, signatures.minhash,
                           signatures.shingles, signatures.passages,
                           CASE WHEN signatures.scheme IS ? THEN NULL ELSE articles.text END
                    FROM articles LEFT JOIN signatures ON signatures.article_id = articles.id
                    WHERE articles.id IN ({marks})""",
                [scheme, *chunk],
            )
        }
        for article_id in chunk:
            _, url, story_date, *signature = rows[article_id]
            yield _stored_fingerprint(article_id, url, story_date, scheme, settings, *signature)


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
    """What a candidate index is built from: URLs and their hash values; rows under another scheme apart."""

    urls: list[str]
    hashvalues: np.ndarray  # (len(urls), num_perm)
    stale_urls: list[str]  # signed under another scheme: `stored_fingerprint` signs them again


def indexed_signatures(db, settings: GroupingSettings, since: str | None = None) -> IndexedSignatures:
    """The MinHashes of every stored article from story date ``since`` on (no shingles, no text)."""
    scheme = settings.scheme_key()
    where, params = "", []
    if since is not None:
        where, params = f"WHERE {STORY_DATE} >= ?", [since]
    urls, blobs, stale = [], [], []
    rows = db.execute(
        f"""SELECT articles.url, signatures.scheme IS ? AND length(signatures.minhash) = ?, signatures.minhash
            FROM articles LEFT JOIN signatures ON signatures.article_id = articles.id {where}
            ORDER BY {STORY_DATE}, articles.id""",
        [scheme, 13 + 4 * settings.num_perm, *params],
    )
    for url, current, minhash in rows:
        if current:
            urls.append(url)
            blobs.append(minhash)
        else:
            stale.append(url)
    hashvalues = minhash_table(blobs, settings.num_perm) if blobs else np.zeros((0, settings.num_perm), dtype=np.uint32)
    return IndexedSignatures(urls, hashvalues, stale)


def stored_fingerprint(db, url: str, settings: GroupingSettings) -> StoredFingerprint | None:
    """One stored article's fingerprint by canonical URL (signed again when stored under another scheme)."""
    scheme = settings.scheme_key()
    row = db.execute(
        f"""SELECT articles.id, {STORY_DATE}, signatures.scheme, signatures.minhash, signatures.shingles,
                   signatures.passages, CASE WHEN signatures.scheme IS ? THEN NULL ELSE articles.text END
            FROM articles LEFT JOIN signatures ON signatures.article_id = articles.id WHERE articles.url = ?""",
        [scheme, url],
    ).fetchone()
    if row is None:
        return None
    article_id, story_date, *signature = row
    return _stored_fingerprint(article_id, url, story_date, scheme, settings, *signature)


def _stored_fingerprint(article_id, url, story_date, scheme, settings, stored_scheme, minhash, shingles, passages, text):
    """The stored signature when it was made under ``scheme``, else one made anew from the text."""
    if stored_scheme == scheme:
        columns = {"minhash": minhash, "shingles": shingles, "passages": passages}
        fp, resigned = Fingerprint.from_columns(columns, settings), False
    else:
        fp, resigned = fingerprint(text, settings), True
    return StoredFingerprint(article_id, url, parse_story_date(story_date), fp, resigned)
