"""Every ``WIREDUP_*`` setting, defined once: its default, what it accepts, why.

``Settings`` is the one typed settings object. A crawl builds it from Scrapy's
settings (settings.py, then ``-s NAME=VALUE``), the ``wiredup`` command from the
same names; both through ``Settings.from_values``, which refuses a value out of
bounds or a ``WIREDUP_*`` name it does not know (a typo) with one line naming
the setting and what it accepts.

>>> Settings.from_values({"WIREDUP_DEDUP_CONTAINMENT": "0.4"}).grouping.containment
0.4
>>> Settings.from_values({"WIREDUP_DEDUP_CONTAINMENT": "abc"})
Traceback (most recent call last):
...
wiredup.settings.SettingsError: WIREDUP_DEDUP_CONTAINMENT='abc': takes a number from 0 to 1
>>> Settings.from_values({"WIREDUP_DEDUP_CONTAINMNET": 0.4})
Traceback (most recent call last):
...
wiredup.settings.SettingsError: WIREDUP_DEDUP_CONTAINMNET: no such setting (did you mean WIREDUP_DEDUP_CONTAINMENT?)

Kept free of heavy imports: the ``wiredup`` command builds one option per
grouping field at start-up.
"""

from __future__ import annotations

import configparser
import dataclasses
import difflib
import importlib
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Bump when normalise() or the shingling changes: stored signatures made under
# another tag are recomputed, never compared with new ones.
NORMALISATION = "nfkc-casefold-nomarks-i-ev-v1"
PASSAGES = "paragraph<<32|shingle-text-order-v2"

PREFIX = "WIREDUP_"


class SettingsError(ValueError):
    """A WIREDUP_* setting with a value it does not accept, or a name that does not exist."""


def _bounds(low: float | None = None, high: float | None = None, *, above: float | None = None, choices=None) -> dict:
    """Field metadata: the values a setting accepts (``above`` is an exclusive lower bound)."""
    return {"low": low, "high": high, "above": above, "choices": choices}


@dataclass(frozen=True)
class GroupingSettings:
    """How articles are signed, indexed and compared (``WIREDUP_DEDUP_<FIELD>``).

    >>> GroupingSettings().scheme()["minhash_scheme"]
    'affine32'
    """

    shingle_size: int = field(default=5, metadata=_bounds(1, 50))  # words per shingle
    num_perm: int = field(default=128, metadata=_bounds(16, 1024))
    seed: int = field(default=1, metadata=_bounds(0, 2**32 - 1))
    # Candidate threshold only: LSH proposes, `compare` decides. Heavy
    # abridgements have a Jaccard near 0.1 (the seed pair: 0.10), which only
    # one-row bands find reliably; datasketch makes 0.02 into 82 bands of 1
    # row: a pair at Jaccard 0.1 is missed with probability 0.9**82 = 2e-4.
    lsh_threshold: float = field(default=0.02, metadata=_bounds(high=1, above=0))
    # Same story if most of the smaller text's shingles are in the larger one:
    # cuts, dropped tails, small additions. No false pair of the benchmark
    # reaches 0.40; 0.5 keeps a margin and loses nothing the passages miss.
    containment: float = field(default=0.5, metadata=_bounds(0, 1))
    # Words a paragraph (or, for containment, a whole text) needs to count as
    # evidence: more than headlines and list items have, so "latest news"
    # lists and teaser lines do not make two pages one story. Flat from 14 to
    # 20 on the benchmark.
    passage_min_words: int = field(default=16, metadata=_bounds(1, 1000))
    # A paragraph survives in the other text when this share of its shingles
    # is there: tolerates changed spellings and dropped clauses (flat from 0.4
    # to 0.6 on the benchmark).
    passage_survival: float = field(default=0.5, metadata=_bounds(0, 1))
    # Same story if this many paragraphs survive, counted both ways: the
    # abridged seed copies share 4, no false pair of the benchmark more than 1.
    min_shared_passages: int = field(default=2, metadata=_bounds(1, 1000))
    # ...and if the shared text is not a sliver of the smaller one (two
    # different stories quoting the same statement). Passage-decided true
    # pairs of the benchmark have 0.16 and more, the seed pair 0.27.
    passage_min_containment: float = field(default=0.1, metadata=_bounds(0, 1))
    # Under this share, shared paragraphs may be background two stories both carry: the match
    # counts only with the stories' other members (false pairs sharing two paragraphs run from
    # 0.12 to 0.26; the seed pair, whole pages with their clutter, shares 4 at 0.15 and, alone
    # with each other, still joins: more than half of their pairs match).
    passage_decisive_containment: float = field(default=0.25, metadata=_bounds(0, 1))
    # Containment is also measured over the body paragraphs alone (headline lists and teaser
    # lines dilute it); there the two bodies must also overlap this much (Jaccard), or a brief
    # is "inside" every page that quotes a sentence of it.
    body_min_jaccard: float = field(default=0.05, metadata=_bounds(0, 1))
    # A match through one paragraph is decisive when that paragraph opens both texts (among
    # their first this many long paragraphs: wire ledes are often split after one sentence).
    lede_paragraphs: int = field(default=2, metadata=_bounds(1, 100))
    # Two stories join when at least this share of their member pairs match, one decisively
    # (a story's versions need not all match each other; one stray link between two large
    # stories is not enough)...
    min_link_share: float = field(default=0.1, metadata=_bounds(0, 1))
    # ...or, with no decisive match between them, when more than this share of their pairs match.
    weak_min_link_share: float = field(default=0.5, metadata=_bounds(0, 1))
    # Wire copies appear within days of each other: two articles are compared when their
    # story dates (published, else first seen; never after first seen) are this close, or
    # when they were first seen this close (a copy dated wrongly or not at all, crawled
    # beside its original). A crawl holds about this many days of stored articles, so
    # memory stays bounded as the database grows. 0 compares across any distance.
    window_days: float = field(default=21.0, metadata=_bounds(0))

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

    def scheme_key(self) -> str:
        """`scheme` as stored in ``signatures.scheme``: a signature is reused only under an equal key.

        >>> GroupingSettings().scheme_key() == GroupingSettings(window_days=3).scheme_key() != GroupingSettings(seed=2).scheme_key()
        True
        """
        return json.dumps(self.scheme(), sort_keys=True)


