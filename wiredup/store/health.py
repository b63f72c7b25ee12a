"""Per-site extraction health of a crawl run, computed from the database at the run's end.

For each site (``articles.source``) with articles stored or found unchanged
in the run: how many, the shares with a title, a date and an author, and the
median text length, kept in ``extraction_health``. A share that falls by
``drop`` or more against the site's previous run is logged as a warning naming
the site: a redesign that broke extraction shows the next hour, not weeks later.
"""

from __future__ import annotations

import logging
from statistics import median

from wiredup.settings import Settings

logger = logging.getLogger(__name__)

SHARES = ("with_title", "with_date", "with_author")


def record_health(db, run_id: int, drop: float = Settings.health_drop) -> list[str]:
    """Store the run's health rows; return the warnings (also logged) for sharp drops.

    >>> from wiredup.store.schema import open_database
    >>> db = open_database(":memory:")
    >>> record_health(db, 1)
    []
    """
    rows = []
    by_site: dict[str, list] = {}
    for source, title, published, authors, chars in db.execute(
        "SELECT source, title, published, authors, length(text) FROM articles WHERE last_run_id = ?", [run_id]
    ):
        by_site.setdefault(source or "", []).append((title, published, authors, chars))
    for site, articles in sorted(by_site.items()):
        count = len(articles)
        rows.append({
            "run_id": run_id,
            "site": site,
            "articles": count,
            "with_title": round(sum(1 for a in articles if a[0]) / count, 4),
            "with_date": round(sum(1 for a in articles if a[1]) / count, 4),
            "with_author": round(sum(1 for a in articles if a[2] not in (None, "", "[]")) / count, 4),
            "median_chars": int(median(a[3] or 0 for a in articles)),
        })
    warnings = []
    for row in rows:
        previous = db.execute(
            "SELECT with_title, with_date, with_author, run_id FROM extraction_health WHERE site = ? AND run_id < ? "
            "ORDER BY run_id DESC LIMIT 1",
            [row["site"], run_id],
        ).fetchone()
        if previous is None:
            continue
        for name, before in zip(SHARES, previous[:3]):
            if before - row[name] >= drop:
                warnings.append(
                    f"Extraction health of site {row['site']!r}: {name.replace('_', ' ')} fell from "
                    f"{before:.0%} (run {previous[3]}) to {row[name]:.0%} (run {run_id})"
                )
    with db.atomic():
        db["extraction_health"].upsert_all(rows, pk=("run_id", "site"))
    for warning in warnings:
        logger.warning(warning)
    return warnings


def newest_run(db) -> int | None:
    """The id of the latest crawl run (one crawl per database at a time: the one that is ending)."""
    return db.execute("SELECT max(id) FROM crawl_runs").fetchone()[0]
