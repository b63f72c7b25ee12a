"""The ``wiredup`` command line: the database path first, like ``sqlite-utils``.

Every listing prints a table for reading, ``--json`` or ``--csv`` for scripts;
long jobs show a progress bar on stderr. These are the Scrapy-free commands;
scraper.commands adds the one that drives the crawl workers (``ingest``).
"""

from __future__ import annotations

import csv
import json
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wiredup.store import queries
from wiredup.store.schema import DatabaseError, open_database, read_database

# SQLite's integers: a larger number can name no row, and sqlite3 raises OverflowError on it
LARGEST_ID = 2**63 - 1


class _Commands(click.Group):
    """The command group; a command that cannot go on says why in one line and exits 1, never
    with a traceback: an output it cannot write (``-o /dev/full``), a number too large for an id."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OverflowError:
            raise click.ClickException(f"a number given is too large for an id (at most {LARGEST_ID})") from None
        except OSError as error:
            where = f" {error.filename}" if error.filename else ""
            raise click.ClickException(f"cannot write{where}: {error.strerror or error}") from None


@click.group(cls=_Commands)
@click.version_option(package_name="wiredup")
def cli():
    """Query a wiredup news database.

    Example: wiredup clusters news.db
    """


def _open(path: str):
    """The database to read: opened read-only, so a read changes no file, wiredup's or another's."""
    try:
        return read_database(path)
    except DatabaseError as error:
        raise click.ClickException(str(error)) from None


def _open_to_write(path: str, command: str):
    """The database to write, with its write lock held until the command exits (a crawl, a
    regroup, a re-extraction never interleave their writes: wiredup.run_lock)."""
    from wiredup.run_lock import DatabaseLock, LockBusy

    try:
        checked = read_database(path)  # refuses another application's file before any write, lock file included
        checked.conn.close()
    except DatabaseError as error:
        if "older wiredup" not in str(error):  # an older schema is what opening to write brings up to date
            raise click.ClickException(str(error)) from None
    lock = DatabaseLock(path, wait=False, holder=command)
    try:
        lock.acquire()
    except LockBusy as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{path}: cannot write beside it ({error.strerror}: {lock.path}); "
                                   "make its folder writable, or use a copy") from None
    click.get_current_context().call_on_close(lock.release)
    try:
        return open_database(path)
    except DatabaseError as error:
        raise click.ClickException(str(error)) from None


def _reference(ctx, param, value):
    """An id (or a URL) as given; one line, before anything is opened, for an id no row can have."""
    if value is not None and value.strip().isdigit() and int(value) > LARGEST_ID:
        raise click.ClickException(f"{value}: no such id; ids are at most {LARGEST_ID}")
    return value


def _day(ctx, param, value):
    """A --since / --until day as YYYY-MM-DD (a full ISO date and time is taken too); one line when it is not one."""
    if value is None:
        return None
    from datetime import datetime

    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.ClickException(f"{param.opts[0]} {value!r}: not a date; give a day as YYYY-MM-DD") from None
    return value.strip()


database_argument = click.argument("database", type=click.Path(exists=True, dir_okay=False))


def output_options(command):
    """--json and --csv: the same rows for scripts instead of a table; one or the other."""
    command = click.option("--csv", "as_csv", is_flag=True, callback=_one_format, help="Print CSV instead of a table.")(command)
    return click.option("--json", "as_json", is_flag=True, callback=_one_format, help="Print JSON instead of a table.")(command)


def _one_format(ctx, param, value):
    """Refuse --json with --csv (whichever click reads second), rather than pick one silently."""
    if value:
        ctx.meta.setdefault("formats", []).append(param.opts[0])
        if len(ctx.meta["formats"]) > 1:
            raise click.UsageError("--json or --csv: one or the other", ctx)
    return value


@cli.command()
@database_argument
@click.option("--since", metavar="DATE", callback=_day, help="First published on or after this day (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", callback=_day, help="First published on or before this day (YYYY-MM-DD).")
@click.option("--site", help="Only stories with an article from this site (sitename or source).")
@click.option("--min-size", type=int, default=1, show_default=True, help="Only stories with at least this many articles.")
@click.option("--sort", "order", type=click.Choice(sorted(queries.STORY_ORDER)), default="newest", show_default=True)
@click.option("--limit", type=int, default=None, help="Show at most this many stories.")
@output_options
def clusters(database, since, until, site, min_size, order, limit, as_json, as_csv):
    """One row per story: how many copies, on how many outlets, first seen and published, title.

    Example: wiredup clusters news.db --min-size 2 --sort largest --limit 10
    """
    rows = queries.stories(_open(database), limit, since=since, until=until, site=site, min_size=min_size, order=order)
    _print(rows, as_json, as_csv, title="Stories", columns=STORY_COLUMNS, fields=list(STORY_COLUMNS))


@cli.command()
@database_argument
@click.argument("story", callback=_reference)
@output_options
def show(database, story, as_json, as_csv):
    """The articles of one story (its id, or an article's id or URL: that article's story): site,
    published, similarity to the representative (the first published), and what each copy added
    to or cut from it. A merged story id still works.

    Example: wiredup show news.db 1
    """
    from wiredup.group.explain import changes

    db = _open(database)
    if story.isdigit():
        cluster_id = int(story)
    else:
        cluster_id = queries.cluster_of(db, _article_id(db, story, database))
    rows = queries.story_members(db, cluster_id)
    if not rows:
        raise click.ClickException(f"no cluster {cluster_id} in {database}")
    texts = queries.texts(db, [row["id"] for row in rows])
    representative = next(row["id"] for row in rows if row["representative"])
    for row in rows:
        changed = changes(texts[representative], texts[row["id"]])
        if as_json:
            row.update(changed)
        row["words_added"] = sum(len(paragraph.split()) for paragraph in changed["added"])
        row["words_cut"] = sum(len(paragraph.split()) for paragraph in changed["cut"])
    _print(rows, as_json, as_csv, title=f"Story {cluster_id}", columns=MEMBER_COLUMNS)


# Words are what search takes: "-russia" or "c++" is one, never an option click does not know.
@cli.command(context_settings={"ignore_unknown_options": True})
@database_argument
@click.argument("words", nargs=-1, required=True)
@click.option("--all", "all_copies", is_flag=True, help="Every matching copy, not one hit per story.")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--fts", is_flag=True, help='The words are an FTS5 query: "a phrase", OR, NOT, prefix*, NEAR().')
@output_options
def search(database, words, all_copies, limit, fts, as_json, as_csv):
    """Full-text search over titles and bodies: articles with every word (apostrophes, URLs and
    signs are searched as text), one hit per story unless --all; matched words are highlighted.

    Example: wiredup search news.db l'ambassadeur Macron
    Example: wiredup search news.db --fts 'ambassador NOT russia'
    """
    query = " ".join(words)
    try:
        rows = queries.search(_open(database), query, all_copies=all_copies, limit=limit, fts=fts)
    except queries.QueryError as error:
        raise click.ClickException(str(error)) from None
    _print(rows, as_json, as_csv, title=f"Search: {query}", columns=SEARCH_COLUMNS, fields=SEARCH_FIELDS)


@cli.command()
@database_argument
@click.argument("reference", callback=_reference)
@output_options
def article(database, reference, as_json, as_csv):
    """One article by id or URL: metadata, its story, the articles it was matched with, its text.

    Example: wiredup article news.db https://www.rfi.fr/en/international/20240417-france-russia-stand-on-opposite-sides-of-armenia-azerbaijan-conflict
    """
    found = queries.article(_open(database), reference)
    if found is None:
        raise click.ClickException(f"no article {reference!r} in {database}")
    if as_json or as_csv:
        _print([found], as_json, as_csv, title="Article")
        return
    console = Console()
    fields = Table(show_header=False, title=found["title"])
    for key in ("id", "url", "sitename", "source", "authors", "published", "language", "first_seen", "last_seen"):
        value = ", ".join(found[key]) if key == "authors" else found[key]
        fields.add_row(key.replace("_", " "), escape(str(value if value is not None else "")))
    fields.add_row("story", f"{found['cluster_id']} ({found['story_size']} articles)")
    for match in found["matches"]:
        fields.add_row("matched", escape(f"#{match['id']} {match['sitename']}: {match['method']}, containment {match['containment']}"))
    console.print(fields)
    console.print(escape(found["text"]))


@cli.command()
@database_argument
@click.option("--runs", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many recent crawl runs to list (0: none, only the sources).")
@output_options
def stats(database, runs, as_json, as_csv):
    """Per crawl run (fetched, stored, skipped by reason) and per site (pages, stored, skipped, grouped).
    --csv prints two tables, the runs then the sources, a blank line between them.

    Example: wiredup stats news.db --runs 5
    """
    db = _open(database)
    run_rows, site_rows = queries.run_stats(db, runs), queries.source_stats(db)
    if as_json:
        click.echo(json.dumps({"runs": run_rows, "sites": site_rows}, indent=2, ensure_ascii=False))
    elif as_csv:
        _write_csv(run_rows, RUN_FIELDS)
        click.echo()
        _write_csv(site_rows, SOURCE_FIELDS)
    else:
        _print(run_rows, False, False, title="Crawl runs", columns=RUN_COLUMNS)
        _print(site_rows, False, False, title="Sources", columns=SOURCE_COLUMNS)


@cli.command()
@database_argument
@click.argument("what", type=click.Choice(["articles", "clusters"]))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout).")
def export(database, what, fmt, output):
    """Every article (with its text and story id) or every story, as JSON lines or CSV.

    Example: wiredup export news.db articles --format csv -o articles.csv
    """
    total, columns, cursor = queries.export(_open(database), what)
    writer = csv.DictWriter(output, columns) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    with click.progressbar(cursor, length=total, label=f"Exporting {what}", file=sys.stderr) as rows:
        for values in rows:
            row = dict(zip(columns, values))
            if writer:
                writer.writerow(row)  # a CSV cell holds the authors as the JSON list stored
            else:
                if "authors" in row:  # a list, as `wiredup article --json` gives it, not a string
                    row["authors"] = json.loads(row["authors"] or "[]")
                output.write(json.dumps(row, ensure_ascii=False) + "\n")
    output.flush()  # a full disk shows here: click closes the file later and says nothing if that fails


def _print(rows: list[dict], as_json: bool, as_csv: bool, title: str, columns: dict[str, str] | None = None,
           fields: list[str] | None = None) -> None:
    """Rows as JSON, CSV (every key; ``fields`` head an empty CSV), or a table of ``columns``
    (key -> header; all keys when None) that says "none" when there is no row."""
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if as_csv:
        _write_csv(rows, fields)
        return
    # the table is for reading: the columns that fit 80 characters, days not
    # instants (--json and --csv have every value)
    columns = columns or {key: key.replace("_", " ") for key in (rows[0] if rows else {})}
    table = Table(title=title)
    for key, header in (columns or {"": "(none)"}).items():
        wraps = key in WRAPPED_IN_TABLES
        table.add_column(header, no_wrap=not wraps, ratio=WRAPPED_IN_TABLES.get(key))
    for row in rows:
        table.add_row(*(_readable(key, row.get(key)) for key in columns))
    if not rows:
        table.caption = "none"
    Console().print(table)


def _write_csv(rows: list[dict], fields: list[str] | None = None) -> None:
    """Rows as CSV with a header: their keys, or ``fields`` when there is no row (a script reading
    the columns by name finds them either way); lists and dicts as JSON."""
    writer = csv.DictWriter(sys.stdout, list(rows[0]) if rows else fields or [], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
                         for key, value in row.items()})


# columns that wrap, with their share of the spare width
WRAPPED_IN_TABLES = {"title": 3, "snippet": 4, "first_outlet": 1, "sitename": 1, "skipped_by_reason": 2}

STORY_COLUMNS = {"cluster_id": "story", "size": "size", "outlets": "sites", "first_published": "published",
                 "first_seen": "seen", "first_outlet": "first outlet", "title": "title"}
MEMBER_COLUMNS = {"id": "id", "sitename": "site", "published": "published", "representative": "rep",
                  "containment": "shared", "words_added": "+words", "words_cut": "-words", "title": "title"}
SEARCH_COLUMNS = {"cluster_id": "story", "story_size": "size", "sitename": "site", "title": "title", "snippet": "snippet"}
# Every column of an empty listing's CSV: the keys its rows have (tests/test_answers.py checks them)
SEARCH_FIELDS = ["cluster_id", "story_size", "id", "sitename", "published", "title", "snippet", "url"]
RUN_FIELDS = ["run", "started", "finished", "finish_reason", "pages_fetched", "articles_new", "articles_updated",
              "articles_unchanged", "skipped", "skipped_by_reason", "fetch_failed"]
SOURCE_FIELDS = ["source", "pages", "new", "updated", "unchanged", "skipped", "skipped_by_reason", "articles",
                 "stories", "grouped"]
RUN_COLUMNS = {"run": "run", "started": "started", "pages_fetched": "fetched",
               "articles_new": "new", "articles_updated": "updated", "articles_unchanged": "same",
               "skipped_by_reason": "skipped", "fetch_failed": "failed"}
SOURCE_COLUMNS = {"source": "source", "pages": "pages", "new": "new", "updated": "updated", "unchanged": "same",
                  "skipped_by_reason": "skipped", "stories": "stories", "grouped": "grouped"}


def _readable(column: str, value) -> str:
    if value is None:
        return ""
    if column in ("published", "first_published", "first_seen", "last_published", "last_seen", "finished"):
        return str(value)[:10]
    if column == "started":
        return str(value)[:16].replace("T", " ")
    if column == "representative":
        return "*" if value else ""
    if column in ("jaccard", "containment") and isinstance(value, float):
        return f"{value:.2f}"
    if column == "snippet":
        # «match» -> bold; everything else printed as is, never as rich markup
        return escape(str(value)).replace("«", "[bold]").replace("»", "[/bold]")
    return escape(str(value))


def settings_option(command):
    """``-s NAME=VALUE``: a WIREDUP_* setting for this command, as ``scrapy crawl news -s`` takes it."""
    return click.option(
        "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
        help="A WIREDUP_* setting over settings.py's (repeatable), as for scrapy crawl.",
    )(command)


def grouping_options(command):
    """One option per GroupingSettings field (``--containment 0.4``...); unset, settings.py's value."""
    from dataclasses import fields

    from wiredup.settings import GroupingSettings, setting_name

    for spec in reversed(fields(GroupingSettings)):
        name = setting_name("grouping", spec.name)
        command = click.option(
            f"--{spec.name.replace('_', '-')}",
            name,
            type=type(spec.default),
            default=None,
            help=f"Grouping setting {name} (default: settings.py's, else {spec.default}).",
        )(command)
    return settings_option(command)


