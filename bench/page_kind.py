"""How well wiredup tells pages that are not articles apart: share stored of non-articles, share skipped of articles.

Runs ``wiredup.extract.article.extract_article(html, url)`` with the crawl's
settings (its default ``min_text_chars``) over every page of each set and
prints, per set, how many pages it stores and how many it skips, by
``NotAnArticle`` reason; for a set whose ground truth names a page type
(``_internal.page_type.primary``, as in ``wcxb-dev-other``), the same by page
type. A good detector stores few of wcxb-dev-other's pages (the issue's
target: at least 80% of its listing and collection pages skipped) and skips
few of the article sets' (at most 1% of wcxb-dev-articles; none of
readability-pages' ideally).

With ``--halves`` each set is also reported in two halves split by a hash
of the page id (``half``): the listing score's weights
(``wiredup.extract.page_kind.LISTING_WEIGHTS``) were fitted on the "tune"
half only, so the "held" half shows how the rule does where it was not
tuned. Each set's line ends with the milliseconds a page
``non_article_reason`` takes (timed inside ``extract_article``).

Run (from the repository root; about 5 minutes on 2 quiet cores)::

    .venv/bin/python bench/page_kind.py --halves --list
    .venv/bin/python bench/page_kind.py --data ../shared/benchmarks/wcxb-dev-other --every 3   # a quick look
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction_quality import load_page, page_ids, quiet_logging  # noqa: E402

import wiredup.extract.article as article  # noqa: E402
from wiredup.extract.article import NotAnArticle, extract_article  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
SETS = (BENCHMARKS / "wcxb-dev-other", BENCHMARKS / "wcxb-dev-articles", BENCHMARKS / "readability-pages")
TARGET_TYPES = ("listing", "collection")  # the target: 80% of these skipped


_detector_seconds = [0.0]
_non_article_reason = article.non_article_reason


def _timed_non_article_reason(*args, **kwargs):
    """``non_article_reason``, its time added to ``_detector_seconds``."""
    start = time.perf_counter()
    try:
        return _non_article_reason(*args, **kwargs)
    finally:
        _detector_seconds[0] += time.perf_counter() - start


article.non_article_reason = _timed_non_article_reason


def half(page_id: str) -> str:
    """The half of a set a page is in, by a hash of its id: "tune" (rules fitted on it) or "held" (held out).

    >>> half("0001"), half("0004")
    ('tune', 'held')
    """
    return "tune" if int(hashlib.md5(page_id.encode()).hexdigest(), 16) % 2 == 0 else "held"


def gold_page_type(data: Path, page_id: str) -> str | None:
    """The page type a page's gold names (``_internal.page_type.primary``), None when it names none (article sets)."""
    record = json.loads((data / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
    return ((record.get("_internal") or {}).get("page_type") or {}).get("primary")


def classify(job: tuple[str, str]) -> tuple[str, str | None, str | None, str, float]:
    """(page id, its gold page type or None, wiredup's NotAnArticle reason or None when stored, the skip's detail,
    seconds in non_article_reason), a Pool worker."""
    data, page_id = job
    html, url, _ = load_page(Path(data), page_id)
    page_type = gold_page_type(Path(data), page_id)
    _detector_seconds[0] = 0.0
    try:
        extract_article(html, url)
    except NotAnArticle as skipped:
        return page_id, page_type, skipped.reason, skipped.detail, _detector_seconds[0]
    return page_id, page_type, None, "", _detector_seconds[0]


def report(name: str, results: list[tuple[str, str | None, str | None, str, float]]) -> None:
    """One set's stored and skipped shares, by reason and by page type, and the detector's ms a page."""
    skipped = Counter(reason for _, _, reason, _, _ in results if reason)
    total = len(results)
    milliseconds = 1000 * sum(seconds for *_, seconds in results) / max(1, total)
    print(f"{name}: {total} pages, stored {total - sum(skipped.values())} ({100 * (total - sum(skipped.values())) / total:.1f}%), "
          f"skipped {sum(skipped.values())} ({100 * sum(skipped.values()) / total:.1f}%)"
          + (": " + ", ".join(f"{reason} {count}" for reason, count in skipped.most_common()) if skipped else "")
          + f"; non_article_reason {milliseconds:.2f} ms a page")
    by_type = defaultdict(list)
    for _, page_type, reason, _, _ in results:
        if page_type:
            by_type[page_type].append(reason)
    if not by_type:
        return
    print("| page type | pages | stored | skipped | by reason |")
    print("| --- | --- | --- | --- | --- |")
    for page_type, reasons in sorted(by_type.items(), key=lambda item: -len(item[1])):
        kept = sum(1 for reason in reasons if not reason)
        why = Counter(reason for reason in reasons if reason)
        print(f"| {page_type} | {len(reasons)} | {kept} ({100 * kept / len(reasons):.0f}%) | {len(reasons) - kept} "
              f"({100 * (len(reasons) - kept) / len(reasons):.0f}%) | {', '.join(f'{r} {n}' for r, n in why.most_common())} |")
    target = [reason for page_type in TARGET_TYPES for reason in by_type.get(page_type, [])]
    if target:
        print(f"{' and '.join(TARGET_TYPES)} skipped: {sum(1 for r in target if r)} of {len(target)} "
              f"({100 * sum(1 for r in target if r) / len(target):.1f}%)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, nargs="+", default=list(SETS), help="sets (default: %(default)s)")
    parser.add_argument("--every", type=int, default=1, help="only every N-th page of each set (a quick look)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default: %(default)s)")
    parser.add_argument("--list", action="store_true", help="list the skipped pages of sets without page types (articles)")
    parser.add_argument("--halves", action="store_true", help="also report each set's tuning and held-out halves (half())")
    args = parser.parse_args(argv)
    for data in args.data:
        work = [(str(data), page_id) for page_id in page_ids(data, None)[:: args.every]]
        with Pool(args.jobs, initializer=quiet_logging) as pool:
            results = pool.map(classify, work, chunksize=4)
        report(data.name, results)
        if args.halves:
            for name in ("tune", "held"):
                print()
                report(f"{data.name}, {name} half", [result for result in results if half(result[0]) == name])
        if args.list:
            for page_id, page_type, reason, detail, _ in results:
                if reason and page_type in (None, "article"):
                    print(f"  skipped {page_id} ({half(page_id)} half): {reason} ({detail})")
        print()


if __name__ == "__main__":
    main()
