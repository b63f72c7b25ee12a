"""Readers during a crawl: the CLI and Datasette query the database while a real crawl writes it, and
never see "database is locked" (WAL: readers never wait for the writer). Two crawls at once are
tests/test_incremental_crawl.py's (one runs, the other exits 1 with one line, or waits its turn)."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time

import fault_log
from conftest import BIN, copy_project
from news_site import NewsSite, full_source, write_sources
from test_crash_recovery import VARIANTS, variant
from test_incremental_crawl import MANIFEST, popen_crawl, stop

CLI_QUERIES = [["stats", "--json"], ["clusters", "--json"], ["search", "Azerbaijan", "--json"]]
DATASETTE_PATHS = ["/news/articles.json?_shape=objects&_size=5", "/news/stories.json", "/news/crawl_runs.json"]


def test_readers_never_see_a_locked_database_during_a_crawl(tmp_path):
    project = copy_project(tmp_path / "proj")
    database = project / "news.db"
    articles = dict(variant(seed, number) for seed in sorted(MANIFEST) for number in range(VARIANTS))
    answers: list[tuple[str, bool, str, int]] = []  # reader, ok, error text, articles seen
    with NewsSite("outlet", articles, crawl_delay=0.2) as site:
        sources = write_sources(project / "sources.toml", [full_source(site)])
        crawl = popen_crawl(project, sources, "writer")
        try:
            deadline = time.monotonic() + 60
            while not database.exists() and crawl.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            readers = [threading.Thread(target=read_with_cli, args=(database, crawl, answers)),
                       threading.Thread(target=read_with_datasette, args=(database, crawl, answers))]
            for reader in readers:
                reader.start()
            crawl.wait(timeout=180)
            for reader in readers:
                reader.join(timeout=60)
        finally:
            stop(crawl)
    assert crawl.returncode == 0, crawl.stderr_path.read_text()[-3000:]
    failed = [answer for answer in answers if not answer[1]]
    fault_log.record("contention", reads=len(answers), locked=sum("locked" in error for _, _, error, _ in answers))
    assert not failed, failed[:5]
    assert {reader for reader, *_ in answers} == {"cli", "datasette"}
    seen = [count for *_, count in answers]
    # the reads spanned the crawl: they saw it store articles as they ran
    assert len(answers) >= 6 and min(seen) < max(seen) and min(seen) < len(articles), seen


def read_with_cli(database, crawl, answers) -> None:
    number = 0
    while crawl.poll() is None:
        args = CLI_QUERIES[number % len(CLI_QUERIES)]
        result = subprocess.run([str(BIN / "wiredup"), args[0], str(database), *args[1:]], capture_output=True, text=True, timeout=120)
        answers.append(("cli", result.returncode == 0, result.stderr[-500:], count_articles(database)))
        number += 1


def read_with_datasette(database, crawl, answers) -> None:
    from datasette.app import Datasette

    async def read() -> None:
        datasette = Datasette([str(database)])
        number = 0
        while crawl.poll() is None:
            response = await datasette.client.get(DATASETTE_PATHS[number % len(DATASETTE_PATHS)])
            error = "" if response.status_code == 200 else response.text[:500]
            answers.append(("datasette", response.status_code == 200, error, count_articles(database)))
            number += 1
            await asyncio.sleep(0.1)

    asyncio.run(read())


def count_articles(database) -> int:
    import sqlite3

    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # the crawl has not created the table yet
        return 0
    finally:
        conn.close()