def command_settings(overrides: tuple[str, ...], options: dict):
    """The settings a command runs with: defaults, settings.py, ``-s NAME=VALUE``, then its own options
    (keyed by WIREDUP_* name; None: not given)."""
    from wiredup.settings import Settings, SettingsError, project_values

    values = project_values()
    for override in overrides:
        name, equals, value = override.partition("=")
        if not equals:
            raise click.BadParameter(f"{override!r}: use NAME=VALUE", param_hint="-s")
        values[name.strip()] = value.strip()
    values.update({name: value for name, value in options.items() if value is not None})
    try:
        return Settings.from_values(values)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@cli.command()
@database_argument
@grouping_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def regroup(database, as_json, overrides, **grouping):
    """Recompute every match and story of the database with these settings, without crawling.

    Story ids are kept wherever a story survives; corrections made with
    `wiredup same` / `wiredup different` are honoured. Use the same values in
    settings.py for later crawls to group the same way.

    Example: wiredup regroup news.db --containment 0.4
    """
    from wiredup.jobs.regroup import regroup as regroup_database

    db = _open_to_write(database, "regroup")
    total = queries.count(db, "articles")
    # progress on stderr, so that --json output stays parseable
    with click.progressbar(length=total, label="Regrouping", file=sys.stderr) as bar:
        report = regroup_database(db, command_settings(overrides, grouping).grouping, progress=bar.update)
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
    _echo_summary(summary, as_json, width=18)



