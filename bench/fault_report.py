"""Run wiredup's fault tests and print what they tried and survived.

    .venv/bin/python bench/fault_report.py            # ~7 min on 2 cores (as root for the full-disk tmpfs)

Runs, with pytest, the hostile server suite (tests/test_hostile_input.py: broken pages, transport
faults, bad feeds and sitemaps, crawled then crawled again), the bad files (tests/test_bad_files.py),
readers during a crawl (tests/test_contention.py), two crawls at once (tests/test_incremental_crawl.py)
the 20 seeded SIGKILLs (tests/test_crash_recovery.py), other applications' and damaged databases with
every command (tests/test_foreign_files.py: each must leave the file byte-identical) and a reextract
killed before its regroup, regroup and reextract during a crawl (tests/test_batch_jobs.py), regroup
SIGKILLed seven times (tests/test_regroup_kills.py), ingest SIGKILLed mid-stream with a real
redis-server (tests/test_workers.py), a real full disk under the crawl (tests/test_database_faults.py),
Crawl-delay: 600 (tests/test_run_limit.py) and pages sharing or borrowing a canonical
(tests/test_canonical_trust.py). The tests write their figures to a file (tests/fault_log.py); this
prints them with the pass/fail count of each file. It exits non-zero when a test failed or an
article was lost, stored twice or stored wrong.
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
    "tests/test_regroup_kills.py",
    "tests/test_workers.py::test_an_ingest_process_killed_mid_stream_loses_no_item",
    "tests/test_database_faults.py",
    "tests/test_run_limit.py",
    "tests/test_canonical_trust.py",
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
    counted = [hostile, crash, *named["regroup_kill"], *named["ingest_kill"], *named["database_full"]]
    lost = sum(record.get("lost", 0) for record in counted)
    duplicated = sum(record.get("duplicated", 0) for record in counted)
    # texts that are not what the site served for the page (mojibake, U+FFFD, another page's text)
    wrong = hostile.get("wrong", 0) + sum(record["wrong"] for record in named["canonical"])

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
    print(f"  every file not wiredup's: byte-identical after every command ({len(foreign)} files, "
          f"{sum(r['commands'] for r in foreign)} commands)" if foreign else "  every file not wiredup's: not tried")
    print(f"  bad arguments:            {len(named['bad_argument'])}, each one line and nothing changed")
    print(f"  batch jobs:               {sum(r['killed'] for r in named['batch_kill'])} reextract killed before its regroup, "
          f"then finished; {sum(r['jobs'] for r in named['batch_lock'])} jobs refused while a crawl wrote")
    regroup = named["regroup_kill"][0] if named["regroup_kill"] else {}
    print(f"  regroup kills:            {regroup.get('killed', 0)} SIGKILLs in {regroup.get('runs', 0)} regroups, "
          f"then integrity_check {regroup.get('integrity', '?')}")
    ingest = named["ingest_kill"][0] if named["ingest_kill"] else {}
    print(f"  ingest kills:             {ingest.get('killed', 0)} SIGKILLs mid-stream (real redis-server), "
          f"then integrity_check {ingest.get('integrity', '?')}")
    full = named["database_full"][0] if named["database_full"] else {}
    print(f"  full disk:                {full.get('stored_on_full', 0)} of {full.get('articles', 0)} articles stored before "
          f"the disk filled, the crawl stopped as failed; after space was freed, integrity_check {full.get('integrity', '?')}")
    limit = named["run_limit"][0] if named["run_limit"] else {}
    print(f"  Crawl-delay 600:          run ended in {limit.get('seconds', '?')} s (limit {limit.get('limit', '?')} s), "
          f"{limit.get('left', '?')} requests left for the next run")
    print(f"  canonical cases:          {len(named['canonical'])} (pages sharing one canonical, a rewrite naming another outlet's page)")
    print(f"  articles lost:            {lost}")
    print(f"  articles duplicated:      {duplicated}")
    print(f"  articles stored wrong:    {wrong}")
    print("  tests:")
    for name, counts in sorted(by_file.items()):
        print(f"    {name:<24} {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    missing = {"hostile_input", "crash_recovery", "contention", "regroup_kill", "ingest_kill", "database_full"} - set(named)
    if missing:
        print(f"  no figures from: {', '.join(sorted(missing))} (a test stopped before recording)")
    return 1 if status or lost or duplicated or wrong or missing else 0


if __name__ == "__main__":
    sys.exit(main())
