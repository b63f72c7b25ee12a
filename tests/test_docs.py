"""The README stays true: its commands run, its settings and CLI commands exist, CI runs its test command."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess

from click.testing import CliRunner

from conftest import BIN, ROOT
from scraper.commands import cli
from wiredup.settings import Settings, setting_name

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


def test_every_setting_is_documented_with_its_default_and_every_documented_setting_exists():
    defined = Settings().values()
    documented = set(re.findall(r"`(WIREDUP_[A-Z_]+)`", README))
    assert set(defined) == documented
    table = dict(re.findall(r"^\| `(WIREDUP_[A-Z_]+)` \| `([^`]+)` \|", README, re.M))
    assert set(table) == set(defined)
    for name, default in defined.items():
        shown = list(default) if isinstance(default, tuple) else default
        assert table[name] in (str(shown), json.dumps(shown)) or _number(table[name]) == default, name


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def test_every_command_and_option_is_in_the_readme_and_every_help_has_an_example():
    from dataclasses import fields

    from wiredup.settings import GroupingSettings

    grouping = {f"--{spec.name.replace('_', '-')}": setting_name("grouping", spec.name) for spec in fields(GroupingSettings)}
    for name, command in cli.commands.items():
        # `wiredup crawl` alone takes no database argument: it is its --db
        usage = f"wiredup {name} news.db" if command.params[0].name == "database" else f"wiredup {name} "
        assert usage in README, name
        assert f"Example: {usage}" in (command.help or ""), name
        for param in command.params:
            for option in [opt for opt in param.opts if opt.startswith("--")][:1]:
                documented = option in README or grouping.get(option, "-") in README
                assert documented, f"wiredup {name} {option} is not in the README"


def readme_sessions() -> list[tuple[str, str]]:
    """The README's shown sessions: ``$ command`` then its output, one per code block."""
    return re.findall(r"```\n\$ (.+?)\n(.*?)\n```", README, re.S)


def comparable(output: str) -> list[str]:
    """Output lines without what differs between two crawls of the fixtures: story and article ids
    (they follow the order pages arrive in), crawl dates, and FTS5's internal segment tables."""
    lines = []
    for line in output.splitlines():
        if "articles_fts_" in line:
            continue
        line = re.sub(r"^│\s*\d+\s*│", "│ │", line)
        line = re.sub(r"\b20(2[5-9]|[3-9]\d)-\d\d-\d\d\b", "<crawl date>", line)
        line = re.sub(r"^(\s*Story) \d+", r"\1 N", line)
        lines.append(line.rstrip())
    return lines


def test_readme_sessions_show_the_real_output_on_the_crawled_fixtures(crawled_project):
    sessions = readme_sessions()
    assert {command.split()[0] for command, _ in sessions} == {".venv/bin/wiredup", ".venv/bin/sqlite-utils"}
    with sqlite3.connect(crawled_project.database) as conn:
        (wire_story,) = conn.execute("SELECT id FROM clusters WHERE size = 2").fetchone()
    for command, shown in sessions:
        argv = [str(crawled_project.database) if arg == "news.db" else arg for arg in shlex.split(command)]
        if argv[0].endswith("wiredup"):
            if argv[1] == "show":  # the README shows the wire story, whatever its id in this crawl
                argv[3] = str(wire_story)
            output = CliRunner().invoke(cli, argv[1:], env={"COLUMNS": "80"}).stdout
        else:
            argv[0] = str(BIN / "sqlite-utils")
            output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        assert comparable(output) == comparable(shown), command


def test_readme_sources_example_is_a_valid_sources_file(tmp_path):
    from scraper.sources import load_sources

    (example,) = re.findall(r"```toml\n(.+?)```", README, re.S)
    path = tmp_path / "sources.toml"
    path.write_text(example)
    (source,) = load_sources(path)
    assert source.max_depth == 2 and source.deny_patterns and source.is_article_url("https://news.example/2024/04/a")
