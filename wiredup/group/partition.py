"""Stories as sets: matched pairs grouped story by story, with people's corrections (Scrapy-free).

Connected components let one weak edge merge two stories: a brief (a lede
alone) is found whole in every page that quotes it as a teaser, so through it
two unrelated stories become one, and a roundup quoting three ledes joins three.
So membership is decided against the story, not one pair: two stories join
when enough of their article pairs match (`GroupingSettings.min_link_share`),
one of them decisively (`wiredup.group.compare.Match.decisive`), or, with
no decisive match, when more than half of their pairs match
(`GroupingSettings.weak_min_link_share`). Joins go best first (decisive, then
the largest share of matched pairs, then the strongest match), so a text
that matches two stories joins the better one, and the other story is then
too large for the one stray link to count.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from wiredup.group.compare import DECISIVE
from wiredup.settings import GroupingSettings


def strength(match) -> tuple[bool, float, float]:
    """How a match ties two articles, for `partition`: (decisive, containment, jaccard).

    ``match`` is a `wiredup.group.compare.Match` or anything with its fields (a ``matches`` row).

    >>> from wiredup.group.compare import Match
    >>> strength(Match(jaccard=0.3, containment=0.9, shared_passages=3, method="containment"))
    (True, 0.9, 0.3)
    """
    return (match.method in DECISIVE, match.containment or 0.0, match.jaccard or 0.0)


def partition(keys: Iterable[Hashable], pairs: Iterable[tuple], same=(), different=(),
              settings: GroupingSettings | None = None) -> list[set]:
    """Stories as sets of keys, from matched ``pairs`` ``(a, b, strength)`` (see `strength`).

    ``same`` pairs are joined first; no set ever holds both keys of a
    ``different`` pair. The result depends only on its inputs as sets, never
    on their order; sets come out ordered by smallest key.

    >>> decisive, weak = (True, 0.9, 0.5), (False, 1.0, 0.1)
    >>> [sorted(s) for s in partition("abcd", [("a", "b", decisive), ("b", "c", decisive)])]
    [['a', 'b', 'c'], ['d']]
    >>> [sorted(s) for s in partition("abcd", [("a", "b", decisive), ("b", "c", decisive)], different=[("a", "c")])]
    [['a', 'b'], ['c'], ['d']]
    >>> [sorted(s) for s in partition("abcd", [], same=[("a", "d")])]
    [['a', 'd'], ['b'], ['c']]

    A brief "x" inside one page of story {a, b} (a teaser) and in the lede of "y":
    it joins "y", and the teaser alone does not bring {a, b} along.

    >>> [sorted(s) for s in partition("abxy", [("a", "b", decisive), ("x", "a", weak), ("x", "y", decisive)])]
    [['a', 'b'], ['x', 'y']]
    """
    settings = settings or GroupingSettings()
    order = sorted(set(keys))
    rank = {key: number for number, key in enumerate(order)}
    stories = _Stories(len(order))
    for a, b in sorted(tuple(sorted((rank[a], rank[b]))) for a, b in different if a in rank and b in rank):
        stories.keep_apart(a, b)
    for a, b in sorted(tuple(sorted((rank[a], rank[b]))) for a, b in same if a in rank and b in rank):
        stories.join(a, b)
    for a, b, link in pairs:
        if a in rank and b in rank and a != b:
            stories.link(rank[a], rank[b], link)
    stories.agglomerate(settings.min_link_share, settings.weak_min_link_share)
    members: dict = {}
    for number, key in enumerate(order):
        members.setdefault(stories.root(number), set()).add(key)
    return [members[root] for root in sorted(members)]


@dataclass
class _Links:
    """The matched pairs between two stories."""

    count: int = 0
    decisive: int = 0
    strongest: tuple = (0.0, 0.0)


class _Stories:
    """Union-find over article numbers, each root its story's smallest number, with the links
    between stories and the pairs corrections keep apart."""

    def __init__(self, count: int):
        self.parent = list(range(count))
        self.size = [1] * count
        self.links: dict = {}  # root -> {other root -> _Links}
        self.apart: dict = {}  # root -> roots it may never join

    def root(self, number: int) -> int:
        while self.parent[number] != number:
            self.parent[number] = self.parent[self.parent[number]]
            number = self.parent[number]
        return number

    def keep_apart(self, a: int, b: int) -> None:
        self.apart.setdefault(a, set()).add(b)
        self.apart.setdefault(b, set()).add(a)

    def link(self, a: int, b: int, strength: tuple) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return
        for one, other in ((ra, rb), (rb, ra)):
            links = self.links.setdefault(one, {}).setdefault(other, _Links())
            links.count += 1
            links.decisive += bool(strength[0])
            links.strongest = max(links.strongest, tuple(strength[1:3]))

    def join(self, a: int, b: int) -> int | None:
        """Make one story of those of a and b, unless a correction keeps them apart; the new root."""
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return ra
        if any(self.root(other) == rb for other in self.apart.get(ra, ())):
            return None
        low, high = min(ra, rb), max(ra, rb)
        self.parent[high] = low
        self.size[low] += self.size[high]
        self.apart.setdefault(low, set()).update(self.apart.pop(high, ()))
        moved = self.links.pop(high, {})
        self.links.get(low, {}).pop(high, None)
        for other, links in moved.items():
            if other == low:
                continue
            into = self.links.setdefault(low, {}).setdefault(other, _Links())
            into.count += links.count
            into.decisive += links.decisive
            into.strongest = max(into.strongest, links.strongest)
            back = self.links[other]
            back.pop(high, None)
            back[low] = into
        return low

    def _priority(self, a: int, b: int, min_share: float, weak_min_share: float):
        links = self.links[a][b]
        share = links.count / (self.size[a] * self.size[b])
        if links.decisive and share >= min_share:
            tier = 0
        elif share > weak_min_share:
            tier = 1
        else:
            return None
        return (tier, -share, -links.strongest[0], -links.strongest[1], a, b)

    def agglomerate(self, min_share: float, weak_min_share: float) -> None:
        """Join stories best link first while a join qualifies; a heap of candidate joins,
        entries made stale by a join skipped when popped."""
        version = [0] * len(self.parent)
        heap = []

        def offer(a: int) -> None:
            for b in self.links.get(a, {}):
                low, high = min(a, b), max(a, b)
                priority = self._priority(low, high, min_share, weak_min_share)
                if priority is not None:
                    heapq.heappush(heap, (priority, version[low], version[high]))

        for a in sorted(self.links):
            offer(a)
        while heap:
            priority, version_a, version_b = heapq.heappop(heap)
            a, b = priority[-2:]
            if self.parent[a] != a or self.parent[b] != b or (version[a], version[b]) != (version_a, version_b):
                continue
            if self.join(a, b) is None:
                self.links[a].pop(b, None)
                self.links[b].pop(a, None)
                continue
            version[a] += 1
            offer(a)
