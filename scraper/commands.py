"""The ``wiredup`` command: wiredup.cli's commands, and those that run Scrapy's side of wiredup.

``wiredup crawl`` runs the news spider and ``wiredup ingest`` drives the worker mode's Redis queues
(scrapy-redis requests), so they are added here, over the Scrapy-free command group, which never
imports scraper.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from wiredup.cli import cli, command_settings, settings_option

# The folder holding this Scrapy project (scrapy.cfg, settings.py, scraper/, pipelines/): a clone's
# top, or wiredup/project in an installed wheel.
PROJECT = Path(__file__).resolve().parents[1]


def main() -> None:
    """The ``wiredup`` console script: the project's folder on sys.path, then the command group.

    An installed wheel imports this module as ``wiredup.project.scraper.commands`` and installs no
    top-level ``scraper``, ``pipelines`` or ``settings`` (``settings`` would shadow any other
    project's); as ``scrapy crawl`` does with scrapy.cfg's folder, the folder goes first on sys.path
    in this process only, so the project's modules import under the names a clone gives them.
    """
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    cli()


@cli.command()
@click.option("--sources", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="The sites to crawl (default: sources.toml here, else the bundled fixture site).")
@click.option("--db", "database", type=click.Path(dir_okay=False), default="news.db", show_default=True,
              metavar="FILE", help="The database to write.")
@settings_option
def crawl(sources, database, overrides):
    """Crawl the sources into the database: the news spider with wiredup's settings, from any folder.

    The same crawl as ``scrapy crawl news`` in a clone (exit status, log and database alike), for an
    installed wiredup; -s sets any Scrapy or WIREDUP_* setting for the run.

    Example: wiredup crawl --sources sources.toml --db news.db
    """
    if sources is None:
        sources = "sources.toml"
        if not Path(sources).is_file():
            sources = PROJECT / "sources.toml"
            click.echo(f"wiredup: no sources.toml here: crawling the bundled fixture site ({sources}); "
                       "--sources FILE names your sites", err=True)
    from scrapy.cmdline import execute

    if str(PROJECT) not in sys.path:  # as main() does (wiredup crawl run through the core's group)
        sys.path.insert(0, str(PROJECT))
    # this project's settings.py, whatever scrapy.cfg the working folder has
    os.environ["SCRAPY_SETTINGS_MODULE"] = "settings"
    argv = ["scrapy", "crawl", "news", "-s", f"WIREDUP_SOURCES={Path(sources).resolve()}",
            "-s", f"WIREDUP_DATABASE={database}"]
    for override in overrides:
        argv += ["-s", override]
    execute(argv)  # exits with scrapy crawl's status


@cli.command()
@click.argument("database", type=click.Path(dir_okay=False))
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The Redis the crawl workers share (their WIREDUP_REDIS_URL), e.g. redis://localhost:6379/0.")
@click.option("--stop-when-idle", type=float, metavar="SECONDS",
              help="Stop when no message came for this long and no worker is alive.")
@settings_option
def ingest(database, redis_url, stop_when_idle, overrides):
    """Group and store what crawl workers (WIREDUP_MODE=worker) extract: the database's only writer.
    Runs until SIGTERM or Ctrl-C (or --stop-when-idle), then records the run in crawl_runs.

    Example: wiredup ingest news.db --redis redis://localhost:6379/0
    """
    import logging

    import redis

    from scraper.ingest import Ingest
    from scraper.worker_mode import RedisUnreachable

    settings = command_settings(overrides, {"WIREDUP_DATABASE": database})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    try:
        counts = Ingest(settings, redis_url).run(stop_when_idle)
    except RedisUnreachable as error:  # at the start: nothing was written
        raise click.ClickException(f"--redis: {error}") from None
    except redis.exceptions.ConnectionError as error:  # lost mid-run: the run is recorded as failed
        raise click.ClickException(f"lost Redis at {redis_url}: {error}") from None
    click.echo(json.dumps(counts))
