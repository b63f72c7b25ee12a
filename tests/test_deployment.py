"""Deploying and installing as the README says (issue 21): Scrapyd, an installed wheel, a cron run.

Each runs the real thing: a Scrapyd started here on 127.0.0.1 and fed by ``scrapyd-deploy``; a fresh
venv with the built wheel installed, crawling from a folder that is no clone; ``git status`` of a clone
after a crawl. Nothing leaves 127.0.0.1: the fresh venv takes wiredup's dependencies from this venv.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import BIN, ROOT, copy_project, scrapy_crawl

# the five fixture articles, the two AFP copies in one story
FIXTURE_STORIES = [1, 1, 1, 2]


def stored_stories(database: Path) -> list[int]:
    """Story sizes in ``database``, smallest first."""
    with sqlite3.connect(database) as conn:
        return sorted(size for (size,) in conn.execute("SELECT count(*) FROM articles GROUP BY cluster_id"))


def git_clone_of(tmp_path: Path) -> Path:
    """A copy of the project as a fresh clone has it, committed in its own git repository."""
    clone = copy_project(tmp_path / "clone")
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "clone"]):
        subprocess.run(["git", *command], cwd=clone, check=True, capture_output=True)
    return clone


def dirty(clone: Path) -> list[str]:
    """What ``git status`` shows changed or untracked in ``clone``."""
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone,
                          capture_output=True, text=True, check=True).stdout.splitlines()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api(base: str, endpoint: str, **fields) -> dict:
    """A Scrapyd JSON endpoint: POST when given fields, else GET."""
    data = urllib.parse.urlencode(list(_pairs(fields))).encode() if fields else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=data, timeout=30) as response:
        return json.load(response)


def _pairs(fields: dict):
    for key, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            yield key, one


def test_a_cron_crawl_leaves_the_clone_clean(tmp_path):
    clone = git_clone_of(tmp_path)
    result = scrapy_crawl(clone, "--logfile", "crawl.log")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (clone / "news.db").exists() and (clone / "crawl.log").exists()
    assert dirty(clone) == []


def test_scrapyd_deploy_and_schedule_as_the_readme_says(tmp_path):
    """The README recipe: scrapyd, scrapyd-deploy from the clone, schedule.json for news."""
    clone = git_clone_of(tmp_path)
    port = free_port()
    # the clone's [deploy] target, on this test's port
    config = (clone / "scrapy.cfg").read_text()
    assert "url = http://localhost:6800/" in config
    (clone / "scrapy.cfg").write_text(config.replace("localhost:6800", f"127.0.0.1:{port}"))
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "port"], cwd=clone, check=True)
    server_dir = tmp_path / "scrapyd"
    server_dir.mkdir()
    (server_dir / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        f"eggs_dir = {server_dir / 'eggs'}\nlogs_dir = {server_dir / 'logs'}\ndbs_dir = {server_dir / 'dbs'}\n"
    )
    base = f"http://127.0.0.1:{port}"
    with open(server_dir / "scrapyd.out", "w") as log:
        server = subprocess.Popen([str(BIN / "scrapyd")], cwd=server_dir, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                assert api(base, "daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail((server_dir / "scrapyd.out").read_text()[-3000:])
        deploy = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=clone, capture_output=True, text=True, timeout=300)
        assert deploy.returncode == 0, deploy.stderr
        assert json.loads(deploy.stdout)["spiders"] == 1
        assert dirty(clone) == []  # no setup.py of scrapyd-deploy's, no build output tracked
        database = tmp_path / "news.db"
        job = api(base, "schedule.json", project="wiredup", spider="news", setting=[
            f"WIREDUP_DATABASE={database}", f"WIREDUP_SOURCES={clone / 'sources.toml'}"])
        assert job["status"] == "ok", job
        for _ in range(600):
            finished = api(base, "listjobs.json?project=wiredup")["finished"]
            if any(entry["id"] == job["jobid"] for entry in finished):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the Scrapyd job did not finish")
        crawl_log = next((server_dir / "logs").rglob("*.log")).read_text()
        assert "Spider closed (finished)" in crawl_log, crawl_log[-3000:]
        assert stored_stories(database) == FIXTURE_STORIES
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a fresh copy of the project (this venv's setuptools, offline)."""
    folder = tmp_path_factory.mktemp("wheel")
    project = copy_project(folder / "wiredup")
    subprocess.run([str(BIN / "pip"), "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w",
                    str(folder / "dist"), str(project)], check=True, capture_output=True, timeout=300)
    (built,) = (folder / "dist").glob("wiredup-*.whl")
    return built


def test_the_wheel_installs_no_top_level_module_but_wiredup(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"wiredup", wheel.name.split("-py3")[0] + ".dist-info"}
    project = {name.removeprefix("wiredup/project/") for name in names if name.startswith("wiredup/project/")}
    assert {"scrapy.cfg", "settings.py", "sources.toml", "scraper/spiders/news.py", "pipelines/store.py",
            "fixtures/site/index.html", "fixtures/site/articles/rfi-france-russia-opposite-sides-armenia-azerbaijan.html"} <= project
    core = {str(path.relative_to(ROOT)) for path in (ROOT / "wiredup").rglob("*.py")}
    assert core <= set(names)  # every package of the core is listed in pyproject.toml


def test_an_installed_wheel_crawls_from_any_folder(wheel, tmp_path):
    """pip install of the wheel into a fresh venv; `wiredup crawl` in a folder with no project."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    before = set(os.listdir(site))
    # wiredup's dependencies from this venv (read after the fresh venv's own site-packages), not the network
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(venv / "bin" / "pip"), "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True, timeout=300)
    installed = set(os.listdir(site)) - before - {"dependencies.pth"}
    assert {name.split("-")[0] for name in installed} == {"wiredup"}, installed
    for generic in ("settings", "scraper", "pipelines"):
        probe = subprocess.run([str(venv / "bin" / "python"), "-c", f"import {generic}"], cwd=tmp_path, capture_output=True)
        assert probe.returncode != 0, f"{generic} is importable from the installed wheel"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    crawl = subprocess.run([str(venv / "bin" / "wiredup"), "crawl"], cwd=elsewhere, capture_output=True, text=True, timeout=600)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "crawling the bundled fixture site" in crawl.stderr
    assert str(site / "wiredup" / "project") in crawl.stderr  # the installed project, not this clone
    assert stored_stories(elsewhere / "news.db") == FIXTURE_STORIES

    # --sources and --db: a sources file of one's own, a database elsewhere
    own = tmp_path / "own"
    shutil.copytree(ROOT / "fixtures" / "site", own / "site")
    (own / "mine.toml").write_text('[[source]]\nname = "mine"\nhome = "site/index.html"\narticle_patterns = ["/articles/"]\n')
    crawl = subprocess.run([str(venv / "bin" / "wiredup"), "crawl", "--sources", str(own / "mine.toml"), "--db", "other.db"],
                           cwd=elsewhere, capture_output=True, text=True, timeout=600)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert stored_stories(elsewhere / "other.db") == FIXTURE_STORIES
    with sqlite3.connect(elsewhere / "other.db") as conn:
        assert {source for (source,) in conn.execute("SELECT DISTINCT source FROM articles")} == {"mine"}
