"""Fits the listing score's weights (``page_kind.LISTING_WEIGHTS``, ``LISTING_BIAS``) on the tuning half only.

Runs ``extract_article`` over wcxb-dev-other's listing and collection pages and over wcxb-dev-articles' and
readability-pages' pages, and records, for each page that ``non_article_reason`` does not skip for another
reason and that shows no article evidence, its listing signs (``listing_signs``). A logistic regression
(standardised signs, L2 ``--l2``, gradient descent) is fitted on the tuning half (``page_kind.half``) of
wcxb-dev-other's listings and collections (1) and wcxb-dev-articles' pages (0), and printed as the weights of
the unstandardised signs. The threshold follows the rule ``LISTING_SCORE_MIN``'s comment states: the lowest of
0.5, 1, 1.5, ... skipping none of the tuning half's articles that show a listing sign, plus 1.0. Then, per half,
the listings skipped, the articles skipped, and each readability-pages article's distance under the threshold.

Run (from the repository root; about 4 minutes on 2 cores)::

    .venv/bin/python bench/page_kind_fit.py
"""

from __future__ import annotations

import argparse
import math
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction_quality import load_page, page_ids, quiet_logging  # noqa: E402
from page_kind import BENCHMARKS, TARGET_TYPES, gold_page_type, half  # noqa: E402

import wiredup.extract.article as article  # noqa: E402
import wiredup.extract.page_kind as page_kind  # noqa: E402
from wiredup.extract.article import NotAnArticle, extract_article  # noqa: E402

SETS = ("wcxb-dev-other", "wcxb-dev-articles", "readability-pages")


class _Recorded(Exception):
    """Stops extract_article once the page's listing signs are read."""


def _record(tree, url, text, teasers=0):
    """Raises the page's listing signs (or None when another reason skips it or it shows article evidence)."""
    reason = page_kind.non_article_reason(tree, url, text, teasers)
    items = page_kind._json_ld(tree)
    head = page_kind._head_facts(tree, url)
    types = page_kind._declared_types(tree, items, head["og_types"])
    if (reason and reason[0] != "listing") or page_kind.article_evidence(head, types, items) is not None:
        raise _Recorded(None)
    raise _Recorded(page_kind.listing_signs(tree, url, text, teasers, head, types, items))


def signs_of(job: tuple[str, str]) -> tuple[str, str, str, dict | None]:
    """(set, page id, gold page type, listing signs or None), a Pool worker."""
    data, page_id = job
    html, url, _ = load_page(Path(data), page_id)
    page_type = gold_page_type(Path(data), page_id) or "article"
    article.non_article_reason = _record
    try:
        extract_article(html, url)
    except _Recorded as recorded:
        return Path(data).name, page_id, page_type, recorded.args[0]
    except NotAnArticle:
        pass
    return Path(data).name, page_id, page_type, None


def fit(rows: list, names: list[str], l2: float, steps: int = 3000) -> tuple[dict[str, float], float]:
    """Weights of the unstandardised signs and the bias of a logistic regression on ``rows`` (listing 1, article 0).

    >>> rows = [("wcxb-dev-other", "a", "listing", {"x": 1.0}), ("wcxb-dev-articles", "b", "article", {"x": 0.0})]
    >>> weights, bias = fit(rows, ["x"], 0.05)
    >>> weights["x"] > 0
    True
    """
    x = np.array([[signs[name] for name in names] for *_, signs in rows])
    y = np.array([0.0 if page_type == "article" else 1.0 for _, _, page_type, _ in rows])
    mean, spread = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / spread
    w, b = np.zeros(len(names)), 0.0
    for _ in range(steps):
        error = 1 / (1 + np.exp(-(z @ w + b))) - y
        w -= 0.5 * (z.T @ error / len(y) + l2 * w)
        b -= 0.5 * error.mean()
    weights = w / spread
    return dict(zip(names, map(float, weights))), float(b - (mean * weights).sum())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--l2", type=float, default=0.05)
    args = parser.parse_args(argv)
    work = [(str(BENCHMARKS / name), page_id) for name in SETS for page_id in page_ids(BENCHMARKS / name, None)]
    with Pool(args.jobs, initializer=quiet_logging) as pool:
        rows = [row for row in pool.map(signs_of, work, chunksize=4) if row[3] is not None and row[2] in (*TARGET_TYPES, "article")]
    names = list(page_kind.LISTING_WEIGHTS)
    tuning = [row for row in rows if half(row[1]) == "tune" and row[0] != "readability-pages"]
    weights, bias = fit(tuning, names, args.l2)
    print("LISTING_WEIGHTS =", {name: round(weight, 2) for name, weight in weights.items()})
    print(f"LISTING_BIAS = {bias:.2f}")

    def score(signs):
        return bias + sum(weights[name] * signs[name] for name in names)

    shown = [row for row in rows if page_kind.shows_listing(row[3])]
    highest = max(score(signs) for set_name, page_id, page_type, signs in shown if page_type == "article" and half(page_id) == "tune" and set_name != "readability-pages")
    threshold = math.floor(highest * 2) / 2 + 0.5 + 1.0
    print(f"highest tuning article {highest:.2f}: threshold {threshold}")
    for name in ("tune", "held"):
        listings = [row for row in rows if half(row[1]) == name and row[2] != "article"]
        skipped = [row for row in listings if row in shown and score(row[3]) > threshold]
        articles = [row[1] for row in shown if half(row[1]) == name and row[2] == "article" and score(row[3]) > threshold]
        print(f"{name} half: {len(skipped)} of {len(listings)} listings and collections without article evidence skipped; articles skipped {articles}")
    for set_name, page_id, page_type, signs in sorted(rows, key=lambda row: -score(row[3])):
        if set_name == "readability-pages":
            print(f"  readability-pages {page_id}: {threshold - score(signs):.2f} under{'' if page_kind.shows_listing(signs) else ' (no listing sign)'}")


if __name__ == "__main__":
    main()
