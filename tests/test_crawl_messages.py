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


# -- item 12: a summary at the end, progress during -------------------------------------------------


def test_a_crawl_ends_with_a_summary_not_a_dict_or_scrapys_stats_dump(crawled_project):
    for log in (crawled_project.first_log, crawled_project.second_log):
        assert "Dumping Scrapy stats" not in log and "{'pages_fetched'" not in log, log[-3000:]
    assert summary(crawled_project.first_log).splitlines()[1:] == [
        "  pages     8 fetched (" + re.search(r"\((\d+\.\d/s)\)", crawled_project.first_log).group(1) + "), 0 not fetched",
        "  articles  5 new, 0 updated, 0 unchanged",
        "  skipped   0 not articles",
        "  stories   4 new, 0 grown",
    ]
    second = summary(crawled_project.second_log)
    assert "unchanged since the last run: feed 1, listing 1, sitemap 1" in second
    assert "  articles  0 new, 0 updated, 0 unchanged" in second and "  stories   0 new, 0 grown" in second


def test_the_summary_counts_failures_skips_and_a_story_grown_as_the_database_does(web_crawls):
    first, second = summary(web_crawls.first), summary(web_crawls.second)
    # the site's 404 and 500 pages, its robots.txt-forbidden one
    assert re.search(r"  pages     \d+ fetched \(\d+\.\d/s\), 3 not fetched \(http_404 1, http_500 1, robots_forbidden 1\)", first), first
    assert "  articles  3 new, 0 updated, 0 unchanged" in first and "  stories   3 new, 0 grown" in first
    # the new AFP copy joins the story of the one stored in the first run
    assert "  articles  1 new, 0 updated, 0 unchanged" in second and "  stories   0 new, 1 grown" in second, second
    with sqlite3.connect(web_crawls.project / "news.db") as conn:
        (size,) = conn.execute("SELECT max(size) FROM clusters").fetchone()
        runs = conn.execute("SELECT articles_new FROM crawl_runs ORDER BY id").fetchall()
    assert size == 2 and runs == [(3,), (1,)]


def test_a_long_crawl_says_every_interval_how_it_goes(web_crawls):
    progress = [line for line in web_crawls.first.splitlines() if "Progress after" in line]
    assert len(progress) >= 3, web_crawls.first[-3000:]
    for line in progress:
        assert re.search(r"Progress after \d+ s: \d+ pages fetched \(\d+\.\d/s\), \d+ articles stored, \d+ skipped, \d+ queued$", line), line
    assert any(not line.endswith(", 0 queued") for line in progress)  # what is left to do, while it lasts
    assert "pages/min" not in web_crawls.first  # Scrapy's own line is replaced, not doubled


def test_scrapys_stats_dump_is_one_setting_away(tmp_path):
    page = FIXTURES / "site" / "articles"
    result = scrapy_crawl(copy_project(tmp_path / "proj"), "-a", f"url={next(page.glob('*.html'))}", "-s", "STATS_DUMP=True")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Dumping Scrapy stats" in result.stderr and "'wiredup/stored/new': 1" in result.stderr


def test_the_readme_shows_the_summary_and_the_progress_line_a_crawl_prints(crawled_project, web_crawls):
    readme = (ROOT / "README.md").read_text()
    shown = summary(readme)
    assert comparable(shown) == comparable(summary(crawled_project.first_log))
    (example,) = re.findall(r"Progress after [^\n`]+", readme)
    real = next(line for line in web_crawls.first.splitlines() if "Progress after" in line)
    assert comparable(example) == comparable(real.split("] INFO: ", 1)[1])


def comparable(text: str) -> str:
    """Without what changes from run to run: times and rates (and progress counts)."""
    text = re.sub(r"\b(in|after) \d[\d a-z]*:", r"\1 <time>:", text)
    text = re.sub(r"\d+\.\d/s", "<rate>", text)
    return re.sub(r"\d+ (pages fetched|articles stored|skipped|queued)", r"N \1", text) if "Progress" in text else text


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
