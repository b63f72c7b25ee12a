"""Read-only questions to the database, answered as lists of dicts (the CLI prints them).

Every function takes an open database (``wiredup.store.schema.open_database``)
and never writes.
"""

from __future__ import annotations

import json
import sqlite3

import numpy as np

from wiredup.store.clusters import resolve_cluster
from wiredup.urls import url_key

STORY_ORDER = {
    # SQLite sorts NULL before every value, so DESC puts stories with no date
    # last. Dates keep their page's UTC offset: they are ordered by instant
    # (julianday), the expression the clusters indexes hold, so they give the order.
    "newest": "julianday(first_published) DESC, cluster_id DESC",
    "largest": "size DESC, outlets DESC, julianday(first_published) DESC, cluster_id DESC",
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

    >>> from wiredup.store.schema import open_database
    >>> stories(open_database(":memory:"), since="2024-04-01", order="largest")
    []
    """
    where = ["size >= :min_size"]
    if since:
        where.append("first_published >= :since")
    if until:
        where.append("first_published < :until || 'Z'")  # '2024-04-17' || 'Z' sorts after every time that day
    if site:
        # Two index-only lookups (an OR would read every article row of the site), and "+" keeps SQLite
        # from fetching each of the site's stories by id and sorting them all: it walks the stories in
        # the order asked and stops at `limit`; a big site's 13k stories of 100k took 45 ms, now 3 ms.
        where.append("+cluster_id IN (SELECT cluster_id FROM articles WHERE sitename = :site COLLATE NOCASE"
                     " UNION ALL SELECT cluster_id FROM articles WHERE source = :site)")
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

    >>> from wiredup.store.schema import open_database
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
        ORDER BY julianday(articles.published) IS NULL, julianday(articles.published), articles.first_seen, articles.id
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


def plain_terms(text: str) -> str:
    """An FTS5 query that finds every word of ``text`` as a word: each term quoted, so that
    apostrophes, ``+``, URLs or a leading ``-`` are text, never FTS5 syntax.

    >>> print(plain_terms("l'ambassadeur  O'Brien c++ -russia"))
    "l'ambassadeur" "O'Brien" "c++" "-russia"
    >>> print(plain_terms('a "quote'), plain_terms("  "))
    "a" ""\"quote" ""
    """
    return " ".join('"' + term.replace('"', '""') + '"' for term in text.split()) or '""'  # "": matches nothing


def search(db, query: str, all_copies: bool = False, limit: int = 20, fts: bool = False) -> list[dict]:
    """Full-text search over titles and bodies, best match first: every word of ``query``, or
    ``query`` in FTS5 syntax when ``fts``.

    One hit per story unless ``all_copies``: the best-ranked copy stands for
    its story, with the story's size. Matched words in ``snippet`` are marked
    «like this». A malformed FTS5 query raises QueryError.

    >>> from wiredup.store.schema import open_database
    >>> search(open_database(":memory:"), "ambassador")
    []
    """
    # Ranking and collapsing every hit in one query (a window function over all
    # of them) made a snippet and read the article row of each: 4 s for a word
    # in every article of 100k (bench/query_speed.py). Taken best first, a hit
    # stands for its story exactly when no better hit of that story came before
    # it, so the first `limit` stories among the best n hits are the first
    # `limit` stories among all hits. n grows until it holds them or every hit,
    # and only the rows returned get a snippet. Ranking every hit (bm25) stays:
    # ~130 ms for a word in every article of 100k.
    query = query if fts else plain_terms(query)
    wanted = None if limit is None or limit < 0 else limit
    best = -1 if wanted is None else wanted if all_copies else max(100, 10 * wanted)
    try:
        while True:
            hits = db.execute(
                """SELECT articles.id, articles.cluster_id
                   FROM (SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH :query
                         ORDER BY rank, rowid LIMIT :best) AS hits
                   LEFT JOIN articles ON articles.id = hits.rowid
                   ORDER BY hits.rank, hits.rowid""",
                {"query": query, "best": best},
            ).fetchall()
            chosen, seen = [], set()
            for article_id, cluster_id in hits:
                if article_id is None or (not all_copies and cluster_id in seen):
                    continue
                seen.add(cluster_id)
                chosen.append(article_id)
            chosen = chosen[:wanted]
            if best < 0 or len(hits) < best or len(chosen) == wanted:
                break
            best *= 8
        found = {}
        for start in range(0, len(chosen), 500):  # stay under SQLite's variable limit
            ids = chosen[start : start + 500]
            sql = f"""
                SELECT articles.cluster_id, clusters.size AS story_size, articles.id, articles.sitename, articles.published,
                       articles.title, snippet(articles_fts, 1, '«', '»', '…', 12) AS snippet, articles.url
                FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
                LEFT JOIN clusters ON clusters.id = articles.cluster_id
                WHERE articles_fts MATCH ? AND articles_fts.rowid IN ({", ".join("?" for _ in ids)})
            """
            found.update((row["id"], row) for row in _rows(db, sql, [query, *ids]))
        return [found[article_id] for article_id in chosen if article_id in found]  # unless deleted meanwhile
    except sqlite3.OperationalError as error:
        raise QueryError(f"cannot search for {query!r}: {error} (FTS5 query syntax: words, \"a phrase\", OR, NOT, prefix*)") from None


def article(db, reference: str) -> dict | None:
    """One article by id or URL (canonical or as fetched), with its story and its stored matches.

    >>> from wiredup.store.schema import open_database
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
    # "article_id = :id OR other_id = :id", not ":id IN (article_id, other_id)": SQLite answers an OR of
    # two columns with their two indexes, the IN with a scan of every match.
    found["matches"] = list(_rows(db, """
        SELECT other.id, other.sitename, other.title, matches.method, matches.jaccard, matches.containment,
               matches.shared_passages
        FROM matches JOIN articles other
          ON other.id = CASE WHEN matches.article_id = :id THEN matches.other_id ELSE matches.article_id END
        WHERE matches.article_id = :id OR matches.other_id = :id ORDER BY other.id""", {"id": found["id"]}))
    return found


def article_id(db, reference: str) -> int | None:
    """The id of the article ``reference`` names: its id, or its URL (canonical or as fetched); None if none.

    >>> from wiredup.store.schema import open_database
    >>> article_id(open_database(":memory:"), "https://example.com/a") is None
    True
    """
    if str(reference).isdigit():
        row = db.execute("SELECT id FROM articles WHERE id = ?", [int(reference)]).fetchone()
    else:
        row = db.execute("SELECT id FROM articles WHERE url = :ref OR final_url = :ref ORDER BY url = :ref DESC, id LIMIT 1",
                         {"ref": reference}).fetchone()
    return row[0] if row else None


def run_stats(db, limit: int | None = None) -> list[dict]:
    """One row per crawl run, newest first: fetched, new / updated / unchanged, skipped by reason.

    >>> from wiredup.store.schema import open_database
    >>> run_stats(open_database(":memory:"))
    []
    """
    sql = """SELECT id AS run, started, finished, finish_reason, pages_fetched, articles_new, articles_updated,
                    articles_unchanged, skipped, stats FROM crawl_runs ORDER BY id DESC"""
    if limit is not None:  # 0: no run
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

    >>> from wiredup.store.schema import open_database
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

    >>> from wiredup.store.schema import open_database
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


def stored_edition(db, url: str) -> tuple[str, str, str] | None:
    """(canonical URL, text hash, first seen) of the stored article that ``url`` is an edition of
    (http/https, ``www.``/``m.``: the same ``url_key``), the one stored under ``url`` itself first; None if none."""
    return db.execute(
        "SELECT url, text_hash, first_seen FROM articles WHERE url_key = ? ORDER BY url = ? DESC, id LIMIT 1",
        [url_key(url), url],
    ).fetchone()


def fetched_from(db, url: str) -> str | None:
    """The URL the article stored under canonical ``url`` was last fetched from; None if none is stored."""
    row = db.execute("SELECT final_url FROM articles WHERE url = ?", [url]).fetchone()
    return row[0] if row else None


def kept_apart(db) -> set[frozenset]:
    """Pairs of canonical URLs that a "different" correction keeps in separate stories."""
    rows = db.execute(
        """SELECT a.url, b.url FROM overrides JOIN articles a ON a.id = overrides.article_id
           JOIN articles b ON b.id = overrides.other_id WHERE relation = 'different'"""
    )
    return {frozenset(pair) for pair in rows}


def count(db, table: str) -> int:
    """Rows of a table (for progress bars and reports)."""
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def texts(db, article_ids) -> dict[int, str]:
    """The stored texts of ``article_ids``."""
    ids = list(article_ids)
    marks = ", ".join("?" for _ in ids)
    return dict(db.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", ids)) if ids else {}


def cluster_of(db, article_id: int) -> int | None:
    """The story an article is in."""
    row = db.execute("SELECT cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()
    return row[0] if row else None


EXPORTS = {
    "articles": """SELECT id, url, final_url, source, sitename, title, authors, published, language, description,
                          first_seen, last_seen, cluster_id, text FROM articles ORDER BY id""",
    "clusters": """SELECT stories.*, clusters.representative_id FROM stories
                   JOIN clusters ON clusters.id = stories.cluster_id ORDER BY cluster_id""",
}


def export(db, what: str) -> tuple[int, list[str], sqlite3.Cursor]:
    """Every row of ``what`` (a key of ``EXPORTS``): how many, the column names, a cursor over them."""
    sql = EXPORTS[what]
    (total,) = db.execute(f"SELECT count(*) FROM ({sql})").fetchone()
    cursor = db.execute(sql)
    return total, [description[0] for description in cursor.description], cursor


def stored_pair(db, a: int, b: int) -> tuple[dict | None, dict | None]:
    """What is stored about two articles: their match (either way round) and a person's correction."""
    match = db.execute(
        """SELECT method, jaccard, containment, shared_passages, run_id, matched_at FROM matches
           WHERE (article_id = ? AND other_id = ?) OR (article_id = ? AND other_id = ?)""",
        [a, b, b, a],
    ).fetchone()
    low, high = sorted((a, b))
    correction = db.execute(
        "SELECT relation, note, created FROM overrides WHERE article_id = ? AND other_id = ?", [low, high]
    ).fetchone()
    return (
        dict(zip(("method", "jaccard", "containment", "shared_passages", "run_id", "matched_at"), match)) if match else None,
        dict(zip(("relation", "note", "created"), correction)) if correction else None,
    )


def window_dates(db, article_id: int) -> dict:
    """What the grouping window reads of an article: its published date, where that came from
    (``published_from``: jsonld, meta, time, url, dateline, feed, sitemap; None when unknown) and
    when it was first seen.

    >>> from wiredup.store.schema import open_database
    >>> window_dates(open_database(":memory:"), 1)
    Traceback (most recent call last):
    ...
    LookupError: no article 1
    """
    row = db.execute("SELECT published, published_from, first_seen FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise LookupError(f"no article {article_id}")
    return dict(zip(("published", "published_from", "first_seen"), row))


def story_links(db, cluster_id: int) -> list[tuple[int, int, str]]:
    """What holds a story together: its members' stored matches (a, b, method) and "same"
    corrections (a, b, "same correction")."""
    members = "SELECT id FROM articles WHERE cluster_id = :id"
    matches = db.execute(
        f"SELECT article_id, other_id, method FROM matches WHERE article_id IN ({members}) AND other_id IN ({members})",
        {"id": cluster_id},
    ).fetchall()
    same = db.execute(
        f"""SELECT article_id, other_id, 'same correction' FROM overrides
            WHERE relation = 'same' AND article_id IN ({members}) AND other_id IN ({members})""",
        {"id": cluster_id},
    ).fetchall()
    return [tuple(row) for row in matches + same]


def text_hashes(db) -> dict[int, str]:
    """Every article's text hash, by id: what tells a changed text."""
    return dict(db.execute("SELECT id, text_hash FROM articles"))


def raw_pages(db) -> list[tuple]:
    """Every stored page to extract again: (article id, fetched URL, encoding, gzipped HTML, canonical URL, text hash)."""
    return db.execute(
        "SELECT raw_pages.article_id, raw_pages.url, raw_pages.encoding, raw_pages.html_gzip, articles.url, articles.text_hash "
        "FROM raw_pages JOIN articles ON articles.id = raw_pages.article_id ORDER BY raw_pages.article_id"
    ).fetchall()
