"""A crawl killed at any moment leaves the database consistent, and the next run finishes the work.

The crawl runs against a real news site on 127.0.0.1 and is killed with SIGKILL at seeded random
moments, 20 times; then a run completes. The database must pass SQLite's integrity check, hold
every served article exactly once, keep the groups a regroup from scratch would make, and say
which runs were interrupted.
"""

from __future__ import annotations

import random
import re
import signal
import sqlite3
import time
from contextlib import closing

from click.testing import CliRunner

import fault_log
from conftest import copy_project
from news_site import NewsSite, full_source, write_sources
from wiredup.cli import cli
from test_incremental_crawl import MANIFEST, article_html, article_path, crawl_ok, popen_crawl

KILLS = 20
VARIANTS = 4  # editions of each seed page, each its own article (own canonical URL)


def variant(seed: str, number: int) -> tuple[str, bytes]:
    """A copy of a seed page under its own path and canonical URL."""
    html = article_html(seed).decode("utf-8")
    url = MANIFEST[seed]["url"]
    return article_path(seed).replace(".html", f"-{number}.html"), html.replace(url, f"{url}-{number}").encode("utf-8")


def partition(db_path) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    with sqlite3.connect(db_path) as conn:
        for url, cluster_id in conn.execute("SELECT url, cluster_id FROM articles"):
            groups.setdefault(cluster_id, set()).add(url)
    return {frozenset(group) for group in groups.values()}


def run_count(database) -> int:
    """Rows in crawl_runs (0 before the first crawl has created the table)."""
    try:
        with closing(sqlite3.connect(database)) as conn:  # closed: an open reader keeps the WAL from its checkpoint
            return conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def wait_for_new_run(database, runs_before: int, crawl, timeout: float = 60) -> None:
    """Until the crawl has written its crawl_runs row (or ended, or ``timeout`` passed)."""
    deadline = time.monotonic() + timeout
    while run_count(database) <= runs_before and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def test_twenty_kills_then_one_run_lose_nothing_and_store_nothing_twice(tmp_path):
    seeds = sorted(MANIFEST)
    articles = dict(variant(seed, number) for seed in seeds for number in range(VARIANTS))
    project = copy_project(tmp_path / "proj")
    rng = random.Random(20261201)
    with NewsSite("outlet", articles, crawl_delay=0.3) as site:  # a run takes a few seconds
        sources = write_sources(project / "sources.toml", [full_source(site)])
        killed = 0
        for number in range(KILLS):
            # as on a real site between two scheduled runs, new articles appear: every run has work
            for extra in range(2):
                path, html = variant(seeds[(number + extra) % len(seeds)], VARIANTS + 2 * number + extra)
                site.add_article(path, html)
                articles[path] = html
            runs_before = run_count(project / "news.db")
            crawl = popen_crawl(project, sources, f"killed-{number}")
            if number % 2:  # half the kills land once the crawl has opened the database, however slow its start
                wait_for_new_run(project / "news.db", runs_before, crawl)
                time.sleep(rng.uniform(0.0, 2.0))
            else:
                time.sleep(rng.uniform(0.5, 3.0))  # from before Scrapy opens the database to mid-crawl
            if crawl.poll() is None:
                crawl.send_signal(signal.SIGKILL)
                killed += 1
            crawl.wait(timeout=60)
        crawl_ok(project, sources)
    database = project / "news.db"
    with sqlite3.connect(database) as conn:
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        assert integrity == "ok"
        stored = [url for (url,) in conn.execute("SELECT url FROM articles")]
        reasons = [reason for (reason,) in conn.execute("SELECT finish_reason FROM crawl_runs ORDER BY id")]
        unfinished = conn.execute("SELECT count(*) FROM crawl_runs WHERE finished IS NULL").fetchone()[0]
    served = {re.search(r'rel="canonical" href="([^"]+)"', html.decode()).group(1) for html in articles.values()}
    fault_log.record("crash_recovery", crawls=KILLS, killed=killed, integrity=integrity,
                     lost=len(served - set(stored)), duplicated=len(stored) - len(set(stored)))
    assert killed >= KILLS * 3 // 4, f"only {killed} of {KILLS} crawls were still running when killed"
    assert sorted(stored) == sorted(set(stored)), "an article stored twice"
    assert set(stored) == served, f"lost: {sorted(served - set(stored))}"
    # a crawl killed before it opened the database left no run; every other killed run says so
    assert reasons[-1] == "finished" and 0 < reasons.count("interrupted") == unfinished <= killed

    print(f"\ncrash recovery: {killed} of {KILLS} crawls killed mid-run ({reasons.count('interrupted')} after opening "
          f"the database); {len(stored)} articles stored once each, 0 lost, 0 duplicated")
    crawled = partition(database)
    assert len(crawled) < len(stored)  # the editions of a page are one story
    scratch = tmp_path / "scratch.db"
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(scratch)) as copy:
        source.backup(copy)  # the WAL's commits too: copying the file alone could miss the last ones
    with sqlite3.connect(scratch) as conn:  # forget every grouping decision, then regroup
        conn.execute("DELETE FROM matches")
        conn.execute("UPDATE articles SET cluster_id = NULL")
    assert CliRunner().invoke(cli, ["regroup", str(scratch)]).exit_code == 0
    assert partition(scratch) == crawled