@dataclass(frozen=True)
class ClutterRules:
    """When a paragraph a site repeats is that site's clutter (``WIREDUP_CLUTTER_<FIELD>``)."""

    # A paragraph on at least this many stored pages of a site (and on min_share of them) is the
    # site's clutter and leaves its texts; 0 switches the learning off.
    min_pages: int = field(default=3, metadata=_bounds(0))
    min_share: float = field(default=0.5, metadata=_bounds(0, 1))
    # Regular expressions (case-insensitive): a paragraph matching one is never clutter, however
    # often it recurs (a standing correction notice a site must keep).
    allow: tuple[str, ...] = (r"^correction:", r"^editor'?s note:")

    def allowed(self, text: str) -> bool:
        """Whether the allow-list keeps ``text`` however often it recurs.

        >>> ClutterRules(allow=("^correction:",)).allowed("Correction: an earlier version misnamed the minister.")
        True
        """
        return any(re.search(pattern, text, re.IGNORECASE) for pattern in self.allow)

    def is_clutter(self, text: str, pages_with_it: int, site_pages: int) -> bool:
        """The clutter rule: a paragraph on ``pages_with_it`` of the site's ``site_pages`` stored pages.

        >>> rules = ClutterRules()
        >>> rules.is_clutter("Sign up for our newsletter", 3, 4), rules.is_clutter("Sign up for our newsletter", 3, 10)
        (True, False)
        >>> rules.is_clutter("Correction: the minister's name.", 10, 10)
        False
        """
        return (
            self.min_pages > 0
            and pages_with_it >= max(self.min_pages, self.min_share * site_pages)
            and not self.allowed(text)
        )


