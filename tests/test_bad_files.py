"""Bad files: a database that is not SQLite, one written by a newer wiredup, a read-only folder, a
broken sources.toml. The crawl and the CLI each stop with one line saying what to do, exit non-zero,
and leave every byte of the data as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

import fault_log
from conftest import BIN, ROOT, scrapy_crawl
from wiredup.store.schema import MIGRATIONS, open_database

# Root may write anywhere: run the commands that must meet a read-only folder without that power.
WITHOUT_ROOTS_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` and its sha256: what "nothing touched" compares."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir()) if path.is_file()}


def small_database(path: Path) -> Path:
    """A wiredup database with one crawl run, closed cleanly (no -wal or -shm left beside it)."""
    db = open_database(path)
    with db.atomic():
        db["crawl_runs"].insert({"spider": "news", "started": "2024-04-17T10:00:00+00:00"})
    db.execute("PRAGMA journal_mode = DELETE")
    db.conn.close()
    return path


def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert lines and "Traceback" not in stderr, stderr[-3000:]
    return lines[-1]


def crawl(database: Path, *extra: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    if not prefix:
        return scrapy_crawl(ROOT, "-s", f"WIREDUP_DATABASE={database}", *extra)
    return subprocess.run([*prefix, str(BIN / "scrapy"), "crawl", "news", "-s", f"WIREDUP_DATABASE={database}", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def cli(*args, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, str(BIN / "wiredup"), *map(str, args)], capture_output=True, text=True, timeout=120)


def test_a_file_that_is_not_sqlite(tmp_path):
    database = tmp_path / "news.db"
    database.write_bytes(b"SQLite format 2\0" + os.urandom(4000))
    before = fingerprint(tmp_path)
    result = crawl(database)
    assert result.returncode != 0
    line = one_line_error(result.stderr)
    assert line.startswith("wiredup: ") and "not a SQLite database" in line and "WIREDUP_DATABASE" in line, line
    assert fingerprint(tmp_path) == before
    fault_log.record("bad_file", case="not_sqlite")


def test_a_database_written_by_a_newer_wiredup(tmp_path):
    database = small_database(tmp_path / "news.db")
    with sqlite3.connect(database) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    before = fingerprint(tmp_path)
    result = crawl(database)
    assert result.returncode != 0
    line = one_line_error(result.stderr)
    assert "written by a newer wiredup" in line and "upgrade wiredup" in line, line
    listing = cli("clusters", database)
    assert listing.returncode == 1 and "newer wiredup" in one_line_error(listing.stderr)
    assert fingerprint(tmp_path) == before
    fault_log.record("bad_file", case="newer_schema")


@pytest.fixture
def read_only_folder():
    """A read-only folder holding a read-only wiredup database."""
    folder = Path(tempfile.mkdtemp(prefix="wiredup-ro-"))
    database = small_database(folder / "news.db")
    database.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield database
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_folder(read_only_folder):
    database = read_only_folder
    prefix = ()
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv (util-linux): a read-only folder cannot be made")
        prefix = tuple(WITHOUT_ROOTS_OVERRIDE)
    before = fingerprint(database.parent)
    result = crawl(database, prefix=prefix)
    assert result.returncode != 0
    line = one_line_error(result.stderr)
    assert line.startswith("wiredup: ") and "cannot write" in line and "writable" in line, line
    # a read writes nothing (issue 20): a read-only database is read where it is
    listing = cli("stats", database, prefix=prefix)
    assert listing.returncode == 0, listing.stderr[-2000:]
    regroup = cli("regroup", database, prefix=prefix)
    assert regroup.returncode == 1, regroup.stdout
    assert "cannot" in one_line_error(regroup.stderr), regroup.stderr[-2000:]
    assert fingerprint(database.parent) == before
    fault_log.record("bad_file", case="read_only_folder")


def test_a_sources_file_that_is_not_toml(tmp_path):
    database = small_database(tmp_path / "news.db")
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x\nhome = https://news.example/\n')
    before = fingerprint(tmp_path)
    result = crawl(database, "-a", f"sources={sources}")
    assert result.returncode != 0
    line = one_line_error(result.stderr)
    assert line.startswith(f"wiredup: {sources}: not valid TOML"), line
    assert fingerprint(tmp_path) == before
    fault_log.record("bad_file", case="malformed_sources")
