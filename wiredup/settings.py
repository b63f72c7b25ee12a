"""How articles are signed, indexed and compared: `GroupingSettings`, with why each default.

Kept apart from `wiredup.group.fingerprint` because it imports nothing heavy:
the `wiredup` command builds one option per field at start-up, and importing
datasketch (and scipy with it) would cost every command most of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bump when normalise() or the shingling changes: stored signatures made under
# another tag are recomputed, never compared with new ones.
NORMALISATION = "nfkc-casefold-nomarks-i-ev-v1"
PASSAGES = "paragraph<<32|shingle-v1"


@dataclass(frozen=True)
class GroupingSettings:
    """How articles are signed, indexed and compared.

    >>> GroupingSettings().scheme()["minhash_scheme"]
    'affine32'
    """

    shingle_size: int = 5  # words per shingle
    num_perm: int = 128
    seed: int = 1
    # Candidate threshold only: LSH proposes, `compare` decides. Heavy
    # abridgements have a Jaccard near 0.1 (the seed pair: 0.10), which only
    # one-row bands find reliably; datasketch makes 0.02 into 82 bands of 1
    # row: a pair at Jaccard 0.1 is missed with probability 0.9**82 = 2e-4.
    lsh_threshold: float = 0.02
    # Same story if most of the smaller text's shingles are in the larger one:
    # cuts, dropped tails, small additions. No false pair of the benchmark
    # reaches 0.40; 0.5 keeps a margin and loses nothing the passages miss.
    containment: float = 0.5
    # Words a paragraph (or, for containment, a whole text) needs to count as
    # evidence: more than headlines and list items have, so "latest news"
    # lists and teaser lines do not make two pages one story. Flat from 14 to
    # 20 on the benchmark.
    passage_min_words: int = 16
    # A paragraph survives in the other text when this share of its shingles
    # is there: tolerates changed spellings and dropped clauses (flat from 0.4
    # to 0.6 on the benchmark).
    passage_survival: float = 0.5
    # Same story if this many paragraphs survive, counted both ways: the
    # abridged seed copies share 4, no false pair of the benchmark more than 1.
    min_shared_passages: int = 2
    # ...and if the shared text is not a sliver of the smaller one (two
    # different stories quoting the same statement). Passage-decided true
    # pairs of the benchmark have 0.16 and more, the seed pair 0.27.
    passage_min_containment: float = 0.1
    # Wire copies appear within days of each other: articles whose story dates
    # (published, else first seen) are further apart are never compared, and a
    # crawl indexes only this far back from the newest stored story, so memory
    # stays bounded as the database grows. 0 compares across any distance.
    window_days: float = 21.0

    def scheme(self) -> dict:
        """JSON-able description of how signatures are made, stored beside each one.

        Two fingerprints are comparable only when their schemes are equal.

        >>> s = GroupingSettings().scheme()
        >>> (s["hashfunc"], s["shingle"], s["shingle_size"], s["num_perm"])
        ('xxh32', 'word', 5, 128)
        """
        return {
            "minhash_scheme": "affine32",
            "hashfunc": "xxh32",
            "num_perm": self.num_perm,
            "seed": self.seed,
            "shingle": "word",
            "shingle_size": self.shingle_size,
            "normalisation": NORMALISATION,
            "passages": PASSAGES,
        }
