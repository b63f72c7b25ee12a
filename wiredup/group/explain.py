"""Why two stored articles are, or are not, grouped together (Scrapy-free; `wiredup explain`).

The report names what decided, whichever it was: a person's correction, the
window (the two articles were never compared), the rule and its numbers, other
members of the story (joined without a match of their own), or the story join.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from wiredup.group.compare import Match, compare, shared_passages
from wiredup.group.fingerprint import fingerprints, normalise
from wiredup.group.window import parse_story_date, story_dates, window_rule
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
    about the pair (match, correction), the window they fall in, what decided whether they are
    one story (``decided_by``, ``reason``) and the passages of A that survive in B."""
    a, b = find_article(db, reference_a), find_article(db, reference_b)
    fp_a, fp_b = fingerprints([a["text"], b["text"]], settings)
    match = compare(fp_a, fp_b, settings)
    stored, correction = queries.stored_pair(db, a["id"], b["id"])
    window = window_report(queries.window_dates(db, a["id"]), queries.window_dates(db, b["id"]), settings.window_days)
    same_cluster = a["cluster_id"] is not None and a["cluster_id"] == b["cluster_id"]
    path = None
    if same_cluster and not stored and not correction:
        path = joining_path(queries.story_links(db, a["cluster_id"]), a["id"], b["id"])
    decided_by, reason = decide(same_cluster, window, match, stored, correction, path, settings)
    shown = ("id", "url", "title", "sitename", "published", "cluster_id")
    return {
        "a": {key: a[key] for key in shown},
        "b": {key: b[key] for key in shown},
        "same_cluster": same_cluster,
        "decided_by": decided_by,
        "reason": reason,
        "window": window,
        "jaccard": round(match.jaccard, 4),
        "containment": round(match.containment, 4),
        "shared_passage_count": match.shared_passages,
        "decision": match.method or "not the same story",
        "stored_match": stored,
        "correction": correction,
        "joined_through": path,
        "shared_passages": shared_passages(a["text"], b["text"], settings),
    }


def window_report(a: dict, b: dict, window_days: float | None) -> dict:
    """Both articles' window dates (from `wiredup.store.queries.window_dates`), how far apart
    they are, and which part of the window rule (`window_rule`) lets them be compared, if any.

    >>> report = window_report({"published": "2020-01-01", "published_from": "jsonld", "first_seen": "2024-04-18T08:00:00+00:00"},
    ...                        {"published": None, "published_from": None, "first_seen": "2024-04-19T08:00:00+00:00"}, 21)
    >>> report["a"], report["b"]["from"], report["story_days_apart"], report["first_seen_days_apart"], report["rule"]
    ({'story_date': '2020-01-01', 'from': 'jsonld', 'first_seen': '2024-04-18'}, 'first seen', 1570.3, 1.0, 'first seen')
    """
    dates_a, dates_b = (story_dates(d["published"], d["first_seen"]) for d in (a, b))
    rule = window_rule(dates_a, dates_b, window_days)
    both = dates_a is not None and dates_b is not None
    return {
        "days": window_days or None,
        "a": _dated(a, dates_a),
        "b": _dated(b, dates_b),
        "story_days_apart": round(abs(dates_a.story - dates_b.story).total_seconds() / 86400, 1) if both else None,
        "first_seen_days_apart": round(abs(dates_a.seen - dates_b.seen).total_seconds() / 86400, 1) if both else None,
        "rule": rule,
        "compared": rule is not None,
    }


def _dated(stored: dict, dates) -> dict:
    """One article's story date, where it came from, and first seen, as days."""
    if dates is None:
        return {"story_date": None, "from": None, "first_seen": None}
    return {"story_date": dates.story.date().isoformat(), "from": date_source(stored), "first_seen": dates.seen.date().isoformat()}


def date_source(stored: dict) -> str:
    """Where an article's story date came from: the page (``published_from``, else "published")
    or, when it has no date or one later than first seen, "first seen".

    >>> date_source({"published": "2026-10-15", "published_from": "dateline", "first_seen": "2024-04-04T10:00:00+00:00"})
    'first seen (the page says 2026-10-15, from dateline, after it was first seen)'
    >>> date_source({"published": "2024-04-01", "published_from": None, "first_seen": "2024-04-04T10:00:00+00:00"})
    'published'
    """
    published = parse_story_date(stored["published"])
    if published is None:
        return "first seen"
    dates = story_dates(stored["published"], stored["first_seen"])
    if dates is not None and published > dates.seen:
        where = f", from {stored['published_from']}" if stored.get("published_from") else ""
        return f"first seen (the page says {published.date().isoformat()}{where}, after it was first seen)"
    return stored.get("published_from") or "published"


