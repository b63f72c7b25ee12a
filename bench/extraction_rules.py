"""What each extraction rule is worth: wiredup with one rule switched off at a time, on two sets.

For every name in ``wiredup.extract.article.RULES`` (the page repairs and
pruning before trafilatura, its second ``favor_recall`` run, the text clean-up
after it, the date rules and the non-article test) it runs
``extract_article(html, url, min_text_chars=0, skip=frozenset({name}))`` over
every page of each set and prints, per rule and set, what the rule gains
against running without it:

- **F1**: the mean bag-of-words F1 with the rule minus without it (the
  benchmark's metric, as bench/extraction_quality.py computes it), and the
  pages it makes better / worse (an F1 change over 0.001);
- **dates**: gold-dated pages given the gold's day with the rule minus without;
  **invented**: dates given to pages whose gold has none, with the rule minus
  without (a rule that drops dates without evidence trades some right ones
  for fewer invented: judged by the two together);
- **leak**: gold ``without`` (clutter) snippets found without the rule minus with
  it (positive: the rule keeps clutter out);
- **skipped**: pages raising ``NotAnArticle`` without it minus with it;
- **ms**: the rule's own time a page, measured by timing its functions inside a
  full ``extract_article`` run of every page (the date rule ``declared_published``
  runs inline: its time is within ``published_date``'s, printed apart).

A rule is kept when it helps on both sets, or on one and leaves the other
unchanged; the verdict column says so (help: F1 up by 0.0001 or more, a date
more, or clutter less, with nothing worse on that set).

Then one line per set: wiredup with every rule and plain
``trafilatura.extract(include_comments=False)`` (F1, date, pages/s of one
process, their ratio), timed page by page in the same process.

Only the run with every rule on is timed; the runs with a rule off reuse
trafilatura's text and metadata from a run whose page tree was the same
(byte for byte), so the whole ablation costs a few full runs, not one per rule.

Run (from the repository root; about 10 minutes on 2 quiet cores for the two sets)::

    .venv/bin/python bench/extraction_rules.py
    .venv/bin/python bench/extraction_rules.py --every 4 --rules prune_teasers favor_recall   # a quick look
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import trafilatura  # noqa: E402
from lxml import etree  # noqa: E402

from extraction_quality import body_scores, load_page, page_ids, quiet_logging, same_date, snippets_found  # noqa: E402
from wiredup.extract import article, article_text, dates  # noqa: E402

SETS = (ROOT.parent / "shared" / "benchmarks" / "wcxb-dev-articles", ROOT.parent / "shared" / "benchmarks" / "readability-pages")
ALL_ON = "(all rules)"
PAGE_CHANGE = 0.001  # an F1 change on one page smaller than this is no change
# the functions whose time is each rule's cost, by the module that calls them
TIMED = {
    article: ("adopt_stray_roots", "non_article_reason", "published_evidence", "published_date", "read_metadata", "trafilatura_text",
              "extractable_chars"),
    article_text: (*article_text.PAGE_RULES, *article_text.TEXT_RULES),
    dates: ("first_published", "marked_published", "published_before_update", "shown_date", "time_element_days"),
}
# a rule's name -> the timed functions that are its cost ("recall" is trafilatura_text's favor_recall run)
COST_OF = {
    "favor_recall": ("recall", "extractable_chars"),
    "dateline": ("shown_date", "time_element_days"),
    "date_evidence": ("published_evidence",),
}


@dataclass
class PageOutcome:
    """One configuration's result on one page."""

    f1: float
    date_right: bool | None  # None: the gold has no date
    leaked: int
    skipped: bool
    invented: bool = False  # a date given to a page whose gold has none


@dataclass
class PageReport:
    """Every configuration's outcome on one page, and the timed run's costs (seconds)."""

    page_id: str
    outcomes: dict[str, PageOutcome]
    costs: dict[str, float] = field(default_factory=dict)
    wiredup_seconds: float = 0.0
    plain_seconds: float = 0.0
    plain: PageOutcome | None = None


