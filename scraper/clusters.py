"""Clusters in the database: one per story, with stable ids.

An article joins the cluster of the stored articles it copies. When it copies
articles of several clusters, they merge into the oldest (lowest id); the merge
is recorded in ``cluster_merges`` so an id that was handed out keeps resolving.
Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def assign_cluster(db, article_id: int, matches: Iterable[tuple[str, Any]], run_id: int | None, when: str) -> int:
    """Record ``matches`` of an article and put it in its cluster; return the cluster id.

    ``matches`` pairs a stored article's canonical URL with the decision that
    it tells the same story (an object with ``jaccard``, ``containment``,
    ``shared_passages`` and ``method``). Matches to URLs that are not stored
    are ignored.
    """
    matches = list(matches)
    urls = [url for url, _ in matches]
    stored = {}
    for start in range(0, len(urls), 500):  # stay under SQLite's variable limit
        chunk = urls[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for url, other_id, cluster_id in db.execute(f"SELECT url, id, cluster_id FROM articles WHERE url IN ({marks})", chunk):
            stored[url] = (other_id, cluster_id)
    db.execute("DELETE FROM matches WHERE article_id = ?", [article_id])
    db["matches"].insert_all(
        (
            {
                "article_id": article_id,
                "other_id": stored[url][0],
                "jaccard": round(match.jaccard, 4),
                "containment": round(match.containment, 4),
                "shared_passages": match.shared_passages,
                "method": match.method,
                "run_id": run_id,
                "matched_at": when,
            }
            for url, match in matches
            if url in stored and stored[url][0] != article_id
        ),
        replace=True,
    )
    current = db.execute("SELECT cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    touched = {cluster_id for _, cluster_id in stored.values() if cluster_id is not None}
    if current is not None:
        touched.add(current)
    if touched:
        target, *others = sorted(touched)
        for merged in others:
            merge_clusters(db, merged, target, run_id, when)
    else:
        target = db["clusters"].insert({"created_run_id": run_id, "updated": when}).last_pk
    db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [target, article_id])
    refresh_cluster(db, target, when)
    return target


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
    likely original that the other members copy.
    """
    db.execute(
        """
        UPDATE clusters SET
          size = (SELECT count(*) FROM articles WHERE cluster_id = :id),
          outlets = (SELECT count(DISTINCT coalesce(sitename, source)) FROM articles WHERE cluster_id = :id),
          first_seen = (SELECT min(first_seen) FROM articles WHERE cluster_id = :id),
          first_published = (SELECT min(published) FROM articles WHERE cluster_id = :id),
          representative_id = (
            SELECT id FROM articles WHERE cluster_id = :id
            ORDER BY published IS NULL, published, first_seen, id LIMIT 1),
          updated = :when
        WHERE id = :id
        """,
        {"id": cluster_id, "when": when},
    )
