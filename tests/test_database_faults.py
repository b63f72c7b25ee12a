"""A crawl that cannot write its database stops, says so and loses nothing (issue 20, case 2).

A real full disk: the database lives on an 8 MB tmpfs and a site on 127.0.0.1 serves far more
articles than fit. The crawl must stop with a failure reason, exit non-zero (cron mails), record
itself as failed, keep no feed validators, and once space is freed the next run must store every
article the failed one did not.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

import fault_log
from conftest import copy_project
from news_site import NewsSite, write_sources
from test_crash_recovery import variant
from test_incremental_crawl import MANIFEST, crawl

# editions of each fixture article: 300 articles, about twice what 8 MB holds (on 3 MB the WAL fills
# the disk before its first checkpoint: nothing is stored, and the test shows less)
COPIES = 60
FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "WIREDUP_STORE_BATCH_SIZE=20")


@contextmanager
def tmpfs(folder: Path, size: str):
    """A tmpfs of ``size`` mounted on ``folder`` for the test; skipped where mounting is not permitted."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs for a full disk ({mounted.stderr.strip() or 'not permitted'})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def query(database: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(database)) as conn:
        return conn.execute(sql).fetchall()


def test_a_full_disk_stops_the_crawl_as_failed_and_the_next_run_stores_everything(tmp_path):
    articles = dict(variant(seed, number) for seed in sorted(MANIFEST) for number in range(COPIES))
    served = {re.search(r'rel="canonical" href="([^"]+)"', html.decode()).group(1) for html in articles.values()}
    project = copy_project(tmp_path / "proj")
    with tmpfs(tmp_path / "disk", "8m") as disk, NewsSite("outlet", articles, crawl_delay=None) as site:
        database = disk / "news.db"
        sources = write_sources(project / "sources.toml", [{"name": site.name, "feeds": [site.url("/feed.xml")],
                                                           "article_patterns": ["/articles/"]}])
        settings = (*FAST, "-s", f"WIREDUP_DATABASE={database}")
        full = crawl(project, sources, *settings)
        stored_on_full = query(database, "SELECT count(*) FROM articles")[0][0]
        runs = query(database, "SELECT finish_reason FROM crawl_runs ORDER BY id")
        feed_state = query(database, "SELECT etag, last_modified, content_hash FROM url_state WHERE kind = 'feed'")

        assert stored_on_full < len(served), "the disk held every article: the test needs a smaller disk"
        assert full.returncode != 0, f"a crawl that could not write exited 0:\n{full.stderr[-3000:]}"
        assert "database_error" in full.stderr and "database or disk is full" in full.stderr
        # recorded as failed when the full disk still takes that one update, else unfinished (below)
        assert runs[-1] in (("database_error",), (None,)), runs
        assert all(row == (None, None, None) for row in feed_state), f"the failed run kept the feed's validators: {feed_state}"

        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)  # space freed
        rerun = crawl(project, sources, *settings)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        stored = [url for (url,) in query(database, "SELECT url FROM articles")]
        (integrity,) = query(database, "PRAGMA integrity_check")[0]
        reasons = [reason for (reason,) in query(database, "SELECT finish_reason FROM crawl_runs ORDER BY id")]
    # a run the disk refused even its end is marked by the next one, never "finished"
    assert reasons in (["database_error", "finished"], ["interrupted", "finished"]), reasons
    fault_log.record("database_full", articles=len(served), stored_on_full=stored_on_full,
                     lost=len(served - set(stored)), duplicated=len(stored) - len(set(stored)), integrity=integrity)
    assert integrity == "ok"
    assert len(stored) == len(set(stored)), "an article stored twice"
    assert set(stored) == served, f"{len(served - set(stored))} of {len(served)} articles never stored"
