"""Files that are not wiredup's, or not wiredup's whole (issue 20, cases 8, 10, 12): every command,
the crawl included, exits 1 with one line saying what to do and leaves every byte of the folder as
it was; read commands never write, not even to a wiredup database; bad ids, dates and outputs are
one-line errors."""

from __future__ import annotations

import sqlite3

import pytest

import fault_log
from test_bad_files import cli, crawl, fingerprint, one_line_error, small_database

READS = [["stats"], ["clusters"], ["search", "envoy"], ["export", "articles"], ["show", "1"], ["article", "1"],
         ["explain", "1", "2"]]
WRITES = [["regroup"], ["reextract"], ["same", "1", "2"], ["different", "1", "2"]]


def another_application(path) -> None:
    """A notes application's database: its own tables, SQLite's default journal."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('buy milk')")
    conn.close()


def a_cms_with_its_own_articles(path) -> None:
    """Another application's ``articles(id, headline, body)``: a name wiredup uses, other columns."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, headline TEXT, body TEXT)")
        conn.execute("INSERT INTO articles (headline, body) VALUES ('Hello', 'World')")
    conn.close()


def an_application_with_a_user_version(path) -> None:
    """Another application that numbers its schema with user_version too."""
    another_application(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 3")
    conn.close()


FOREIGN = {"notes-app": another_application, "cms-articles": a_cms_with_its_own_articles,
           "user-version-app": an_application_with_a_user_version}


def every_command_refuses(database, commands) -> list[str]:
    """Run each command on ``database``; each must exit 1 with one line. Returns the lines."""
    lines = []
    for command in commands:
        result = cli(command[0], database, *command[1:])
        assert result.returncode == 1, (command, result.returncode, result.stdout[-500:], result.stderr[-2000:])
        lines.append(one_line_error(result.stderr))
    return lines


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_another_applications_database_is_never_changed(tmp_path, name):
    database = tmp_path / "other.db"
    FOREIGN[name](database)
    before = fingerprint(tmp_path)
    lines = every_command_refuses(database, READS + WRITES)
    assert all("not a wiredup database" in line for line in lines), lines
    result = crawl(database)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "not a wiredup database" in one_line_error(result.stderr)
    assert fingerprint(tmp_path) == before
    fault_log.record("foreign_file", case=name, commands=len(READS + WRITES) + 1)


@pytest.mark.parametrize("table", ["clusters", "signatures", "url_state"])
def test_a_wiredup_database_missing_a_table_is_never_written(tmp_path, table):
    database = small_database(tmp_path / "news.db")
    with sqlite3.connect(database) as conn:
        conn.execute(f"DROP TABLE {table}")
    conn.close()
    before = fingerprint(tmp_path)
    lines = every_command_refuses(database, READS + WRITES)
    assert all(f"table {table!r} is missing" in line for line in lines), lines
    result = crawl(database)
    assert result.returncode == 1, result.stderr[-3000:]
    assert f"table {table!r} is missing" in one_line_error(result.stderr)
    assert fingerprint(tmp_path) == before
    fault_log.record("foreign_file", case=f"no-{table}", commands=len(READS + WRITES) + 1)


def test_read_commands_never_write_a_wiredup_database(tmp_path):
    database = small_database(tmp_path / "news.db")  # closed cleanly, in SQLite's default journal
    before = fingerprint(tmp_path)
    for command in [["stats"], ["clusters"], ["search", "envoy"], ["export", "articles"], ["export", "clusters"]]:
        result = cli(command[0], database, *command[1:])
        assert result.returncode == 0, (command, result.stderr[-2000:])
        assert fingerprint(tmp_path) == before, f"{command} changed the database"
    fault_log.record("foreign_file", case="read-only-reads", commands=5)


def test_an_empty_new_file_is_fine_for_the_crawl(tmp_path):
    database = tmp_path / "news.db"
    database.touch()
    result = crawl(database)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    conn.close()


def database_with_an_article(path):
    """A wiredup database holding one article (something to export), closed cleanly."""
    from wiredup.extract.article import Article
    from wiredup.store.articles import seen_columns, upsert_article
    from wiredup.store.schema import open_database

    small_database(path)
    db = open_database(path)
    article = Article(text="The envoy was recalled on Tuesday.", text_hash="h1", canonical_url="https://a.example/1", title="Envoy")
    with db.atomic():
        upsert_article(db, article, seen=seen_columns("https://a.example/1", "2024-04-17T10:00:00+00:00", 1), source="site")
    db.execute("PRAGMA journal_mode = DELETE")
    db.conn.close()
    return path


@pytest.mark.parametrize("command", [
    ["show", "99999999999999999999999"],
    ["same", "1", "99999999999999999999999"],
    ["article", "99999999999999999999999"],
    ["export", "articles", "-o", "/dev/full"],
    ["clusters", "--since", "garbage"],
    ["clusters", "--until", "2024-13-45"],
], ids=lambda command: " ".join(command))
def test_bad_ids_dates_and_outputs_are_one_line_errors(tmp_path, command):
    database = database_with_an_article(tmp_path / "news.db")
    before = fingerprint(tmp_path)
    result = cli(command[0], database, *command[1:])
    assert result.returncode == 1, (result.returncode, result.stdout[-500:], result.stderr[-2000:])
    line = one_line_error(result.stderr)
    assert line.startswith("Error: "), line
    assert fingerprint(tmp_path) == before
    fault_log.record("bad_argument", case=" ".join(command))
