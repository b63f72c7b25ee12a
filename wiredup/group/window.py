"""``StoryWindow``: the one loop that groups articles, for a crawl, ``wiredup regroup`` and ``wiredup ingest``.

Each article is compared with what the window holds: the candidates that the
MinHash LSH index (wiredup.group.candidate_index) proposes, among the articles
that `within_window` admits, each pair decided by `wiredup.group.compare.compare`.
Then it joins the window.

The window rule: two articles are compared when their story dates (published,
else first seen; never later than first seen) are within ``window_days`` of
each other, or when they were first seen within ``window_days`` of each other.
Dates on pages are often wrong (a copy dated 2020 of a story of 2019, a
headline's date taken for the page's); when wiredup fetched two pages is never
wrong, so copies crawled in the same run or week are always compared.

Batch work (``wiredup regroup``) reads articles in order of one of the two
dates and slides the window along it, so memory holds one window of
fingerprints, never the whole database; a crawl loads the stored articles its
articles' dates call for (wiredup.group.incoming).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import numpy as np

from wiredup.group.candidate_index import CandidateIndex, ordered
from wiredup.group.compare import Match, compare
from wiredup.group.fingerprint import Fingerprint
from wiredup.group.partition import partition, strength
from wiredup.settings import GroupingSettings


def parse_story_date(value: str | None) -> datetime | None:
    """An ISO date or datetime as an aware UTC datetime; None when missing or unreadable.

    >>> parse_story_date("2024-04-17")
    datetime.datetime(2024, 4, 17, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_story_date("2024-04-17T10:30:00+02:00").isoformat()
    '2024-04-17T08:30:00+00:00'
    >>> parse_story_date("last Tuesday") is None
    True
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


class StoryDates(NamedTuple):
    """The two dates the window reads: the story's (as the page says) and when wiredup first saw the page."""

    story: datetime
    seen: datetime


def story_dates(published: str | None, first_seen: str | None) -> StoryDates | None:
    """An article's `StoryDates`: its published date, or first seen when it has none or
    says it was published after wiredup first saw it (a headline's future date taken
    for the page's: it must not carry the page out of its own week).

    >>> story_dates("2024-04-01", "2024-04-04T08:00:00+00:00").story.date().isoformat()
    '2024-04-01'
    >>> story_dates("2026-10-15", "2024-04-04T08:00:00+00:00").story.date().isoformat()
    '2024-04-04'
    >>> story_dates(None, "2024-04-04T08:00:00+00:00").story == story_dates(None, "2024-04-04T08:00:00+00:00").seen
    True
    >>> story_dates(None, None) is None
    True
    """
    published, seen = parse_story_date(published), parse_story_date(first_seen)
    if seen is None:
        return None if published is None else StoryDates(published, published)
    return StoryDates(seen if published is None else min(published, seen), seen)


def window_rule(a: StoryDates | None, b: StoryDates | None, window_days: float | None) -> str | None:
    """Which part of the window rule lets two articles be compared: "story dates", "first seen",
    "no window" (no window set, or an article without dates), or None: they are never compared.

    The one definition of the window, for a crawl, ``wiredup regroup``, ``wiredup ingest``
    and ``wiredup explain``.

    >>> spring, autumn = story_dates("2024-04-01", "2024-04-02T00:00:00+00:00"), story_dates("2024-10-01", "2024-10-01T00:00:00+00:00")
    >>> window_rule(spring, story_dates("2024-04-20", "2024-09-30T00:00:00+00:00"), 21)
    'story dates'
    >>> window_rule(autumn, story_dates("2019-11-18", "2024-09-30T00:00:00+00:00"), 21)  # a backfilled archive page
    'first seen'
    >>> window_rule(spring, autumn, 21) is None
    True
    >>> window_rule(spring, autumn, 0), window_rule(spring, None, 21)
    ('no window', 'no window')
    """
    if not window_days or a is None or b is None:
        return "no window"
    limit = timedelta(days=window_days)
    if abs(a.story - b.story) <= limit:
        return "story dates"
    if abs(a.seen - b.seen) <= limit:
        return "first seen"
    return None


def within_window(a: StoryDates | None, b: StoryDates | None, window_days: float | None) -> bool:
    """Whether two articles are close enough in time to be compared (`window_rule`).

    >>> within_window(story_dates("2024-04-01", "2024-04-01"), story_dates("2024-04-20", "2024-06-01"), 21)
    True
    >>> within_window(story_dates("2024-01-01", "2024-01-01"), story_dates("2024-04-20", "2024-04-20"), 21)
    False
    """
    return window_rule(a, b, window_days) is not None


# A stored article indexed by its hash values alone: its fingerprint, read when it is proposed
Loader = Callable[[Hashable], Fingerprint]

NO_DATE = np.nan  # a row without dates: compared with every article


class StoryWindow:
    """The articles a new one is compared with.

    ``slide_on`` names the date (``"story"`` or ``"seen"``) that batch work reads
    articles in the order of, and that `slide_to` drops old articles by.

    >>> from wiredup.group.fingerprint import fingerprint
    >>> s = GroupingSettings()
    >>> story = "\\n".join(f"Paragraph {i} of the wire story says something new about item {i}." for i in range(8))
    >>> window = StoryWindow(s)
    >>> window.add("a", fingerprint(story, s), story_dates("2024-04-01", "2024-04-01"))
    >>> [key for key, _ in window.matches(fingerprint(story, s), story_dates("2024-04-03", "2024-04-03"))]
    ['a']
    >>> window.slide_to(story_dates("2024-06-01", "2024-06-01"))  # "a" is now too old to be a copy's original
    >>> list(window.matches(fingerprint(story, s), story_dates("2024-06-01", "2024-06-01"))), len(window)
    ([], 0)
    """

    def __init__(self, settings: GroupingSettings, load: Loader | None = None, slide_on: str = "story"):
        self.settings = settings
        self.index = CandidateIndex(settings)
        self.load = load
        self.slide_on = slide_on
        # in memory: what was added with its fingerprint; keys added by hash values alone are read by `load`
        self.fingerprints: dict = {}
        # both dates of every indexed key, as POSIX seconds by index row (NaN: undated): 16 bytes an article
        self._story = np.zeros(0)
        self._seen = np.zeros(0)
        self._by_date: deque = deque()  # (slide date, key) of what `slide_to` may drop, oldest first

    def add(self, key: Hashable, fp: Fingerprint, dates: StoryDates | None) -> None:
        """Let ``key`` be compared with the articles that come after it."""
        self.index.add(key, fp)
        self.fingerprints[key] = fp
        story, seen = (NO_DATE, NO_DATE) if dates is None else (dates.story.timestamp(), dates.seen.timestamp())
        self._set_dates([self.index.row(key)], np.array([story]), np.array([seen]))
        if dates is not None:  # an undated article stays a candidate for all
            self._by_date.append((getattr(dates, self.slide_on), key))

    def add_indexed(self, keys: list, hashvalues: np.ndarray, story: np.ndarray, seen: np.ndarray) -> None:
        """Let ``keys`` be compared, by their MinHash hash values alone (a crawl's stored articles),
        with their dates as POSIX seconds: their fingerprints are read with ``load`` when they are proposed."""
        self.index.add_hashvalues(keys, hashvalues)
        self._set_dates([self.index.row(key) for key in keys], story, seen)

    def remove(self, key: Hashable) -> None:
        """Forget ``key`` (an article whose text changed, or one no longer needed)."""
        self.index.remove(key)
        self.fingerprints.pop(key, None)

    def slide_to(self, dates: StoryDates | None) -> None:
        """Drop what is too old to be compared, by the window's ``slide_on`` date, with articles of
        ``dates`` and later (batch work reads articles in the order of that date)."""
        window = timedelta(days=self.settings.window_days) if self.settings.window_days else None
        if not window or dates is None:
            return
        oldest = getattr(dates, self.slide_on) - window
        while self._by_date and self._by_date[0][0] < oldest:
            _, old = self._by_date.popleft()
            if old in self.index:
                self.remove(old)

    def matches(self, fp: Fingerprint, dates: StoryDates | None, skip: Callable[[Hashable], bool] | None = None,
                rules: frozenset | None = None) -> Iterator[tuple[Hashable, Match]]:
        """The keys that ``fp`` copies (or that copy it), with each decision; ``skip(key)`` leaves a
        candidate out, and ``rules`` (of `window_rule`) admits only pairs the window lets in that way."""
        for other in self.index.candidates(fp):
            if skip is not None and skip(other):
                continue
            rule = window_rule(dates, self.dates_of(other), self.settings.window_days)
            if rule is None or (rules is not None and rule not in rules):
                continue
            match = compare(fp, self._fingerprint(other), self.settings)
            if match.same_story:
                yield other, match

    def dates_of(self, key: Hashable) -> StoryDates | None:
        """The dates ``key`` was indexed with (None: undated)."""
        row = self.index.row(key)
        story, seen = self._story[row], self._seen[row]
        if np.isnan(story):
            return None
        return StoryDates(datetime.fromtimestamp(story, timezone.utc), datetime.fromtimestamp(seen, timezone.utc))

    def dated_keys(self) -> tuple[list, np.ndarray, np.ndarray]:
        """Every indexed key with its two dates, as POSIX seconds (NaN: undated): for a crawl to let
        go of the stored articles it no longer needs."""
        keys = self.index.keys()
        rows = np.array([self.index.row(key) for key in keys], dtype=np.int64)
        return keys, self._story[rows], self._seen[rows]

    def _set_dates(self, rows: list[int], story: np.ndarray, seen: np.ndarray) -> None:
        if not rows:
            return
        needed = max(rows) + 1
        if needed > len(self._story):  # grown by doubling: rows are never reused
            size = max(needed, 2 * len(self._story), 1024)
            self._story = np.concatenate((self._story, np.full(size - len(self._story), NO_DATE)))
            self._seen = np.concatenate((self._seen, np.full(size - len(self._seen), NO_DATE)))
        self._story[rows], self._seen[rows] = story, seen

    def _fingerprint(self, key: Hashable) -> Fingerprint:
        if key in self.fingerprints:
            return self.fingerprints[key]
        return self.load(key)

    def __contains__(self, key) -> bool:
        return key in self.index

    def __len__(self) -> int:
        return len(self.index)


def group(fps: Mapping[Hashable, Fingerprint], settings: GroupingSettings) -> list[set]:
    """Partition keys into stories: the window's matches, joined story by story (`partition`).

    Every key is in exactly one set; the result does not depend on the order of
    ``fps`` (sets come out ordered by their smallest key). No dates: every pair
    the index proposes is compared.

    >>> from wiredup.group.fingerprint import fingerprints
    >>> s = GroupingSettings()
    >>> story = "\\n".join(f"Paragraph {i} of the wire story says something new about item {i}." for i in range(8))
    >>> texts = {"a": story, "b": story + "\\nAn outlet adds its own closing line here.", "c": "Something else entirely, said nobody at all today."}
    >>> [sorted(g) for g in group(dict(zip(texts, fingerprints(list(texts.values()), s))), s)]
    [['a', 'b'], ['c']]
    """
    order = ordered(fps)  # ranks stand for the keys, which need not be comparable
    window = StoryWindow(settings)
    pairs = []
    for rank, key in enumerate(order):
        pairs += [(rank, other, strength(match)) for other, match in window.matches(fps[key], None)]
        window.add(rank, fps[key], None)
    return [{order[rank] for rank in members} for members in partition(range(len(order)), pairs, settings=settings)]
