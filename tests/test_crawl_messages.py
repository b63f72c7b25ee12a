"""What a crawl and wiredup's commands tell the person running them (issue 21, items 4, 12, 13).

A web crawl says who runs it, or warns once that it does not; a run ends with a summary a person
reads (not a Python dict and Scrapy's stats dump) and a long one says how it goes; a mistake is
one line. Real crawls of the bundled fixtures and of news sites on 127.0.0.1.
"""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import BIN, FIXTURES, ROOT, copy_project, scrapy_crawl
from news_site import NewsSite, full_source, write_sources
from test_incremental_crawl import NEW_PATH, OUTLET_A, articles_of, crawl_ok, new_afp_copy

PLACEHOLDER_WARNING = "USER_AGENT is wiredup's placeholder"
OWN_AGENT = "wiredup-test/1.0 (+https://example.org/our-crawler)"
SUMMARY = re.compile(r"Crawl run \d+ finished \(\w+\) in .*:\n(?:  \w+ +.*\n?){4}")


def summary(log: str) -> str:
    """The one summary a crawl's log ends with."""
    (found,) = SUMMARY.findall(log)
    return found.rstrip("\n")


def logged(log: str, level: str) -> list[str]:
    return [line for line in log.splitlines() if f"] {level}: " in line]


def closed_port() -> int:
    """A port of 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- item 4: who runs the crawl ----------------------------------------------------------------------


@dataclass
class WebCrawls:
    project: Path
    first: str  # the log of a crawl of a news site with settings.py's USER_AGENT
    second: str  # after the site published another copy of the AFP story, with USER_AGENT set
    agents: set[str]  # the User-Agents the site saw in the second crawl


@pytest.fixture(scope="module")
def web_crawls(tmp_path_factory) -> WebCrawls:
    project = copy_project(tmp_path_factory.mktemp("web") / "proj")
    with NewsSite("outlet-a", articles_of(OUTLET_A), crawl_delay=0.3) as site:
        sources = write_sources(project / "sources.toml", [full_source(site)])
        # long enough for a progress line every half second
        first = crawl_ok(project, sources, "-s", "LOGSTATS_INTERVAL=0.5").stderr
        site.add_article(NEW_PATH, new_afp_copy())
        mark = site.mark()
        second = crawl_ok(project, sources, "-s", f"USER_AGENT={OWN_AGENT}").stderr
        agents = {request.user_agent for request in site.since(mark)}
    return WebCrawls(project, first, second, agents)


def test_settings_py_ships_the_placeholder_the_check_knows():
    import settings
    from scraper.identity import PLACEHOLDER_USER_AGENT

    assert settings.USER_AGENT == PLACEHOLDER_USER_AGENT


def test_a_web_crawl_with_the_placeholder_user_agent_warns_once_and_one_with_its_own_does_not(web_crawls):
    warnings = [line for line in logged(web_crawls.first, "WARNING") if PLACEHOLDER_WARNING in line]
    assert len(warnings) == 1, web_crawls.first[-3000:]
    assert "Crawling your own sites" in warnings[0]
    assert PLACEHOLDER_WARNING not in web_crawls.second
    assert web_crawls.agents == {OWN_AGENT}


def test_a_crawl_of_the_fixture_files_does_not_warn_about_the_user_agent(crawled_project):
    assert PLACEHOLDER_WARNING not in crawled_project.first_log


def test_the_readme_says_how_to_name_who_runs_the_crawl():
    section = (ROOT / "README.md").read_text().split("## Crawling your own sites", 1)[1].split("\n## ", 1)[0]
    assert "USER_AGENT" in section and "placeholder" in section


# -- item 13: one line for a mistake ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["notaurl", "redis://127.0.0.1:{port}/0"])
def test_ingest_with_a_redis_it_cannot_use_says_so_in_one_line_and_writes_nothing(tmp_path, url):
    url = url.format(port=closed_port())
    result = subprocess.run([str(BIN / "wiredup"), "ingest", "news.db", "--redis", url],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-3000:]
    assert result.stderr.strip().count("\n") == 0 and url in result.stderr, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no database, no lock file, no failed crawl_runs row


def test_a_worker_given_something_that_is_no_redis_url_says_so_in_one_line(tmp_path):
    project = copy_project(tmp_path / "proj")
    result = scrapy_crawl(project, "-s", "WIREDUP_MODE=worker", "-s", "WIREDUP_REDIS_URL=notaurl")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1].startswith("wiredup: WIREDUP_REDIS_URL: 'notaurl' is not a Redis URL")


def test_a_page_whose_robots_txt_is_unreachable_is_one_warning(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/articles/a.html"
    result = scrapy_crawl(copy_project(tmp_path / "proj"), "-a", f"url={url}", "-s", f"USER_AGENT={OWN_AGENT}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and not logged(result.stderr, "ERROR"), result.stderr[-3000:]
    (warning,) = logged(result.stderr, "WARNING")
    assert "robots.txt of 127.0.0.1:" in warning and "unreachable" in warning


def test_an_unknown_spider_argument_is_named_in_one_warning_and_the_crawl_goes_on(tmp_path):
    project = copy_project(tmp_path / "proj")
    page = next((FIXTURES / "site" / "articles").glob("*.html"))
    result = scrapy_crawl(project, "-a", f"url={page}", "-a", "sorces=my.toml", "-a", "_job=1")
    assert result.returncode == 0, result.stderr[-3000:]
    (warning,) = logged(result.stderr, "WARNING")
    assert "-a sorces" in warning and "-a url=" in warning and "-a sources=" in warning and "_job" not in warning
    with sqlite3.connect(project / "news.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1,)
