"""DedupPipeline: which stored articles a new article is a copy of.

At open it loads the MinHashes of the articles inside the grouping window
(WIREDUP_DEDUP_WINDOW_DAYS back from the newest stored story) into a compact
LSH candidate index (wiredup.group.candidate_index), so a crawl groups against
earlier runs, not only its own pages, while memory stays bounded as the
database grows: the index holds band keys and URLs only, and a stored
candidate's shingles and passages are read from the database when it is
proposed. For each item it finds candidates, decides each pair exactly
(wiredup.group.fingerprint) and hands the matches on; StorePipeline turns them
into clusters.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from wiredup.store.schema import open_database
from scraper.items import ArticleItem
from wiredup.urls import url_key
from wiredup.group.fingerprint import CandidateIndex, Fingerprint, GroupingSettings, compare, fingerprint
from wiredup.store.fingerprints import (
    StoredFingerprint,
    indexed_signatures,
    parse_story_date,
    stored_fingerprint,
    window_start,
    within_window,
)

logger = logging.getLogger(__name__)

_GETTERS = {int: "getint", float: "getfloat"}


def setting_name(field_name: str) -> str:
    """The settings.py name of a GroupingSettings field.

    >>> setting_name("min_shared_passages")
    'WIREDUP_DEDUP_MIN_SHARED_PASSAGES'
    """
    return f"WIREDUP_DEDUP_{field_name.upper()}"


def grouping_settings(settings) -> GroupingSettings:
    """GroupingSettings from Scrapy settings: WIREDUP_DEDUP_<FIELD>, unset (None) keeps the measured default."""
    overrides = {}
    for spec in dataclasses.fields(GroupingSettings):
        name = setting_name(spec.name)
        if settings.get(name) is not None:
            overrides[spec.name] = getattr(settings, _GETTERS[type(spec.default)])(name)
    return GroupingSettings(**overrides)


class DedupPipeline:
    def __init__(self, database_path: str, grouping: GroupingSettings, stats):
        self.database_path = database_path
        self.grouping = grouping
        self.stats = stats
        self.db = None
        self.index: CandidateIndex | None = None
        # Held in memory: this run's articles (StorePipeline may not have written them yet) and
        # stored ones signed again under new settings; every other candidate is read when proposed.
        self.fingerprints: dict[str, Fingerprint] = {}
        self.story_dates: dict = {}
        # this run's articles, ahead of what the database says (StorePipeline writes in batches)
        self.text_hashes: dict[str, str] = {}
        self.run_urls: dict[str, str] = {}  # url_key -> canonical URL
        self.kept_apart: set[frozenset] = set()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(settings.get("WIREDUP_DATABASE"), grouping_settings(settings), crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        self.db = open_database(self.database_path)
        started = time.perf_counter()
        since = window_start(self.db, self.grouping.window_days)
        self.index = CandidateIndex(self.grouping)
        signatures = indexed_signatures(self.db, self.grouping, since)
        self.index.add_hashvalues(signatures.urls, signatures.hashvalues)
        for url in signatures.stale_urls:
            stored = stored_fingerprint(self.db, url, self.grouping)
            self._remember(url, stored.fingerprint, stored.story_date)
            self.index.add(url, stored.fingerprint)
        resigned = len(signatures.stale_urls)
        self.kept_apart = {
            frozenset(pair)
            for pair in self.db.execute(
                """SELECT a.url, b.url FROM overrides JOIN articles a ON a.id = overrides.article_id
                   JOIN articles b ON b.id = overrides.other_id WHERE relation = 'different'"""
            )
        }
        if resigned:
            logger.warning(
                "%d stored signatures were made with other grouping settings and were signed again in memory; "
                "run `wiredup regroup` to store them and regroup with the new settings",
                resigned,
            )
        logger.info(
            "Grouping against %d stored articles (story dates from %s) loaded in %.2f s",
            len(self.index), since or "the first", time.perf_counter() - started,
        )

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.conn.close()
            self.db = None

    def _stored(self, url: str) -> tuple[str, str | None]:
        """The canonical URL the article is stored under and its text hash (None: not stored).

        Another edition of a stored article (http/https, www./m.) resolves to the
        stored row: one article, one row, whichever edition was fetched.
        """
        key = url_key(url)
        row = self.db.execute(
            "SELECT url, text_hash FROM articles WHERE url_key = ? ORDER BY url = ? DESC, id LIMIT 1", [key, url]
        ).fetchone()
        url = row[0] if row else self.run_urls.get(key, url)
        return url, self.text_hashes.get(url, row[1] if row else None)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        item.canonical_url, stored_hash = self._stored(item.canonical_url)
        url = item.canonical_url
        if stored_hash == item.text_hash:
            item.unchanged = True
            self.stats.inc_value("wiredup/dedup/unchanged")
            return item
        if url in self.index:  # the article changed since it was stored
            self.index.remove(url)
            self.fingerprints.pop(url, None)
        item.fingerprint = self._fingerprint(item)
        story_date = parse_story_date(item.published) or parse_story_date(item.fetched_at)
        for other in self.index.candidates(item.fingerprint):
            if frozenset((url, other)) in self.kept_apart:
                continue
            other_fingerprint, other_date = self._indexed(other)
            if not within_window(story_date, other_date, self.grouping.window_days):
                continue
            match = compare(item.fingerprint, other_fingerprint, self.grouping)
            if match.same_story:
                item.matches.append((other, match))
        self.stats.inc_value("wiredup/dedup/matched" if item.matches else "wiredup/dedup/unique")
        self.index.add(url, item.fingerprint)
        self._remember(url, item.fingerprint, story_date)
        self.text_hashes[url] = item.text_hash
        self.run_urls.setdefault(url_key(url), url)
        return item

    def _fingerprint(self, item: ArticleItem) -> Fingerprint:
        """The item's fingerprint: the one an extraction worker made, while the text is still the one it signed."""
        if item.presigned is not None and item.presigned[0] == item.text:
            return item.presigned[1]
        return fingerprint(item.text, self.grouping)

    def _remember(self, url: str, fp: Fingerprint, story_date) -> None:
        self.fingerprints[url] = fp
        self.story_dates[url] = story_date

    def _indexed(self, url: str) -> tuple[Fingerprint, object]:
        """An indexed article's fingerprint and story date: this run's from memory, a stored one from the database."""
        if url in self.fingerprints:
            return self.fingerprints[url], self.story_dates[url]
        stored: StoredFingerprint = stored_fingerprint(self.db, url, self.grouping)
        return stored.fingerprint, stored.story_date
