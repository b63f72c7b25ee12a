"""The database reads well in sqlite-utils and Datasette: named tables, no binary article columns."""

from __future__ import annotations

import asyncio
import subprocess

from conftest import BIN


def test_sqlite_utils_lists_the_tables_with_counts(crawled_project):
    result = subprocess.run(
        [str(BIN / "sqlite-utils"), "tables", str(crawled_project.database), "--counts"],
        capture_output=True, text=True, check=True,
    )
    for table, count in [("articles", 5), ("clusters", 4), ("crawl_runs", 2), ("raw_pages", 5), ("signatures", 5), ("matches", 1)]:
        assert f'"table": "{table}", "count": {count}' in result.stdout, result.stdout


def test_datasette_serves_articles_as_readable_text(crawled_project):
    from datasette.app import Datasette

    async def fetch():
        datasette = Datasette([str(crawled_project.database)])
        articles = await datasette.client.get("/news/articles.json?_shape=objects")
        stories = await datasette.client.get("/news/stories.json?_shape=objects")
        return articles, stories

    articles, stories = asyncio.run(fetch())
    assert articles.status_code == 200
    rows = articles.json()["rows"]
    assert len(rows) == 5
    assert all(isinstance(value, (str, int, float, type(None))) for row in rows for value in row.values())
    assert all(row["title"] and row["text"] for row in rows)
    assert stories.status_code == 200 and len(stories.json()["rows"]) == 4


def test_the_search_index_follows_text_changes_and_nothing_else(tmp_path):
    from wiredup.store.schema import open_database

    db = open_database(tmp_path / "news.db")
    with db.atomic():
        article_id = db["articles"].insert(
            {"url": "https://a.example/1", "title": "Envoy recalled", "text": "Paris recalled its ambassador.",
             "text_hash": "x", "first_seen": "2024-04-17", "last_seen": "2024-04-17"}
        ).last_pk

    def index_writes():
        return db.execute("SELECT count(*), coalesce(sum(length(block)), 0), max(id) FROM articles_fts_data").fetchone()

    def found(word):
        return [row[0] for row in db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [word])]

    before = index_writes()
    with db.atomic():  # what a crawl does to a row far more often than to its text
        db.execute("UPDATE articles SET last_seen = '2024-04-18', cluster_id = NULL WHERE id = ?", [article_id])
    assert index_writes() == before
    with db.atomic():
        db.execute("UPDATE articles SET text = 'Berlin summoned its envoy.' WHERE id = ?", [article_id])
    assert found("Berlin") == [article_id] and found("Paris") == []
