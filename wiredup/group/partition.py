"""Stories as sets: the connected components of matched pairs, with people's corrections (Scrapy-free)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable


def partition(keys: Iterable[Hashable], pairs: Iterable[tuple], same=(), different=()) -> list[set]:
    """Stories as sets of keys: the connected components of ``pairs``, with corrections.

    ``pairs`` are ``(a, b, strength)`` (any comparable strength). ``same``
    pairs are joined first; no set ever holds both keys of a ``different``
    pair: pairs are joined strongest first, so where a correction forbids a
    join the weaker evidence gives way. The result depends only on its inputs
    as sets, never on their order; sets come out ordered by smallest key.

    >>> [sorted(s) for s in partition("abcd", [("a", "b", 0.9), ("b", "c", 0.5)])]
    [['a', 'b', 'c'], ['d']]
    >>> [sorted(s) for s in partition("abcd", [("a", "b", 0.9), ("b", "c", 0.5)], different=[("a", "c")])]
    [['a', 'b'], ['c'], ['d']]
    >>> [sorted(s) for s in partition("abcd", [], same=[("a", "d")])]
    [['a', 'd'], ['b'], ['c']]
    """
    order = sorted(set(keys))
    parent = {key: key for key in order}
    banned: dict = {}
    for a, b in different:
        if a in parent and b in parent:
            banned.setdefault(a, set()).add(b)
            banned.setdefault(b, set()).add(a)

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(a, b) -> None:
        ra, rb = root(a), root(b)
        if ra == rb or any(root(k) == rb for k in banned.get(ra, ())):
            return
        low, high = min(ra, rb), max(ra, rb)
        parent[high] = low
        banned.setdefault(low, set()).update(banned.pop(high, ()))

    for a, b in sorted(tuple(sorted(pair)) for pair in same if pair[0] in parent and pair[1] in parent):
        join(a, b)
    weighted = [(strength, *sorted((a, b))) for a, b, strength in pairs if a in parent and b in parent]
    for _, a, b in sorted(weighted, key=lambda w: (_negated(w[0]), w[1], w[2])):
        join(a, b)
    members: dict = {}
    for key in order:
        members.setdefault(root(key), set()).add(key)
    return [members[r] for r in sorted(members)]


def _negated(strength):
    return tuple(-value for value in strength) if isinstance(strength, tuple) else -strength