class Timer:
    """Wraps TIMED functions so each call's time adds to ``spent[name]`` while ``on``."""

    def __init__(self):
        self.spent: dict[str, float] = defaultdict(float)
        self.on = False
        for module, names in TIMED.items():
            for name in names:
                setattr(module, name, self._timed(name, getattr(module, name)))

    def _timed(self, name, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            if not self.on:
                return function(*args, **kwargs)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                key = "recall" if name == "trafilatura_text" and kwargs.get("favor_recall") else name
                self.spent[key] += time.perf_counter() - start
        return timed


class Reuse:
    """Memoises trafilatura's text and the page metadata by the page tree's bytes, for the untimed runs.

    Both are pure functions of the tree (trafilatura works on a copy; the
    metadata readers leave it as it was).
    """

    def __init__(self):
        self.on = False
        self.memo: dict = {}
        for name in ("trafilatura_text", "read_metadata"):
            setattr(article, name, self._reused(name, getattr(article, name)))

    def _reused(self, name, function):
        @functools.wraps(function)
        def reused(tree, *args, **kwargs):
            if not self.on:
                return function(tree, *args, **kwargs)
            key = (name, hashlib.sha1(etree.tostring(tree)).digest(), repr(args), repr(sorted(kwargs.items())))
            if key not in self.memo:
                self.memo[key] = function(tree, *args, **kwargs)
            return self.memo[key]
        return reused


_TIMER: Timer | None = None
_REUSE: Reuse | None = None


def start_worker() -> None:
    """Install the timing and reuse wrappers once per process."""
    global _TIMER, _REUSE
    quiet_logging()
    _TIMER, _REUSE = Timer(), Reuse()


def outcome(text: str | None, published: str | None, skipped: bool, gold: dict) -> PageOutcome:
    """Score one extraction against the gold."""
    gold_date = (gold.get("publish_date") or "").strip()
    return PageOutcome(
        f1=body_scores(text, gold.get("main_content") or "")[2],
        date_right=same_date(published, gold_date) if gold_date else None,
        leaked=snippets_found([s for s in gold.get("without") or [] if isinstance(s, str)], text),
        skipped=skipped,
        invented=bool(published) and not gold_date,
    )


def run(html: str, url: str, gold: dict, skip: frozenset[str]) -> PageOutcome:
    """``extract_article`` without the rules in ``skip``, scored."""
    try:
        extracted = article.extract_article(html, url, min_text_chars=0, skip=skip)
    except article.NotAnArticle:
        return outcome("", None, True, gold)
    return outcome(extracted.text, extracted.published, False, gold)


def measure_page(job: tuple[str, str, tuple[str, ...]]) -> PageReport:
    """Time the full run and plain trafilatura on one page, then run each configuration (a Pool worker)."""
    data, page_id, rules = job
    html, url, gold = load_page(Path(data), page_id)
    report = PageReport(page_id, {})
    _TIMER.spent.clear()
    _TIMER.on = True
    start = time.perf_counter()
    report.outcomes[ALL_ON] = run(html, url, gold, frozenset())
    report.wiredup_seconds = time.perf_counter() - start
    _TIMER.on = False
    report.costs = dict(_TIMER.spent)
    start = time.perf_counter()
    plain_text = trafilatura.extract(html, url=url, include_comments=False)
    report.plain_seconds = time.perf_counter() - start
    report.plain = outcome(plain_text, trafilatura.extract_metadata(html, default_url=url).date, False, gold)
    _REUSE.on = True
    _REUSE.memo.clear()
    run(html, url, gold, frozenset())  # fills the memo with the full run's trees
    for rule in rules:
        report.outcomes[rule] = run(html, url, gold, frozenset({rule}))
    _REUSE.on = False
    _REUSE.memo.clear()
    return report


def measure_set(data: Path, rules: tuple[str, ...], every: int, jobs: int) -> list[PageReport]:
    """Every ``every``-th page of a set, over ``jobs`` processes; progress on stderr."""
    ids = page_ids(data, None)[::every]
    work = [(str(data), page_id, rules) for page_id in ids]
    reports = []
    with Pool(jobs, initializer=start_worker) as pool:
        for number, report in enumerate(pool.imap(measure_page, work, chunksize=2), 1):
            reports.append(report)
            if number % 100 == 0 or number == len(work):
                print(f"  {data.name}: {number}/{len(work)} pages", file=sys.stderr, flush=True)
    return reports


@dataclass
class Gain:
    """What a rule gains on one set against running without it."""

    f1: float
    better: int
    worse: int
    dates: int
    invented: int
    leak: int
    skipped: int

    def helps(self) -> bool:
        return (round(self.f1, 4) > 0 or self.dates > 0 or self.invented > 0 or self.leak > 0) and not self.hurts()

    def hurts(self) -> bool:
        """Worse on a measure; a date rule trading right dates for fewer invented ones is judged by its sum."""
        dates = self.dates + self.invented if self.invented > 0 else self.dates
        return round(self.f1, 4) < 0 or dates < 0 or self.leak < 0

    def cell(self) -> str:
        return (f"{self.f1:+.4f} ({self.better}+/{self.worse}-), dates {self.dates:+d}, invented {-self.invented:+d}, "
                f"leak {self.leak:+d}, skips {self.skipped:+d}")


def gain(reports: list[PageReport], rule: str) -> Gain:
    """The rule's gain over the pages of one set."""
    differences = [report.outcomes[ALL_ON].f1 - report.outcomes[rule].f1 for report in reports]
    return Gain(
        f1=sum(differences) / len(reports),
        better=sum(1 for d in differences if d > PAGE_CHANGE),
        worse=sum(1 for d in differences if d < -PAGE_CHANGE),
        dates=sum(bool(r.outcomes[ALL_ON].date_right) - bool(r.outcomes[rule].date_right) for r in reports),
        invented=sum(r.outcomes[rule].invented - r.outcomes[ALL_ON].invented for r in reports),
        leak=sum(r.outcomes[rule].leaked - r.outcomes[ALL_ON].leaked for r in reports),
        skipped=sum(r.outcomes[rule].skipped - r.outcomes[ALL_ON].skipped for r in reports),
    )


def cost_ms(reports: list[PageReport], rule: str) -> float:
    """The rule's own time, ms a page, from the timed runs."""
    names = COST_OF.get(rule, (rule,))
    return 1000 * sum(report.costs.get(name, 0.0) for report in reports for name in names) / len(reports)


def verdict(gains: list[Gain]) -> str:
    """Kept when it helps on both sets, or on one and leaves the others unchanged."""
    if any(g.hurts() for g in gains):
        return "hurts on a set"
    if not any(g.helps() for g in gains):
        return "no gain"
    return "pays"


def summary(name: str, reports: list[PageReport]) -> str:
    """wiredup with every rule against plain trafilatura on one set: F1, date, pages/s, ratio."""
    pages = len(reports)
    dated = [r for r in reports if r.plain.date_right is not None]
    ours = sum(r.outcomes[ALL_ON].f1 for r in reports) / pages
    plain = sum(r.plain.f1 for r in reports) / pages
    our_rate = pages / sum(r.wiredup_seconds for r in reports)
    plain_rate = pages / sum(r.plain_seconds for r in reports)
    return (f"{name} ({pages} pages): F1 wiredup {ours:.4f} / plain {plain:.4f} ({ours - plain:+.4f}); "
            f"date {sum(bool(r.outcomes[ALL_ON].date_right) for r in dated)} / {sum(bool(r.plain.date_right) for r in dated)} of {len(dated)}; "
            f"leak {sum(r.outcomes[ALL_ON].leaked for r in reports)} / {sum(r.plain.leaked for r in reports)}; "
            f"skipped {sum(r.outcomes[ALL_ON].skipped for r in reports)}; "
            f"pages/s/proc {our_rate:.1f} / {plain_rate:.1f} (ratio {our_rate / plain_rate:.2f}); "
            f"extract_article {1000 / our_rate:.0f} ms a page, of which metadata (htmldate) "
            f"{1000 * sum(r.costs.get('read_metadata', 0) for r in reports) / pages:.0f}, published_date "
            f"{1000 * sum(r.costs.get('published_date', 0) for r in reports) / pages:.1f}, trafilatura's default run "
            f"{1000 * sum(r.costs.get('trafilatura_text', 0) for r in reports) / pages:.0f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, nargs="+", default=list(SETS), help="sets (default: WCXB dev articles, readability-pages)")
    parser.add_argument("--rules", nargs="+", default=list(article.RULES), choices=article.RULES, metavar="RULE",
                        help="rules to switch off one at a time (default: all of wiredup.extract.article.RULES)")
    parser.add_argument("--every", type=int, default=1, help="only every N-th page of each set (a quick look)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default: %(default)s)")
    parser.add_argument("--worst", type=int, default=0, help="list this many pages each rule makes worse, per set")
    args = parser.parse_args(argv)
    rules = tuple(args.rules)
    results = {data.name: measure_set(data, rules, args.every, args.jobs) for data in args.data}

    print("Each rule's gain with it against without it (F1: mean difference, pages better+/worse-; dates: more right; "
          "invented: dates it adds to pages whose gold has none; leak: clutter snippets kept out; skips: pages it skips); "
          "ms: its own time a page on the first set / the second")
    print(f"| rule | {' | '.join(results)} | ms a page | verdict |")
    print("| --- | " + " | ".join("---" for _ in results) + " | --- | --- |")
    for rule in rules:
        gains = [gain(reports, rule) for reports in results.values()]
        costs = " / ".join(f"{cost_ms(reports, rule):.1f}" for reports in results.values())
        print(f"| {rule} | {' | '.join(g.cell() for g in gains)} | {costs} | {verdict(gains)} |")
    print()
    for name, reports in results.items():
        print(summary(name, reports))
    if args.worst:
        for rule in rules:
            for name, reports in results.items():
                worse = sorted(reports, key=lambda r: r.outcomes[ALL_ON].f1 - r.outcomes[rule].f1)[: args.worst]
                listed = [f"{r.page_id} {r.outcomes[ALL_ON].f1 - r.outcomes[rule].f1:+.3f}" for r in worse
                          if r.outcomes[ALL_ON].f1 - r.outcomes[rule].f1 < -PAGE_CHANGE]
                if listed:
                    print(f"{rule} makes worse on {name}: {', '.join(listed)}")


if __name__ == "__main__":
    main()
