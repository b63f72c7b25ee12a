"""Pages without an article are skipped with a counted, logged reason; nothing stored changes."""

from __future__ import annotations

import json
import sqlite3

from conftest import FIXTURES, Pipelines, fixture_item, load_manifest, scrapy_crawl


def snapshot(db_path):
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT id, url, text, cluster_id, last_seen FROM articles ORDER BY id").fetchall()


def test_front_page_and_empty_page_are_skipped_by_a_real_crawl(crawled_project, tmp_path):
    project = crawled_project.path
    before = snapshot(project / "news.db")
    database = tmp_path / "copy.db"
    with sqlite3.connect(project / "news.db") as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    for page in load_manifest()["non_article"]:
        path = FIXTURES / page["file"]
        result = scrapy_crawl(project, "-a", f"url={path}", "-s", f"WIREDUP_DATABASE={database}")
        assert result.returncode == 0, result.stderr[-2000:]
        assert "not an article (" in result.stderr and path.as_uri() in result.stderr, result.stderr[-2000:]
        # one line with the reason and the URL, never the item and its HTML after it (issue 21)
        (dropped,) = [line for line in result.stderr.splitlines() if "Dropped:" in line]
        assert dropped.endswith(f"Dropped: not an article ({dropped.split('(')[-1].split(')')[0]}): {path.as_uri()}")
        assert "ArticleItem(" not in result.stderr and "<html" not in result.stderr.lower()
    assert snapshot(database) == before
    with sqlite3.connect(database) as conn:
        runs = conn.execute("SELECT skipped, articles_new, stats FROM crawl_runs ORDER BY id DESC LIMIT 2").fetchall()
    assert [(skipped, new) for skipped, new, _ in runs] == [(1, 0), (1, 0)]
    reasons = {key for _, _, stats in runs for key in json.loads(stats) if key.startswith("wiredup/skipped/")}
    assert reasons  # each run names why it skipped


def test_skip_reasons_are_counted_per_reason(tmp_path):
    pipelines = Pipelines(tmp_path / "news.db")
    outcomes = [pipelines.process(fixture_item(page["file"])) for page in load_manifest()["non_article"]]
    pipelines.close()
    assert all(isinstance(outcome, str) and outcome.startswith("not an article") for outcome in outcomes)
    counted = {key: value for key, value in pipelines.stats.items() if key.startswith("wiredup/skipped/")}
    assert sum(counted.values()) == len(outcomes)
    assert "wiredup/skipped/empty_page" in counted or "wiredup/skipped/no_article_text" in counted


def test_a_page_that_is_not_html_is_skipped(tmp_path):
    item = fixture_item(load_manifest()["article"][0]["file"])
    item.content_type = "application/pdf"
    pipelines = Pipelines(tmp_path / "news.db")
    outcome = pipelines.process(item)
    pipelines.close()
    assert outcome.startswith("not an article (not_html")
    assert pipelines.stats["wiredup/skipped/not_html"] == 1
