"""Read-only questions to the database, answered as lists of dicts (the CLI prints them).

Every function takes an open database (``scraper.database.open_database``)
and never writes.
"""

from __future__ import annotations

import json
import sqlite3

import numpy as np

from scraper.clusters import resolve_cluster

STORY_ORDER = {
    "newest": "first_published IS NULL, first_published DESC, cluster_id DESC",
    "largest": "size DESC, outlets DESC, first_published DESC, cluster_id DESC",
}


class QueryError(ValueError):
    """A question the database cannot answer as asked (a malformed search, say)."""


def stories(
    db,
    limit: int | None = None,
    since: str | None = None,
    until: str | None = None,
    site: str | None = None,
    min_size: int = 1,
    order: str = "newest",
) -> list[dict]:
    """One row per story: size, outlets, first seen, first published, representative title.

    ``since`` / ``until`` bound the first published date (ISO, inclusive; a
    day means the whole day); ``site`` keeps stories with an article from a
    site (its sitename or source); ``order`` is "newest" or "largest".

    >>> from scraper.database import open_database
    >>> stories(open_database(":memory:"), since="2024-04-01", order="largest")
    []
    """
    where = ["size >= :min_size"]
    if since:
        where.append("first_published >= :since")
    if until:
        where.append("first_published < :until || 'Z'")  # '2024-04-17' || 'Z' sorts after every time that day
    if site:
        where.append("cluster_id IN (SELECT cluster_id FROM articles WHERE sitename = :site COLLATE NOCASE OR source = :site)")
    sql = f"""
        SELECT cluster_id, size, outlets, first_published, first_seen, first_outlet, title
        FROM stories WHERE {' AND '.join(where)} ORDER BY {STORY_ORDER[order]} LIMIT :limit
    """
    params = {"min_size": min_size, "since": since, "until": until, "site": site, "limit": limit or -1}
    return list(_rows(db, sql, params))


def story_members(db, cluster_id: int) -> list[dict]:
    """The articles of a story, first published first; merged cluster ids resolve.

    Each row says how close the member is to the representative (Jaccard and
    containment of their stored shingles) and whether it is the representative.

    >>> from scraper.database import open_database
    >>> story_members(open_database(":memory:"), 1)
    []
    """
    current = resolve_cluster(db, cluster_id)
    if current is None:
        return []
    sql = """
        SELECT articles.id, articles.sitename, articles.published, articles.title, articles.url,
               length(articles.text) AS characters, articles.id = clusters.representative_id AS representative,
               signatures.shingles
        FROM articles JOIN clusters ON clusters.id = articles.cluster_id
        LEFT JOIN signatures ON signatures.article_id = articles.id
        WHERE articles.cluster_id = ?
        ORDER BY articles.published IS NULL, articles.published, articles.first_seen, articles.id
    """
    rows = list(_rows(db, sql, [current]))
    reference = next((row["shingles"] for row in rows if row["representative"]), None)
    for row in rows:
        shingles = row.pop("shingles")
        row["representative"] = bool(row["representative"])
        row["jaccard"], row["containment"] = _similarity(shingles, reference)
    return rows


def _similarity(a: bytes | None, b: bytes | None) -> tuple[float | None, float | None]:
    """Jaccard and containment of two stored shingle sets (sorted little-endian uint32)."""
    if a is None or b is None:
        return None, None
    left, right = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    if not len(left) or not len(right):
        return 0.0, 0.0
    common = len(np.intersect1d(left, right, assume_unique=True))
    return round(common / (len(left) + len(right) - common), 3), round(common / min(len(left), len(right)), 3)


def search(db, query: str, all_copies: bool = False, limit: int = 20) -> list[dict]:
    """Full-text search (FTS5 syntax) over titles and bodies, best match first.

    One hit per story unless ``all_copies``: the best-ranked copy stands for
    its story, with the story's size. Matched words in ``snippet`` are marked
    «like this». A malformed query raises QueryError.

    >>> from scraper.database import open_database
    >>> search(open_database(":memory:"), "ambassador")
    []
    """
    sql = """
        WITH hits AS (
          SELECT articles.id, articles.cluster_id, articles.sitename, articles.published, articles.title, articles.url,
                 snippet(articles_fts, 1, '«', '»', '…', 12) AS snippet, articles_fts.rank AS rank
          FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
          WHERE articles_fts MATCH :query
        ), ranked AS (
          SELECT *, row_number() OVER (PARTITION BY cluster_id ORDER BY rank, id) AS place FROM hits
        )
        SELECT ranked.cluster_id, clusters.size AS story_size, ranked.id, ranked.sitename, ranked.published,
               ranked.title, ranked.snippet, ranked.url
        FROM ranked LEFT JOIN clusters ON clusters.id = ranked.cluster_id
        WHERE :all OR place = 1
        ORDER BY rank, ranked.id LIMIT :limit
    """
    try:
        return list(_rows(db, sql, {"query": query, "all": int(all_copies), "limit": limit}))
    except sqlite3.OperationalError as error:
        raise QueryError(f"cannot search for {query!r}: {error} (FTS5 query syntax: words, \"a phrase\", OR, NOT, prefix*)") from None


