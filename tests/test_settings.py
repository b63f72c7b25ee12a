"""WIREDUP_* settings: one definition, read by a crawl and the CLI alike, checked before anything starts."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import pytest

from conftest import BIN, copy_project, scrapy_crawl
from wiredup.settings import GroupingSettings, Settings, SettingsError, setting_name


def test_every_default_is_within_its_own_bounds():
    assert Settings.from_values(Settings().values()) == Settings()


@pytest.mark.parametrize(
    "name, value, says",
    [
        ("WIREDUP_DEDUP_CONTAINMENT", "abc", "takes a number from 0 to 1"),
        ("WIREDUP_DEDUP_CONTAINMENT", "1.5", "takes a number from 0 to 1"),
        ("WIREDUP_STORE_BATCH_SIZE", "0", "takes a whole number from 1 to 100000"),
        ("WIREDUP_DEDUP_NUM_PERM", "12.5", "takes a whole number"),
        ("WIREDUP_EXTRACT_PROCESSES", "-1", "takes a whole number from 0 to 256"),
        ("WIREDUP_STORE_FLUSH_SECONDS", "0", "takes a number above 0"),
        ("WIREDUP_INCREMENTAL", "maybe", "takes True or False"),
        ("WIREDUP_MODE", "cluster", "takes one of standalone, worker"),
        ("WIREDUP_DEDUP_WINDOW_DAYS", "nan", "takes a number of 0 or more"),
        ("WIREDUP_CLUTTER_ALLOW", ["(unclosed"], "is not a regular expression"),
    ],
)
def test_a_value_a_setting_does_not_accept_is_refused_with_what_it_accepts(name, value, says):
    with pytest.raises(SettingsError) as refused:
        Settings.from_values({name: value})
    assert str(refused.value).startswith(name) and says in str(refused.value)


def test_values_given_as_text_are_read_as_their_type():
    settings = Settings.from_values({
        "WIREDUP_DEDUP_CONTAINMENT": "0.4", "WIREDUP_STORE_BATCH_SIZE": "7", "WIREDUP_INCREMENTAL": "False",
        "WIREDUP_CLUTTER_ALLOW": "^note:,^update:", "WIREDUP_DEDUP_WINDOW_DAYS": None,
    })
    assert (settings.grouping.containment, settings.store_batch_size, settings.incremental) == (0.4, 7, False)
    assert settings.clutter.allow == ("^note:", "^update:")
    assert settings.grouping.window_days == GroupingSettings().window_days  # None keeps the default


def test_every_grouping_field_is_a_setting_named_after_it():
    names = Settings().values()
    for spec in dataclasses.fields(GroupingSettings):
        assert setting_name("grouping", spec.name) in names


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("settings") / "wiredup")


@pytest.mark.parametrize(
    "setting, line",
    [
        ("WIREDUP_DEDUP_CONTAINMENT=abc", "wiredup: WIREDUP_DEDUP_CONTAINMENT='abc': takes a number from 0 to 1"),
        ("WIREDUP_DEDUP_CONTAINMNET=0.4",
         "wiredup: WIREDUP_DEDUP_CONTAINMNET: no such setting (did you mean WIREDUP_DEDUP_CONTAINMENT?)"),
    ],
)
def test_a_wrong_setting_stops_the_crawl_with_one_line_and_leaves_nothing_behind(project, setting, line):
    result = scrapy_crawl(project, "-s", setting)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == line
    assert "Traceback" not in result.stderr
    assert not list(project.glob("news.db*"))  # no database, no journal, no lock file


def _wiredup(cwd, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "wiredup"), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_cli_groups_with_the_settings_of_settings_py_and_of_s(project):
    crawl = scrapy_crawl(project)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    default = json.loads(_wiredup(project, "regroup", "news.db", "--json").stdout)
    assert default["matches_after"] >= 1  # the short and the long AFP copy
    # -s as for scrapy crawl: no passage rule, no containment rule, no match
    strict = _wiredup(project, "regroup", "news.db", "--json",
                      "-s", "WIREDUP_DEDUP_MIN_SHARED_PASSAGES=999", "-s", "WIREDUP_DEDUP_CONTAINMENT=1")
    assert json.loads(strict.stdout)["matches_after"] == 0, strict.stderr
    # settings.py, read from the project the command runs in
    settings_py = project / "settings.py"
    original = settings_py.read_text()
    try:
        settings_py.write_text(original + "\nWIREDUP_DEDUP_MIN_SHARED_PASSAGES = 999\nWIREDUP_DEDUP_CONTAINMENT = 1.0\n")
        from_file = json.loads(_wiredup(project, "regroup", "news.db", "--json").stdout)
        assert from_file["matches_after"] == 0
        # an option given on the command line is over settings.py
        explicit = json.loads(_wiredup(project, "regroup", "news.db", "--json", "--containment", "0.5",
                                       "--min-shared-passages", "2").stdout)
        assert explicit["matches_after"] == default["matches_after"]
    finally:
        settings_py.write_text(original)
    wrong = _wiredup(project, "explain", "news.db", "1", "2", "-s", "WIREDUP_DEDUP_SEED=x")
    assert wrong.returncode == 1 and "WIREDUP_DEDUP_SEED='x': takes a whole number" in wrong.stderr
