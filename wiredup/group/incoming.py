"""``IncomingArticles``: which stored articles a newly fetched article copies (a crawl, ``wiredup ingest``).

A new article is compared with every stored article the window rule
(`wiredup.group.window.window_rule`) admits: story dates within
``window_days``, or first seen within ``window_days``; exactly what
``wiredup regroup`` compares it with. The stored articles sit in a
`StoryWindow` by their MinHashes only (band keys, URL, two dates: under 1 KB
each); a candidate's shingles and passages are read from the database when it
is proposed.

Which stored articles are in the window is kept by UTC day (`StoredDays`): at
open, every article published or first seen from ``window_days`` before the
last crawl on, which is all that a crawl of today's news needs; when an
article's dates call for earlier days (a copy of an older story, a backfill of
an archive, a wrong date), those days are read then. Days read that way are
let go again, least recently needed first, once they hold more than
``EARLIER_DAYS_LIMIT`` articles, so memory stays flat however large the
database and however far back a crawl reaches. A page's future date does not
move anything: a story date is never later than first seen, and the days read
at open follow wiredup's own clock.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone

import numpy as np

from wiredup.group.fingerprint import Fingerprint, fingerprint
from wiredup.group.window import StoryDates, StoryWindow, story_dates
from wiredup.settings import GroupingSettings
from wiredup.store.fingerprints import indexed_signatures, newest_first_seen, stored_fingerprint
from wiredup.store.queries import fetched_from, kept_apart, stored_edition
from wiredup.urls import canonical_url, url_key

logger = logging.getLogger(__name__)

# Stored articles read for days before the open range, at most, before the least recently needed
# days are let go: about 50 MB of index (bench/grouping_speed.py: ~950 bytes an indexed article).
EARLIER_DAYS_LIMIT = 50_000

EPOCH = date(1970, 1, 1).toordinal()


def day_of(seconds: float) -> int:
    """The UTC day (a date ordinal) of POSIX seconds.

    >>> date.fromordinal(day_of(datetime(2024, 4, 17, 23, 59, tzinfo=timezone.utc).timestamp())).isoformat()
    '2024-04-17'
    """
    return EPOCH + int(seconds // 86400)


def days_needed(dates: StoryDates, window_days: float) -> set[int]:
    """The UTC days whose stored articles may be in the window of an article of ``dates``:
    ``window_days`` either side of its story date and of its first seen.

    >>> d = story_dates("2024-04-10", "2024-04-17T10:00:00+00:00")
    >>> sorted(date.fromordinal(day).isoformat() for day in days_needed(d, 1))
    ['2024-04-09', '2024-04-10', '2024-04-11', '2024-04-16', '2024-04-17', '2024-04-18']
    """
    width = timedelta(days=window_days)
    needed = set()
    for when in dates:
        needed.update(range((when - width).date().toordinal(), (when + width).date().toordinal() + 1))
    return needed


class StoredDays:
    """The UTC days whose stored articles (published or first seen that day) a crawl's window holds:
    every day from ``since`` on, and earlier days read when an article needed them, least recently
    needed first.

    >>> days = StoredDays(date(2024, 4, 1).toordinal())
    >>> days.missing({date(2024, 3, 30).toordinal(), date(2024, 3, 31).toordinal(), date(2024, 4, 2).toordinal()})
    [(738975, 738976)]
    >>> days.read(738975, 738976, articles=10); days.missing({738975}), days.articles
    ([], 10)
    """

    def __init__(self, since: int):
        self.since = since
        self.earlier: OrderedDict[tuple[int, int], int] = OrderedDict()  # (first, last) day -> articles read
        self.articles = 0  # read for earlier days
        self._range_of: dict[int, tuple[int, int]] = {}

    def held(self, day: int) -> bool:
        return day >= self.since or day in self._range_of

    def missing(self, needed: set[int]) -> list[tuple[int, int]]:
        """The days of ``needed`` not held, as runs of consecutive days (first, last); the held
        earlier ones become the most recently needed."""
        for day in needed:
            if day in self._range_of:
                self.earlier.move_to_end(self._range_of[day])
        runs: list[tuple[int, int]] = []
        for day in sorted(d for d in needed if not self.held(d)):
            if runs and runs[-1][1] == day - 1:
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
        return runs

    def read(self, first: int, last: int, articles: int) -> None:
        """Record that the days ``first`` to ``last`` are held, ``articles`` read for them."""
        self.earlier[(first, last)] = articles
        self.articles += articles
        self._range_of.update(dict.fromkeys(range(first, last + 1), (first, last)))

    def let_go(self, limit: int, needed: set[int]) -> bool:
        """Forget the least recently needed earlier days until they hold at most ``limit`` articles,
        never the days ``needed`` now; True when some were forgotten.

        >>> days = StoredDays(100)
        >>> days.read(10, 12, articles=5); days.read(50, 50, articles=5)
        >>> days.let_go(6, needed={50}), days.missing({10, 50}), days.let_go(0, needed={10, 11, 12, 50})
        (True, [(10, 10)], False)
        """
        forgot = False
        while self.earlier and self.articles > limit:
            (first, last), articles = next(iter(self.earlier.items()))
            if any(day in needed for day in range(first, last + 1)):
                break  # the rest were needed as recently
            del self.earlier[(first, last)]
            self.articles -= articles
            for day in range(first, last + 1):
                del self._range_of[day]
            forgot = True
        return forgot

    def held_mask(self, seconds: np.ndarray) -> np.ndarray:
        """Per POSIX time: is its UTC day held? (NaN, undated: compared with every article, always held)

        >>> StoredDays(date(2024, 4, 1).toordinal()).held_mask(np.array([0.0, 1.8e9, np.nan])).tolist()
        [False, True, True]
        """
        undated = np.isnan(seconds)
        days = EPOCH + np.floor_divide(np.where(undated, 0, seconds), 86400).astype(np.int64)
        held = np.fromiter(self._range_of, dtype=np.int64, count=len(self._range_of))
        return undated | (days >= self.since) | np.isin(days, held)


class IncomingArticles:
    """
    >>> from wiredup.store.schema import open_database
    >>> from wiredup.store.writer import Counters
    >>> incoming = IncomingArticles(open_database(":memory:"), GroupingSettings(), Counters())
    >>> incoming.open()
    >>> item = type("Item", (), {"url": "https://a.example/1", "canonical_url": "https://a.example/1", "text": "A short story told once.", "text_hash": "h",
    ...                          "published": None, "fetched_at": "2024-04-17T10:00:00+00:00", "presigned": None})()
    >>> incoming.group(item), item.matches, item.unchanged
    ('unique', [], False)
    """

    def __init__(self, db, grouping: GroupingSettings, stats):
        self.db = db
        self.grouping = grouping
        self.stats = stats  # Scrapy's stats collector, or wiredup.store.writer.Counters
        self.window: StoryWindow | None = None
        self.days: StoredDays | None = None
        # this run's articles, ahead of what the database says (the store writes in batches)
        self.text_hashes: dict[str, str] = {}
        self.run_urls: dict[str, str] = {}  # url_key -> canonical URL
        self.run_fetched: dict[str, str] = {}  # canonical URL -> the URL this run fetched it from
        self.kept_apart: set[frozenset] = set()

    def open(self) -> None:
        """Load the stored articles of the days a crawl of today's news needs, and the corrections
        that keep pairs apart."""
        started = time.perf_counter()
        self.window = StoryWindow(self.grouping, load=self._load)
        since = self._first_day()
        self.days = StoredDays(since.toordinal())
        loaded = self._read(since, None)
        self.kept_apart = kept_apart(self.db)
        logger.info(
            "Grouping against %d stored articles (published or first seen from %s on) loaded in %.2f s",
            loaded, since.isoformat(), time.perf_counter() - started,
        )

    def _first_day(self) -> date:
        """The first day read at open: ``window_days`` before the last crawl saw its last new article
        (or before now, if that is earlier: a clock that went back); every day with no window."""
        if not self.grouping.window_days:
            return date(1, 1, 2)
        now = datetime.now(timezone.utc)
        newest = newest_first_seen(self.db)
        anchor = min(now, newest) if newest else now
        return (anchor - timedelta(days=self.grouping.window_days)).date()

    def _read(self, first: date, last: date | None) -> int:
        """Put the stored articles published or first seen from ``first`` to ``last`` into the window
        (those already there stay as they are); return how many were added."""
        signatures = indexed_signatures(self.db, self.grouping, first, last)
        new = [i for i, url in enumerate(signatures.urls) if url not in self.window]
        self.window.add_indexed([signatures.urls[i] for i in new], signatures.hashvalues[new],
                                signatures.story[new], signatures.seen[new])
        stale = [url for url in signatures.stale_urls if url not in self.window]
        for url in stale:
            stored = stored_fingerprint(self.db, url, self.grouping)
            self.window.add(url, stored.fingerprint, stored.dates)
        if stale:
            logger.warning(
                "%d stored signatures were made with other grouping settings and were signed again in memory; "
                "run `wiredup regroup` to store them and regroup with the new settings",
                len(stale),
            )
        return len(new) + len(stale)

    def _hold(self, dates: StoryDates) -> None:
        """Make sure the window holds every stored article an article of ``dates`` may be compared
        with: read the days it lacks, then let go of the least recently needed earlier days."""
        if not self.grouping.window_days or dates is None:
            return
        needed = days_needed(dates, self.grouping.window_days)
        for first, last in self.days.missing(needed):
            read = self._read(date.fromordinal(first), date.fromordinal(last))
            self.days.read(first, last, read)
            self.stats.inc_value("wiredup/dedup/days_read", last - first + 1)
        if self.days.let_go(EARLIER_DAYS_LIMIT, needed):
            self._forget_unheld()

    def _forget_unheld(self) -> None:
        """Drop the stored articles whose days are no longer held (never this run's articles)."""
        keys, story, seen = self.window.dated_keys()
        unheld = ~(self.days.held_mask(story) | self.days.held_mask(seen))
        for i in np.flatnonzero(unheld):
            if keys[i] not in self.text_hashes:
                self.window.remove(keys[i])

    def group(self, item) -> str:
        """Set the item's ``canonical_url`` (the stored edition's), ``unchanged``, ``fingerprint``
        and ``matches`` (canonical URL, Match); return (and count) "unchanged", "matched" or "unique"."""
        outcome = self._group(item)
        self.stats.inc_value(f"wiredup/dedup/{outcome}")
        return outcome

    def _group(self, item) -> str:
        item.canonical_url, stored_hash, first_seen = self._stored(item.canonical_url)
        if stored_hash not in (None, item.text_hash) and self._claimed_by_another_page(item.canonical_url, item.url):
            # Another page, fetched at another URL with another text, is stored under this canonical
            # first: a site declaring one canonical on many pages does not make them one article.
            # This page is an article of its own URL (a later fetch of it comes back here).
            item.canonical_url, stored_hash, first_seen = self._stored(canonical_url(item.url))
            self.stats.inc_value("wiredup/dedup/canonical_claimed")
        url = item.canonical_url
        item.matches = []
        item.unchanged = stored_hash == item.text_hash
        if item.unchanged:
            return "unchanged"
        dates = story_dates(item.published, first_seen or item.fetched_at)
        self._hold(dates)
        if url in self.window:  # the article changed since it was stored
            self.window.remove(url)
        item.fingerprint = self._fingerprint(item)
        item.matches = list(self.window.matches(item.fingerprint, dates, skip=lambda other: frozenset((url, other)) in self.kept_apart))
        self.window.add(url, item.fingerprint, dates)
        self.text_hashes[url] = item.text_hash
        self.run_urls.setdefault(url_key(url), url)
        self.run_fetched.setdefault(url, item.url)
        return "matched" if item.matches else "unique"

    def _claimed_by_another_page(self, url: str, fetched_url: str) -> bool:
        """Whether the article stored (or grouped this run) under ``url`` was fetched from another
        URL than ``fetched_url``. Editions of one page (http/https, www./m.) count as the same URL."""
        stored_from = fetched_from(self.db, url) or self.run_fetched.get(url)
        return stored_from is not None and url_key(canonical_url(stored_from)) != url_key(canonical_url(fetched_url))

    def _stored(self, url: str) -> tuple[str, str | None, str | None]:
        """The canonical URL the article is stored under, its text hash and first seen (None: not stored).

        Another edition of a stored article (http/https, www./m.) resolves to the
        stored row: one article, one row, whichever edition was fetched. An article
        fetched again keeps the first seen it was stored with, as ``wiredup regroup`` reads it.
        """
        row = stored_edition(self.db, url)
        url = row[0] if row else self.run_urls.get(url_key(url), url)
        first_seen = row[2] if row else None
        if first_seen is None and url in self.text_hashes:  # fetched earlier in this run, not written yet
            first_seen = self.window.dates_of(url).seen.isoformat()
        return url, self.text_hashes.get(url, row[1] if row else None), first_seen

    def _fingerprint(self, item) -> Fingerprint:
        """The item's fingerprint: the one an extraction worker made, while the text is still the one it signed."""
        if item.presigned is not None and item.presigned[0] == item.text:
            return item.presigned[1]
        return fingerprint(item.text, self.grouping)

    def _load(self, url: str) -> Fingerprint:
        return stored_fingerprint(self.db, url, self.grouping).fingerprint
