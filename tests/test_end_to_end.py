"""The README's crawl on a fresh copy of the project: five articles, four stories, no clutter."""

from __future__ import annotations

import json
import re
import sqlite3

from conftest import expected_partition, load_manifest, partition


def test_first_crawl_stores_the_five_seed_articles_in_four_groups(crawled_project):
    assert len(crawled_project.first_run_clusters) == 5
    assert partition(crawled_project.database) == expected_partition()


def test_stored_text_keeps_every_article_snippet(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        texts = dict(conn.execute("SELECT url, text FROM articles"))
    for page in load_manifest()["article"]:
        missing = [snippet for snippet in page["must_contain"] if snippet not in texts[page["url"]]]
        assert not missing, f"{page['seed']} lost article text: {missing}"


def test_no_clutter_snippet_reaches_any_stored_text(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        texts = [text for (text,) in conn.execute("SELECT text FROM articles")]
    clutter = [snippet for page in load_manifest()["article"] for snippet in page["must_not_contain"]]
    leaked = sorted({snippet for snippet in clutter for text in texts if snippet in text})
    assert not leaked


def test_metadata_is_extracted(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        conn.row_factory = sqlite3.Row
        rows = {row["url"]: row for row in conn.execute("SELECT * FROM articles")}
    for page in load_manifest()["article"]:
        row = rows[page["url"]]
        assert row["title"] == page["title"], page["seed"]
        assert row["sitename"] == page["sitename"], page["seed"]
        assert (row["published"] or "")[:10] == page["published"], page["seed"]
        assert json.loads(row["authors"]) == page["authors"], page["seed"]
        assert row["language"] == page["language"], page["seed"]
        assert row["final_url"].startswith("file://")


def test_second_crawl_adds_no_article_changes_no_cluster_and_adds_one_run(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        after = dict(conn.execute("SELECT url, cluster_id FROM articles"))
        runs = conn.execute("SELECT articles_new, articles_unchanged, finish_reason FROM crawl_runs ORDER BY id").fetchall()
        raw_pages = conn.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
    assert after == crawled_project.first_run_clusters
    # the second run revalidates feed, sitemap and front page, finds them unchanged and fetches no article
    assert runs == [(5, 0, "finished"), (0, 0, "finished")]
    assert raw_pages == 5


def test_crawl_runs_record_counts_and_stats(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        started, finished, fetched, stats = conn.execute(
            "SELECT started, finished, pages_fetched, stats FROM crawl_runs ORDER BY id LIMIT 1"
        ).fetchone()
    assert started <= finished
    # front page, feed, sitemap and the five articles (each fetched once although linked three times)
    assert fetched == 8
    assert json.loads(stats)["wiredup/stored/new"] == 5


def test_raw_html_is_kept_compressed_outside_the_articles_table(crawled_project):
    import gzip

    with sqlite3.connect(crawled_project.database) as conn:
        url, html = conn.execute(
            "SELECT articles.url, raw_pages.html_gzip FROM raw_pages JOIN articles ON articles.id = raw_pages.article_id LIMIT 1"
        ).fetchone()
        article_types = {row[2].upper() for row in conn.execute("PRAGMA table_info(articles)")}
    assert url in gzip.decompress(html).decode("utf-8")
    assert "BLOB" not in article_types


def test_crawl_logs_name_the_database_and_the_outcome(crawled_project):
    assert re.search(r"Crawl run 1 finished \(finished\)", crawled_project.first_log)
    assert re.search(r"Crawl run 2 finished \(finished\) in .*:\n  pages     3 fetched", crawled_project.second_log)
    assert "unchanged since the last run: feed 1, listing 1, sitemap 1" in crawled_project.second_log