def _echo_summary(summary: dict, as_json: bool, width: int) -> None:
    """A command's closing report: JSON, or one right-aligned ``name: value`` line per entry."""
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    for key, value in summary.items():
        click.echo(f"{key.replace('_', ' '):>{width}}: {value}")

@cli.command()
@database_argument
@click.option("--min-text-chars", "WIREDUP_MIN_TEXT_CHARS", type=int, help="WIREDUP_MIN_TEXT_CHARS (default: settings.py's).")
@click.option("--clutter-min-pages", "WIREDUP_CLUTTER_MIN_PAGES", type=int, help="WIREDUP_CLUTTER_MIN_PAGES (default: settings.py's).")
@click.option("--clutter-min-share", "WIREDUP_CLUTTER_MIN_SHARE", type=float, help="WIREDUP_CLUTTER_MIN_SHARE (default: settings.py's).")
@click.option("--allow", "WIREDUP_CLUTTER_ALLOW", multiple=True, metavar="REGEX",
              help="A repeated paragraph that is never clutter (repeatable; default: WIREDUP_CLUTTER_ALLOW).")
@settings_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def reextract(database, as_json, overrides, **options):
    """Rebuild every article from its stored raw HTML, then regroup what changed.

    Use it after changing extraction code or settings, or once a site has
    enough pages for its clutter to be learned. A page that no longer
    extracts keeps its stored article.

    Example: wiredup reextract news.db
    """
    from wiredup.jobs.reextract import reextract as reextract_database
    from wiredup.jobs.regroup import regroup as regroup_database

    options["WIREDUP_CLUTTER_ALLOW"] = options["WIREDUP_CLUTTER_ALLOW"] or None
    settings = command_settings(overrides, options)
    db = _open_to_write(database, "reextract")
    total = queries.count(db, "raw_pages")
    with click.progressbar(length=total, label="Re-extracting", file=sys.stderr) as bar:
        report = reextract_database(db, settings.clutter, settings.grouping, settings.min_text_chars, progress=bar.update)
    summary = {"pages": report.pages, "texts_changed": report.changed, "decluttered": report.decluttered,
               "kept_as_stored": dict(report.kept), "stories_changed": 0}
    if report.changed or report.regroup_owed:  # owed: changed by a run killed before its regroup
        with click.progressbar(length=queries.count(db, "articles"), label="Regrouping", file=sys.stderr) as bar:
            changes = regroup_database(db, settings.grouping, progress=bar.update).changes
        summary["stories_changed"] = changes["clusters"] - changes["unchanged"]
    _echo_summary(summary, as_json, width=16)


