"""The SQLite database: how to open it and its whole schema, as numbered migrations.

``open_database(path)`` is the only way in: it turns on WAL (readers such as
Datasette never block the crawl), applies the migrations this version knows and
refuses a database written by a newer wiredup instead of guessing.

>>> db = open_database(":memory:")
>>> schema_version(db) == len(MIGRATIONS)
True
>>> sorted(db.table_names())[:3]
['articles', 'articles_fts', 'articles_fts_config']
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils


class DatabaseError(Exception):
    """The file cannot be used as a wiredup database; the message says what to do."""


def _create_core_tables(db: sqlite_utils.Database) -> None:
    db["crawl_runs"].create(
        {
            "id": int,
            "spider": str,
            "started": str,
            "finished": str,
            "finish_reason": str,
            "pages_fetched": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "skipped": int,
            "stats": str,  # JSON: skipped pages by reason and Scrapy's own counters
        },
        pk="id",
        if_not_exists=True,
    )
    db["clusters"].create(
        {
            "id": int,
            "representative_id": int,  # the member published first: the likely original
            "size": int,
            "outlets": int,
            "first_seen": str,
            "first_published": str,
            "created_run_id": int,
            "updated": str,
        },
        pk="id",
        if_not_exists=True,
    )
    db["cluster_merges"].create(
        {"merged_id": int, "into_id": int, "run_id": int, "merged_at": str},
        pk="merged_id",
        foreign_keys=[("into_id", "clusters", "id")],
        if_not_exists=True,
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,  # canonical URL: one row per article, whatever URL it was reached by
            "final_url": str,
            "source": str,
            "title": str,
            "authors": str,  # JSON list of names
            "published": str,
            "language": str,
            "sitename": str,
            "description": str,
            "text": str,
            "text_hash": str,
            "first_seen": str,
            "last_seen": str,
            "first_run_id": int,
            "last_run_id": int,
            "cluster_id": int,
        },
        pk="id",
        not_null={"url", "text", "text_hash", "first_seen", "last_seen"},
        foreign_keys=[("cluster_id", "clusters", "id"), ("first_run_id", "crawl_runs", "id")],
        if_not_exists=True,
    )
    db["articles"].create_index(["url"], unique=True, if_not_exists=True)
    db["articles"].create_index(["cluster_id"], if_not_exists=True)
    db["articles"].create_index(["published"], if_not_exists=True)
    if not db["articles_fts"].exists():
        db["articles"].enable_fts(["title", "text"], create_triggers=True)
    db["raw_pages"].create(
        {
            "article_id": int,
            "url": str,  # the URL actually fetched
            "status": int,
            "headers": str,  # JSON
            "encoding": str,
            "html_gzip": bytes,
            "fetched_at": str,
        },
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["signatures"].create(
        {
            "article_id": int,
            "scheme": str,  # JSON: MinHash scheme, hash function, num_perm, seed, shingle settings
            "minhash": bytes,
            "shingles": bytes,
            "passages": bytes,
        },
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["matches"].create(
        {
            "article_id": int,  # the later-stored article of the pair
            "other_id": int,
            "jaccard": float,
            "containment": float,
            "shared_passages": int,
            "method": str,  # the rule that decided "same story"
            "run_id": int,
            "matched_at": str,
        },
        pk=("article_id", "other_id"),
        foreign_keys=[("article_id", "articles", "id"), ("other_id", "articles", "id")],
        if_not_exists=True,
    )
    db["matches"].create_index(["other_id"], if_not_exists=True)
    db.create_view(
        "stories",
        """
        SELECT clusters.id AS cluster_id, clusters.size, clusters.outlets,
               clusters.first_published, clusters.first_seen,
               articles.title AS title, articles.sitename AS first_outlet,
               articles.url AS representative_url
        FROM clusters JOIN articles ON articles.id = clusters.representative_id
        """,
        ignore=True,
    )


def _add_corrections_and_story_dates(db: sqlite_utils.Database) -> None:
    db["overrides"].create(
        {
            "article_id": int,  # the smaller id of the pair
            "other_id": int,
            "relation": str,  # "same" or "different": a person's correction, honoured by every crawl and regroup
            "note": str,
            "created": str,
        },
        pk=("article_id", "other_id"),
        foreign_keys=[("article_id", "articles", "id"), ("other_id", "articles", "id")],
        if_not_exists=True,
    )
    # The grouping window reads articles by their story date; an index on the
    # same expression keeps opening a large database for grouping cheap.
    db.execute(f"CREATE INDEX IF NOT EXISTS articles_story_date ON articles({STORY_DATE})")


# An article's date for grouping: when it says it was published, else when it was first seen.
STORY_DATE = "coalesce(published, first_seen)"


def _add_query_indexes(db: sqlite_utils.Database) -> None:
    # What `wiredup clusters`, `show` and `search` ask of a large database
    # (bench/query_speed.py: each was a full scan of articles or clusters at 100k).
    # Stories newest first, and bounded by first published: read backwards, an
    # entry also orders by id, so the first 20 stories are the first 20 entries.
    db.execute("CREATE INDEX IF NOT EXISTS clusters_first_published ON clusters(first_published)")
    # Stories largest first ("size DESC, outlets DESC, first_published DESC, id DESC").
    db.execute("CREATE INDEX IF NOT EXISTS clusters_largest ON clusters(size, outlets, first_published)")
    # Stories with an article from a site (sitename, any case, or source): the
    # story ids come from the index alone, never from the wide article rows.
    db.execute("CREATE INDEX IF NOT EXISTS articles_sitename_cluster ON articles(sitename COLLATE NOCASE, cluster_id)")
    db.execute("CREATE INDEX IF NOT EXISTS articles_source_cluster ON articles(source, cluster_id)")
    # An article by the URL it was fetched at (its canonical URL has a unique index).
    db.execute("CREATE INDEX IF NOT EXISTS articles_final_url ON articles(final_url)")


def _add_url_state(db: sqlite_utils.Database) -> None:
    db["url_state"].create(
        {
            "url": str,  # as requested (feed link, sitemap entry...), before redirects
            "kind": str,  # article, feed, sitemap, listing, robots
            "source": str,
            "last_status": int,  # HTTP status, or NULL after a failure with no response
            "last_error": str,
            "etag": str,
            "last_modified": str,
            "content_hash": str,  # sha256 of the body: some servers send stale validators
            "failures": int,  # consecutive; reset by a success
            "last_fetched": str,
            "next_fetch": str,  # NULL: never again (stored article, gone page); else not before this
        },
        pk="url",
        defaults={"failures": 0},
        if_not_exists=True,
    )
    db["url_state"].create_index(["next_fetch"], if_not_exists=True)


def _add_url_keys(db: sqlite_utils.Database) -> None:
    from wiredup.urls import url_key

    if "url_key" not in db["articles"].columns_dict:
        db["articles"].add_column("url_key", str)
    # One article under its aliases (http/https, www./m. editions): looked up by this key.
    db.conn.executemany(
        "UPDATE articles SET url_key = ? WHERE id = ?",
        [(url_key(url), article_id) for article_id, url in db.execute("SELECT id, url FROM articles WHERE url_key IS NULL")],
    )
    db.conn.commit()
    db["articles"].create_index(["url_key"], if_not_exists=True)


def _add_article_metadata_and_site_learning(db: sqlite_utils.Database) -> None:
    # Metadata a news user needs beyond the first schema; NULL when the page does not say.
    for column in ("updated", "image", "section"):
        if column not in db["articles"].columns_dict:
            db["articles"].add_column(column, str)
    # wiredup.extract.clutter: the paragraphs each stored page of a site had (by hash) before
    # clutter was removed; a paragraph on many pages of one site is that site's clutter.
    db["site_blocks"].create(
        {
            "site": str,
            "block_hash": str,
            "text": str,  # the paragraph, whitespace-normalised, to read and allow-list
            "pages": int,  # distinct stored pages of the site that have it
        },
        pk=("site", "block_hash"),
        if_not_exists=True,
    )
    db["page_blocks"].create(
        {"article_id": int, "site": str, "block_hash": str},
        pk=("article_id", "block_hash"),
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["page_blocks"].create_index(["site", "block_hash"], if_not_exists=True)
    # scraper.health: per crawl run and site, how complete the extracted metadata was.
    db["extraction_health"].create(
        {
            "run_id": int,
            "site": str,
            "articles": int,
            "with_title": float,  # shares of the run's stored articles of the site
            "with_date": float,
            "with_author": float,
            "median_chars": int,
        },
        pk=("run_id", "site"),
        foreign_keys=[("run_id", "crawl_runs", "id")],
        if_not_exists=True,
    )


def _index_only_text_changes(db: sqlite_utils.Database) -> None:
    # sqlite-utils' update trigger re-indexes an article's whole text on any UPDATE of its row, and
    # a crawl updates rows for their cluster, a merge or last_seen far more often than their text
    # (bench/crawl_speed.py: about a tenth of the crawl process's time went to it).
    with db.atomic():
        db.execute("DROP TRIGGER IF EXISTS articles_au")
        db.execute(
            """CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
                 INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
                 INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
               END"""
        )


def _index_first_seen(db: sqlite_utils.Database) -> None:
    # The grouping window compares articles first seen within window_days of each other: a crawl
    # reads stored articles by day of first seen (and of published, indexed already), through the
    # index, at open and when an article's dates call for days it has not read.
    db["articles"].create_index(["first_seen"], if_not_exists=True)


def _add_published_from(db: sqlite_utils.Database) -> None:
    # Where each published date came from (README: jsonld, meta, time, url, dateline, feed, sitemap);
    # rows stored before it stay NULL: their evidence was not recorded.
    if "published_from" not in db["articles"].columns_dict:
        db["articles"].add_column("published_from", str)


def _story_dates_by_instant(db: sqlite_utils.Database) -> None:
    # Dates keep their page's UTC offset: stories were ordered, and their first published article
    # chosen, by text, so 14:42+03:00 came after 12:12Z. Order by the instant (julianday) through
    # indexes on it, and choose every story's representative and first published date again.
    from wiredup.store.clusters import SUMMARY_BY_INSTANT

    db.execute("DROP INDEX IF EXISTS clusters_first_published")
    db.execute("DROP INDEX IF EXISTS clusters_largest")
    db.execute("CREATE INDEX IF NOT EXISTS clusters_first_instant ON clusters(julianday(first_published))")
    db.execute("CREATE INDEX IF NOT EXISTS clusters_largest_instant ON clusters(size, outlets, julianday(first_published))")
    with db.atomic():
        db.execute(f"UPDATE clusters SET {SUMMARY_BY_INSTANT.replace(':id', 'clusters.id')}")


def _add_pending_work(db: sqlite_utils.Database) -> None:
    # Work a batch job owes the database, written in the same transaction as what makes it owed:
    # `wiredup reextract` changes texts batch by batch, then regroups; killed in between, the next
    # run (or `wiredup regroup`) finds the regroup still owed here, though no text changes again.
    db["pending_work"].create({"job": str, "since": str}, pk="job", if_not_exists=True)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _create_core_tables,
    _add_corrections_and_story_dates,
    _add_query_indexes,
    _add_url_state,
    _add_url_keys,
    _add_article_metadata_and_site_learning,
    _index_only_text_changes,
    _index_first_seen,
    _add_published_from,
    _story_dates_by_instant,
    _add_pending_work,
]

# The tables each migration (by the version it brings a database to) creates: a database at that
# version without one of them is damaged, and no wiredup command may write it.
TABLES_BY_VERSION = {
    1: ("crawl_runs", "clusters", "cluster_merges", "articles", "raw_pages", "signatures", "matches"),
    2: ("overrides",),
    4: ("url_state",),
    6: ("site_blocks", "page_blocks", "extraction_health"),
    11: ("pending_work",),
}
# Columns another application's table of the same name would not have.
KEY_COLUMNS = {"articles": {"url", "text", "text_hash"}, "crawl_runs": {"spider", "finish_reason"},
               "clusters": {"representative_id"}, "signatures": {"minhash"}, "matches": {"other_id"},
               "raw_pages": {"html_gzip"}, "url_state": {"next_fetch"}}
FTS_TABLES = {"articles_fts", *(f"articles_fts_{part}" for part in ("data", "idx", "docsize", "config", "content"))}


def upsert_row(db: sqlite_utils.Database, table: str, row: dict, key: str) -> None:
    """Insert ``row`` into ``table``, or update the row with its ``key`` value, in plain SQL.

    For hot paths: sqlite-utils' ``upsert`` reads the table's schema on every call
    (a third of a small write's time in a crawl).

    >>> db = open_database(":memory:")
    >>> upsert_row(db, "url_state", {"url": "https://a.example/1", "failures": 1}, key="url")
    >>> upsert_row(db, "url_state", {"url": "https://a.example/1", "failures": 2}, key="url")
    >>> db.execute("SELECT url, failures FROM url_state").fetchall()
    [('https://a.example/1', 2)]
    """
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    updates = ", ".join(f"{name} = excluded.{name}" for name in row if name != key)
    db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT({key}) DO UPDATE SET {updates}", list(row.values()))


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of migrations applied to ``db`` (SQLite's ``user_version``)."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def check_database(path: str | Path) -> None:
    """Raise ``DatabaseError`` saying what to do when a crawl could not write a wiredup database at
    ``path``; changes nothing, so a crawl checks before it starts (a missing file is fine: it is created).

    >>> check_database(":memory:")
    >>> check_database("/no/such/folder/news.db")
    Traceback (most recent call last):
    ...
    wiredup.store.schema.DatabaseError: /no/such/folder/news.db: cannot write in /no/such/folder; create it and make it writable, or point WIREDUP_DATABASE elsewhere
    """
    if str(path) == ":memory:":
        return
    path = Path(path)
    folder = path.parent.absolute()
    # SQLite writes its journal (news.db-wal, -shm) beside the database, and the crawl its lock file
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseError(f"{path}: cannot write in {folder}; create it and make it writable, or point WIREDUP_DATABASE elsewhere")
    if not path.exists():
        return
    if not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseError(f"{path}: the file is read-only; make it writable, or point WIREDUP_DATABASE elsewhere")
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        _check_version(conn, path)
    finally:
        conn.close()


def _check_version(conn: sqlite3.Connection, path) -> int:
    """The schema version of an open database; DatabaseError if it is not SQLite or is newer than this wiredup."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.OperationalError as error:  # e.g. a WAL database in a folder we may not write
        raise DatabaseError(f"{path}: cannot read it ({error}); check its and its folder's permissions, or use a copy") from None
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path}: not a SQLite database ({error}); point WIREDUP_DATABASE at another file") from None
    if version > len(MIGRATIONS):
        raise DatabaseError(
            f"{path}: written by a newer wiredup (schema {version}, this version knows {len(MIGRATIONS)}); upgrade wiredup"
        )
    _check_tables(conn, path, version)
    return version