@dataclass(frozen=True)
class Settings:
    """Every WIREDUP_* setting: ``WIREDUP_<FIELD>``; ``clutter`` and ``grouping`` hold the
    ``WIREDUP_CLUTTER_*`` and ``WIREDUP_DEDUP_*`` ones.

    >>> Settings().store_batch_size, Settings().grouping.window_days
    (50, 21.0)
    """

    # Where articles go, and which sites are crawled.
    database: str = "news.db"
    sources: str = "sources.toml"
    # A page whose article text is shorter than this is not an article (front pages, stubs).
    min_text_chars: int = field(default=250, metadata=_bounds(0))
    # A site whose share of articles with a title, date or author drops by this much against its
    # previous run gets a warning in the crawl log (0: no health rows).
    health_drop: float = field(default=0.3, metadata=_bounds(0, 1))
    # Extraction runs in this many worker processes, off Scrapy's reactor thread (0: one per usable
    # core; 1: no pool, extract in the crawl's own process).
    extract_processes: int = field(default=0, metadata=_bounds(0, 256))
    # Articles are written this many to a transaction (each one stored and its URL marked done
    # together), and a batch not yet full is written after this many seconds.
    store_batch_size: int = field(default=50, metadata=_bounds(1, 100_000))
    store_flush_seconds: float = field(default=2.0, metadata=_bounds(above=0))
    # One crawl per database at a time: the second exits 1, or waits when this is True.
    wait_for_lock: bool = False
    # A crawl stops after this many minutes (0: no limit), leaving what it has not fetched to the
    # next run: a site asking for a long Crawl-delay must not hold the lock past the next hourly run.
    max_run_minutes: float = field(default=50.0, metadata=_bounds(0))
    # Remember every URL's outcome in url_state and fetch only what is new or due.
    incremental: bool = True
    # Feed items and sitemap entries dated more than this many days ago are not fetched (0: no limit).
    max_age_days: float = field(default=0.0, metadata=_bounds(0))
    # A stored article is fetched again after this many hours (0: never; its URL is done).
    article_recheck_hours: float = field(default=0.0, metadata=_bounds(0))
    # After a failure a URL waits this long before the next try, doubling per failure (at most a day).
    retry_backoff_minutes: float = field(default=30.0, metadata=_bounds(0))
    # "standalone" crawls and writes the database; "worker" shares the crawl with other workers
    # through Redis and sends articles to `wiredup ingest` (README "Many hosts").
    mode: str = field(default="standalone", metadata=_bounds(choices=("standalone", "worker")))
    redis_url: str | None = None  # e.g. "redis://ingest-host:6379/0"; workers and `wiredup ingest` use the same
    # A worker silent this long (seconds) is dead: its sites and in-flight requests go to the others.
    worker_timeout: float = field(default=30.0, metadata=_bounds(above=0))
    clutter: ClutterRules = field(default_factory=ClutterRules)
    grouping: GroupingSettings = field(default_factory=GroupingSettings)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Settings:
        """The settings ``values`` give (any mapping: Scrapy's settings, a dict); a name it leaves
        out, or sets to None, keeps its default. SettingsError for a bad value or an unknown name."""
        known = {name for name, _ in _specs()}
        for name in values:
            if isinstance(name, str) and name.startswith(PREFIX) and name not in known:
                near = difflib.get_close_matches(name, known, n=1)
                raise SettingsError(f"{name}: no such setting" + (f" (did you mean {near[0]}?)" if near else ""))
        parsed: dict[str, dict] = {"": {}, "clutter": {}, "grouping": {}}
        for name, (group, spec) in _specs():
            value = values.get(name)
            if value is not None:
                parsed[group][spec.name] = _parse(name, spec, value)
        return cls(**parsed[""], clutter=ClutterRules(**parsed["clutter"]), grouping=GroupingSettings(**parsed["grouping"]))

    def values(self) -> dict[str, Any]:
        """Every setting by its WIREDUP_* name.

        >>> Settings().values()["WIREDUP_DEDUP_WINDOW_DAYS"]
        21.0
        """
        owners = {"": self, "clutter": self.clutter, "grouping": self.grouping}
        return {name: getattr(owners[group], spec.name) for name, (group, spec) in _specs()}