@cli.command()
@database_argument
@click.argument("article_a", callback=_reference)
@click.argument("article_b", callback=_reference)
@grouping_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a report.")
def explain(database, article_a, article_b, as_json, overrides, **grouping):
    """Why two articles (ids or URLs) are, or are not, one story: what decided (a correction, the
    window, the rule and its numbers, or other members of the story), scores, shared passages.

    Example: wiredup explain news.db 1 2
    """
    from wiredup.group.explain import explain as explain_pair

    try:
        report = explain_pair(_open(database), article_a, article_b, command_settings(overrides, grouping).grouping)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for label in ("a", "b"):
        article = report[label]
        click.echo(f"{label.upper()}: #{article['id']} {article['sitename'] or ''}, {str(article['published'] or '')[:10]}, "
                   f"story {article['cluster_id']}: {article['title']}")
    click.echo(_window_line(report["window"]))
    click.echo(f"Jaccard {report['jaccard']:.3f}  containment {report['containment']:.3f}  "
               f"shared passages {report['shared_passage_count']}  ->  {report['decision']}")
    stored = report["stored_match"]
    click.echo("Stored match: " + (f"{stored['method']} ({stored['matched_at']})" if stored else "none"))
    correction = report["correction"]
    click.echo("Correction: " + (f"{correction['relation']} ({correction['created']})" if correction else "none"))
    decider = DECIDERS.get(report["decided_by"], report["decided_by"])
    click.echo("Same story: " + ("yes" if report["same_cluster"] else "no") + f", decided by {decider}: {report['reason']}")
    click.echo(f"Passages of A that survive in B ({len(report['shared_passages'])}):")
    for passage in report["shared_passages"]:
        click.echo(f"  - {passage}")