def decide(same_cluster: bool, window: dict, match: Match, stored: dict | None, correction: dict | None,
           path: list | None, settings: GroupingSettings) -> tuple[str, str]:
    """What decided whether two articles are one story, and why, in words: ("correction" |
    "rule" | "other members" | "window" | "story join", reason).

    >>> no_window = {"compared": False, "days": 21, "story_days_apart": 44.0, "first_seen_days_apart": 300.0}
    >>> decide(False, no_window, Match(0.67, 0.89, 3, "passages"), None, None, None, GroupingSettings())[0]
    'window'
    """
    if correction:
        note = f": {correction['note']}" if correction.get("note") else ""
        return "correction", f"a person marked them {correction['relation']} ({correction['created']}{note})"
    if same_cluster:
        if stored:
            return "rule", "matched directly: " + rule_text(Match(stored["jaccard"] or 0.0, stored["containment"] or 0.0,
                                                                  stored["shared_passages"] or 0, stored["method"]), settings)
        if path:
            steps = " ".join(f"-{step['by']}- #{step['to']}" for step in path)
            return "other members", f"joined through other members, with no match of their own: #{path[0]['from']} {steps}"
        return "other members", "in one story with no match of their own stored"
    if not window["compared"]:
        return "window", (f"never compared: story dates {window['story_days_apart']} days apart and first seen "
                          f"{window['first_seen_days_apart']} days apart, both more than the {window['days']:g}-day window")
    if not match.same_story:
        return "rule", "not the same story: " + rule_text(match, settings)
    if stored:
        return "story join", (f"matched ({stored['method']}), but their stories were kept apart: a \"different\" correction "
                              f"between them, or too few of their other pairs match (a story joins another when at least "
                              f"{settings.min_link_share:g} of their pairs match, one decisively, or more than "
                              f"{settings.weak_min_link_share:g} do)")
    return "rule", (f"the rule matches them now ({rule_text(match, settings)}) but no match is stored: they were compared "
                    "under other settings or texts; `wiredup regroup` decides again")


def rule_text(match: Match, settings: GroupingSettings) -> str:
    """The rule that decided a comparison, with its numbers and thresholds.

    >>> s = GroupingSettings(containment=0.8, min_shared_passages=2, passage_min_containment=0.1)
    >>> rule_text(Match(0.3, 0.5, 3, "passages"), s)
    'passages: 3 shared passages (at least 2) and containment 0.50 (at least 0.1)'
    >>> rule_text(Match(0.67, 0.6, 1, None), s)
    'containment 0.60 (under 0.8) and 1 shared passage (under 2)'
    """
    c, n = match.containment, match.shared_passages
    passages = f"{n} shared passage{'s' if n != 1 else ''}"
    if match.method == "passages":
        return (f"passages: {passages} (at least {settings.min_shared_passages}) and containment {c:.2f} "
                f"(at least {settings.passage_min_containment:g})")
    if match.method == "containment":
        return (f"containment: one text mostly inside the other (containment {c:.2f}; threshold {settings.containment:g}), "
                f"through {passages} or the paragraph that opens both")
    if match.method == "quoted":
        return (f"quoted: one text mostly inside the other (containment {c:.2f}) through one paragraph that does not open "
                f"both (a lede quoted as a teaser, a brief in a roundup): not enough alone to join two stories")
    if match.method == "background":
        return (f"background: {passages} but containment {c:.2f} (under {settings.passage_decisive_containment:g}): "
                f"not enough alone to join two stories")
    if match.method is not None:
        return f"{match.method}: containment {c:.2f}, {passages}"
    if n >= settings.min_shared_passages:
        return f"{passages} (at least {settings.min_shared_passages}) but containment {c:.2f} (under {settings.passage_min_containment:g})"
    if c >= settings.containment:
        return f"containment {c:.2f} but the shorter text is too short (under {settings.passage_min_words} words) and {passages} (under {settings.min_shared_passages})"
    return f"containment {c:.2f} (under {settings.containment:g}) and {passages} (under {settings.min_shared_passages})"


def joining_path(links: list[tuple[int, int, str]], a: int, b: int) -> list[dict] | None:
    """The shortest chain of links (stored matches, "same" corrections) from article ``a`` to ``b``.

    >>> joining_path([(1, 3, "passages"), (3, 2, "containment")], 1, 2)
    [{'from': 1, 'to': 3, 'by': 'passages'}, {'from': 3, 'to': 2, 'by': 'containment'}]
    >>> joining_path([(1, 3, "passages")], 1, 2) is None
    True
    """
    neighbours: dict[int, list] = {}
    for x, y, by in links:
        neighbours.setdefault(x, []).append((y, by))
        neighbours.setdefault(y, []).append((x, by))
    came_from = {a: None}
    queue = deque([a])
    while queue:
        here = queue.popleft()
        if here == b:
            break
        for there, by in sorted(neighbours.get(here, []), key=lambda step: step[0]):
            if there not in came_from:
                came_from[there] = (here, by)
                queue.append(there)
    if b not in came_from:
        return None
    path = []
    while came_from[b] is not None:
        here, by = came_from[b]
        path.append({"from": here, "to": b, "by": by})
        b = here
    return path[::-1]


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
