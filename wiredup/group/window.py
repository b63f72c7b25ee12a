"""``StoryWindow``: the one loop that groups articles, for a crawl, ``wiredup regroup`` and ``wiredup ingest``.

Each article is compared with what the window holds: the candidates that the
MinHash LSH index (wiredup.group.candidate_index) proposes, among the articles
whose story dates (published, else first seen) are within ``window_days`` of
its own, each pair decided by `wiredup.group.compare.compare`. Then it joins
the window. Batch work reads articles oldest story first and slides the
window along, so memory holds one window of fingerprints, never the whole
database; a crawl loads the window back from the newest stored story.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping
from datetime import datetime, timedelta, timezone

import numpy as np

from wiredup.group.candidate_index import CandidateIndex, ordered
from wiredup.group.compare import Match, compare
from wiredup.group.fingerprint import Fingerprint
from wiredup.group.partition import partition
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


def within_window(a: datetime | None, b: datetime | None, window_days: float | None) -> bool:
    """Whether two story dates are close enough to be copies; an undated article is close to all.

    >>> within_window(parse_story_date("2024-04-01"), parse_story_date("2024-04-20"), 21)
    True
    >>> within_window(parse_story_date("2024-01-01"), parse_story_date("2024-04-20"), 21)
    False
    """
    if not window_days or a is None or b is None:
        return True
    return abs(a - b) <= timedelta(days=window_days)


# (fingerprint, story date) of a key indexed by its hash values alone: read when it is proposed
Loader = Callable[[Hashable], tuple[Fingerprint, datetime | None]]


class StoryWindow:
    """The articles a new one is compared with.

    >>> from wiredup.group.fingerprint import fingerprint
    >>> s = GroupingSettings()
    >>> story = "\\n".join(f"Paragraph {i} of the wire story says something new about item {i}." for i in range(8))
    >>> window = StoryWindow(s)
    >>> window.add("a", fingerprint(story, s), parse_story_date("2024-04-01"))
    >>> [key for key, _ in window.matches(fingerprint(story, s), parse_story_date("2024-04-03"))]
    ['a']
    >>> window.slide_to(parse_story_date("2024-06-01"))  # "a" is now too old to be a copy's original
    >>> list(window.matches(fingerprint(story, s), parse_story_date("2024-06-01"))), len(window)
    ([], 0)
    """

    def __init__(self, settings: GroupingSettings, load: Loader | None = None):
        self.settings = settings
        self.index = CandidateIndex(settings)
        self.load = load
        # in memory: what was added with its fingerprint; keys added by hash values alone are read by `load`
        self.fingerprints: dict = {}
        self.dates: dict = {}
        self._by_date: deque = deque()  # (story date, key) of what `slide_to` may drop, oldest first

    def add(self, key: Hashable, fp: Fingerprint, story_date: datetime | None) -> None:
        """Let ``key`` be compared with the articles that come after it."""
        self.index.add(key, fp)
        self.fingerprints[key], self.dates[key] = fp, story_date
        if story_date is not None:  # an undated article stays a candidate for all
            self._by_date.append((story_date, key))

    def add_indexed(self, keys: list, hashvalues: np.ndarray) -> None:
        """Let ``keys`` be compared, by their MinHash hash values alone (a crawl's stored window):
        their fingerprints and dates are read with ``load`` when they are proposed."""
        self.index.add_hashvalues(keys, hashvalues)

    def remove(self, key: Hashable) -> None:
        """Forget ``key`` (an article whose text changed)."""
        self.index.remove(key)
        self.fingerprints.pop(key, None)
        self.dates.pop(key, None)

    def slide_to(self, story_date: datetime | None) -> None:
        """Drop what is too old to be a copy's original for articles of ``story_date`` and later
        (batch work reads oldest story first)."""
        window = timedelta(days=self.settings.window_days) if self.settings.window_days else None
        while window and story_date and self._by_date and self._by_date[0][0] < story_date - window:
            _, old = self._by_date.popleft()
            if old in self.index:
                self.remove(old)

    def matches(self, fp: Fingerprint, story_date: datetime | None, skip: Callable[[Hashable], bool] | None = None
                ) -> Iterator[tuple[Hashable, Match]]:
        """The keys that ``fp`` copies (or that copy it), with each decision; ``skip(key)`` leaves a candidate out."""
        for other in self.index.candidates(fp):
            if skip is not None and skip(other):
                continue
            other_fp, other_date = self._get(other)
            if not within_window(story_date, other_date, self.settings.window_days):
                continue
            match = compare(fp, other_fp, self.settings)
            if match.same_story:
                yield other, match

    def _get(self, key: Hashable) -> tuple[Fingerprint, datetime | None]:
        if key in self.fingerprints:
            return self.fingerprints[key], self.dates[key]
        return self.load(key)

    def __contains__(self, key) -> bool:
        return key in self.index

    def __len__(self) -> int:
        return len(self.index)


def strength(match: Match) -> tuple[float, float]:
    """How strongly a match ties two articles, for `partition`: the strongest join first."""
    return (match.containment, match.jaccard)


def group(fps: Mapping[Hashable, Fingerprint], settings: GroupingSettings) -> list[set]:
    """Partition keys into stories: the window's matches, connected components.

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
    return [{order[rank] for rank in members} for members in partition(range(len(order)), pairs)]