def _window_line(window: dict) -> str:
    """The window part of `wiredup explain`: both dates, where they came from, how far apart."""
    if not window["days"]:
        return "Window: none (every pair is compared)"
    a, b = window["a"], window["b"]
    verdict = f"compared ({window['rule']})" if window["compared"] else "never compared"
    return (f"Window ({window['days']:g} days): A dated {a['story_date']} ({a['from']}), first seen {a['first_seen']}; "
            f"B dated {b['story_date']} ({b['from']}), first seen {b['first_seen']}\n"
            f"  story dates {window['story_days_apart']:g} days apart, first seen {window['first_seen_days_apart']:g} days apart"
            f"  ->  {verdict}")


DECIDERS = {"correction": "a correction", "window": "the window", "rule": "the rule", "story join": "the story join"}


def _article_id(db, reference: str, database: str) -> int:
    """The id of the article ``reference`` (an id or a URL) names, or exit 1 saying there is none."""
    found = queries.article_id(db, reference)
    if found is None:
        raise click.ClickException(f"no article with id or URL {reference!r} in {database}")
    return found


def _correction_command(relation: str, summary: str):
    @database_argument
    @click.argument("reference_a", metavar="A", callback=_reference)
    @click.argument("reference_b", metavar="B", callback=_reference)
    @click.option("--note", help="Why: kept with the correction.")
    def command(database, reference_a, reference_b, note):
        from wiredup.store.corrections import correct

        db = _open_to_write(database, relation)
        article_a, article_b = (_article_id(db, reference, database) for reference in (reference_a, reference_b))
        try:
            changes = correct(db, article_a, article_b, relation, note)
        except (LookupError, ValueError) as error:
            raise click.ClickException(str(error)) from None
        cluster_a, cluster_b = (queries.cluster_of(db, i) for i in (article_a, article_b))
        where = f"both in story {cluster_a}" if cluster_a == cluster_b else f"in stories {cluster_a} and {cluster_b}"
        click.echo(f"Articles {article_a} and {article_b} marked {relation}, honoured by every crawl and regroup; now {where}.")
        if changes["articles_moved"]:
            click.echo(f"{changes['articles_moved']} article(s) moved.")

    command.__doc__ = summary
    return command


cli.command("same")(_correction_command(
    "same",
    """Mark two articles (ids or URLs) as the same story; their stories merge.

    Example: wiredup same news.db 3 5 --note "same AFP story, rewritten"
    """,
))
cli.command("different")(_correction_command(
    "different",
    """Mark two articles (ids or URLs) as different stories; their story splits where the matches allow.

    Example: wiredup different news.db 1 2
    """,
))
