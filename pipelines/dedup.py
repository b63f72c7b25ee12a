"""DedupPipeline: which stored articles a new article is a copy of.

At open it loads every stored signature into a MinHash LSH candidate index, so
a crawl groups against all earlier runs, not only its own pages. For each item
it finds candidates, decides each pair exactly (pipelines.near_duplicates) and
hands the matches on; StorePipeline turns them into clusters.
"""

from __future__ import annotations

import json
import logging

from scraper.database import open_database
from scraper.items import ArticleItem
from pipelines.near_duplicates import CandidateIndex, Fingerprint, GroupingSettings, compare, fingerprint

logger = logging.getLogger(__name__)

# settings.py name -> GroupingSettings field; unset (None) keeps the measured default
SETTING_FIELDS = {
    "WIREDUP_DEDUP_SHINGLE_SIZE": ("shingle_size", "getint"),
    "WIREDUP_DEDUP_NUM_PERM": ("num_perm", "getint"),
    "WIREDUP_DEDUP_LSH_THRESHOLD": ("lsh_threshold", "getfloat"),
}


def grouping_settings(settings) -> GroupingSettings:
    """GroupingSettings from Scrapy settings, keeping the defaults for what is unset."""
    overrides = {
        field: getattr(settings, getter)(name)
        for name, (field, getter) in SETTING_FIELDS.items()
        if settings.get(name) is not None
    }
    return GroupingSettings(**overrides)


class DedupPipeline:
    def __init__(self, database_path: str, grouping: GroupingSettings, stats):
        self.database_path = database_path
        self.grouping = grouping
        self.stats = stats
        self.index: CandidateIndex | None = None
        self.fingerprints: dict[str, Fingerprint] = {}
        self.text_hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("WIREDUP_DATABASE"), grouping_settings(crawler.settings), crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        db = open_database(self.database_path)
        try:
            self._load(db)
        finally:
            db.conn.close()

    def _load(self, db) -> None:
        scheme = json.dumps(self.grouping.scheme(), sort_keys=True)
        rows = db.execute(
            """SELECT articles.url, articles.text_hash, articles.text, signatures.scheme,
                      signatures.minhash, signatures.shingles, signatures.passages
               FROM articles LEFT JOIN signatures ON signatures.article_id = articles.id"""
        )
        recomputed = 0
        for url, text_hash, text, stored_scheme, minhash, shingles, passages in rows:
            if stored_scheme == scheme:
                columns = {"minhash": minhash, "shingles": shingles, "passages": passages}
                self.fingerprints[url] = Fingerprint.from_columns(columns, self.grouping)
            else:
                # signed under other settings: comparable only if signed again
                self.fingerprints[url] = fingerprint(text, self.grouping)
                recomputed += 1
            self.text_hashes[url] = text_hash
        if recomputed:
            logger.warning(
                "%d stored signatures were made with other grouping settings and were recomputed "
                "in memory; their groups stay as stored until the database is regrouped",
                recomputed,
            )
        self.index = CandidateIndex(self.grouping)
        self.index.add_many(self.fingerprints.items())
        logger.info("Grouping against %d stored articles", len(self.fingerprints))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        url = item.canonical_url
        if self.text_hashes.get(url) == item.text_hash:
            item.unchanged = True
            self.stats.inc_value("wiredup/dedup/unchanged")
            return item
        if url in self.index:  # the article changed since it was stored
            self.index.remove(url)
        item.fingerprint = fingerprint(item.text, self.grouping)
        for other in sorted(self.index.candidates(item.fingerprint)):
            match = compare(item.fingerprint, self.fingerprints[other], self.grouping)
            if match.same_story:
                item.matches.append((other, match))
        self.stats.inc_value("wiredup/dedup/matched" if item.matches else "wiredup/dedup/unique")
        self.index.add(url, item.fingerprint)
        self.fingerprints[url] = item.fingerprint
        self.text_hashes[url] = item.text_hash
        return item
