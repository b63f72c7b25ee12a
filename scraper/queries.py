"""Read-only questions to the database, answered as lists of dicts (the CLI prints them)."""

from __future__ import annotations

from scraper.clusters import resolve_cluster


def stories(db, limit: int | None = None) -> list[dict]:
    """One row per story (cluster), newest first: size, outlets, first published, title.

    >>> from scraper.database import open_database
    >>> stories(open_database(":memory:"))
    []
    """
    sql = """
        SELECT cluster_id, size, outlets, first_published, first_outlet, title
        FROM stories ORDER BY first_published IS NULL, first_published DESC, cluster_id DESC
    """
    params = []
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return list(_rows(db, sql, params))


def story_members(db, cluster_id: int) -> list[dict]:
    """The articles of a story, first published first; merged cluster ids resolve.

    >>> from scraper.database import open_database
    >>> story_members(open_database(":memory:"), 1)
    []
    """
    current = resolve_cluster(db, cluster_id)
    if current is None:
        return []
    sql = """
        SELECT id, sitename, published, title, url, length(text) AS characters
        FROM articles WHERE cluster_id = ?
        ORDER BY published IS NULL, published, first_seen, id
    """
    return list(_rows(db, sql, [current]))


def _rows(db, sql: str, params):
    cursor = db.execute(sql, params)
    columns = [description[0] for description in cursor.description]
    for values in cursor:
        yield dict(zip(columns, values))
