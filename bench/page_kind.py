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

Run (from the repository root; about 5 minutes on 2 quiet cores)::

    .venv/bin/python bench/page_kind.py
    .venv/bin/python bench/page_kind.py --data ../shared/benchmarks/wcxb-dev-other --every 3   # a quick look
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction_quality import load_page, page_ids, quiet_logging  # noqa: E402
from wiredup.extract.article import NotAnArticle, extract_article  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
SETS = (BENCHMARKS / "wcxb-dev-other", BENCHMARKS / "wcxb-dev-articles", BENCHMARKS / "readability-pages")
TARGET_TYPES = ("listing", "collection")  # the target: 80% of these skipped


def classify(job: tuple[str, str]) -> tuple[str, str | None, str | None]:
    """(page id, its gold page type or None, wiredup's NotAnArticle reason or None when stored), a Pool worker."""
    data, page_id = job
    html, url, _ = load_page(Path(data), page_id)
    record = json.loads((Path(data) / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
    page_type = ((record.get("_internal") or {}).get("page_type") or {}).get("primary")
    try:
        extract_article(html, url)
    except NotAnArticle as skipped:
        return page_id, page_type, skipped.reason
    return page_id, page_type, None


def report(name: str, results: list[tuple[str, str | None, str | None]]) -> None:
    """One set's stored and skipped shares, by reason and by page type."""
    skipped = Counter(reason for _, _, reason in results if reason)
    total = len(results)
    print(f"{name}: {total} pages, stored {total - sum(skipped.values())} ({100 * (total - sum(skipped.values())) / total:.1f}%), "
          f"skipped {sum(skipped.values())} ({100 * sum(skipped.values()) / total:.1f}%)"
          + (": " + ", ".join(f"{reason} {count}" for reason, count in skipped.most_common()) if skipped else ""))
    by_type = defaultdict(list)
    for _, page_type, reason in results:
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
    args = parser.parse_args(argv)
    for data in args.data:
        work = [(str(data), page_id) for page_id in page_ids(data, None)[:: args.every]]
        with Pool(args.jobs, initializer=quiet_logging) as pool:
            results = pool.map(classify, work, chunksize=4)
        report(data.name, results)
        if args.list:
            for page_id, page_type, reason in results:
                if reason and not page_type:
                    print(f"  skipped {page_id}: {reason}")
        print()


if __name__ == "__main__":
    main()
