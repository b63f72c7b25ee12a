"""The README stays true: its commands run, its settings and CLI commands exist, CI runs its test command."""

from __future__ import annotations

import json
import re
import shlex
import shutil
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


def comparable(output: str, article_ids: bool = False) -> list[str]:
    """Output lines without what differs between two crawls of the fixtures: crawl dates, FTS5's
    internal segment tables, and with ``article_ids`` the first column's article ids (they follow
    the order pages arrive in). Story ids stay: a fresh crawl numbers the stories the same way."""
    lines = []
    for line in output.splitlines():
        if "articles_fts_" in line:
            continue
        if article_ids:
            line = re.sub(r"^│\s*\d+\s*│", "│ │", line)
        line = re.sub(r"\b20(2[5-9]|[3-9]\d)-\d\d-\d\d\b", "<crawl date>", line)
        lines.append(line.rstrip())
    return lines


def test_readme_sessions_show_the_real_output_on_the_crawled_fixtures(crawled_project):
    sessions = readme_sessions()
    assert {command.split()[0] for command, _ in sessions} == {".venv/bin/wiredup", ".venv/bin/sqlite-utils"}
    for command, shown in sessions:
        argv = [str(crawled_project.database) if arg == "news.db" else arg for arg in shlex.split(command)]
        if argv[0].endswith("wiredup"):
            output = CliRunner().invoke(cli, argv[1:], env={"COLUMNS": "80"}).stdout
        else:
            argv[0] = str(BIN / "sqlite-utils")
            output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        article_ids = argv[1] == "show"  # its first column: article ids
        assert comparable(output, article_ids) == comparable(shown, article_ids), command


def readme_commands(name: str) -> list[list[str]]:
    """The README's ``wiredup NAME news.db ...`` commands in its bash blocks, as argument lists."""
    blocks = "\n".join(re.findall(r"```bash\n(.+?)\n```", README, re.S)).replace("\\\n", " ")
    return [shlex.split(line)[1:] for line in blocks.splitlines() if line.startswith(f".venv/bin/wiredup {name} news.db")]


def test_readme_explain_and_corrections_name_the_afp_copies_of_a_fresh_crawl(crawled_project, tmp_path):
    database = tmp_path / "news.db"
    shutil.copy(crawled_project.database, database)
    with sqlite3.connect(database) as conn:
        afp = {url for (url,) in conn.execute("SELECT url FROM articles WHERE cluster_id = 1")}
    assert len(afp) == 2  # the README's `show news.db 1` is the AFP story

    def run(argv):
        argv = [str(database) if arg == "news.db" else arg for arg in argv]
        result = CliRunner().invoke(cli, [*argv, "--json"] if argv[0] == "explain" else argv)
        assert result.exit_code == 0, (argv, result.output)
        return result.output

    (explain,) = readme_commands("explain")
    assert set(explain[2:4]) == afp and json.loads(run(explain))["same_cluster"]
    (different,), (same,) = readme_commands("different"), readme_commands("same")
    assert set(different[2:4]) == set(same[2:4]) == afp
    run(different)
    assert not json.loads(run(explain))["same_cluster"]
    run(same)
    assert json.loads(run(explain))["same_cluster"]


def test_readme_datasette_table_names_each_canned_query_with_its_url():
    import yaml

    table = README.split("| query | URL | what it shows |", 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    queries = yaml.safe_load((ROOT / "wiredup/store/datasette.yml").read_text())["databases"]["news"]["queries"]
    rows = [[cell.strip() for cell in row.strip("|").split(" | ")] for row in table]
    assert all(len(row) == 3 for row in rows), rows
    assert [row[0].strip("`") for row in rows] == list(queries)
    assert all(row[1].startswith(f"`/news/{row[0].strip('`')}") for row in rows)


def test_bench_readme_commands_work_from_any_clone():
    bench = (ROOT / "bench" / "README.md").read_text()
    assert not re.search(r"(?<![\w.])/(root|home|work|opt|srv|Users)/", bench)
    commands = re.findall(r"^`?(\S*python\S*) bench/", bench, re.M)
    assert commands and set(commands) == {".venv/bin/python"}


def test_readme_sources_example_is_a_valid_sources_file(tmp_path):
    from scraper.sources import load_sources

    (example,) = re.findall(r"```toml\n(.+?)```", README, re.S)
    path = tmp_path / "sources.toml"
    path.write_text(example)
    (source,) = load_sources(path)
    assert source.max_depth == 2 and source.deny_patterns and source.is_article_url("https://news.example/2024/04/a")
