"""The README stays true: its commands run, its settings and CLI commands exist, CI runs its test command."""

from __future__ import annotations

import re
import shlex
import subprocess

import settings
from click.testing import CliRunner

from conftest import BIN, ROOT
from scraper.cli import cli

README = (ROOT / "README.md").read_text()


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_the_crawl_and_the_test_command():
    crawl, tests = quick_start_commands()
    assert "pip install -e ." in crawl and "scrapy crawl news" in crawl and "wiredup clusters news.db" in crawl
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    _, tests = quick_start_commands()
    assert tests in (ROOT / ".ci" / "run").read_text()


def test_every_wiredup_command_in_the_readme_exists():
    used = set(re.findall(r"wiredup (\w+) news\.db", README))
    assert used and used <= set(cli.commands)


def test_every_setting_is_documented_and_every_documented_setting_exists():
    defined = {name for name in vars(settings) if name.startswith("WIREDUP_")}
    documented = set(re.findall(r"`(WIREDUP_[A-Z_]+)`", README))
    assert defined == documented


def test_readme_sqlite_utils_recipes_run_on_the_crawled_database(crawled_project):
    recipes = [line.split("#")[0].strip() for line in README.splitlines() if line.startswith(".venv/bin/sqlite-utils ")]
    assert len(recipes) >= 3
    for recipe in recipes:
        argv = [str(BIN / "sqlite-utils")] + shlex.split(recipe)[1:]
        argv = [str(crawled_project.database) if arg == "news.db" else arg for arg in argv]
        result = subprocess.run(argv, capture_output=True, text=True)
        assert result.returncode == 0 and result.stdout.strip(), (recipe, result.stderr)


def test_readme_shows_the_real_clusters_output(crawled_project):
    block = re.search(r"```\n( +Stories *\n.+?)\n```", README, re.S).group(1)
    output = CliRunner().invoke(cli, ["clusters", str(crawled_project.database)]).output

    def rows_without_ids(text):
        # story ids follow the order pages arrived in, which a concurrent crawl does not fix
        return sorted(re.sub(r"^│\s*\d+\s*│", "│", line) for line in text.splitlines() if line.startswith("│"))

    assert rows_without_ids(block) and rows_without_ids(block) == rows_without_ids(output)


def test_readme_grouping_defaults_are_the_engine_defaults():
    from dataclasses import fields

    from pipelines.dedup import setting_name
    from pipelines.near_duplicates import GroupingSettings

    documented = dict(re.findall(r"^\| `(WIREDUP_DEDUP_[A-Z_]+)` \| `([^`]+)` \|", README, re.M))
    engine = {setting_name(spec.name): spec.default for spec in fields(GroupingSettings)}
    assert set(documented) == set(engine)
    for name, default in engine.items():
        assert float(documented[name]) == default, name
