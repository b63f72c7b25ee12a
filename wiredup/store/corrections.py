"""Corrections: a person says two articles are, or are not, the same story.

A correction is stored in ``overrides`` and applied at once to the clusters of
the two articles; every later crawl and regroup honours it. Saying the
opposite about the same pair replaces the earlier correction.
"""

from __future__ import annotations

from datetime import datetime, timezone

from wiredup.settings import GroupingSettings
from wiredup.store.stories import regroup_neighbourhood

RELATIONS = ("same", "different")


def correct(db, a: int, b: int, relation: str, note: str | None = None, settings: GroupingSettings | None = None) -> dict[str, int]:
    """Record that articles ``a`` and ``b`` are (``same``) or are not (``different``) one story,
    and regroup the stories around them accordingly, from the stored matches. Returns what changed.
    """
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}, not {relation!r}")
    if a == b:
        raise ValueError("an article is always the same story as itself")
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with db.atomic():
        for article_id in (a, b):
            if db.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchone() is None:
                raise LookupError(f"no article {article_id}")
        low, high = sorted((a, b))
        db["overrides"].insert(
            {"article_id": low, "other_id": high, "relation": relation, "note": note, "created": when},
            replace=True,
        )
        return regroup_neighbourhood(db, {a, b}, settings or GroupingSettings(), when)
