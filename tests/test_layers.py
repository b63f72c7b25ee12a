"""Three layers, imports one way: scraper -> wiredup, pipelines -> wiredup (+ scraper.items, scraper.database_failure); the core
``wiredup`` imports neither, nor Scrapy; only ``wiredup.store`` writes to the database."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

PACKAGES = ("wiredup", "scraper", "pipelines")
SCRAPY = ("scrapy", "twisted", "scrapy_redis")
ALLOWED = {
    # package: what its modules may import among the project's packages and Scrapy
    "wiredup": ("wiredup",),
    "scraper": ("wiredup", "scraper", *SCRAPY),
    # the item is the spider's contract with the pipelines; a crawl's database failure is one state
    # that the URL-state middlewares and the store pipeline both set and read
    "pipelines": ("wiredup", "scraper.items", "scraper.database_failure", *SCRAPY),
}


def imported_modules(source: str, module: str) -> set[str]:
    """Every module (or module attribute) an import statement of ``source`` names, wherever it
    stands (inside functions too), relative imports resolved against ``module``.

    >>> sorted(imported_modules("def f():\\n    from scraper import items\\nimport os\\nfrom . import store", "wiredup.cli"))
    ['os', 'scraper.items', 'wiredup.store']
    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, base] if base else parent)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def wrong_way(source: str, module: str) -> list[str]:
    """The imports of ``source`` (the code of ``module``) that run against the layers."""
    allowed = ALLOWED[module.split(".")[0]]
    return sorted(
        name
        for name in imported_modules(source, module)
        if name.split(".")[0] in (*PACKAGES, *SCRAPY, "settings")
        and not any(name == prefix or name.startswith(f"{prefix}.") for prefix in allowed)
    )


def project_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"), path


def test_no_import_runs_the_wrong_way():
    found = {module: wrong for module, path in project_modules() if (wrong := wrong_way(path.read_text(), module))}
    assert found == {}


@pytest.mark.parametrize(
    "module, source",
    [
        ("wiredup.store.writer", "from scraper.items import ArticleItem"),
        ("wiredup.cli", "def ingest():\n    from scraper.ingest import Ingest"),  # hidden in a function
        ("wiredup.jobs.regroup", "import pipelines.dedup"),
        ("wiredup.extract.pool", "from twisted.internet import reactor"),
        ("wiredup.group.window", "from scrapy.settings import Settings"),
        ("wiredup.settings", "import settings"),  # the Scrapy project's settings module
        ("scraper.ingest", "from pipelines.store import StorePipeline"),
        ("scraper.spiders.news", "from pipelines import store"),
        ("pipelines.store", "from scraper.worker_queue import Keys"),
        ("pipelines.dedup", "from scraper import middlewares"),
    ],
)
def test_the_check_finds_an_import_that_runs_the_wrong_way(module, source):
    assert wrong_way(source, module)


@pytest.mark.parametrize(
    "module, source",
    [
        ("pipelines.store", "from scraper.items import ArticleItem\nfrom wiredup.store.writer import Writer"),
        ("scraper.ingest", "from wiredup.group.incoming import IncomingArticles\nfrom scraper.run_lock import RunLock"),
        ("wiredup.group.window", "from wiredup.group.compare import compare\nimport numpy"),
    ],
)
def test_the_check_lets_imports_that_run_the_right_way_pass(module, source):
    assert wrong_way(source, module) == []


def test_importing_the_whole_core_never_imports_scrapy_or_twisted():
    script = textwrap.dedent(
        """
        import pkgutil, sys
        import wiredup
        for module in pkgutil.walk_packages(wiredup.__path__, "wiredup."):
            __import__(module.name)
        loaded = sorted({name.split(".")[0] for name in sys.modules} & {"scrapy", "twisted", "scrapy_redis", "scraper", "pipelines"})
        print(len([name for name in sys.modules if name.startswith("wiredup.")]), loaded)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    count, loaded = result.stdout.split(" ", 1)
    assert int(count) >= 20 and loaded.strip() == "[]", result.stdout


# SQL that changes a database, and sqlite-utils' methods that do
WRITE_SQL = re.compile(
    r"^\s*(INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"(CREATE|DROP)\s+(UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)|ALTER\s+TABLE)\b",
    re.I,
)
WRITE_METHODS = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where", "executemany",
                 "create", "create_index", "add_column", "enable_fts", "create_view", "transform"}


def database_writes(source: str) -> list[str]:
    """Where ``source`` writes to a database: a string of SQL that changes it, or a call of one of
    sqlite-utils' writing methods on a table (``db["t"].insert(...)``) or a connection.

    >>> database_writes('db.execute("UPDATE articles SET text = ?", [t])\\ndb["clusters"].insert({})\\nd.update(x)')
    ['line 1: UPDATE articles SET text = ?', 'line 2: insert']
    """
    writes = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and WRITE_SQL.match(node.value):
            writes.append(f"line {node.lineno}: {node.value.strip()[:60]}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
            owner = node.func.value
            on_table = isinstance(owner, ast.Subscript)  # db["table"].insert(...)
            on_connection = isinstance(owner, ast.Attribute) and owner.attr == "conn"  # db.conn.executemany(...)
            if on_table or on_connection:
                writes.append(f"line {node.lineno}: {node.func.attr}")
    return sorted(writes, key=lambda where: int(where.split()[1].rstrip(":")))


def test_only_wiredup_store_writes_to_the_database():
    writers = {
        module: writes
        for module, path in project_modules()
        if not module.startswith("wiredup.store") and (writes := database_writes(path.read_text()))
    }
    assert writers == {}


SQL = re.compile(r"^\s*(SELECT\s|WITH\s+\w+\s+AS|PRAGMA\s)", re.I)


def test_sql_is_written_only_in_wiredup_store():
    """The database is the interface, and wiredup.store the one place that speaks SQL to it."""
    found = {}
    for module, path in project_modules():
        if module.startswith("wiredup.store"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
                found.setdefault(module, []).append(f"line {node.lineno}: {node.value.strip()[:60]}")
    assert found == {}
