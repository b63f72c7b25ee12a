"""Regroup a whole database with the grouping settings given, without crawling.

Articles go through the crawl's own grouping loop (wiredup.group.window.StoryWindow)
twice, once for each part of the window rule (`wiredup.group.window.window_rule`):
read oldest story date first, the window sliding along story dates, for the
pairs whose story dates are close; then read first seen first, sliding along
first seen, for the pairs first seen close together whose story dates are not.
Each pair is found once, and memory holds one window of fingerprints, never
the whole database. The decisions replace the stored matches, the corrections
are applied on top, and the new partition is written with
`wiredup.store.clusters.apply_partition`, which keeps every cluster id whose
story survives. All writes are one transaction: an interrupted regroup leaves
the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from wiredup.group.partition import partition, strength
from wiredup.group.window import StoryWindow
from wiredup.settings import GroupingSettings
from wiredup.store import pending
from wiredup.store.articles import save_signatures
from wiredup.store.clusters import apply_partition, replace_matches
from wiredup.store.fingerprints import stored_fingerprints
from wiredup.store.queries import count
from wiredup.store.stories import overrides


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
    report.matches_before, report.clusters_before = count(db, "matches"), count(db, "clusters")
    ids, pairs = [], []
    # With no window the first pass compares every pair; the second would find none.
    for slide_on, rules in PASSES[: 2 if settings.window_days else 1]:
        window = StoryWindow(settings, slide_on=slide_on)
        resigned = []
        for stored in stored_fingerprints(db, settings, order=slide_on):
            window.slide_to(stored.dates)
            pairs += [(stored.article_id, other, match)
                      for other, match in window.matches(stored.fingerprint, stored.dates, rules=rules)]
            window.add(stored.article_id, stored.fingerprint, stored.dates)
            if slide_on == "story":
                ids.append(stored.article_id)
                if progress:
                    progress(1)
            if stored.resigned:  # stored after the first pass: the second reads them as they are
                resigned.append((stored.article_id, stored.fingerprint))
                report.resigned += 1
            if len(resigned) >= 500:
                _store_signatures(db, settings, resigned)
        _store_signatures(db, settings, resigned)
    report.articles, report.matches_after = len(ids), len(pairs)
    same, different = overrides(db)
    groups = partition(ids, [(a, b, strength(m)) for a, b, m in pairs], same, different, settings)
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with db.atomic():
        replace_matches(db, pairs, when)
        report.changes = apply_partition(db, groups, when)
        pending.settle(db, "regroup")  # what a killed `wiredup reextract` left owed is done
    return report


# (the date a pass reads articles in the order of, the part of the window rule it finds pairs by)
PASSES = (("story", frozenset({"story dates", "no window"})), ("seen", frozenset({"first seen"})))


def _store_signatures(db, settings: GroupingSettings, resigned: list) -> None:
    """Write re-made signatures and empty the list; each batch is its own transaction
    (a signature is a cache of its article's text, right whatever the groups)."""
    with db.atomic():
        save_signatures(db, settings.scheme_key(), resigned)
    resigned.clear()
