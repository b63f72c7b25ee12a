"""Rebuild stored articles from their raw HTML after extraction settings or clutter learning changed (Scrapy-free).

Pass 1 extracts every ``raw_pages`` row again (``wiredup.extract.article``) and
records its paragraphs for the clutter learning; pass 2 removes each site's
learned clutter from the stored texts; articles whose text changed are signed
again for grouping. A page that no longer extracts keeps its stored article
(nothing stored is lost) and is counted. Each batch is its own transaction:
an interrupted run leaves consistent rows, and running it again completes it.
A changed text owes the database a regroup (wiredup.store.pending), recorded with
the change: a run killed before its regroup leaves it owed, and the next run
(or ``wiredup regroup``) does it, though no text changes then.
"""

from __future__ import annotations

import gzip
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from wiredup.extract.article import NotAnArticle, extract_article
from wiredup.extract.clutter import blocks, clutter_site
from wiredup.settings import ClutterRules, GroupingSettings, Settings
from wiredup.store import pending
from wiredup.store.articles import sign_again, update_extracted
from wiredup.store.queries import raw_pages, text_hashes
from wiredup.store.site_blocks import clean_stored, learned_clutter, record_page

logger = logging.getLogger(__name__)
BATCH = 200


@dataclass
class ReextractReport:
    pages: int = 0
    changed: int = 0  # articles whose stored text changed
    decluttered: int = 0  # articles cleaned of learned site clutter in pass 2
    kept: Counter = field(default_factory=Counter)  # pages that no longer extract, by reason: stored article kept
    regroup_owed: bool = False  # texts changed, by this run or a killed one, and no regroup has followed yet


def reextract(
    db,
    rules: ClutterRules,
    grouping: GroupingSettings,
    min_text_chars: int = Settings.min_text_chars,
    progress: Callable[[int], None] | None = None,
) -> ReextractReport:
    """Extract every stored page again; returns what changed.

    >>> from wiredup.store.schema import open_database
    >>> reextract(open_database(":memory:"), ClutterRules(), GroupingSettings()).pages
    0
    """
    report = ReextractReport()
    owed_before = pending.owed(db, "regroup")
    sites: set[str] = set()
    before = text_hashes(db)
    rows = raw_pages(db)
    for start in range(0, len(rows), BATCH):
        with db.atomic():
            for article_id, fetched_url, encoding, html_gzip, stored_url, text_hash in rows[start : start + BATCH]:
                report.pages += 1
                html = gzip.decompress(html_gzip).decode(encoding or "utf-8", errors="replace")
                try:
                    article = extract_article(html, fetched_url, min_text_chars)
                except NotAnArticle as skipped:
                    report.kept[skipped.reason] += 1
                    if progress:
                        progress(1)
                    continue
                site = clutter_site(stored_url)
                sites.add(site)
                record_page(db, article_id, site, blocks(article.text))
                update_extracted(db, article_id, article)
                if article.text_hash != text_hash:
                    sign_again(db, article_id, article.text, grouping)
                    pending.owe(db, "regroup")
                if progress:
                    progress(1)

    if sites:
        with db.atomic():  # clutter removal changes texts in transactions of its own
            pending.owe(db, "regroup")
    for site in sorted(sites):
        report.decluttered += clean_stored(db, site, learned_clutter(db, site, rules), grouping)
    after = text_hashes(db)
    report.changed = sum(1 for article_id, text_hash in after.items() if before.get(article_id) != text_hash)
    if not report.changed and not owed_before:
        with db.atomic():
            pending.settle(db, "regroup")
    report.regroup_owed = pending.owed(db, "regroup")
    return report

