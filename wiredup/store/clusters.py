"""Clusters in the database: one per story, with stable ids.

Which articles form a story is decided in wiredup.store.stories; here clusters
are written: a partition keeps the ids of the stories that survive, and an id
merged away is recorded in ``cluster_merges`` so that it keeps resolving.
Callers own the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any


def record_matches(db, article_id: int, matches: Iterable[tuple[str, Any]], run_id: int | None, when: str) -> None:
    """Replace the stored matches of an article (both ways: its text may have changed) with ``matches``.

    ``matches`` pairs a stored article's canonical URL with the decision that
    it tells the same story (a wiredup.group.compare.Match). Matches to URLs
    that are not stored are ignored.
    """
    matches = list(matches)
    stored = {}
    for chunk in _chunks([url for url, _ in matches], 500):  # stay under SQLite's variable limit
        marks = ", ".join("?" for _ in chunk)
        stored.update(db.execute(f"SELECT url, id FROM articles WHERE url IN ({marks})", chunk))
    db.execute("DELETE FROM matches WHERE article_id = :id OR other_id = :id", {"id": article_id})
    insert_matches(db, (match_row(article_id, stored[url], match, run_id, when) for url, match in matches if stored.get(url, article_id) != article_id))


def insert_matches(db, rows: Iterable[dict]) -> None:
    """Insert ``match_row`` rows, each replacing the stored match of its pair, in plain SQL: sqlite-utils'
    ``insert_all`` reads the table's schema (two statements and a savepoint) on every call, rows or none.

    >>> from wiredup.store.schema import open_database
    >>> db = open_database(":memory:")
    >>> for n in (1, 2):
    ...     _ = db["articles"].insert({"url": f"https://a.example/{n}", "text": "t", "text_hash": "h", "first_seen": "2024-04-17", "last_seen": "2024-04-17"})
    >>> match = type("Match", (), {"jaccard": 0.91234, "containment": 0.9, "shared_passages": 3, "method": "minhash"})()
    >>> insert_matches(db, [match_row(2, 1, match, None, "2024-04-17")]); insert_matches(db, [])
    >>> db.execute("SELECT article_id, other_id, jaccard, method FROM matches").fetchall()
    [(2, 1, 0.9123, 'minhash')]
    """
    rows = list(rows)
    if rows:
        columns = list(rows[0])
        db.conn.executemany(f"INSERT OR REPLACE INTO matches ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                            [[row[name] for name in columns] for row in rows])


def new_cluster(db, run_id: int | None, when: str) -> int:
    """Create an empty cluster and return its id, never one handed out before.

    SQLite reuses the largest rowid once it is deleted; a merged id must keep
    resolving to where it went, so new ids start past every merged one too.
    """
    (next_id,) = db.execute(
        "SELECT max(coalesce((SELECT max(id) FROM clusters), 0), coalesce((SELECT max(merged_id) FROM cluster_merges), 0)) + 1"
    ).fetchone()
    # plain SQL: sqlite-utils' insert reads the table's schema (four statements and a savepoint) on every call
    db.execute("INSERT INTO clusters (id, created_run_id, updated) VALUES (?, ?, ?)", [next_id, run_id, when])
    return next_id


def merge_clusters(db, merged: int, into: int, run_id: int | None, when: str) -> None:
    """Move every member of cluster ``merged`` into ``into`` and record the merge."""
    db.execute("UPDATE articles SET cluster_id = ? WHERE cluster_id = ?", [into, merged])
    # ids merged into `merged` earlier now resolve to `into` in one step
    db.execute("UPDATE cluster_merges SET into_id = ? WHERE into_id = ?", [into, merged])
    db["cluster_merges"].insert({"merged_id": merged, "into_id": into, "run_id": run_id, "merged_at": when}, replace=True)
    db.execute("DELETE FROM clusters WHERE id = ?", [merged])


def resolve_cluster(db, cluster_id: int) -> int | None:
    """The current id of a cluster id handed out earlier, following merges; None if unknown."""
    if db.execute("SELECT 1 FROM clusters WHERE id = ?", [cluster_id]).fetchone():
        return cluster_id
    row = db.execute("SELECT into_id FROM cluster_merges WHERE merged_id = ?", [cluster_id]).fetchone()
    return row[0] if row else None


def refresh_cluster(db, cluster_id: int, when: str) -> None:
    """Recompute a cluster's summary columns from its members.

    The representative is the member published first (then seen first): the
    likely original that the other members copy. First means the earliest
    instant: dates keep their page's UTC offset, so they are compared through
    julianday(), never as text (14:42+03:00 is before 12:12Z).
    """
    db.execute(
        f"""
        UPDATE clusters SET
          size = (SELECT count(*) FROM articles WHERE cluster_id = :id),
          outlets = (SELECT count(DISTINCT coalesce(sitename, source)) FROM articles WHERE cluster_id = :id),
          first_seen = (SELECT min(first_seen) FROM articles WHERE cluster_id = :id),
          {SUMMARY_BY_INSTANT},
          updated = :when
        WHERE id = :id
        """,
        {"id": cluster_id, "when": when},
    )


# A story's representative (its member published first, by instant; undated ones last, then first seen)
# and its first published date (the representative's, as the page gave it), for a cluster :id.
SUMMARY_BY_INSTANT = """
          representative_id = (
            SELECT id FROM articles WHERE cluster_id = :id
            ORDER BY julianday(published) IS NULL, julianday(published), first_seen, id LIMIT 1),
          first_published = (
            SELECT published FROM articles WHERE cluster_id = :id AND julianday(published) IS NOT NULL
            ORDER BY julianday(published), first_seen, id LIMIT 1)"""


def apply_partition(db, groups: Iterable[set[int]], when: str, run_id: int | None = None) -> dict[str, int]:
    """Store a partition of article ids as clusters, keeping ids wherever a story survives.

    Each group takes the old cluster id that most of its members had (ties: the
    lowest id), each old id going to one group at most. An old cluster left
    with no members is recorded as merged into the group that holds most of
    them, so its id keeps resolving; groups left without an old id get a new
    one. Returns counts of what changed. Callers own the transaction.
    """
    groups = [set(group) for group in groups]
    current = {}
    for ids in _chunks([a for group in groups for a in group], 500):
        marks = ", ".join("?" for _ in ids)
        current.update(db.execute(f"SELECT id, cluster_id FROM articles WHERE id IN ({marks})", ids))
    offers = sorted(
        (-count, old, index)
        for index, group in enumerate(groups)
        for old, count in Counter(current[a] for a in group if current.get(a) is not None).items()
    )
    given: dict[int, int] = {}
    taken: set[int] = set()
    for _, old, index in offers:
        if old not in taken and index not in given:
            given[index] = old
            taken.add(old)
    counts = Counter()
    for index in range(len(groups)):
        if index not in given:
            given[index] = new_cluster(db, run_id, when)
            counts["new"] += 1
    moves = [(given[i], a) for i, group in enumerate(groups) for a in group if current.get(a) != given[i]]
    db.conn.executemany("UPDATE articles SET cluster_id = ? WHERE id = ?", moves)
    counts["articles_moved"] = len(moves)
    before = Counter(old for old in current.values() if old is not None)
    landed: dict[int, Counter] = {}
    for index, group in enumerate(groups):
        for a in group:
            if current.get(a) is not None:
                landed.setdefault(current[a], Counter())[given[index]] += 1
    for old, where in sorted(landed.items()):
        if len(where) > 1:
            counts["split"] += 1
        if old not in taken:
            into = min(where, key=lambda c: (-where[c], c))
            merge_clusters(db, old, into, run_id, when)
            counts["merged"] += 1
    for index, group in enumerate(groups):
        cluster_id = given[index]
        if cluster_id in taken and before[cluster_id] == len(group) and all(current.get(a) == cluster_id for a in group):
            counts["unchanged"] += 1
        else:
            refresh_cluster(db, cluster_id, when)
    counts["clusters"] = len(groups)
    return {name: counts[name] for name in ("clusters", "unchanged", "new", "merged", "split", "articles_moved")}


def replace_matches(db, pairs, when: str) -> None:
    """Replace every stored match with ``pairs``: (later article id, earlier article id, Match), as
    ``wiredup regroup`` decided them. Callers own the transaction."""
    db.execute("DELETE FROM matches")
    insert_matches(db, (match_row(a, b, m, None, when) for a, b, m in pairs))



def match_row(article_id: int, other_id: int, match, run_id: int | None, when: str) -> dict:
    """A ``matches`` row: ``article_id`` is the later-stored article of the pair; ``match`` a
    wiredup.group.compare.Match."""
    return {
        "article_id": article_id,
        "other_id": other_id,
        "jaccard": round(match.jaccard, 4),
        "containment": round(match.containment, 4),
        "shared_passages": match.shared_passages,
        "method": match.method,
        "run_id": run_id,
        "matched_at": when,
    }


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]
