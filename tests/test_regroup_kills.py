"""``wiredup regroup`` killed at any moment leaves the database whole, and the next regroup finishes
the work (issue 20: kills of regroup, as of crawls, reextract and ingest).

A crawl stores the fixture articles in editions (several stories of several articles); then
regroup is SIGKILLed at seeded random moments, seven times, and run once to its end. The database
must pass its integrity check, hold every article once, and keep the stories the crawl made.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from contextlib import closing

import fault_log
from conftest import BIN, copy_project
from news_site import NewsSite, full_source, write_sources
from test_crash_recovery import VARIANTS, partition, variant
from test_incremental_crawl import MANIFEST, crawl_ok

KILLS = 7


def articles(database) -> list[str]:
    with closing(sqlite3.connect(database)) as conn:
        return [url for (url,) in conn.execute("SELECT url FROM articles")]


def test_regroup_killed_seven_times_then_run_loses_nothing_and_keeps_the_stories(tmp_path):
    project = copy_project(tmp_path / "proj")
    pages = dict(variant(seed, number) for seed in sorted(MANIFEST) for number in range(VARIANTS))
    with NewsSite("outlet", pages, crawl_delay=None) as site:
        crawl_ok(project, write_sources(project / "sources.toml", [full_source(site)]))
    database = project / "news.db"
    before, stories = articles(database), partition(database)
    # the kills land at moments of a whole regroup's run on this machine, so they land while it runs however fast it is
    started = time.monotonic()
    subprocess.run([str(BIN / "wiredup"), "regroup", str(database)], check=True, capture_output=True, timeout=300)
    run_seconds = time.monotonic() - started
    rng = random.Random(20261204)
    killed = 0
    for _ in range(KILLS):
        regroup = subprocess.Popen([str(BIN / "wiredup"), "regroup", str(database)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 0.95) * run_seconds)  # from its start-up to its writes
        if regroup.poll() is None:
            regroup.send_signal(signal.SIGKILL)
            killed += 1
        regroup.wait(timeout=60)
    done = subprocess.run([str(BIN / "wiredup"), "regroup", str(database)], capture_output=True, text=True, timeout=300)
    after = articles(database)
    with closing(sqlite3.connect(database)) as conn:
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
    fault_log.record("regroup_kill", runs=KILLS, killed=killed, integrity=integrity,
                     lost=len(set(before) - set(after)), duplicated=len(after) - len(set(after)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} regroups were still running when killed"
    assert integrity == "ok"
    assert sorted(after) == sorted(before)
    assert partition(database) == stories
