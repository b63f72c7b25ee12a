"""The wiredup command on the crawled fixture database."""

from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from conftest import load_manifest
from scraper.cli import cli


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