def _check_tables(conn: sqlite3.Connection, path, version: int) -> None:
    """DatabaseError when the file is another application's SQLite database, or a wiredup database
    missing one of its tables: wiredup would add its tables to the one and fail half-way in the
    other, and must write neither.

    >>> conn = sqlite3.connect(":memory:")
    >>> _ = conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, headline TEXT, body TEXT)")
    >>> _check_tables(conn, "cms.db", 0)
    Traceback (most recent call last):
    ...
    wiredup.store.schema.DatabaseError: cms.db: not a wiredup database (its table 'articles' is another application's); point WIREDUP_DATABASE at another file, or a new one
    """
    names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    expected = {table for number, tables in TABLES_BY_VERSION.items() if number <= version for table in tables}
    ours = {table for tables in TABLES_BY_VERSION.values() for table in tables} | FTS_TABLES
    others = sorted(name for name in names - ours if not name.startswith("sqlite_"))
    if version == 0 and others or version > 0 and not expected & names:
        listed = (", ".join(others[:3]) + (", ..." if len(others) > 3 else "")) if others else "none of wiredup's"
        raise DatabaseError(f"{path}: not a wiredup database (it holds other tables: {listed}); "
                            "point WIREDUP_DATABASE at another file, or a new one")
    for table in sorted(names & set(KEY_COLUMNS)):
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not KEY_COLUMNS[table] <= columns:
            raise DatabaseError(f"{path}: not a wiredup database (its table {table!r} is another application's); "
                                "point WIREDUP_DATABASE at another file, or a new one")
    missing = sorted(expected - names)
    if missing:
        raise DatabaseError(f"{path}: a damaged wiredup database (table {missing[0]!r} is missing); "
                            "restore it from a backup, or point WIREDUP_DATABASE at another file")


