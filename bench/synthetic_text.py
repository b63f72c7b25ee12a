"""Synthetic article text for the benchmarks: a bigram model of a real corpus.

Unrelated texts made this way share common phrases as real news does, which
is what makes candidate search and full-text search work as hard as on real
pages; a purely random text would flatter both.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "syndication-dev.jsonl"


class BigramText:
    """Random article-like texts from a bigram model of ``corpus`` (JSONL with a ``text`` field)."""

    def __init__(self, corpus: Path, seed: int):
        self.rng = random.Random(seed)
        self.following: dict[str, list[str]] = {}
        for line in corpus.read_text(encoding="utf-8").splitlines():
            words = json.loads(line)["text"].split()
            for a, b in zip(words, words[1:]):
                self.following.setdefault(a, []).append(b)
        self.starts = [word for word in self.following if word[:1].isupper()]

    def words(self, count: int) -> list[str]:
        rng, following, starts = self.rng, self.following, self.starts
        words, word = [], rng.choice(starts)
        for _ in range(count):
            words.append(word)
            options = following.get(word)
            word = rng.choice(options) if options else rng.choice(starts)
        return words

    def article(self) -> str:
        words = self.words(self.rng.randrange(200, 600))
        return "\n".join(" ".join(words[i : i + 40]) for i in range(0, len(words), 40))

    def title(self) -> str:
        return " ".join(self.words(self.rng.randrange(6, 14))).strip(" ,;:")
