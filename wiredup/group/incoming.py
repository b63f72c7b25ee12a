"""``IncomingArticles``: which stored articles a newly fetched article copies (a crawl, ``wiredup ingest``).

At open it loads the MinHashes of the articles inside the grouping window
(``window_days`` back from the newest stored story) into a `StoryWindow`, so a
crawl groups against earlier runs, not only its own pages, while memory stays
bounded as the database grows: the index holds band keys and URLs only, and a
stored candidate's shingles and passages are read from the database when it is
proposed. Each article is then looked up (another edition of a stored one is
that one), compared, and joins the window; the store turns its matches into
stories.
"""

from __future__ import annotations

import logging
import time

from wiredup.group.fingerprint import Fingerprint, fingerprint
from wiredup.group.window import StoryWindow, parse_story_date
from wiredup.settings import GroupingSettings
from wiredup.store.fingerprints import indexed_signatures, stored_fingerprint, window_start
from wiredup.store.queries import kept_apart, stored_edition
from wiredup.urls import url_key

logger = logging.getLogger(__name__)


class IncomingArticles:
    """
    >>> from wiredup.store.schema import open_database
    >>> from wiredup.store.writer import Counters
    >>> incoming = IncomingArticles(open_database(":memory:"), GroupingSettings(), Counters())
    >>> incoming.open()
    >>> item = type("Item", (), {"canonical_url": "https://a.example/1", "text": "A short story told once.", "text_hash": "h",
    ...                          "published": None, "fetched_at": "2024-04-17T10:00:00+00:00", "presigned": None})()
    >>> incoming.group(item), item.matches, item.unchanged
    ('unique', [], False)
    """

    def __init__(self, db, grouping: GroupingSettings, stats):
        self.db = db
        self.grouping = grouping
        self.stats = stats  # Scrapy's stats collector, or wiredup.store.writer.Counters
        self.window: StoryWindow | None = None
        # this run's articles, ahead of what the database says (the store writes in batches)
        self.text_hashes: dict[str, str] = {}
        self.run_urls: dict[str, str] = {}  # url_key -> canonical URL
        self.kept_apart: set[frozenset] = set()

    def open(self) -> None:
        """Load the stored window and the corrections that keep pairs apart."""
        started = time.perf_counter()
        since = window_start(self.db, self.grouping.window_days)
        self.window = StoryWindow(self.grouping, load=self._load)
        signatures = indexed_signatures(self.db, self.grouping, since)
        self.window.add_indexed(signatures.urls, signatures.hashvalues)
        for url in signatures.stale_urls:
            stored = stored_fingerprint(self.db, url, self.grouping)
            self.window.add(url, stored.fingerprint, stored.story_date)
        self.kept_apart = kept_apart(self.db)
        if signatures.stale_urls:
            logger.warning(
                "%d stored signatures were made with other grouping settings and were signed again in memory; "
                "run `wiredup regroup` to store them and regroup with the new settings",
                len(signatures.stale_urls),
            )
        logger.info(
            "Grouping against %d stored articles (story dates from %s) loaded in %.2f s",
            len(self.window), since or "the first", time.perf_counter() - started,
        )

    def group(self, item) -> str:
        """Set the item's ``canonical_url`` (the stored edition's), ``unchanged``, ``fingerprint``
        and ``matches`` (canonical URL, Match); return (and count) "unchanged", "matched" or "unique"."""
        outcome = self._group(item)
        self.stats.inc_value(f"wiredup/dedup/{outcome}")
        return outcome

    def _group(self, item) -> str:
        item.canonical_url, stored_hash = self._stored(item.canonical_url)
        url = item.canonical_url
        item.matches = []
        item.unchanged = stored_hash == item.text_hash
        if item.unchanged:
            return "unchanged"
        if url in self.window:  # the article changed since it was stored
            self.window.remove(url)
        item.fingerprint = self._fingerprint(item)
        story_date = parse_story_date(item.published) or parse_story_date(item.fetched_at)
        item.matches = list(self.window.matches(item.fingerprint, story_date, skip=lambda other: frozenset((url, other)) in self.kept_apart))
        self.window.add(url, item.fingerprint, story_date)
        self.text_hashes[url] = item.text_hash
        self.run_urls.setdefault(url_key(url), url)
        return "matched" if item.matches else "unique"

    def _stored(self, url: str) -> tuple[str, str | None]:
        """The canonical URL the article is stored under and its text hash (None: not stored).

        Another edition of a stored article (http/https, www./m.) resolves to the
        stored row: one article, one row, whichever edition was fetched.
        """
        row = stored_edition(self.db, url)
        url = row[0] if row else self.run_urls.get(url_key(url), url)
        return url, self.text_hashes.get(url, row[1] if row else None)

    def _fingerprint(self, item) -> Fingerprint:
        """The item's fingerprint: the one an extraction worker made, while the text is still the one it signed."""
        if item.presigned is not None and item.presigned[0] == item.text:
            return item.presigned[1]
        return fingerprint(item.text, self.grouping)

    def _load(self, url: str):
        stored = stored_fingerprint(self.db, url, self.grouping)
        return stored.fingerprint, stored.story_date
