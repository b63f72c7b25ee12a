"""Why two stored articles are, or are not, grouped together (Scrapy-free; `wiredup explain`)."""

from __future__ import annotations

import numpy as np

from wiredup.group.compare import compare, shared_passages
from wiredup.group.fingerprint import fingerprints, normalise
from wiredup.settings import GroupingSettings
from wiredup.store import queries


def find_article(db, reference: str) -> dict:
    """A stored article by id or URL (`wiredup.store.queries.article`); LookupError names what was not found.

    >>> from wiredup.store.schema import open_database
    >>> find_article(open_database(":memory:"), "7")
    Traceback (most recent call last):
    ...
    LookupError: no article with id or URL '7'
    """
    found = queries.article(db, reference)
    if found is None:
        raise LookupError(f"no article with id or URL {reference!r}")
    return found


def explain(db, reference_a: str, reference_b: str, settings: GroupingSettings) -> dict:
    """The scores of two articles under ``settings``, the decision they give, what is stored
    about the pair (match, correction) and the passages of A that survive in B."""
    a, b = find_article(db, reference_a), find_article(db, reference_b)
    fp_a, fp_b = fingerprints([a["text"], b["text"]], settings)
    match = compare(fp_a, fp_b, settings)
    stored, correction = queries.stored_pair(db, a["id"], b["id"])
    shown = ("id", "url", "title", "sitename", "published", "cluster_id")
    return {
        "a": {key: a[key] for key in shown},
        "b": {key: b[key] for key in shown},
        "same_cluster": a["cluster_id"] == b["cluster_id"],
        "jaccard": round(match.jaccard, 4),
        "containment": round(match.containment, 4),
        "shared_passage_count": match.shared_passages,
        "decision": match.method or "not the same story",
        "stored_match": stored,
        "correction": correction,
        "shared_passages": shared_passages(a["text"], b["text"], settings),
    }


def changes(representative: str, copy: str, settings: GroupingSettings | None = None) -> dict[str, list[str]]:
    """What a copy added to the representative's text and what it cut from it, paragraph by paragraph.

    A paragraph is kept when most of its word shingles are in the other text
    (for a line shorter than a shingle: when its words are); rewording a clause
    keeps it, a new paragraph is "added", a dropped one "cut".

    >>> story = "The minister resigned on Monday after a week of protests in the capital.\\nHe denied wrongdoing."
    >>> changes(story, story.replace("He denied wrongdoing.", "Elections are due in May, officials said on Tuesday evening."))
    {'added': ['Elections are due in May, officials said on Tuesday evening.'], 'cut': ['He denied wrongdoing.']}
    """
    settings = settings or GroupingSettings()
    return {"added": _missing_paragraphs(copy, representative, settings), "cut": _missing_paragraphs(representative, copy, settings)}


def _missing_paragraphs(text: str, other: str, settings: GroupingSettings) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    *line_fps, other_fp = fingerprints([*lines, other], settings)
    other_words = f" {' '.join(normalise(other).split())} "
    missing = []
    for line, fp in zip(lines, line_fps):
        words = " ".join(normalise(line).split())
        if len(words.split()) >= settings.shingle_size:
            kept = np.isin(fp.shingles, other_fp.shingles).mean() >= settings.passage_survival
        else:  # shorter than a shingle: its words must be there; a line of only punctuation is kept
            kept = not words or f" {words} " in other_words
        if not kept:
            missing.append(line)
    return missing
