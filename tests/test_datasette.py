"""wiredup/store/datasette.yml: its canned queries answer right, and a real browser shows a story."""

from __future__ import annotations

import asyncio
import html
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from conftest import BIN, ROOT, load_manifest

METADATA_PATH = ROOT / "wiredup" / "store" / "datasette.yml"
METADATA = yaml.safe_load(METADATA_PATH.read_text())
NEWS = METADATA["databases"]["news"]


def url_of_seed(seed: str) -> str:
    return next(page["url"] for page in load_manifest()["article"] if page["seed"] == seed)


def cluster_of(database: Path, url: str) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT cluster_id FROM articles WHERE url = ?", [url]).fetchone()[0]


def get_json(database: Path, path: str) -> dict:
    """GET ``path`` from an in-process Datasette serving ``database`` with the metadata."""
    from datasette.app import Datasette

    async def fetch():
        datasette = Datasette([str(database)], metadata=METADATA)
        return await datasette.client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == 200, (path, response.text[:1000])
    return response.json()


def rows(database: Path, query: str, **params: str) -> list[dict]:
    return get_json(database, f"/news/{query}.json?" + urllib.parse.urlencode({"_shape": "objects", **params}))["rows"]


# One check per canned query; test_every_canned_query_has_a_check keeps them in step.


def check_stories(database: Path) -> None:
    stories = rows(database, "stories")
    assert sorted(story["size"] for story in stories) == [1, 1, 1, 2]
    dates = [datetime.fromisoformat(story["first_published"]) for story in stories]
    assert dates == sorted(dates, reverse=True)  # by instant, whatever each date's UTC offset
    seed_story = cluster_of(database, url_of_seed("000"))
    assert [story["cluster_id"] for story in rows(database, "stories", min_size="2")] == [seed_story]


def check_story(database: Path) -> None:
    members = rows(database, "story", cluster_id=str(cluster_of(database, url_of_seed("000"))))
    assert {member["url"] for member in members} == {url_of_seed("000"), url_of_seed("001")}
    published = [member["published"] for member in members]
    assert published == sorted(published)
    assert all(member["text_length"] > 0 for member in members)
    # Every other story lists exactly its own articles too.
    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT cluster_id, group_concat(id) FROM articles GROUP BY cluster_id").fetchall()
    for cluster_id, ids in stored:
        listed = {member["id"] for member in rows(database, "story", cluster_id=str(cluster_id))}
        assert listed == {int(id_) for id_ in ids.split(",")}, cluster_id


def check_search(database: Path) -> None:
    # "ambassador" is in four articles, two of them the seed story's: three stories.
    with sqlite3.connect(database) as conn:
        hits = conn.execute(
            "SELECT articles.cluster_id FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid"
            " WHERE articles_fts MATCH 'ambassador'"
        ).fetchall()
    found = rows(database, "search", q="ambassador")
    assert len(hits) > len(found)  # the query must collapse something
    assert sorted(row["cluster_id"] for row in found) == sorted({cluster_id for (cluster_id,) in hits})
    assert all("**" in row["snippet"] and "mbassador" in row["snippet"] for row in found)
    seed_story = cluster_of(database, url_of_seed("000"))
    assert next(row["size"] for row in found if row["cluster_id"] == seed_story) == 2
    assert rows(database, "search", q="") == []  # the empty form shows nothing rather than an error


def check_sites(database: Path) -> None:
    sites = {row["sitename"]: row for row in rows(database, "sites")}
    articles = load_manifest()["article"]
    assert set(sites) == {page["sitename"] for page in articles}
    # Each fixture outlet has one article, so its first and last dates are that article's.
    for page in articles:
        site = sites[page["sitename"]]
        assert site["articles"] == site["stories"] == 1
        assert site["first_published"][:10] == site["last_published"][:10] == page["published"]


def check_crawl_runs(database: Path) -> None:
    runs = rows(database, "crawl_runs")
    assert [run["articles_new"] for run in runs] == [0, 5]  # newest first: the second crawl found nothing new
    assert [run["pages_fetched"] for run in runs] == [3, 8]  # the second only revalidated feed, sitemap, front page


CHECKS = {
    "stories": check_stories,
    "story": check_story,
    "search": check_search,
    "sites": check_sites,
    "crawl_runs": check_crawl_runs,
}


def test_every_canned_query_has_a_check():
    assert set(NEWS["queries"]) == set(CHECKS)


@pytest.mark.parametrize("query", sorted(NEWS["queries"]))
def test_canned_query_returns_the_right_rows(crawled_project, query):
    CHECKS[query](crawled_project.database)


def test_story_resolves_a_merged_story_id(crawled_project, tmp_path):
    # A copy, so the shared crawl stays as it was; backup() also copies what is still in the WAL.
    database = tmp_path / "news.db"
    with sqlite3.connect(crawled_project.database) as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    seed_story = cluster_of(database, url_of_seed("000"))
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT INTO cluster_merges (merged_id, into_id) VALUES (99, ?)", [seed_story])
    members = rows(database, "story", cluster_id="99")
    assert {member["url"] for member in members} == {url_of_seed("000"), url_of_seed("001")}


def test_articles_table_has_its_facets_and_newest_first(crawled_project):
    config = NEWS["tables"]["articles"]
    table = get_json(crawled_project.database, "/news/articles.json?_shape=objects")
    assert {"sitename", "language"} <= set(config["facets"]) <= set(table["columns"])
    assert set(table["facet_results"]) == set(config["facets"])
    assert config["sort_desc"] == "published"
    published = [row["published"] for row in table["rows"]]
    assert len(published) == 5 and published == sorted(published, reverse=True)
    assert config["label_column"] in table["columns"]


def test_binary_tables_are_hidden(crawled_project):
    tables = {table["name"]: table for table in get_json(crawled_project.database, "/news.json")["tables"]}
    assert set(NEWS["tables"]) <= set(tables)  # no metadata for a table that does not exist
    assert tables["signatures"]["hidden"] and tables["raw_pages"]["hidden"]
    assert not tables["articles"]["hidden"]


# A real browser on a real server: the page a user opens, not just the JSON.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def datasette_server(crawled_project, tmp_path):
    """``datasette news.db --metadata wiredup/store/datasette.yml`` on a free port; its base URL."""
    port = free_port()
    log = open(tmp_path / "datasette.log", "w")
    server = subprocess.Popen(
        [str(BIN / "datasette"), str(crawled_project.database), "--metadata", str(METADATA_PATH),
         "--port", str(port), "--host", "127.0.0.1"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "datasette.log").read_text()
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "datasette did not answer within 60s"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def chromium() -> str:
    """Debian's chromium binary; asked for before the server so a skip starts nothing."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    # .ci/run installs it where it can (root, apt); elsewhere the skip says how
    pytest.skip("chromium is not installed (Debian: apt-get install chromium)")


def test_browser_shows_the_seed_story_page(chromium, crawled_project, datasette_server, tmp_path):
    seed_story = cluster_of(crawled_project.database, url_of_seed("000"))
    result = subprocess.run(
        # Its own profile directory, so a running or crashed Chromium elsewhere cannot lock it.
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", f"{datasette_server}/news/story?cluster_id={seed_story}"],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page = html.unescape(result.stdout)
    for article in load_manifest()["article"]:
        shown = [article["url"] in page, article["title"] in page]
        expected = article["seed"] in {"000", "001"}
        assert shown == [expected, expected], (article["seed"], page[-3000:])
