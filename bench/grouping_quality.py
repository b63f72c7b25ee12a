"""How well wiredup groups copies of a story, against plain MinHashLSH.

Prints, for a JSONL set of documents (``id``, ``text``, ``cluster``): Adjusted
Rand Index and pairwise precision/recall for wiredup's `group()` with default
settings and for MinHashLSH at 0.5 and 0.8 (union-find on raw candidates, the
same MinHashes); then the measures that set the thresholds, a small sweep of
the two decision thresholds, and the seed pages' partition.

First, one line per data set (``--data``, repeatable; default
syndication-dev and syndication-wire-dev): wiredup beside the benchmark's two
reference rules, exact comparison of all pairs from ../shared/tools/dedup_eval.py
(word 5-grams Jaccard >= 0.1 and containment >= 0.4; char 9-grams Jaccard >= 0.15
and containment >= 0.45). Then the details for the first set.

    .venv/bin/python bench/grouping_quality.py
    .venv/bin/python bench/grouping_quality.py --data other.jsonl --seeds ''
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from math import comb
from pathlib import Path

import numpy as np
from datasketch import MinHashLSH

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wiredup.group.candidate_index import CandidateIndex  # noqa: E402
from wiredup.group.compare import compare  # noqa: E402
from wiredup.group.fingerprint import fingerprints  # noqa: E402
from wiredup.group.window import group  # noqa: E402
from wiredup.settings import GroupingSettings  # noqa: E402

SHARED = ROOT.parent / "shared"
REFERENCE_RULES = ("exact-word5-j0.1c0.4", "exact-char9-j0.15c0.45")
EXPECTED_SEEDS = [{"000", "001"}, {"002"}, {"003"}, {"004"}]


def pair_scores(gold: list, predicted: list) -> tuple[float, float, float]:
    """Adjusted Rand Index, pairwise precision and pairwise recall of two labelings.

    ARI (Hubert & Arabie) counts pairs in the contingency table of the two
    labelings and corrects for chance: 1 for identical partitions, about 0 for
    random ones. Precision: share of predicted same-group pairs that are gold
    same-group pairs; recall: the reverse (each 1.0 when it has no pairs to count).

    >>> pair_scores(["a", "a", "b", "b"], [1, 1, 2, 2])
    (1.0, 1.0, 1.0)
    >>> [round(x, 3) for x in pair_scores(["a", "a", "b", "b"], [1, 1, 1, 2])]
    [0.0, 0.333, 0.5]
    >>> round(pair_scores([0, 0, 1, 2], [0, 0, 1, 1])[0], 2)  # scikit-learn's documented example
    0.57
    """
    n = len(gold)
    together = sum(comb(k, 2) for k in Counter(zip(gold, predicted)).values())
    gold_pairs = sum(comb(k, 2) for k in Counter(gold).values())
    predicted_pairs = sum(comb(k, 2) for k in Counter(predicted).values())
    expected = gold_pairs * predicted_pairs / comb(n, 2) if n > 1 else 0.0
    best = (gold_pairs + predicted_pairs) / 2
    ari = 1.0 if best == expected else (together - expected) / (best - expected)
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    return ari, precision, recall


def labels(groups: list[set], n: int) -> list[int]:
    out = [0] * n
    for number, members in enumerate(groups):
        for i in members:
            out[i] = number
    return out


def union_find(n: int, edges) -> list[set]:
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in edges:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, set] = {}
    for i in range(n):
        groups.setdefault(root(i), set()).add(i)
    return list(groups.values())


def lsh_pairs(minhashes, lsh: MinHashLSH) -> set[tuple[int, int]]:
    with lsh.insertion_session() as session:
        for i, minhash in enumerate(minhashes):
            session.insert(i, minhash)
    return {(i, j) for i, minhash in enumerate(minhashes) for j in lsh.query(minhash) if j > i}


def percentiles(values, points=(1, 10, 50)) -> str:
    if not len(values):
        return "-"
    return " ".join(f"p{p}={v:.3g}" for p, v in zip(points, np.percentile(values, points, method="lower")))


def summary(paths: list[Path], tools: Path | None) -> None:
    """One line per data set: wiredup's `group()` and the reference rules, ARI / pair precision / pair recall."""
    evaluator = _dedup_eval(tools)
    rules = REFERENCE_RULES if evaluator else ()
    print(f"{'data set':28} {'docs':>5} {'wiredup ARI / P / R':>22}" + "".join(f" {rule + ' ARI / P':>30}" for rule in rules))
    settings = GroupingSettings()
    for path in paths:
        docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        gold = [doc["cluster"] for doc in docs]
        groups = group(dict(enumerate(fingerprints([doc["text"] for doc in docs], settings))), settings)
        ari, precision, recall = pair_scores(gold, labels(groups, len(docs)))
        cells = []
        for rule in rules:
            texts = [(str(doc["id"]), doc["text"]) for doc in docs]
            predicted = evaluator.builtin_baselines()[rule][0](texts)
            r_ari, r_precision, _ = pair_scores(gold, [predicted[str(doc["id"])] for doc in docs])
            cells.append(f" {r_ari:>21.4f} / {r_precision:.3f}")
        print(f"{path.name:28} {len(docs):5d} {ari:>8.4f} / {precision:.3f} / {recall:.3f}" + "".join(cells), flush=True)


