"""Shared test helpers: the fixture manifest and real crawls run as a user runs them."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent


def load_manifest() -> dict:
    with open(FIXTURES / "manifest.toml", "rb") as handle:
        return tomllib.load(handle)


def scrapy_crawl(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``scrapy crawl news ARGS`` in ``cwd`` as a user would, with this venv's scrapy."""
    result = subprocess.run(
        [str(BIN / "scrapy"), "crawl", "news", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result


def copy_project(destination: Path) -> Path:
    """A copy of the project as a fresh clone has it (no database, no venv)."""
    ignore = shutil.ignore_patterns(".git", ".venv", "*.db", "*.db-*", "__pycache__", ".pytest_cache", "*.egg-info")
    shutil.copytree(ROOT, destination, ignore=ignore)
    return destination


def partition(db_path: Path) -> set[frozenset[str]]:
    """The stored groups as sets of seed numbers (via the manifest's canonical URLs)."""
    seed_of = {page["url"]: page["seed"] for page in load_manifest()["article"]}
    groups: dict[int, set[str]] = {}
    with sqlite3.connect(db_path) as conn:
        for url, cluster_id in conn.execute("SELECT url, cluster_id FROM articles"):
            groups.setdefault(cluster_id, set()).add(seed_of.get(url, url))
    return {frozenset(group) for group in groups.values()}


def expected_partition() -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for page in load_manifest()["article"]:
        groups.setdefault(page["group"], set()).add(page["seed"])
    return {frozenset(group) for group in groups.values()}


@dataclass
class CrawledProject:
    path: Path
    first_run_clusters: dict[str, int]  # canonical url -> cluster id after the first run
    first_log: str
    second_log: str

    @property
    def database(self) -> Path:
        return self.path / "news.db"


def cluster_ids(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT url, cluster_id FROM articles"))


@pytest.fixture(scope="session")
def crawled_project(tmp_path_factory) -> CrawledProject:
    """A fresh copy of the project after the README's `scrapy crawl news` ran twice in it."""
    project = copy_project(tmp_path_factory.mktemp("fresh") / "wiredup")
    first = scrapy_crawl(project)
    assert first.returncode == 0, first.stderr[-3000:]
    first_clusters = cluster_ids(project / "news.db")
    second = scrapy_crawl(project)
    assert second.returncode == 0, second.stderr[-3000:]
    return CrawledProject(project, first_clusters, first.stderr, second.stderr)


def fixture_item(relative: str):
    """An ArticleItem as the spider yields it for a fixture page read over file://."""
    from scraper.items import ArticleItem

    path = FIXTURES / relative
    return ArticleItem(
        url=path.as_uri(),
        body=path.read_bytes(),
        encoding="utf-8",
        content_type="text/html",
        status=200,
        headers={},
        fetched_at="2024-04-18T08:00:00+00:00",
        source="fixture-site",
    )


class Pipelines:
    """The project's real item pipelines, built as Scrapy builds them, around one database."""

    def __init__(self, db_path: Path, **settings):
        from scrapy.exceptions import DropItem, NotConfigured
        from scrapy.utils.misc import build_from_crawler
        from scrapy.utils.test import get_crawler

        from pipelines.declutter import DeclutterPipeline
        from pipelines.dedup import DedupPipeline
        from pipelines.extract import ExtractPipeline
        from pipelines.store import StorePipeline
        from scraper.spiders.news import NewsSpider

        self.DropItem = DropItem
        # items go through one at a time, in this process, each stored before the next one
        defaults = {"WIREDUP_EXTRACT_PROCESSES": 1, "WIREDUP_STORE_BATCH_SIZE": 1}
        self.crawler = get_crawler(NewsSpider, {**defaults, "WIREDUP_DATABASE": str(db_path), **settings})
        self.stages = []
        for cls in (ExtractPipeline, DeclutterPipeline, DedupPipeline, StorePipeline):
            try:
                self.stages.append(build_from_crawler(cls, self.crawler))
            except NotConfigured:  # switched off by a setting, as Scrapy leaves it out
                pass
        for stage in self.stages:
            if hasattr(stage, "open_spider"):
                stage.open_spider()

    def process(self, item):
        """Run an item through every stage; return it, or the DropItem reason."""
        try:
            for stage in self.stages:
                item = stage.process_item(item)
        except self.DropItem as dropped:
            return str(dropped)
        return item

    def stage(self, kind):
        """The stage that is a ``kind`` (a pipeline class)."""
        (found,) = [stage for stage in self.stages if isinstance(stage, kind)]
        return found

    def close(self, reason: str = "finished") -> None:
        for stage in reversed(self.stages):  # as Scrapy closes pipelines: the store flushes first
            if hasattr(stage, "close_spider"):
                stage.close_spider()
        self.stages[-1].finish_run(None, reason)

    @property
    def stats(self) -> dict:
        return self.crawler.stats.get_stats()
