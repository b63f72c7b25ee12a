"""The ``wiredup`` command line: the database path first, like ``sqlite-utils``."""

from __future__ import annotations

import json
import sys

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


def grouping_options(command):
    """One option per GroupingSettings field (``--containment 0.4``...), defaulting to the measured values."""
    from dataclasses import fields

    from pipelines.near_duplicates import GroupingSettings

    for spec in reversed(fields(GroupingSettings)):
        command = click.option(
            f"--{spec.name.replace('_', '-')}",
            spec.name,
            type=type(spec.default),
            default=spec.default,
            show_default=True,
            help=f"Grouping setting (settings.py: WIREDUP_DEDUP_{spec.name.upper()}).",
        )(command)
    return command


def _grouping(values: dict):
    from pipelines.near_duplicates import GroupingSettings

    return GroupingSettings(**values)


@cli.command()
@database_argument
@grouping_options
@json_option
def regroup(database, as_json, **grouping):
    """Recompute every match and story of the database with these settings, without crawling.

    Story ids are kept wherever a story survives; corrections made with
    `wiredup same` / `wiredup different` are honoured. Use the same values in
    settings.py for later crawls to group the same way.

    Example: wiredup regroup news.db --containment 0.4
    """
    from pipelines.regroup import regroup as regroup_database

    db = _open(database)
    (total,) = db.execute("SELECT count(*) FROM articles").fetchone()
    # progress on stderr, so that --json output stays parseable
    with click.progressbar(length=total, label="Regrouping", file=sys.stderr) as bar:
        report = regroup_database(db, _grouping(grouping), progress=bar.update)
    summary = {
        "articles": report.articles,
        "signed_again": report.resigned,
        "matches_before": report.matches_before,
        "matches_after": report.matches_after,
        "stories_before": report.clusters_before,
        "stories_after": report.changes["clusters"],
        "stories_unchanged": report.changes["unchanged"],
        "stories_new": report.changes["new"],
        "stories_merged": report.changes["merged"],
        "stories_split": report.changes["split"],
        "articles_moved": report.changes["articles_moved"],
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            click.echo(f"{key.replace('_', ' '):>18}: {value}")


@cli.command()
@database_argument
@click.argument("article_a")
@click.argument("article_b")
@grouping_options
@json_option
def explain(database, article_a, article_b, as_json, **grouping):
    """Why two articles (ids or URLs) are, or are not, one story: scores, rule, shared passages.

    Example: wiredup explain news.db 1 2
    """
    from pipelines.explain import explain as explain_pair

    try:
        report = explain_pair(_open(database), article_a, article_b, _grouping(grouping))
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for label in ("a", "b"):
        article = report[label]
        click.echo(f"{label.upper()}: #{article['id']} {article['sitename'] or ''}, {str(article['published'] or '')[:10]}, "
                   f"story {article['cluster_id']}: {article['title']}")
    click.echo(f"Jaccard {report['jaccard']:.3f}  containment {report['containment']:.3f}  "
               f"shared passages {report['shared_passage_count']}  ->  {report['decision']}")
    stored = report["stored_match"]
    click.echo("Stored match: " + (f"{stored['method']} ({stored['matched_at']})" if stored else "none"))
    correction = report["correction"]
    click.echo("Correction: " + (f"{correction['relation']} ({correction['created']})" if correction else "none"))
    click.echo("Same story: " + ("yes" if report["same_cluster"] else "no"))
    click.echo(f"Passages of A that survive in B ({len(report['shared_passages'])}):")
    for passage in report["shared_passages"]:
        click.echo(f"  - {passage}")


def _correction_command(relation: str, summary: str):
    @database_argument
    @click.argument("article_a", type=int)
    @click.argument("article_b", type=int)
    @click.option("--note", help="Why: kept with the correction.")
    def command(database, article_a, article_b, note):
        from scraper.corrections import correct

        db = _open(database)
        try:
            changes = correct(db, article_a, article_b, relation, note)
        except (LookupError, ValueError) as error:
            raise click.ClickException(str(error)) from None
        cluster_a, cluster_b = (
            db.execute("SELECT cluster_id FROM articles WHERE id = ?", [i]).fetchone()[0] for i in (article_a, article_b)
        )
        where = f"both in story {cluster_a}" if cluster_a == cluster_b else f"in stories {cluster_a} and {cluster_b}"
        click.echo(f"Articles {article_a} and {article_b} marked {relation}, honoured by every crawl and regroup; now {where}.")
        if changes["articles_moved"]:
            click.echo(f"{changes['articles_moved']} article(s) moved.")

    command.__doc__ = summary
    return command


cli.command("same")(_correction_command(
    "same",
    """Mark two articles (ids) as the same story; their stories merge.

    Example: wiredup same news.db 3 5 --note "same AFP story, rewritten"
    """,
))
cli.command("different")(_correction_command(
    "different",
    """Mark two articles (ids) as different stories; their story splits where the matches allow.

    Example: wiredup different news.db 1 2
    """,
))
