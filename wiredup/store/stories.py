"""Stories in the database, decided the way a regroup decides them, one neighbourhood at a time.

A crawl stores an article's matches, then partitions the part of the match
graph the article touches (`wiredup.group.partition.partition`, with the
corrections) and writes it with `wiredup.store.clusters.apply_partition`:
the same function on the same edges as `wiredup regroup`, so the stories do
not depend on the order articles arrive in, and a brief that reached one story
first moves to the better one when that one arrives. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace

from wiredup.group.partition import partition, strength
from wiredup.settings import GroupingSettings
from wiredup.store.clusters import apply_partition, record_matches

CHUNK = 500  # ids per query: under SQLite's variable limit


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


def neighbourhood(db, seeds: Iterable[int]) -> set[int]:
    """The articles connected to ``seeds`` by stored matches, "same" corrections or a shared cluster.

    >>> from wiredup.store.schema import open_database
    >>> neighbourhood(open_database(":memory:"), [7])
    {7}
    """
    found = set(seeds)
    frontier = sorted(found)
    while frontier:
        reached = set()
        for start in range(0, len(frontier), CHUNK):
            chunk = frontier[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for (other,) in db.execute(
                f"""SELECT other_id FROM matches WHERE article_id IN ({marks})
                    UNION SELECT article_id FROM matches WHERE other_id IN ({marks})
                    UNION SELECT other_id FROM overrides WHERE relation = 'same' AND article_id IN ({marks})
                    UNION SELECT article_id FROM overrides WHERE relation = 'same' AND other_id IN ({marks})
                    UNION SELECT id FROM articles WHERE cluster_id IN (
                        SELECT cluster_id FROM articles WHERE id IN ({marks}) AND cluster_id IS NOT NULL)""",
                chunk * 5,
            ):
                reached.add(other)
        frontier = sorted(reached - found)
        found |= reached
    return found


def regroup_neighbourhood(db, seeds: Iterable[int], settings: GroupingSettings, when: str, run_id: int | None = None) -> dict:
    """Re-partition the stories around ``seeds`` from their stored matches and the corrections;
    returns what changed (`apply_partition`)."""
    members = neighbourhood(db, seeds)
    ids = sorted(members)
    pairs = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT article_id, other_id, method, containment, jaccard FROM matches WHERE article_id IN ({marks})", chunk
        )
        pairs += [
            (a, b, strength(SimpleNamespace(method=method, containment=containment, jaccard=jaccard)))
            for a, b, method, containment, jaccard in rows
            if b in members
        ]
    same, different = overrides(db, members)
    return apply_partition(db, partition(ids, pairs, same, different, settings), when, run_id)


def assign_story(db, article_id: int, matches, settings: GroupingSettings, run_id: int | None, when: str) -> int:
    """Store an article's ``matches`` ((canonical URL, Match) pairs, its text's only: a changed text
    leaves the matches of the old one behind) and decide the stories around it; its cluster id.

    >>> from wiredup.store.schema import open_database
    >>> db = open_database(":memory:")
    >>> article_id = db["articles"].insert({"url": "https://a.example/1", "text": "t", "text_hash": "h",
    ...                                     "first_seen": "2024-04-17", "last_seen": "2024-04-17"}).last_pk
    >>> assign_story(db, article_id, [], GroupingSettings(), None, "2024-04-17")
    1
    """
    record_matches(db, article_id, matches, run_id, when)
    # its neighbourhood holds the members of the story it is still in: a changed text's old story
    # is decided again too, without it if it no longer matches
    regroup_neighbourhood(db, [article_id], settings, when, run_id)
    return db.execute("SELECT cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()[0]