def article(db, reference: str) -> dict | None:
    """One article by id or URL (canonical or as fetched), with its story and its stored matches.

    >>> from scraper.database import open_database
    >>> article(open_database(":memory:"), "https://example.com/a") is None
    True
    """
    column = "articles.id = ?" if str(reference).isdigit() else "(articles.url = ? OR articles.final_url = ?)"
    params = [reference] if str(reference).isdigit() else [reference, reference]
    rows = list(_rows(db, f"""
        SELECT articles.id, articles.url, articles.final_url, articles.source, articles.sitename, articles.title,
               articles.authors, articles.published, articles.language, articles.description,
               articles.first_seen, articles.last_seen, articles.cluster_id, clusters.size AS story_size, articles.text
        FROM articles LEFT JOIN clusters ON clusters.id = articles.cluster_id WHERE {column}""", params))
    if not rows:
        return None
    found = rows[0]
    found["authors"] = json.loads(found["authors"] or "[]")
    found["matches"] = list(_rows(db, """
        SELECT other.id, other.sitename, other.title, matches.method, matches.jaccard, matches.containment,
               matches.shared_passages
        FROM matches JOIN articles other
          ON other.id = CASE WHEN matches.article_id = :id THEN matches.other_id ELSE matches.article_id END
        WHERE :id IN (matches.article_id, matches.other_id) ORDER BY other.id""", {"id": found["id"]}))
    return found


def run_stats(db, limit: int | None = None) -> list[dict]:
    """One row per crawl run, newest first: fetched, new / updated / unchanged, skipped by reason.

    >>> from scraper.database import open_database
    >>> run_stats(open_database(":memory:"))
    []
    """
    sql = """SELECT id AS run, started, finished, finish_reason, pages_fetched, articles_new, articles_updated,
                    articles_unchanged, skipped, stats FROM crawl_runs ORDER BY id DESC"""
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = []
    for row in _rows(db, sql, []):
        counters = json.loads(row.pop("stats") or "{}")
        prefix = "wiredup/skipped/"
        reasons = {key[len(prefix):]: value for key, value in counters.items() if key.startswith(prefix)}
        row["skipped_by_reason"] = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items()))
        row["fetch_failed"] = sum(value for key, value in counters.items() if key.startswith("wiredup/fetch_failed/"))
        rows.append(row)
    return rows


def site_stats(db) -> list[dict]:
    """One row per site (sitename, else source): articles, stories, articles grouped with a copy, dates.

    >>> from scraper.database import open_database
    >>> site_stats(open_database(":memory:"))
    []
    """
    sql = """
        SELECT coalesce(articles.sitename, articles.source) AS site, count(*) AS articles,
               count(DISTINCT articles.cluster_id) AS stories,
               sum(clusters.size > 1) AS grouped,
               min(articles.published) AS first_published, max(articles.published) AS last_published,
               max(articles.last_seen) AS last_seen
        FROM articles LEFT JOIN clusters ON clusters.id = articles.cluster_id
        GROUP BY 1 ORDER BY articles DESC, site
    """
    return list(_rows(db, sql, []))


def source_stats(db) -> list[dict]:
    """One row per source of sources.toml, over every crawl run: article pages fetched, stored
    (new, updated, unchanged), skipped by reason; and from the articles: stories, articles grouped.

    >>> from scraper.database import open_database
    >>> source_stats(open_database(":memory:"))
    []
    """
    counts: dict[str, dict] = {}
    for (stats,) in db.execute("SELECT stats FROM crawl_runs WHERE stats IS NOT NULL"):
        for key, value in json.loads(stats).items():
            if key.startswith("wiredup/source/"):
                source, _, counter = key[len("wiredup/source/"):].partition("/")
                per_source = counts.setdefault(source, {})
                per_source[counter] = per_source.get(counter, 0) + value
    stored = {
        row["source"]: row
        for row in _rows(db, """
            SELECT articles.source, count(*) AS articles, count(DISTINCT articles.cluster_id) AS stories,
                   sum(clusters.size > 1) AS grouped
            FROM articles LEFT JOIN clusters ON clusters.id = articles.cluster_id GROUP BY articles.source""", [])
    }
    rows = []
    for source in sorted(set(counts) | set(stored)):
        counters = counts.get(source, {})
        skipped = {key.split("/", 1)[1]: value for key, value in counters.items() if key.startswith("skipped/")}
        rows.append({
            "source": source,
            "pages": counters.get("pages", 0),
            "new": counters.get("stored/new", 0),
            "updated": counters.get("stored/updated", 0),
            "unchanged": counters.get("stored/unchanged", 0),
            "skipped": sum(skipped.values()),
            "skipped_by_reason": ", ".join(f"{reason} {count}" for reason, count in sorted(skipped.items())),
            "articles": stored.get(source, {}).get("articles", 0),
            "stories": stored.get(source, {}).get("stories", 0),
            "grouped": stored.get(source, {}).get("grouped", 0) or 0,
        })
    return rows


def _rows(db, sql: str, params):
    cursor = db.execute(sql, params)
    columns = [description[0] for description in cursor.description]
    for values in cursor:
        yield dict(zip(columns, values))