def read_database(path: str | Path) -> sqlite_utils.Database:
    """Open a wiredup database to read, and only to read (``wiredup stats``, ``clusters``...): read-only,
    so neither another application's file nor a wiredup database is ever changed by a read.

    Raises ``DatabaseError`` with a one-line instruction when the file is not a wiredup database
    at this version's schema (a writing command or a crawl brings an older one up to date).
    """
    path = Path(path)
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.OperationalError as error:
        raise DatabaseError(f"{path}: cannot open it ({error}); check the path and its permissions") from None
    try:
        version = _check_version(conn, path)
        if version == 0:
            raise DatabaseError(f"{path}: holds no wiredup data yet; crawl into it first (scrapy crawl news -s WIREDUP_DATABASE={path})")
        if version < len(MIGRATIONS):
            raise DatabaseError(f"{path}: written by an older wiredup (schema {version}, this version reads {len(MIGRATIONS)}); "
                                f"a crawl or `wiredup regroup {path}` brings it up to date")
    except DatabaseError:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a wiredup database at ``path``, migrated to this version's schema.

    Raises ``DatabaseError`` with a one-line instruction when the file cannot be
    opened, is not SQLite or was written by a newer wiredup.

    Write inside ``with db.atomic():``. sqlite-utils 4 commits each write made outside an open
    transaction: a plain ``with db.conn:`` opens none until Python's first implicit BEGIN, so a
    process killed half-way could leave an article stored without its signature, story or done
    mark. ``atomic()`` begins up front; nested blocks are savepoints of the outer transaction.
    """
    try:
        conn = sqlite3.connect(str(path), timeout=30)
    except sqlite3.OperationalError as error:
        raise DatabaseError(f"{path}: cannot open it ({error}); check the path and its permissions") from None
    db = sqlite_utils.Database(conn)
    try:
        version = _check_version(conn, path)
    except DatabaseError:
        conn.close()
        raise
    if str(path) != ":memory:":
        try:
            db.enable_wal()
        except sqlite3.OperationalError as error:  # a read-only file or folder: WAL writes beside the database
            conn.close()
            raise DatabaseError(f"{path}: cannot write it ({error}); make it and its folder writable, or use a copy") from None
        # In WAL mode NORMAL never corrupts and never loses a commit to a crashed
        # process; only a power cut may drop the last commits. FULL would fsync
        # every one-article transaction, the crawl's main cost.
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    # sqlite-utils commits DDL as it goes (enable_fts runs a script), so a migration
    # cannot be one transaction: each is written to be re-run safely instead, and
    # the version is bumped only once it has completed.
    for number in range(version, len(MIGRATIONS)):
        MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version = {number + 1}")
    return db
