"""Per-site extraction health of each crawl run, and the warning when a site's coverage falls."""

from __future__ import annotations

import json
import logging
import sqlite3

from conftest import load_manifest
from wiredup.store.schema import open_database
from wiredup.store.health import record_health


def add_run(db, run_id: int, site: str, articles: list[dict]) -> None:
    db["crawl_runs"].insert({"id": run_id, "spider": "news", "started": f"2024-04-1{run_id}T00:00:00+00:00"})
    for number, article in enumerate(articles):
        db["articles"].insert({
            "url": f"https://{site}/{run_id}/{number}", "source": site, "text": "x" * article.get("chars", 1000),
            "text_hash": f"{run_id}-{number}", "first_seen": "2024", "last_seen": "2024", "last_run_id": run_id,
            "title": article.get("title"), "published": article.get("published"), "authors": json.dumps(article.get("authors", [])),
        })


def test_health_rows_per_site_and_run(tmp_path):
    db = open_database(tmp_path / "news.db")
    add_run(db, 1, "daily.example", [
        {"title": "A", "published": "2024-04-11", "authors": ["Jane Doe"], "chars": 1000},
        {"title": "B", "published": None, "authors": [], "chars": 3000},
    ])
    assert record_health(db, 1) == []
    row = db.execute("SELECT articles, with_title, with_date, with_author, median_chars FROM extraction_health WHERE run_id = 1").fetchone()
    assert row == (2, 1.0, 0.5, 0.5, 2000)


def test_a_sharp_drop_in_dates_warns_naming_the_site(tmp_path, caplog):
    db = open_database(tmp_path / "news.db")
    add_run(db, 1, "daily.example", [{"title": "A", "published": "2024-04-11"}] * 4)
    record_health(db, 1)
    add_run(db, 2, "daily.example", [{"title": "A", "published": None}] * 3 + [{"title": "B", "published": "2024-04-12"}])
    with caplog.at_level(logging.WARNING, logger="scraper.health"):
        warnings = record_health(db, 2, drop=0.3)
    assert len(warnings) == 1 and "'daily.example'" in warnings[0] and "with date" in warnings[0]
    assert warnings[0] in caplog.text


def test_a_real_crawl_records_health(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        rows = conn.execute("SELECT run_id, site, articles, with_title, with_date FROM extraction_health").fetchall()
    assert rows == [(1, "fixture-site", len(load_manifest()["article"]), 1.0, 1.0)]
