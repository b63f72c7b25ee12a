"""Whether two fingerprints are copies of one story (Scrapy-free).

A single LSH threshold cannot do this job: outlets cut, extend and rewrite wire
copy, so a short version and a long version of one story may share a tenth of
their shingles while unrelated pages share almost none. LSH (wiredup.group.candidate_index)
is therefore only asked for candidates, and each candidate pair is decided by `compare`, a pure,
symmetric function of the two fingerprints and the settings. Nothing in the
decision depends on the rest of the corpus, which is what makes the groups
independent of the order articles arrive in.

Every threshold in `GroupingSettings` was measured with `bench/grouping_quality.py`
on ../shared/benchmarks/syndication-dev.jsonl and on the seed pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wiredup.group.fingerprint import Fingerprint, fingerprints, paragraph_hash, paragraph_words
from wiredup.settings import GroupingSettings


@dataclass(frozen=True)
class Match:
    """The exact comparison of two fingerprints and the rule that decided it.

    >>> Match(jaccard=0.2, containment=0.8, shared_passages=7, method="containment").same_story
    True
    """

    jaccard: float
    containment: float  # |A ∩ B| / min(|A|, |B|) over shingles
    shared_passages: int
    method: str | None  # "containment" or "passages"; None: not the same story

    @property
    def same_story(self) -> bool:
        """True when a rule decided the two texts are copies of one story."""
        return self.method is not None


def _present(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """Boolean mask: which of ``values`` are in ``sorted_unique``."""
    if not len(sorted_unique) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_unique, values)
    return sorted_unique[np.minimum(at, len(sorted_unique) - 1)] == values


def _surviving(a: Fingerprint, b: Fingerprint, settings: GroupingSettings) -> np.ndarray:
    """Per paragraph of a (in ``a._starts`` order): is it, for the most part, in b?"""
    if not len(a.passages):
        return np.zeros(0, dtype=bool)
    found = np.add.reduceat(_present(a._passage_shingles, b.shingles), a._starts)
    long_enough = a._sizes >= settings.passage_min_words - settings.shingle_size + 1
    return long_enough & (found >= settings.passage_survival * a._sizes)


def compare(a: Fingerprint, b: Fingerprint, settings: GroupingSettings) -> Match:
    """Decide whether two fingerprints are copies of one story; symmetric in a and b.

    >>> from wiredup.group.fingerprint import fingerprint
    >>> s = GroupingSettings()
    >>> story = "\\n".join(f"Paragraph {i} of the wire story says something new about item {i}." for i in range(8))
    >>> compare(fingerprint(story, s), fingerprint(story.upper(), s), s).method
    'containment'
    >>> compare(fingerprint(story, s), fingerprint("An unrelated short note.", s), s).same_story
    False
    """
    smaller = min(len(a.shingles), len(b.shingles))
    common = int(_present(a.shingles, b.shingles).sum()) if smaller else 0
    if not common:
        return Match(0.0, 0.0, 0, None)
    jaccard = common / (len(a.shingles) + len(b.shingles) - common)
    containment = common / smaller
    # Both directions, the weaker counts: one long paragraph of b that holds
    # several short paragraphs of a is one shared passage, not several.
    shared = min(int(_surviving(a, b, settings).sum()), int(_surviving(b, a, settings).sum()))
    if containment >= settings.containment and smaller >= settings.passage_min_words - settings.shingle_size + 1:
        method = "containment"
    elif shared >= settings.min_shared_passages and containment >= settings.passage_min_containment:
        method = "passages"
    else:
        method = None
    return Match(jaccard, containment, shared, method)


def shared_passages(text_a: str, text_b: str, settings: GroupingSettings | None = None) -> list[str]:
    """The paragraphs of ``text_a`` that survive in ``text_b``, as ``text_a`` writes them.

    The rule `compare` counts with (share of a paragraph's shingles found in
    the other text); for `wiredup explain`.

    >>> a = ("Talks resume\\nThe foreign minister said on Tuesday that the peace talks would resume "
    ...      "next week in Geneva, after a pause of three months that neither side had explained.")
    >>> b = ("Officials said the foreign minister announced on Tuesday that the peace talks would resume "
    ...      "next week in Geneva, after a pause of three months that neither side had explained in public.")
    >>> shared_passages(a, b)  # doctest: +ELLIPSIS
    ['The foreign minister said on Tuesday that the peace talks would resume next week in Geneva, after...']
    """
    settings = settings or GroupingSettings()
    fp_a, fp_b = fingerprints([text_a, text_b], settings)
    paragraphs = fp_a.passages[fp_a._starts] >> np.uint64(32)
    survivors = set(paragraphs[_surviving(fp_a, fp_b, settings)].tolist())
    found = []
    for line in text_a.splitlines():  # the breaks of _LINE_BREAKS
        for words in paragraph_words(line):
            if paragraph_hash(words) in survivors and line.strip() not in found:
                found.append(line.strip())
    return found