def project_values(start: Path | None = None) -> dict[str, Any]:
    """The WIREDUP_* values of the project's Scrapy settings module, found as ``scrapy crawl``
    finds it (``SCRAPY_SETTINGS_MODULE``, else the module ``scrapy.cfg`` names, from ``start`` or
    the working directory up), without importing Scrapy; {} outside a project.

    >>> project_values(Path("/")) == {} or "SCRAPY_SETTINGS_MODULE" in os.environ
    True
    """
    name = os.environ.get("SCRAPY_SETTINGS_MODULE")
    if not name:
        folder = (start or Path.cwd()).resolve()
        for candidate in (folder, *folder.parents):
            config = candidate / "scrapy.cfg"
            if config.is_file():
                parser = configparser.ConfigParser()
                parser.read(config)
                name = parser.get("settings", "default", fallback=None)
                if name and str(candidate) not in sys.path:
                    sys.path.insert(0, str(candidate))
                break
    if not name:
        return {}
    module = importlib.import_module(name)
    return {key: value for key, value in vars(module).items() if key.startswith(PREFIX)}


_GROUPS = {"": (Settings, PREFIX), "clutter": (ClutterRules, f"{PREFIX}CLUTTER_"), "grouping": (GroupingSettings, f"{PREFIX}DEDUP_")}


def setting_name(group: str, field_name: str) -> str:
    """The WIREDUP_* name of a field of ``Settings`` (group ""), ``ClutterRules`` ("clutter") or
    ``GroupingSettings`` ("grouping").

    >>> setting_name("grouping", "min_shared_passages"), setting_name("", "database")
    ('WIREDUP_DEDUP_MIN_SHARED_PASSAGES', 'WIREDUP_DATABASE')
    """
    return f"{_GROUPS[group][1]}{field_name.upper()}"


def _specs():
    """(WIREDUP_* name, (group, dataclass field)) of every setting."""
    for group, (owner, _) in _GROUPS.items():
        for spec in dataclasses.fields(owner):
            if spec.name not in _GROUPS:
                yield setting_name(group, spec.name), (group, spec)


def accepted(spec: dataclasses.Field) -> str:
    """What a setting accepts, in words.

    >>> accepted(dataclasses.fields(GroupingSettings)[0]), accepted(dataclasses.fields(Settings)[-3])
    ('takes a whole number from 1 to 50', 'takes a number above 0')
    """
    kind = _kind(spec)
    bounds = spec.metadata or {}
    if bounds.get("choices"):
        return "takes one of " + ", ".join(bounds["choices"])
    if kind is bool:
        return "takes True or False"
    if kind is tuple:
        return "takes a list of regular expressions"
    if kind is str:
        return "takes a text" + (" or None" if spec.default is None else "")
    noun = "a whole number" if kind is int else "a number"
    low, high, above = bounds.get("low"), bounds.get("high"), bounds.get("above")
    if above is not None:
        return f"takes {noun} above {_plain(above)}" + (f" up to {_plain(high)}" if high is not None else "")
    if low is not None and high is not None:
        return f"takes {noun} from {_plain(low)} to {_plain(high)}"
    if low is not None:
        return f"takes {noun} of {_plain(low)} or more"
    return f"takes {noun}"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _kind(spec: dataclasses.Field) -> type:
    default = spec.default if spec.default is not dataclasses.MISSING else None
    if default is None:
        return str
    return type(default)


def _parse(name: str, spec: dataclasses.Field, value: Any) -> Any:
    """``value`` (typed, or a string from ``-s NAME=VALUE``) as the field's type, within its bounds."""
    kind = _kind(spec)
    bounds = spec.metadata or {}
    problem = SettingsError(f"{name}={value!r}: {accepted(spec)}")
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise problem
    if kind is tuple:
        patterns = tuple(value.split(",")) if isinstance(value, str) else tuple(value) if isinstance(value, (list, tuple)) else None
        if patterns is None:
            raise problem
        for pattern in patterns:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as error:
                raise SettingsError(f"{name}: {pattern!r} is not a regular expression ({error})") from None
        return patterns
    if kind is str:
        if not isinstance(value, str) or (bounds.get("choices") and value not in bounds["choices"]):
            raise problem
        return value
    if isinstance(value, bool):
        raise problem
    try:
        number = kind(value) if not isinstance(value, str) else kind(value.strip())
    except (TypeError, ValueError):
        raise problem from None
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise problem
    if number != number:  # NaN
        raise problem
    low, high, above = bounds.get("low"), bounds.get("high"), bounds.get("above")
    if (low is not None and number < low) or (high is not None and number > high) or (above is not None and number <= above):
        raise problem
    return number
