"""The ``wiredup`` command: wiredup.cli's commands, and those that run Scrapy's side of wiredup.

``wiredup ingest`` drives the worker mode's Redis queues (scrapy-redis requests), so it is added
here, over the Scrapy-free command group, which never imports scraper.
"""

from __future__ import annotations

import json

import click

from wiredup.cli import cli, command_settings, settings_option


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

    settings = command_settings(overrides, {"WIREDUP_DATABASE": database})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    try:
        counts = Ingest(settings, redis_url).run(stop_when_idle)
    except redis.exceptions.ConnectionError as error:
        raise click.ClickException(f"cannot reach Redis at {redis_url}: {error}") from None
    click.echo(json.dumps(counts))