def _dedup_eval(tools: Path | None):
    """../shared/tools/dedup_eval.py as a module, or None when it is not there."""
    path = tools / "dedup_eval.py" if tools else None
    if path is None or not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("dedup_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, action="append",
                        help="JSONL with id, text, cluster; repeatable (default: syndication-dev and syndication-wire-dev)")
    parser.add_argument("--tools", type=Path, default=SHARED / "tools",
                        help="folder of dedup_eval.py, for the reference rules; '' to skip them (default: %(default)s)")
    parser.add_argument("--seeds", default=str(SHARED / "seeds"),
                        help="folder of the seed pages 000-004 (*.txt); '' to skip (default: %(default)s)")
    args = parser.parse_args(argv)
    args.data = args.data or [SHARED / "benchmarks" / name for name in ("syndication-dev.jsonl", "syndication-wire-dev.jsonl")]
    summary(args.data, args.tools)
    args.data = args.data[0]
    print(f"\ndetails of {args.data.name}")

    docs = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [doc["text"] for doc in docs]
    gold = [doc["cluster"] for doc in docs]
    n = len(docs)
    settings = GroupingSettings()
    true_pairs = {(i, j) for i, j in itertools.combinations(range(n), 2) if gold[i] == gold[j]}
    print(f"data: {args.data}  {n} docs, {len(set(gold))} gold groups, {len(true_pairs)} true pairs")

    started = time.perf_counter()
    fps = fingerprints(texts, settings)
    signing = time.perf_counter() - started
    started = time.perf_counter()
    groups = group(dict(enumerate(fps)), settings)
    grouping = time.perf_counter() - started

    rows = [("wiredup group()", pair_scores(gold, labels(groups, n)), n / (signing + grouping), len(groups))]
    for threshold in (0.5, 0.8):
        started = time.perf_counter()
        pairs = lsh_pairs([fp.minhash for fp in fps], MinHashLSH(threshold=threshold, num_perm=settings.num_perm))
        plain = union_find(n, pairs)
        elapsed = time.perf_counter() - started
        rows.append((f"MinHashLSH({threshold}) + union-find", pair_scores(gold, labels(plain, n)), n / (signing + elapsed), len(plain)))

    print(f"\n{'method':34} {'ARI':>7} {'pair P':>7} {'pair R':>7} {'docs/s':>7} {'groups':>7}")
    for name, (ari, precision, recall), rate, count in rows:
        print(f"{name:34} {ari:7.4f} {precision:7.4f} {recall:7.4f} {rate:7.0f} {count:7d}")
    print(f"(docs/s includes signing all texts: {signing:.1f}s; wiredup grouping {grouping:.1f}s; same MinHashes for all)")

    # What the thresholds rest on: the measures of every true pair, and of the
    # false pairs that LSH hands to compare().
    index = CandidateIndex(settings)
    index.add_many(enumerate(fps))
    candidates = {(i, j) for i, fp in enumerate(fps) for j in index.candidates(fp) if j > i}
    measured = {pair: compare(fps[pair[0]], fps[pair[1]], settings) for pair in candidates | true_pairs}
    print(f"\ncandidates: lsh_threshold={settings.lsh_threshold} -> {index.bands} bands x {index.rows} rows; "
          f"{len(candidates)} candidate pairs ({len(candidates & true_pairs)} true, "
          f"{len(true_pairs - candidates)} true pairs not proposed, left to transitivity)")
    for name, pairs in (("true pairs", true_pairs), ("false candidate pairs", candidates - true_pairs)):
        ms = [measured[p] for p in pairs]
        jac = [m.jaccard for m in ms]
        con = [m.containment for m in ms]
        sp = [m.shared_passages for m in ms]
        top = f" max J={max(jac):.3f} C={max(con):.3f} passages={max(sp)}" if ms else ""
        print(f"  {name:22} n={len(ms):5d}  jaccard {percentiles(jac)}  containment {percentiles(con)}  "
              f"passages {percentiles(sp)}{top}")
    methods = Counter(m.method for p, m in measured.items() if p in candidates and m.same_story)
    print(f"  decided same story by: {dict(methods)}")

    print("\nsweep on the candidate pairs (ARI / pair precision); default: "
          f"containment={settings.containment}, min_shared_passages={settings.min_shared_passages}")
    passages_options = (1, 2, 3, 4, None)
    print(f"  {'containment':>11} " + " ".join(f"{'passages>=' + str(k) if k else 'no passages':>16}" for k in passages_options))
    for containment in (0.3, 0.4, 0.5, 0.6, 0.7):
        cells = []
        for k in passages_options:
            variant = replace(settings, containment=containment, min_shared_passages=k or 10**9)
            edges = [p for p in candidates if compare(fps[p[0]], fps[p[1]], variant).same_story]
            ari, precision, _ = pair_scores(gold, labels(union_find(n, edges), n))
            cells.append(f"{ari:.4f} / {precision:.3f}")
        print(f"  {containment:11.2f} " + " ".join(f"{c:>16}" for c in cells))

    if not args.seeds:
        return 0
    seed_files = sorted(Path(args.seeds).glob("0*.txt"))
    if not seed_files:
        print(f"\nseeds: none in {args.seeds}, skipped")
        return 0
    seeds = {path.name[:3]: path.read_text(encoding="utf-8") for path in seed_files}
    seed_fps = dict(zip(seeds, fingerprints(list(seeds.values()), settings)))
    partition = group(seed_fps, settings)
    verdict = "OK" if sorted(map(sorted, partition)) == sorted(map(sorted, EXPECTED_SEEDS)) else "WRONG"
    print(f"\nseeds (whole saved pages, clutter included): {[sorted(g) for g in partition]}  {verdict}")
    for a, b in itertools.combinations(seed_fps, 2):
        m = compare(seed_fps[a], seed_fps[b], settings)
        print(f"  {a}-{b}: jaccard={m.jaccard:.3f} containment={m.containment:.3f} "
              f"shared passages={m.shared_passages} -> {m.method or 'different'}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
