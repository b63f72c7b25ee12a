"""DeclutterPipeline: remove the paragraphs this site repeats on many pages (wiredup.extract.clutter).

Runs in the crawl's main process between extraction and grouping: it reads
what the database has learned about the item's site, drops the learned
clutter from the text and hands the page's paragraphs on for StorePipeline
to record. When the crawl closes, the stored pages of the sites it touched
are cleaned of clutter learned after they were stored, and re-signed for
grouping, so the stored texts do not depend on the order pages arrived in.
"""

from __future__ import annotations

import hashlib
import logging

from scrapy.exceptions import NotConfigured

from wiredup.extract.clutter import DEFAULT_ALLOW, ClutterRules, blocks, clean_stored, learned_clutter, remove_blocks, site_of, site_pages
from wiredup.store.schema import open_database
from scraper.items import ArticleItem

logger = logging.getLogger(__name__)


class DeclutterPipeline:
    def __init__(self, database_path: str, rules: ClutterRules, stats, grouping=None):
        self.database_path = database_path
        self.rules = rules
        self.stats = stats
        self.grouping = grouping
        self.db = None
        self.sites: set[str] = set()
        self.site_pages: dict[str, int] = {}  # stored pages per site, counted once then kept up to date here

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        min_pages = settings.getint("WIREDUP_CLUTTER_MIN_PAGES", 3)
        if min_pages <= 0:
            raise NotConfigured("WIREDUP_CLUTTER_MIN_PAGES is 0: no site clutter learning")
        from pipelines.dedup import grouping_settings

        rules = ClutterRules(
            min_pages=min_pages,
            min_share=settings.getfloat("WIREDUP_CLUTTER_MIN_SHARE", 0.5),
            allow=tuple(settings.getlist("WIREDUP_CLUTTER_ALLOW", list(DEFAULT_ALLOW))),
        )
        pipeline = cls(settings.get("WIREDUP_DATABASE"), rules, crawler.stats, grouping_settings(settings))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        self.db = open_database(self.database_path)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        site = site_of(item.canonical_url)
        self.sites.add(site)
        item.blocks = blocks(item.text)
        clutter = self._clutter(site, item)
        if clutter:
            text, removed = remove_blocks(item.text, clutter)
            item.text = text
            item.text_hash = hashlib.sha1(text.encode("utf-8")).hexdigest()
            self.stats.inc_value("wiredup/clutter/lines_removed", removed)
        return item

    def _clutter(self, site: str, item: ArticleItem) -> set[str]:
        """The learned clutter among this page's paragraphs, counting the page itself when it is new."""
        stored = self.db.execute(
            "SELECT 1 FROM page_blocks JOIN articles ON articles.id = page_blocks.article_id WHERE articles.url = ? LIMIT 1",
            [item.canonical_url],
        ).fetchone()
        extra = 0 if stored else 1
        if site not in self.site_pages:
            self.site_pages[site] = site_pages(self.db, site)
        self.site_pages[site] += extra
        needed = max(self.rules.min_pages, self.rules.min_share * self.site_pages[site])
        hashes = list(item.blocks)
        found = set()
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            rows = self.db.execute(
                f"SELECT block_hash, text, pages FROM site_blocks WHERE site = ? AND block_hash IN ({','.join('?' * len(chunk))})",
                [site, *chunk],
            )
            found |= {h for h, text, count in rows if count + extra >= needed and not self.rules.allowed(text)}
        return found

    def close_spider(self) -> None:
        """Clean the stored pages of this run's sites of clutter learned after they were stored.

        Scrapy closes pipelines in reverse order, so StorePipeline has written its last item by now.
        """
        if self.db is None:
            return
        from wiredup.group.fingerprint import fingerprint

        scheme = None
        if self.grouping is not None:
            import json

            scheme = json.dumps(self.grouping.scheme(), sort_keys=True)

        def resign(article_id: int, text: str) -> None:
            if scheme is not None:
                self.db["signatures"].upsert(
                    {"article_id": article_id, "scheme": scheme, **fingerprint(text, self.grouping).to_columns()},
                    pk="article_id",
                )

        cleaned = 0
        for site in sorted(self.sites):
            cleaned += clean_stored(self.db, site, learned_clutter(self.db, site, self.rules), on_change=resign)
        if cleaned:
            self.stats.inc_value("wiredup/clutter/stored_cleaned", cleaned)
            logger.info("Removed newly learned site clutter from %d stored article(s)", cleaned)
        self.db.conn.close()
        self.db = None
