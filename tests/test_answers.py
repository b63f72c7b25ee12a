"""Getting answers from a crawled database as a new user asks them (issue 21): stories in time order
across UTC offsets, search with ordinary words, ids or URLs everywhere, stats and empty listings
for scripts, exported authors as lists. All on the real fixture crawl."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from scraper.commands import cli
from wiredup.store.schema import open_database


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, (args, result.output, result.exception)
    return result.output


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.fixture
def database(crawled_project, tmp_path) -> Path:
    """A copy of the twice-crawled fixture database, to change."""
    copy = tmp_path / "news.db"
    shutil.copy(crawled_project.database, copy)
    return copy


def test_newest_stories_come_first_by_instant_across_offsets(crawled_project):
    stories = json.loads(run("clusters", crawled_project.database, "--json"))
    published = [instant(story["first_published"]) for story in stories]
    assert published == sorted(published, reverse=True)
    # the fixtures: 08:12-04:00 (12:12Z), then 14:42+03:00 (11:42Z), then 11:36+04:00 (07:36Z)
    assert [story["first_published"][-6:] for story in stories[:3]] == ["-04:00", "+03:00", "+04:00"]
    # Datasette's stories page, the same order
    canned = yaml.safe_load((ROOT / "wiredup/store/datasette.yml").read_text())["databases"]["news"]["queries"]
    with sqlite3.connect(crawled_project.database) as conn:
        listed = [row[0] for row in conn.execute(canned["stories"]["sql"], {"min_size": ""})]
    assert listed == [story["cluster_id"] for story in stories]


def test_the_representative_and_first_published_are_the_earliest_instant(crawled_project):
    with sqlite3.connect(crawled_project.database) as conn:
        (story,) = conn.execute("SELECT id FROM clusters WHERE size = 2").fetchone()
    members = json.loads(run("show", crawled_project.database, story, "--json"))
    earliest = min(members, key=lambda member: instant(member["published"]))
    assert [member["id"] for member in members if member["representative"]] == [earliest["id"]]
    assert [member["id"] for member in members] == [m["id"] for m in sorted(members, key=lambda m: instant(m["published"]))]
    stories = {s["cluster_id"]: s for s in json.loads(run("clusters", crawled_project.database, "--json"))}
    assert stories[story]["first_published"] == earliest["published"]


def test_an_old_database_gets_its_representatives_by_instant(database):
    with sqlite3.connect(database) as conn:  # as wiredup before the fix stored them: by text
        conn.execute("UPDATE clusters SET first_published = (SELECT max(published) FROM articles WHERE cluster_id = clusters.id),"
                     " representative_id = (SELECT id FROM articles WHERE cluster_id = clusters.id ORDER BY published DESC LIMIT 1)")
        conn.execute("PRAGMA user_version = 9")
    db = open_database(database)
    for cluster_id, first_published in db.execute("SELECT id, first_published FROM clusters"):
        dates = [p for (p,) in db.execute("SELECT published FROM articles WHERE cluster_id = ?", [cluster_id])]
        assert first_published == min(dates, key=instant)


def stories_found(database, *args) -> set[int]:
    return {row["cluster_id"] for row in json.loads(run("search", database, *args, "--json"))}


@pytest.mark.parametrize("words", [
    # each was an FTS5 syntax error or click's "No such option"
    ["l'ambassadeur"], ["O'Brien"], ["c++"], ["-russia"], ["https://www.rfi.fr/en/international/"], ['"unclosed'],
    ["Macron", "AND"], ["NOT"], ["prefix*"], ["NEAR(a"], [":"],
])
def test_search_takes_ordinary_words(crawled_project, words):
    run("search", crawled_project.database, *words, "--json")


def test_plain_search_finds_words_as_words(crawled_project):
    database = crawled_project.database
    assert stories_found(database, "-russia") == stories_found(database, "russia") != set()
    assert stories_found(database, "Russia's") == stories_found(database, "--fts", '"russia s"')
    both = stories_found(database, "ambassador", "Boillon")  # every word, in any order
    assert both and both == stories_found(database, "Boillon", "ambassador") < stories_found(database, "ambassador")
    assert stories_found(database, "ambassador NOT Boillon") == stories_found(database, "--fts", "ambassador not Boillon")


def test_search_in_fts5_syntax_behind_fts(crawled_project):
    every = stories_found(crawled_project.database, "ambassador")
    without = stories_found(crawled_project.database, "--fts", "ambassador NOT Boillon")
    assert without and without < every
    assert "FTS5" in run("search", crawled_project.database, "--fts", "Macron AND", ok=False)


@pytest.mark.parametrize("q, fts, found", [("l'ambassadeur", "", False), ("c++", "", False), ("-russia", "", True),
                                           ("  ambassador \t  Boillon ", "", True), ("ambassador NOT Boillon", "1", True),
                                           ("ambassador NOT Boillon", "", True), ("", "", False), ("", "1", False)])
def test_datasette_search_takes_ordinary_words(crawled_project, q, fts, found):
    canned = yaml.safe_load((ROOT / "wiredup/store/datasette.yml").read_text())["databases"]["news"]["queries"]
    with sqlite3.connect(crawled_project.database) as conn:
        rows = conn.execute(canned["search"]["sql"], {"q": q, "fts": fts}).fetchall()
    assert bool(rows) == found
    if found and not fts:
        assert {row[0] for row in rows} == stories_found(crawled_project.database, q)


def test_same_different_and_show_take_urls(database):
    with sqlite3.connect(database) as conn:
        (a, url_a), (b, url_b) = conn.execute("SELECT id, url FROM articles WHERE cluster_id IN"
                                              " (SELECT id FROM clusters WHERE size = 2) ORDER BY id").fetchall()
        (story,) = conn.execute("SELECT cluster_id FROM articles WHERE id = ?", [a]).fetchone()
    assert json.loads(run("show", database, url_b, "--json")) == json.loads(run("show", database, story, "--json"))
    assert "marked different" in run("different", database, url_a, url_b)
    assert "marked same" in run("same", database, url_a, b)
    assert "no article with id or URL 'https://nowhere.example/'" in run("same", database, a, "https://nowhere.example/", ok=False)
    assert "no article" in run("show", database, "https://nowhere.example/", ok=False)


def test_stats_csv_has_the_runs_asked_for_and_the_sources(crawled_project):
    runs, sources = run("stats", crawled_project.database, "--csv", "--runs", "1").split("\n\n")
    runs, sources = list(csv.DictReader(io.StringIO(runs))), list(csv.DictReader(io.StringIO(sources)))
    assert [row["run"] for row in runs] == ["2"] and [row["source"] for row in sources] == ["fixture-site"]
    runs = json.loads(run("stats", crawled_project.database, "--json", "--runs", "0"))["runs"]
    assert runs == []
    assert len(json.loads(run("stats", crawled_project.database, "--json"))["runs"]) == 2


def test_empty_listings_keep_their_header_and_json_or_csv_is_one(crawled_project, tmp_path):
    empty = tmp_path / "empty.db"
    open_database(empty)
    for listing in (["clusters"], ["search", "nothing"]):
        full = run(listing[0], crawled_project.database, *listing[1:], "--csv") if listing[0] == "clusters" else \
            run("search", crawled_project.database, "ambassador", "--csv")
        header = run(listing[0], empty, *listing[1:], "--csv")
        assert header.splitlines() == full.splitlines()[:1], listing
        table = run(listing[0], empty, *listing[1:])
        assert "none" in table and "│  " not in table.split("┡")[-1]
    runs, sources = run("stats", empty, "--csv").split("\n\n")
    full_runs, full_sources = run("stats", crawled_project.database, "--csv").split("\n\n")
    assert (runs.splitlines(), sources.splitlines()) == (full_runs.splitlines()[:1], full_sources.splitlines()[:1])
    assert "one or the other" in run("clusters", empty, "--json", "--csv", ok=False)


def test_export_gives_authors_as_a_list(crawled_project):
    lines = run("export", crawled_project.database, "articles").splitlines()
    articles = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(articles) == 5 and all(isinstance(article["authors"], list) for article in articles)
    shown = json.loads(run("article", crawled_project.database, articles[0]["id"], "--json"))[0]
    assert articles[0]["authors"] == shown["authors"]
