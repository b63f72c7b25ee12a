"""How an article is signed for grouping (Scrapy-free): normalise -> word shingles (hashed once,
xxh32) -> MinHash (datasketch, affine32), with per-paragraph passages for `wiredup.group.compare`.

A change to normalise() or to the shingling must bump NORMALISATION in
wiredup/settings.py, so stored signatures are made again.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import xxhash

from wiredup.group.lean_import import lean_package
from wiredup.settings import GroupingSettings

lean_package("datasketch")  # MinHash without MinHashLSH's scipy: a second less at each start of a crawl and its workers
from datasketch.lean_minhash import LeanMinHash
from datasketch.minhash import MinHash

# Marks that only decorate Latin, Greek, Cyrillic and Armenian letters
# (accents, the Turkish dot above, Greek tonos, Cyrillic diaeresis): copies drop
# them in capitals and transliterations. Other blocks' marks are vowel signs
# (Devanagari, Thai...) and stay.
_MARKS = re.compile("[\u0300-\u036f]+")
# Scripts written without spaces between words: each character is a token, or
# a whole sentence would be one "word".
_UNSPACED = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA",
             "THAI", "LAO", "KHMER", "MYANMAR")
_PLAIN = frozenset(string.ascii_lowercase + string.digits + " ")
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what str.splitlines splits on


@functools.cache  # one unicodedata lookup per distinct character, not per character
def _fold_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cf":  # soft hyphen, zero-width joiners: inside words
        return ""
    if category[0] not in "LNM":  # punctuation, symbols, separators, controls
        return " "
    if unicodedata.name(char, "").startswith(_UNSPACED):
        return f" {char} "
    return char


def _fold(text: str, keep_lines: bool = False) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = unicodedata.normalize("NFC", _MARKS.sub("", text))
    # Case folding leaves two spellings apart that copies mix: Turkish dotless
    # i ("ISTANBUL" is "ıstanbul" as often as "istanbul") and Armenian "և",
    # which folds to "եւ" while capitals and the reformed spelling write "ԵՎ".
    text = text.replace("ı", "i").replace("եւ", "եվ")
    # Replacing each distinct unusual character is several times faster than
    # str.translate, which goes through a dict for every character of the text.
    for char in set(text) - _PLAIN:
        folded = "\n" if keep_lines and char in _LINE_BREAKS else _fold_char(char)
        if folded != char:
            text = text.replace(char, folded)
    return text


def normalise(text: str) -> str:
    """Text reduced to what copies of a story keep: lower-case words, single spaces.

    NFKC, case folding, Latin/Greek/Cyrillic accents dropped, Turkish dotted and
    dotless i folded to i, Armenian "և" spelled "եվ", punctuation and symbols
    (any script, by Unicode category) turned into spaces, each character of
    scripts written without spaces (Han, kana, Thai...) a word of its own.

    >>> normalise("«İSTANBUL’s» mayor — ΟΔΟΣ / Istanbul's")
    'istanbul s mayor οδοσ istanbul s'
    >>> normalise("ıstanbul") == normalise("ISTANBUL") == normalise("İstanbul")
    True
    """
    return " ".join(_fold(text).split())


def paragraph_words(text: str) -> list[list[str]]:
    # Words are what `\w+` finds in normalised text, except that combining
    # marks stay in their word: Python's \w splits Devanagari at vowel signs.
    return [words for line in _fold(text, keep_lines=True).split("\n") if (words := line.split())]


def _shingles(words: list[str], size: int) -> list[int]:
    """The xxh32 hash of each run of ``size`` words, space-joined, UTF-8.

    Each run is sliced out of the words joined once (joining each run's words was a third of signing).
    A text shorter than a shingle is one shingle, so it still has a
    fingerprint (which matches nothing but the same short text).

    >>> _shingles(["a", "bb", "c"], 2) == [xxhash.xxh32_intdigest(b"a bb"), xxhash.xxh32_intdigest(b"bb c")]
    True
    >>> _shingles(["a", "bb"], 5) == [xxhash.xxh32_intdigest(b"a bb")]
    True
    """
    line = " ".join(words)
    if len(words) <= size:
        return [xxhash.xxh32_intdigest(line.encode("utf-8"))]
    ends = list(itertools.accumulate(len(word) + 1 for word in words))  # where each word's following space is, plus one
    return [
        xxhash.xxh32_intdigest(line[start:end - 1].encode("utf-8")) for start, end in zip([0, *ends], ends[size - 1 :])
    ]


@dataclass(eq=False)
class Fingerprint:
    """What is stored per article to find and decide copies.

    shingles: sorted unique uint32 xxh32 hashes of the text's word shingles.
    passages: uint64 ``paragraph hash << 32 | shingle hash``, one per shingle
        inside each paragraph (a paragraph is a line of the text): the high
        half names a normalised paragraph, the low halves let `compare` find
        that paragraph in another text even when a word or a clause changed.
        Paragraphs come in the order the text first gives them (each one's
        shingles sorted, a repeated paragraph once): where a shared paragraph
        sits tells a lede from a teaser quoted further down.
    minhash: LeanMinHash of ``shingles``.
    """

    shingles: np.ndarray
    passages: np.ndarray
    minhash: LeanMinHash
    # Paragraph boundaries in ``passages``, derived once rather than per comparison.
    _passage_shingles: np.ndarray = field(init=False, repr=False)
    _starts: np.ndarray = field(init=False, repr=False)
    _sizes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        paragraph = self.passages >> np.uint64(32)
        self._passage_shingles = self.passages.astype(np.uint32)  # keeps the low 32 bits
        self._starts = np.flatnonzero(np.concatenate(([True], paragraph[1:] != paragraph[:-1])))[: len(paragraph)]
        self._sizes = np.diff(np.append(self._starts, len(paragraph)))

    def to_columns(self) -> dict[str, bytes]:
        """Bytes for the SQLite BLOB columns (little-endian whatever the platform).

        >>> fp = fingerprint("One two three four five six.", GroupingSettings())
        >>> sorted(fp.to_columns())
        ['minhash', 'passages', 'shingles']
        """
        buf = bytearray(self.minhash.bytesize(byteorder="<"))
        self.minhash.serialize(buf, byteorder="<")
        return {
            "minhash": bytes(buf),
            "shingles": self.shingles.astype("<u4").tobytes(),
            "passages": self.passages.astype("<u8").tobytes(),
        }

    @classmethod
    def from_columns(cls, columns: Mapping[str, bytes], settings: GroupingSettings) -> Fingerprint:
        """Inverse of `to_columns`; refuses a signature made with other MinHash settings.

        >>> s = GroupingSettings()
        >>> fp = fingerprint("One two three four five six.", s)
        >>> Fingerprint.from_columns(fp.to_columns(), s).minhash == fp.minhash
        True
        """
        minhash = LeanMinHash.deserialize(columns["minhash"], byteorder="<")
        if (minhash.scheme, minhash.seed, len(minhash)) != ("affine32", settings.seed, settings.num_perm):
            raise ValueError(
                f"signature made with scheme={minhash.scheme} seed={minhash.seed} num_perm={len(minhash)}, "
                f"settings want affine32 seed={settings.seed} num_perm={settings.num_perm}: sign the text again"
            )
        return cls(
            shingles=np.frombuffer(columns["shingles"], dtype="<u4").astype(np.uint32),
            passages=np.frombuffer(columns["passages"], dtype="<u8").astype(np.uint64),
            minhash=minhash,
        )


def _hashes(text: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(shingles, passages) of one text.

    Shingles run across paragraph breaks, so that short lines (a dateline,
    "Most read") are not shingles of their own that unrelated pages share. A
    paragraph's passage entries are only the shingles inside it, so a line
    repeated in a page (headline lists) stays the size of one occurrence.

    >>> _, passages = _hashes("Second line of words here and there.\\nFirst line of the text, in order.", 5)
    >>> [paragraph for paragraph in dict.fromkeys((passages >> np.uint64(32)).tolist())] == [
    ...     paragraph_hash("second line of words here and there".split()), paragraph_hash("first line of the text in order".split())]
    True
    """
    paragraphs = paragraph_words(text)
    words = [word for paragraph in paragraphs for word in paragraph]
    shingles = _shingles(words, size) if words else []
    passages, seen, start = [], set(), 0
    for paragraph in paragraphs:
        inside = len(paragraph) - size + 1
        tag = paragraph_hash(paragraph)
        if inside > 0 and tag not in seen:
            seen.add(tag)
            passages += sorted({tag << 32 | shingle for shingle in shingles[start : start + inside]})
        start += len(paragraph)
    return np.unique(np.array(shingles, dtype=np.uint32)), np.array(passages, dtype=np.uint64)


@functools.lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    """The affine32 permutations of MinHashes of ``num_perm`` and ``seed``, drawn once: datasketch draws
    them again for every ``MinHash`` (and ``bulk`` batch) made, a third of signing one text.

    >>> bool((_permutations(128, 1) == MinHash(num_perm=128, seed=1, scheme="affine32").permutations).all())
    True
    """
    return MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations


def fingerprints(texts: Sequence[str], settings: GroupingSettings) -> list[Fingerprint]:
    """Fingerprints of many texts, their MinHashes made in one `MinHash.bulk` batch.

    >>> a, b = fingerprints(["The same words in both texts here.", "The SAME words in both texts, here!"], GroupingSettings())
    >>> bool((a.shingles == b.shingles).all()) and a.minhash == b.minhash
    True
    """
    hashed = [_hashes(text or "", settings.shingle_size) for text in texts]
    # The shingles are hashed once, with xxh32, above; MinHash gets those hashes
    # as they are (hashfunc=int). affine32 pre-mixes every input with a
    # bijection, so nothing is lost by not hashing them a second time.
    minhashes = MinHash.bulk(
        [shingles.tolist() for shingles, _ in hashed],
        num_perm=settings.num_perm,
        seed=settings.seed,
        scheme="affine32",
        hashfunc=int,
        permutations=_permutations(settings.num_perm, settings.seed),
    )
    return [
        Fingerprint(shingles=shingles, passages=passages, minhash=LeanMinHash(minhash))
        for (shingles, passages), minhash in zip(hashed, minhashes)
    ]


def fingerprint(text: str, settings: GroupingSettings) -> Fingerprint:
    """Fingerprint of one text.

    >>> fp = fingerprint("Azerbaijan on Wednesday accused France of pressuring the country.", GroupingSettings())
    >>> len(fp.shingles), fp.shingles.dtype.name
    (5, 'uint32')
    """
    return fingerprints([text], settings)[0]


def paragraph_hash(words: list[str]) -> int:
    return xxhash.xxh32_intdigest(" ".join(words).encode("utf-8"))
