"""The wiredup command on the crawled fixture database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

from click.testing import CliRunner

from conftest import load_manifest
from wiredup.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def test_clusters_lists_one_row_per_story(crawled_project):
    result = run("clusters", crawled_project.database, "--json")
    assert result.exit_code == 0, result.output
    stories = json.loads(result.output)
    assert sorted(story["size"] for story in stories) == [1, 1, 1, 2]
    titles = {page["title"] for page in load_manifest()["article"]}
    assert {story["title"] for story in stories} <= titles


def test_show_lists_the_members_of_the_wire_story(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        (cluster_id,) = conn.execute("SELECT id FROM clusters WHERE size = 2").fetchone()
    result = run("show", crawled_project.database, cluster_id, "--json")
    assert result.exit_code == 0, result.output
    seeds = {page["url"]: page["seed"] for page in load_manifest()["article"]}
    assert {seeds[member["url"]] for member in json.loads(result.output)} == {"000", "001"}


def test_show_of_an_unknown_story_fails_with_a_message(crawled_project):
    result = run("show", crawled_project.database, 999)
    assert result.exit_code == 1 and "no cluster 999" in result.output


def test_a_file_that_is_not_sqlite_gives_a_one_line_error(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not a database " * 100)
    result = run("clusters", bogus)
    assert result.exit_code == 1
    assert "not a SQLite database" in result.output and len(result.output.strip().splitlines()) == 1
    assert bogus.read_text().startswith("this is not a database")


def stdout(*args) -> str:
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def seeds_by_url() -> dict[str, str]:
    return {page["url"]: page["seed"] for page in load_manifest()["article"]}


def test_clusters_filters_and_sorts(crawled_project):
    db = crawled_project.database
    assert [s["size"] for s in json.loads(stdout("clusters", db, "--min-size", 2, "--json"))] == [2]
    assert [s["size"] for s in json.loads(stdout("clusters", db, "--sort", "largest", "--json"))] == [2, 1, 1, 1]
    assert len(json.loads(stdout("clusters", db, "--since", "2024-01-01", "--json"))) == 3
    (old,) = json.loads(stdout("clusters", db, "--until", "2023-12-31", "--json"))
    assert old["first_published"].startswith("2023-09-19")
    assert len(json.loads(stdout("clusters", db, "--since", "2024-04-17", "--until", "2024-04-17", "--json"))) == 3
    (rfi,) = json.loads(stdout("clusters", db, "--site", "rfi", "--json"))
    assert rfi["size"] == 2
    assert json.loads(stdout("clusters", db, "--site", "nowhere", "--json")) == []


def test_clusters_csv_has_a_header_and_a_row_per_story(crawled_project):
    rows = list(csv.DictReader(io.StringIO(stdout("clusters", crawled_project.database, "--csv"))))
    assert len(rows) == 4 and {"cluster_id", "size", "first_seen", "first_published", "title"} <= set(rows[0])


def wire_story(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id FROM clusters WHERE size = 2").fetchone()[0]


def test_show_says_who_ran_the_story_first_and_what_each_copy_changed(crawled_project):
    db = crawled_project.database
    members = json.loads(stdout("show", db, wire_story(db), "--json"))
    seeds = seeds_by_url()
    by_seed = {seeds[member["url"]]: member for member in members}
    assert set(by_seed) == {"000", "001"}
    first, copy = by_seed["000"], by_seed["001"]  # Hurriyet published half an hour before RFI
    assert first["representative"] and not copy["representative"]
    assert (first["containment"], first["added"], first["cut"]) == (1.0, [], [])
    assert 0.15 < copy["containment"] < 0.5
    assert copy["words_added"] > copy["words_cut"] > 0  # the long version adds more than it cuts
    assert any("Russian peacekeepers" in paragraph for paragraph in copy["added"])
    rows = list(csv.DictReader(io.StringIO(stdout("show", db, wire_story(db), "--csv"))))
    assert len(rows) == 2 and "words_added" in rows[0]


def test_search_gives_one_hit_per_story_unless_all(crawled_project):
    db = crawled_project.database
    collapsed = json.loads(stdout("search", db, "ambassador", "--json"))
    every = json.loads(stdout("search", db, "ambassador", "--all", "--json"))
    assert len({hit["cluster_id"] for hit in collapsed}) == len(collapsed)
    assert len(every) > len(collapsed)
    assert {hit["cluster_id"] for hit in every} == {hit["cluster_id"] for hit in collapsed}
    assert all("«" in hit["snippet"] and "»" in hit["snippet"] for hit in collapsed)
    assert json.loads(stdout("search", db, "--fts", "Karabakh NOT Russia", "--json"))
    assert list(csv.DictReader(io.StringIO(stdout("search", db, "ambassador", "--csv"))))[0]["snippet"]
    result = CliRunner().invoke(cli, ["search", str(db), "--fts", '"unbalanced'])  # plain words: tests/test_answers.py
    assert result.exit_code == 1 and "cannot search" in result.output


def test_article_by_url_or_id_with_its_matches(crawled_project):
    db = crawled_project.database
    page = next(page for page in load_manifest()["article"] if page["seed"] == "001")
    found = json.loads(stdout("article", db, page["url"], "--json"))[0]
    assert found["title"] == page["title"] and found["story_size"] == 2
    assert [match["method"] for match in found["matches"]] == ["passages"]
    assert json.loads(stdout("article", db, found["id"], "--json"))[0]["url"] == page["url"]
    assert page["title"] in stdout("article", db, found["id"])
    result = CliRunner().invoke(cli, ["article", str(db), "https://nowhere.example/"])
    assert result.exit_code == 1 and "no article" in result.output


def test_stats_per_run_and_per_source(crawled_project):
    report = json.loads(stdout("stats", crawled_project.database, "--json"))
    first, second = report["runs"][::-1]
    # the second run fetched the feed, sitemap and front page again, found them unchanged, and
    # fetched no article: each was stored by the first
    assert (first["articles_new"], second["articles_new"], second["articles_unchanged"]) == (5, 0, 0)
    assert second["pages_fetched"] == 3 < first["pages_fetched"]
    (source,) = report["sites"]
    assert (source["source"], source["pages"], source["new"], source["stories"], source["grouped"]) == (
        "fixture-site", 5, 5, 4, 2)
    table = stdout("stats", crawled_project.database)
    assert "Crawl runs" in table and "fixture-site" in table


def test_export_writes_every_article_or_story(crawled_project, tmp_path):
    db = crawled_project.database
    articles = [json.loads(line) for line in stdout("export", db, "articles").splitlines()]
    assert len(articles) == 5 and all(article["text"] and article["cluster_id"] for article in articles)
    target = tmp_path / "stories.csv"
    stdout("export", db, "clusters", "--format", "csv", "--output", target)
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert sorted(int(row["size"]) for row in rows) == [1, 1, 1, 2]


def test_article_and_stats_print_csv(crawled_project):
    db = crawled_project.database
    (row,) = list(csv.DictReader(io.StringIO(stdout("article", db, 1, "--csv"))))
    assert row["id"] == "1" and row["text"] and json.loads(row["authors"]) is not None
    sources = list(csv.DictReader(io.StringIO(stdout("stats", db, "--csv").split("\n\n")[1])))  # after the runs
    assert [source["source"] for source in sources] == ["fixture-site"]
