"""Batch jobs and the crawl (issue 20, cases 6 and 7): a ``wiredup reextract`` killed after its first
pass is finished by the next run, regroup included; ``regroup`` and ``reextract`` never write while
a crawl does (they take its lock, and say so in one line when it is taken)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from contextlib import closing

import fault_log
from conftest import BIN, copy_project, expected_partition, partition, scrapy_crawl
from news_site import NewsSite, full_source, write_sources
from test_bad_files import fingerprint, one_line_error
from test_crash_recovery import VARIANTS, run_count, variant, wait_for_new_run
from test_incremental_crawl import MANIFEST, popen_crawl, stop

# `wiredup reextract` with its regroup replaced by a SIGKILL of its own process: killed for real,
# at the one moment that matters (every text re-extracted, no story regrouped yet)
KILLED_BEFORE_REGROUP = """
import os, signal, sys
import wiredup.jobs.regroup
wiredup.jobs.regroup.regroup = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
from wiredup.cli import cli
cli(["reextract", sys.argv[1]])
"""


def stale_texts(database) -> None:
    """Make every stored text one of its own (as an older extraction might have), then regroup:
    each article is a story alone until its text is extracted again."""
    with closing(sqlite3.connect(database)) as conn, conn:
        for (article_id,) in conn.execute("SELECT id FROM articles").fetchall():
            text = " ".join(f"stale{article_id}word{number}" for number in range(80))
            conn.execute("UPDATE articles SET text = ?, text_hash = ? WHERE id = ?", [text, f"stale-{article_id}", article_id])
        conn.execute("DELETE FROM signatures")
    result = subprocess.run([str(BIN / "wiredup"), "regroup", str(database)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_reextract_killed_before_its_regroup_is_finished_by_the_next_run(tmp_path):
    project = copy_project(tmp_path / "proj")
    assert scrapy_crawl(project).returncode == 0
    database = project / "news.db"
    stale_texts(database)
    assert all(len(group) == 1 for group in partition(database))
    killed = subprocess.run([sys.executable, "-c", KILLED_BEFORE_REGROUP, str(database)], capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    rerun = subprocess.run([str(BIN / "wiredup"), "reextract", str(database), "--json"], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert partition(database) == expected_partition(), rerun.stdout
    fault_log.record("batch_kill", job="reextract", killed=1)


def test_regroup_and_reextract_never_write_while_a_crawl_does(tmp_path):
    project = copy_project(tmp_path / "proj")
    database = project / "news.db"
    articles = dict(variant(seed, number) for seed in sorted(MANIFEST) for number in range(VARIANTS))
    with NewsSite("outlet", articles, crawl_delay=0.3) as site:
        sources = write_sources(project / "sources.toml", [full_source(site)])
        crawl = popen_crawl(project, sources, "writer")
        try:
            wait_for_new_run(database, 0, crawl)
            assert crawl.poll() is None and run_count(database) == 1, "the crawl ended before the jobs ran"
            answers = [subprocess.run([str(BIN / "wiredup"), job, str(database)], capture_output=True, text=True, timeout=300)
                       for job in ("regroup", "reextract")]
            crawl.wait(timeout=300)
        finally:
            stop(crawl)
    assert crawl.returncode == 0, crawl.stderr_path.read_text()[-3000:]
    for answer in answers:
        assert answer.returncode == 1, (answer.returncode, answer.stdout[-500:], answer.stderr[-2000:])
        assert "another crawl" in one_line_error(answer.stderr)
    with closing(sqlite3.connect(database)) as conn:
        # every article in a story of several has a stored match with another article of it
        unmatched = conn.execute(
            """SELECT count(*) FROM articles a WHERE a.cluster_id IN
                 (SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1)
               AND NOT EXISTS (SELECT 1 FROM matches m JOIN articles b ON b.id = CASE WHEN m.article_id = a.id THEN m.other_id ELSE m.article_id END
                               WHERE (m.article_id = a.id OR m.other_id = a.id) AND b.cluster_id = a.cluster_id)"""
        ).fetchone()[0]
    assert unmatched == 0
    fault_log.record("batch_lock", jobs=len(answers))


def test_a_crawl_started_while_regroup_holds_the_lock_stops_with_one_line(tmp_path):
    from wiredup.run_lock import DatabaseLock

    project = copy_project(tmp_path / "proj")
    assert scrapy_crawl(project).returncode == 0
    lock = DatabaseLock(str(project / "news.db"), wait=False, holder="regroup")
    lock.acquire()  # as `wiredup regroup` holds it while it runs
    try:
        before = fingerprint(project)
        result = scrapy_crawl(project)
    finally:
        lock.release()
    assert result.returncode == 1
    assert "regroup" in one_line_error(result.stderr)
    assert fingerprint(project)["news.db"] == before["news.db"]
