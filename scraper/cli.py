"""The ``wiredup`` command line: the database path first, like ``sqlite-utils``."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from scraper import queries
from scraper.database import DatabaseError, open_database


@click.group()
@click.version_option(package_name="wiredup")
def cli():
    """Query a wiredup news database.

    Example: wiredup clusters news.db
    """


def _open(path: str):
    try:
        return open_database(path)
    except DatabaseError as error:
        raise click.ClickException(str(error)) from None


database_argument = click.argument("database", type=click.Path(exists=True, dir_okay=False))
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


@cli.command()
@database_argument
@click.option("--limit", type=int, default=None, help="Show at most this many stories.")
@json_option
def clusters(database, limit, as_json):
    """One row per story: how many copies, on how many outlets, first published.

    Example: wiredup clusters news.db --limit 10
    """
    _print(queries.stories(_open(database), limit), as_json, title="Stories")


@cli.command()
@database_argument
@click.argument("cluster_id", type=int)
@json_option
def show(database, cluster_id, as_json):
    """The articles of one story (a merged cluster id still works).

    Example: wiredup show news.db 1
    """
    rows = queries.story_members(_open(database), cluster_id)
    if not rows:
        raise click.ClickException(f"no cluster {cluster_id} in {database}")
    _print(rows, as_json, title=f"Story {cluster_id}")


def _print(rows: list[dict], as_json: bool, title: str) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    # the table is for reading: days not instants, no URLs (--json has every value)
    shown = [{key: _readable(key, value) for key, value in row.items() if key not in HIDDEN_IN_TABLES} for row in rows]
    table = Table(title=title)
    for column in shown[0] if shown else ["(none)"]:
        wraps = column in WRAPPED_IN_TABLES
        table.add_column(column.replace("_", " "), no_wrap=not wraps, ratio=1 if wraps else None)
    for row in shown:
        table.add_row(*row.values())
    Console().print(table)


HIDDEN_IN_TABLES = {"url", "representative_url"}
WRAPPED_IN_TABLES = {"title", "first_outlet", "sitename"}


def _readable(column: str, value) -> str:
    if value is None:
        return ""
    if column in ("published", "first_published", "first_seen"):
        return str(value)[:10]
    return str(value)
