"""Corrections: a person says two articles are, or are not, the same story.

A correction is stored in ``overrides`` and applied at once to the clusters of
the two articles; every later crawl and regroup honours it. Saying the
opposite about the same pair replaces the earlier correction.
"""

from __future__ import annotations

from datetime import datetime, timezone

from wiredup.group.partition import partition
from wiredup.store.clusters import apply_partition

RELATIONS = ("same", "different")


def overrides(db, article_ids=None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(same pairs, different pairs) of article ids, optionally only among ``article_ids``.

    >>> from wiredup.store.schema import open_database
    >>> overrides(open_database(":memory:"))
    ([], [])
    """
    wanted = None if article_ids is None else set(article_ids)
    found = {"same": [], "different": []}
    for a, b, relation in db.execute("SELECT article_id, other_id, relation FROM overrides ORDER BY article_id, other_id"):
        if wanted is None or (a in wanted and b in wanted):
            found[relation].append((a, b))
    return found["same"], found["different"]


def correct(db, a: int, b: int, relation: str, note: str | None = None) -> dict[str, int]:
    """Record that articles ``a`` and ``b`` are (``same``) or are not (``different``) one story,
    and regroup their clusters accordingly, from the stored matches. Returns what changed.
    """
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}, not {relation!r}")
    if a == b:
        raise ValueError("an article is always the same story as itself")
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with db.atomic():
        clusters = {}
        for article_id in (a, b):
            row = db.execute("SELECT cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()
            if row is None:
                raise LookupError(f"no article {article_id}")
            clusters[article_id] = row[0]
        low, high = sorted((a, b))
        db["overrides"].insert(
            {"article_id": low, "other_id": high, "relation": relation, "note": note, "created": when},
            replace=True,
        )
        return regroup_clusters(db, set(clusters.values()), when)


def regroup_clusters(db, cluster_ids: set[int], when: str) -> dict[str, int]:
    """Re-partition the members of ``cluster_ids`` from their stored matches and the corrections."""
    marks = ", ".join("?" for _ in cluster_ids)
    members = [row[0] for row in db.execute(f"SELECT id FROM articles WHERE cluster_id IN ({marks})", list(cluster_ids))]
    inside = set(members)
    pairs = [
        (a, b, (containment or 0.0, jaccard or 0.0))
        for a, b, containment, jaccard in db.execute(
            f"""SELECT article_id, other_id, containment, jaccard FROM matches
                WHERE article_id IN (SELECT id FROM articles WHERE cluster_id IN ({marks}))""",
            list(cluster_ids),
        )
        if b in inside
    ]
    same, different = overrides(db, inside)
    return apply_partition(db, partition(members, pairs, same, different), when)
