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
    >>> Match(jaccard=0.05, containment=1.0, shared_passages=1, method="quoted").decisive
    False
    """

    jaccard: float
    containment: float  # |A ∩ B| / min(|A|, |B|) over shingles
    shared_passages: int
    method: str | None  # one of METHODS; None: not the same story

    @property
    def same_story(self) -> bool:
        """True when a rule decided the two texts are copies of one story."""
        return self.method is not None

    @property
    def decisive(self) -> bool:
        """Whether the match alone may join two stories (`wiredup.group.partition`): the texts share
        two paragraphs or their opening. One paragraph found anywhere else (a lede quoted as a
        teaser, a brief inside a roundup) only counts with the story's other members."""
        return self.method in DECISIVE


# "containment": one text mostly inside the other, through two paragraphs or more or through the
# paragraph that opens both (a brief and its story); "passages": two paragraphs or more in common;
# "quoted": mostly inside through one paragraph that does not open both (a lede quoted as a teaser
# under another story, a brief inside a roundup), and "background": two paragraphs in common that
# are a sliver of both texts (the same background paragraphs under two stories): matches, but
# never decisive.
METHODS = ("containment", "passages", "quoted", "background")
DECISIVE = frozenset({"containment", "passages"})


def _present(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """Boolean mask: which of ``values`` are in ``sorted_unique``."""
    if not len(sorted_unique) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_unique, values)
    return sorted_unique[np.minimum(at, len(sorted_unique) - 1)] == values


def _long(fp: Fingerprint, settings: GroupingSettings) -> np.ndarray:
    """Per paragraph of ``fp`` (text order): long enough to be evidence (``passage_min_words``)."""
    return fp._sizes >= settings.passage_min_words - settings.shingle_size + 1


def _surviving(a: Fingerprint, b: Fingerprint, settings: GroupingSettings) -> np.ndarray:
    """Per paragraph of a (text order): is it, for the most part, in b?"""
    if not len(a.passages):
        return np.zeros(0, dtype=bool)
    found = np.add.reduceat(_present(a._passage_shingles, b.shingles), a._starts)
    return _long(a, settings) & (found >= settings.passage_survival * a._sizes)


def _body(fp: Fingerprint, settings: GroupingSettings) -> np.ndarray:
    """Sorted unique shingles of the paragraphs long enough to be evidence: the text without its
    headline lists, captions and one-line boilerplate, which dilute containment."""
    return np.unique(fp._passage_shingles[np.repeat(_long(fp, settings), fp._sizes)])


def _opens(fp: Fingerprint, surviving: np.ndarray, settings: GroupingSettings) -> bool:
    """Whether a surviving paragraph is among the first ``lede_paragraphs`` long ones of ``fp``.

    Copies keep a story's lede on top; a lede that another page quotes as a teaser sits below
    that page's own opening."""
    return bool(surviving[_long(fp, settings)][: settings.lede_paragraphs].any())


def compare(a: Fingerprint, b: Fingerprint, settings: GroupingSettings) -> Match:
    """Decide whether two fingerprints are copies of one story; symmetric in a and b.

    Containment is measured twice, over all shingles and over the body
    paragraphs alone (a teaser list dilutes the first); either makes one text
    mostly inside the other. Then where the shared text lies decides how much
    the match weighs (`Match.decisive`).

    >>> from wiredup.group.fingerprint import fingerprint
    >>> s = GroupingSettings()
    >>> paragraphs = ["The minister resigned on Monday after a week of protests in the capital over the new tax law.",
    ...               "Thousands marched through the old town on Sunday, and police said the crowds were peaceful all day.",
    ...               "Opposition leaders called for early elections and said the government had lost its majority.",
    ...               "The finance ministry said the tax law would stay in force until a new budget is passed next year."]
    >>> story, brief = "\\n".join(paragraphs), paragraphs[0]
    >>> compare(fingerprint(story, s), fingerprint(story.upper(), s), s).method
    'containment'
    >>> compare(fingerprint(story, s), fingerprint("An unrelated short note.", s), s).same_story
    False
    >>> compare(fingerprint(brief, s), fingerprint(story, s), s).method  # a brief: the lede alone
    'containment'
    >>> other_story = "\\n".join(paragraphs[1:] + [brief])  # the lede quoted under another story
    >>> compare(fingerprint(brief, s), fingerprint(other_story, s), s).method
    'quoted'
    """
    smaller = min(len(a.shingles), len(b.shingles))
    common = int(_present(a.shingles, b.shingles).sum()) if smaller else 0
    if not common:
        return Match(0.0, 0.0, 0, None)
    jaccard = common / (len(a.shingles) + len(b.shingles) - common)
    containment = common / smaller
    surviving_a, surviving_b = _surviving(a, b, settings), _surviving(b, a, settings)
    # Both directions, the weaker counts: one long paragraph of b that holds
    # several short paragraphs of a is one shared passage, not several.
    shared = min(int(surviving_a.sum()), int(surviving_b.sum()))
    passages = shared >= settings.min_shared_passages and containment >= settings.passage_min_containment
    if _contained(a, b, containment, smaller, settings):
        opening = _opens(a, surviving_a, settings) and _opens(b, surviving_b, settings)
        method = "containment" if passages or opening else "quoted"
    elif passages:
        method = "passages" if containment >= settings.passage_decisive_containment else "background"
    else:
        method = None
    return Match(jaccard, containment, shared, method)


def _contained(a: Fingerprint, b: Fingerprint, containment: float, smaller: int, settings: GroupingSettings) -> bool:
    """Whether most of the smaller text is in the larger one, over all its words or over its body."""
    if containment >= settings.containment and smaller >= settings.passage_min_words - settings.shingle_size + 1:
        return True
    body_a, body_b = _body(a, settings), _body(b, settings)
    if not len(body_a) or not len(body_b):
        return False
    common = int(_present(body_a, body_b).sum())
    body_jaccard = common / (len(body_a) + len(body_b) - common)
    return common >= settings.containment * min(len(body_a), len(body_b)) and body_jaccard >= settings.body_min_jaccard


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
