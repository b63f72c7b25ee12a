"""Regroup a whole database with the grouping settings given, without crawling (Scrapy-free).

Articles are read oldest story first; each is compared with the candidates
that the MinHash LSH index proposes among the articles of the preceding
window, so memory holds one window of fingerprints, never the whole database.
The decisions replace the stored matches, the corrections are applied on top,
and the new partition is written with `wiredup.store.clusters.apply_partition`,
which keeps every cluster id whose story survives. All writes are one
transaction: an interrupted regroup leaves the database as it was.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from wiredup.group.fingerprint import CandidateIndex, GroupingSettings, compare
from wiredup.store.fingerprints import stored_fingerprints, within_window
from wiredup.store.clusters import apply_partition, partition
from wiredup.store.corrections import overrides


@dataclass
class RegroupReport:
    articles: int = 0
    resigned: int = 0  # signatures made again because the scheme changed
    matches_before: int = 0
    matches_after: int = 0
    clusters_before: int = 0
    changes: dict = field(default_factory=dict)  # from apply_partition: clusters, unchanged, merged, split, new, articles_moved


def regroup(
    db,
    settings: GroupingSettings,
    progress: Callable[[int], None] | None = None,
) -> RegroupReport:
    """Recompute every match and cluster of ``db``; ``progress(n)`` is called as articles are read.

    >>> from wiredup.store.schema import open_database
    >>> regroup(open_database(":memory:"), GroupingSettings()).changes["clusters"]
    0
    """
    report = RegroupReport()
    report.matches_before = db.execute("SELECT count(*) FROM matches").fetchone()[0]
    report.clusters_before = db.execute("SELECT count(*) FROM clusters").fetchone()[0]
    index = CandidateIndex(settings)
    recent: deque = deque()  # (story date, article id) of what the index holds, oldest first
    window = timedelta(days=settings.window_days) if settings.window_days else None
    fingerprints, dates, ids, pairs, resigned = {}, {}, [], [], []
    scheme = json.dumps(settings.scheme(), sort_keys=True)
    for stored in stored_fingerprints(db, settings):
        date = stored.story_date
        while window and date and recent and recent[0][0] < date - window:
            _, old = recent.popleft()
            index.remove(old)
            del fingerprints[old], dates[old]
        for other in index.candidates(stored.fingerprint):
            if not within_window(date, dates[other], settings.window_days):
                continue
            match = compare(stored.fingerprint, fingerprints[other], settings)
            if match.same_story:
                pairs.append((stored.article_id, other, match))
        index.add(stored.article_id, stored.fingerprint)
        fingerprints[stored.article_id], dates[stored.article_id] = stored.fingerprint, date
        if date is not None:  # an undated article stays a candidate for all
            recent.append((date, stored.article_id))
        ids.append(stored.article_id)
        if stored.resigned:
            resigned.append((stored.article_id, stored.fingerprint))
            report.resigned += 1
        if len(resigned) >= 500:
            _store_signatures(db, scheme, resigned)
        if progress:
            progress(1)
    _store_signatures(db, scheme, resigned)
    report.articles, report.matches_after = len(ids), len(pairs)
    same, different = overrides(db)
    groups = partition(ids, [(a, b, (m.containment, m.jaccard)) for a, b, m in pairs], same, different)
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with db.conn:
        db.execute("DELETE FROM matches")
        db["matches"].insert_all(
            (
                {
                    "article_id": a,  # the later article of the pair, as a crawl stores it
                    "other_id": b,
                    "jaccard": round(m.jaccard, 4),
                    "containment": round(m.containment, 4),
                    "shared_passages": m.shared_passages,
                    "method": m.method,
                    "run_id": None,
                    "matched_at": when,
                }
                for a, b, m in pairs
            ),
            pk=("article_id", "other_id"),
            replace=True,
        )
        report.changes = apply_partition(db, groups, when)
    return report


def _store_signatures(db, scheme: str, resigned: list) -> None:
    """Write re-made signatures and empty the list; each batch is its own transaction
    (a signature is a cache of its article's text, right whatever the groups)."""
    with db.conn:
        db["signatures"].upsert_all(
            ({"article_id": a, "scheme": scheme, **fp.to_columns()} for a, fp in resigned), pk="article_id"
        )
    resigned.clear()
