"""What a crawl run did, as the few lines a person reads at its end (a crawl or ``wiredup ingest``).

The run's counters (Scrapy's stats, or ``Counters``) say what was fetched, stored and skipped; the
database says what became of the stories. Every counter stays in ``crawl_runs.stats``
(``wiredup stats``) and, with ``-s STATS_DUMP=True``, in Scrapy's dump.
"""

from __future__ import annotations


def run_summary(db, run_id: int, reason: str, stats: dict, seconds: float) -> str:
    """The end-of-run summary: a header line, then pages, articles, skipped pages and stories.

    >>> from wiredup.store.schema import open_database
    >>> db = open_database(":memory:")
    >>> stats = {"response_received_count": 8, "wiredup/stored/new": 5, "wiredup/skipped/section_front": 2,
    ...          "wiredup/fetch_failed/http_404": 1, "wiredup/incremental/unchanged/feed": 1}
    >>> print(run_summary(db, 1, "finished", stats, 12.5))
    Crawl run 1 finished (finished) in 12 s:
      pages     8 fetched (0.6/s), 1 not fetched (http_404 1); unchanged since the last run: feed 1
      articles  5 new, 0 updated, 0 unchanged
      skipped   2 not articles (section_front 2)
      stories   0 new, 0 grown
    """
    fetched = stats.get("response_received_count", 0)
    pages = f"{fetched} fetched ({fetched / seconds if seconds else 0:.1f}/s), {_by_reason(stats, 'wiredup/fetch_failed/', 'not fetched')}"
    # feeds, sitemaps and listings answered 304, or with the body of the last run
    unchanged = _reasons(stats, "wiredup/incremental/unchanged/")
    for kind, count in _reasons(stats, "wiredup/incremental/not_modified/").items():
        unchanged[kind] = unchanged.get(kind, 0) + count
    if unchanged:
        pages += f"; unchanged since the last run: {_listed(unchanged)}"
    waiting = _reasons(stats, "wiredup/incremental/")  # articles not asked: stored before, not due, backing off
    if waiting:
        pages += f"; not asked: {_listed(waiting)}"
    articles = ", ".join(f"{stats.get(f'wiredup/stored/{outcome}', 0)} {outcome}" for outcome in ("new", "updated", "unchanged"))
    if stats.get("wiredup/store_failed"):
        articles += f", {stats['wiredup/store_failed']} not stored (a database error: logged above)"
    new, grown = story_counts(db, run_id)
    return "\n".join([
        f"Crawl run {run_id} finished ({reason}) in {duration(seconds)}:",
        f"  pages     {pages}",
        f"  articles  {articles}",
        f"  skipped   {_by_reason(stats, 'wiredup/skipped/', 'not articles')}",
        f"  stories   {new} new, {grown} grown",
    ])


def story_counts(db, run_id: int) -> tuple[int, int]:
    """Stories the run made (and that are still there), and earlier stories an article new in the
    run joined. Stories are few and narrow rows; only those changed since the run started are
    looked into."""
    started = db.execute("SELECT started FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    new, grown = db.execute(
        """SELECT count(*) FILTER (WHERE created_run_id = :run),
                  count(*) FILTER (WHERE created_run_id IS NOT :run AND updated >= :started AND EXISTS (
                      SELECT 1 FROM articles WHERE cluster_id = clusters.id AND first_run_id = :run))
           FROM clusters""",
        {"run": run_id, "started": started[0] if started else ""},
    ).fetchone()
    return new, grown


def duration(seconds: float) -> str:
    """
    >>> duration(0.4), duration(75), duration(3725)
    ('0 s', '1 min 15 s', '1 h 2 min')
    """
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _reasons(stats: dict, prefix: str) -> dict[str, int]:
    """The counters named ``prefix`` + one more name (deeper ones are another breakdown), by that name."""
    found = {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix) and value}
    return {name: value for name, value in found.items() if "/" not in name}


def _by_reason(stats: dict, prefix: str, what: str) -> str:
    """"N what (reason n, ...)" for the counters under ``prefix``; "0 what" when there are none."""
    reasons = _reasons(stats, prefix)
    return f"{sum(reasons.values())} {what}" + (f" ({_listed(reasons)})" if reasons else "")


def _listed(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
