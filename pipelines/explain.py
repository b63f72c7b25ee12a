"""Why two stored articles are, or are not, grouped together (Scrapy-free; `wiredup explain`)."""

from __future__ import annotations

from pipelines.near_duplicates import GroupingSettings, compare, fingerprints, shared_passages


def find_article(db, reference: str) -> dict:
    """A stored article by id or by (canonical) URL; LookupError names what was not found.

    >>> from scraper.database import open_database
    >>> find_article(open_database(":memory:"), "7")
    Traceback (most recent call last):
    ...
    LookupError: no article with id or URL '7'
    """
    column = "id" if reference.isdigit() else "url"
    cursor = db.execute(
        f"SELECT id, url, title, sitename, published, cluster_id, text FROM articles WHERE {column} = ?", [reference]
    )
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no article with id or URL {reference!r}")
    return dict(zip([d[0] for d in cursor.description], row))


def explain(db, reference_a: str, reference_b: str, settings: GroupingSettings) -> dict:
    """The scores of two articles under ``settings``, the decision they give, what is stored
    about the pair (match, correction) and the passages of A that survive in B."""
    a, b = find_article(db, reference_a), find_article(db, reference_b)
    fp_a, fp_b = fingerprints([a["text"], b["text"]], settings)
    match = compare(fp_a, fp_b, settings)
    low, high = sorted((a["id"], b["id"]))
    stored = db.execute(
        """SELECT method, jaccard, containment, shared_passages, run_id, matched_at FROM matches
           WHERE (article_id = ? AND other_id = ?) OR (article_id = ? AND other_id = ?)""",
        [a["id"], b["id"], b["id"], a["id"]],
    ).fetchone()
    correction = db.execute(
        "SELECT relation, note, created FROM overrides WHERE article_id = ? AND other_id = ?", [low, high]
    ).fetchone()
    return {
        "a": {key: value for key, value in a.items() if key != "text"},
        "b": {key: value for key, value in b.items() if key != "text"},
        "same_cluster": a["cluster_id"] == b["cluster_id"],
        "jaccard": round(match.jaccard, 4),
        "containment": round(match.containment, 4),
        "shared_passage_count": match.shared_passages,
        "decision": match.method or "not the same story",
        "stored_match": dict(zip(("method", "jaccard", "containment", "shared_passages", "run_id", "matched_at"), stored))
        if stored
        else None,
        "correction": dict(zip(("relation", "note", "created"), correction)) if correction else None,
        "shared_passages": shared_passages(a["text"], b["text"], settings),
    }
