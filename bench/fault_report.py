"""Run wiredup's fault tests and print what they tried and survived.

    .venv/bin/python bench/fault_report.py            # ~2 min on 2 cores

Runs, with pytest, the hostile server suite (tests/test_hostile_input.py: broken pages, transport
faults, bad feeds and sitemaps, crawled then crawled again), the bad files (tests/test_bad_files.py),
readers during a crawl (tests/test_contention.py), two crawls at once (tests/test_incremental_crawl.py)
the 20 seeded SIGKILLs (tests/test_crash_recovery.py), other applications' and damaged databases with
every command (tests/test_foreign_files.py: each must leave the file byte-identical) and a reextract
killed before its regroup, regroup and reextract during a crawl (tests/test_batch_jobs.py). The tests write their figures to a file
(tests/fault_log.py); this prints them with the pass/fail count of each file. It exits non-zero when a
test failed or an article was lost or stored twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/test_hostile_input.py",
    "tests/test_bad_files.py",
    "tests/test_contention.py",
    "tests/test_incremental_crawl.py::test_two_crawls_at_once_one_runs_the_other_stops_with_one_line",
    "tests/test_incremental_crawl.py::test_two_crawls_at_once_with_wait_for_lock_run_one_after_the_other",
    "tests/test_crash_recovery.py",
    "tests/test_foreign_files.py",
    "tests/test_batch_jobs.py",
]


def run_tests(figures: Path, junit: Path) -> int:
    env = {**os.environ, "FAULT_REPORT_FILE": str(figures)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *TESTS]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def outcomes(junit: Path) -> dict[str, dict[str, int]]:
    """Per test file: how many tests passed, failed (or errored) and were skipped."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"passed": 0, "failed": 0, "skipped": 0})
    for case in ElementTree.parse(junit).iter("testcase"):
        name = case.get("classname", "").split(".")[-1]
        if case.find("failure") is not None or case.find("error") is not None:
            counts[name]["failed"] += 1
        elif case.find("skipped") is not None:
            counts[name]["skipped"] += 1
        else:
            counts[name]["passed"] += 1
    return dict(counts)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        figures, junit = Path(folder) / "figures.jsonl", Path(folder) / "junit.xml"
        status = run_tests(figures, junit)
        records = [json.loads(line) for line in figures.read_text().splitlines()] if figures.exists() else []
        by_file = outcomes(junit) if junit.exists() else {}
    named = defaultdict(list)
    for record in records:
        named[record.pop("name")].append(record)
    hostile = named["hostile_input"][0] if named["hostile_input"] else {}
    crash = named["crash_recovery"][0] if named["crash_recovery"] else {}
    contention = named["contention"][0] if named["contention"] else {}
    lost = hostile.get("lost", 0) + crash.get("lost", 0)
    duplicated = hostile.get("duplicated", 0) + crash.get("duplicated", 0)

    print("\nwiredup fault report")
    print(f"  hostile cases tried:      {hostile.get('cases', 0)} (broken pages, transport faults, bad feeds, "
          f"sitemaps and robots.txt), crawled {hostile.get('runs', 0)} times")
    print(f"  bad files tried:          {len(named['bad_file'])} ({', '.join(r['case'] for r in named['bad_file'])})")
    print(f"  kills survived:           {crash.get('killed', 0)} SIGKILLs in {crash.get('crawls', 0)} crawls, "
          f"then integrity_check {crash.get('integrity', '?')}")
    print(f"  reads during a crawl:     {contention.get('reads', 0)}, 'database is locked' {contention.get('locked', 0)} times")
    foreign = named["foreign_file"]
    print(f"  foreign/damaged files:    {len(foreign)} ({sum(r['commands'] for r in foreign)} commands, each leaving the file "
          f"byte-identical: {', '.join(r['case'] for r in foreign)})")
    print(f"  bad arguments:            {len(named['bad_argument'])}, each one line and nothing changed")
    print(f"  batch jobs:               {sum(r['killed'] for r in named['batch_kill'])} reextract killed before its regroup, "
          f"then finished; {sum(r['jobs'] for r in named['batch_lock'])} jobs refused while a crawl wrote")
    print(f"  articles lost:            {lost}")
    print(f"  articles duplicated:      {duplicated}")
    print("  tests:")
    for name, counts in sorted(by_file.items()):
        print(f"    {name:<24} {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    missing = {"hostile_input", "crash_recovery", "contention"} - set(named)
    if missing:
        print(f"  no figures from: {', '.join(sorted(missing))} (a test stopped before recording)")
    return 1 if status or lost or duplicated or missing else 0


if __name__ == "__main__":
    sys.exit(main())
