"""A robots.txt asking for ``Crawl-delay: 600`` is honoured without holding a run for hours (issue 20,
case 11): the run stops after WIREDUP_MAX_RUN_MINUTES, says in one line what it left for the next
run, and releases its lock; and the delay is kept per host and port, so another site on the same
address (127.0.0.1, another port) is crawled at its own pace meanwhile.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from contextlib import closing

import fault_log
from conftest import BIN, copy_project
from news_site import NewsSite, full_source, write_sources
from test_incremental_crawl import FAST, articles_of
from wiredup.run_lock import DatabaseLock

LIMIT_SECONDS = 12
SLOW = ("000", "002")  # behind Crawl-delay: 600
QUICK = ("001", "003", "004")  # on another port of 127.0.0.1, no delay asked


def test_a_crawl_delay_of_600_s_ends_the_run_in_time_and_slows_only_its_own_host_and_port(tmp_path):
    project = copy_project(tmp_path / "proj")
    with NewsSite("slow", articles_of(SLOW), crawl_delay=600) as slow, NewsSite("quick", articles_of(QUICK), crawl_delay=None) as quick:
        sources = write_sources(project / "sources.toml", [full_source(slow), full_source(quick)])
        command = [str(BIN / "scrapy"), "crawl", "news", "-a", f"sources={sources}", *FAST,
                   "-s", f"WIREDUP_MAX_RUN_MINUTES={LIMIT_SECONDS / 60}"]
        started = time.monotonic()
        try:
            result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=LIMIT_SECONDS + 60)
        except subprocess.TimeoutExpired as expired:
            raise AssertionError(f"the run did not end in {LIMIT_SECONDS + 60} s:\n{(expired.stderr or b'')[-3000:]}") from None
        took = time.monotonic() - started
        slow_paths = slow.paths()
        quick_urls = {quick.url(path) for path in quick.article_paths}
    with closing(sqlite3.connect(project / "news.db")) as conn:
        stored = {url for (url,) in conn.execute("SELECT final_url FROM articles")}
        (reason,) = conn.execute("SELECT finish_reason FROM crawl_runs").fetchone()
    lock = DatabaseLock(str(project / "news.db"), wait=False)
    lock.acquire()  # free: the run let it go
    lock.release()
    left = re.findall(r"(\d+) requests? left for the next run", result.stderr)
    fault_log.record("run_limit", seconds=round(took, 1), limit=LIMIT_SECONDS, left=int(left[0]) if left else None)

    assert result.returncode == 0, result.stderr[-3000:]
    assert took < LIMIT_SECONDS + 30, f"the run took {took:.0f} s"
    assert reason == "max_run_minutes"
    assert len(left) == 1 and int(left[0]) > 0, result.stderr[-3000:]
    # the quick site's pages were not held behind the slow one's 600 s
    assert quick_urls <= stored, sorted(quick_urls - stored)
    # the slow one got robots.txt and at most one page after it: its delay was kept
    assert len([path for path in slow_paths if path != "/robots.txt"]) <= 1, slow_paths
