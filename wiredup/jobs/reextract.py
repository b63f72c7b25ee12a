"""Rebuild stored articles from their raw HTML after extraction settings or clutter learning changed (Scrapy-free).

Pass 1 extracts every ``raw_pages`` row again (``wiredup.extract.article``) and
records its paragraphs for the clutter learning; pass 2 removes each site's
learned clutter from the stored texts; articles whose text changed are signed
again for grouping. A page that no longer extracts keeps its stored article
(nothing stored is lost) and is counted. Each batch is its own transaction:
an interrupted run leaves consistent rows, and running it again completes it.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from wiredup.extract.clutter import ClutterRules, blocks, clean_stored, learned_clutter, record_page, site_of
from wiredup.extract.article import NotAnArticle, extract_article
from wiredup.group.fingerprint import GroupingSettings, fingerprint

logger = logging.getLogger(__name__)
BATCH = 200


@dataclass
class ReextractReport:
    pages: int = 0
    changed: int = 0  # articles whose stored text changed
    decluttered: int = 0  # articles cleaned of learned site clutter in pass 2
    kept: Counter = field(default_factory=Counter)  # pages that no longer extract, by reason: stored article kept


def reextract(
    db,
    rules: ClutterRules,
    grouping: GroupingSettings,
    min_text_chars: int = 250,
    progress: Callable[[int], None] | None = None,
) -> ReextractReport:
    """Extract every stored page again; returns what changed.

    >>> from wiredup.store.schema import open_database
    >>> reextract(open_database(":memory:"), ClutterRules(), GroupingSettings()).pages
    0
    """
    report = ReextractReport()
    scheme = json.dumps(grouping.scheme(), sort_keys=True)
    sites: set[str] = set()
    before = dict(db.execute("SELECT id, text_hash FROM articles"))
    rows = db.execute(
        "SELECT raw_pages.article_id, raw_pages.url, raw_pages.encoding, raw_pages.html_gzip, articles.url, articles.text_hash "
        "FROM raw_pages JOIN articles ON articles.id = raw_pages.article_id ORDER BY raw_pages.article_id"
    ).fetchall()
    for start in range(0, len(rows), BATCH):
        with db.conn:
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
                site = site_of(stored_url)
                sites.add(site)
                record_page(db, article_id, site, blocks(article.text))
                db["articles"].update(article_id, {
                    "title": article.title,
                    "authors": json.dumps(article.authors, ensure_ascii=False),
                    "published": article.published,
                    "updated": article.updated,
                    "language": article.language,
                    "sitename": article.sitename,
                    "description": article.description,
                    "image": article.image,
                    "section": article.section,
                    "text": article.text,
                    "text_hash": article.text_hash,
                })
                if article.text_hash != text_hash:
                    _sign(db, scheme, article_id, article.text, grouping)
                if progress:
                    progress(1)

    def resign(article_id: int, text: str) -> None:
        _sign(db, scheme, article_id, text, grouping)

    for site in sorted(sites):
        report.decluttered += clean_stored(db, site, learned_clutter(db, site, rules), on_change=resign)
    after = dict(db.execute("SELECT id, text_hash FROM articles"))
    report.changed = sum(1 for article_id, text_hash in after.items() if before.get(article_id) != text_hash)
    return report


def _sign(db, scheme: str, article_id: int, text: str, grouping: GroupingSettings) -> None:
    db["signatures"].upsert(
        {"article_id": article_id, "scheme": scheme, **fingerprint(text, grouping).to_columns()}, pk="article_id"
    )
