"""Candidate index memory, build and query time: datasketch's MinHashLSH storage vs wiredup.group.candidate_index.

    python bench/index_memory.py                          # 10k, 100k and 300k articles (~5 min, ~6 GB RAM at 300k)
    python bench/index_memory.py --sizes 10000,50000      # quicker

The same banding in all rows (datasketch picks 82 bands x 1 row for the
default threshold 0.02 at 128 permutations), over the same keys (URL strings,
as DedupPipeline indexes) and the same MinHashes (affine32 values of random
signatures: every band key distinct, as nearly all are between unrelated
articles). Per size and index, in a fresh process each:

  B/article   Python and numpy allocations held by the built index (tracemalloc),
              the keys' strings included, per article
  build s     MinHashLSH through `insertion_session`; CandidateIndex by `add_hashvalues`
  query ms    median of 300 queries of indexed signatures
  same        whether CandidateIndex proposed exactly MinHashLSH's candidates on those queries

Rows: MinHashLSH (dict storage, band keys as datasketch makes them), MinHashLSH
with `hashfunc` key compression (each band key an 8-byte xxh64 digest), and
CandidateIndex. A year of a large crawl (1M articles and more) needs the
index under 1 KB per article.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def signatures(count: int, num_perm: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    hashvalues = rng.integers(0, 2**32 - 1, size=(count, num_perm), dtype=np.uint64)
    keys = [f"https://www.outlet{i % 50}.example/articles/{i:07d}-{i * 2654435761 % 2**32:08x}.html" for i in range(count)]
    return keys, hashvalues


def measure(kind: str, count: int, queries: int) -> dict:
    import numpy as np
    import xxhash
    from datasketch import LeanMinHash, MinHashLSH

    from wiredup.group.candidate_index import CandidateIndex, lsh_bands, ordered
    from wiredup.settings import GroupingSettings

    settings = GroupingSettings()
    keys, hashvalues = signatures(count, settings.num_perm, 0)
    probes = np.random.default_rng(1).choice(count, size=min(queries, count), replace=False)
    probe_minhashes = [LeanMinHash(seed=settings.seed, hashvalues=hashvalues[i], scheme="affine32") for i in probes]
    params = lsh_bands(settings.lsh_threshold, settings.num_perm)

    tracemalloc.start()
    started = time.perf_counter()
    if kind == "candidate_index":
        index = CandidateIndex(settings)
        index.add_hashvalues(keys, hashvalues.astype(np.uint32))
    else:
        hashfunc = (lambda data: xxhash.xxh64_digest(data)) if kind == "minhashlsh_hashfunc" else None
        index = MinHashLSH(num_perm=settings.num_perm, params=params, hashfunc=hashfunc)
        with index.insertion_session() as session:
            for key, values in zip(keys, hashvalues):
                session.insert(key, LeanMinHash(seed=settings.seed, hashvalues=values, scheme="affine32"), check_duplication=False)
    build = time.perf_counter() - started
    del hashvalues
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    # the key strings are counted with the index: they live as long as it does
    times, found = [], []
    for minhash, i in zip(probe_minhashes, probes):
        started = time.perf_counter()
        if kind == "candidate_index":
            result = index.candidates(type("Probe", (), {"minhash": minhash, "shingles": [1]})())
        else:
            result = ordered(index.query(minhash))
        times.append(time.perf_counter() - started)
        found.append(result)
    return {"kind": kind, "count": count, "bytes_per_article": held / count, "build_s": build,
            "query_ms": 1000 * statistics.median(times), "found": [list(map(str, f)) for f in found]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.count, args.queries)))
        return
    print(f"{'articles':>9} {'index':28} {'B/article':>10} {'build s':>8} {'query ms':>9} {'same':>5}")
    for count in (int(size) for size in args.sizes.split(",")):
        results = {}
        for kind in ("minhashlsh", "minhashlsh_hashfunc", "candidate_index"):
            command = [sys.executable, __file__, "--measure", kind, "--count", str(count), "--queries", str(args.queries)]
            results[kind] = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        for kind, result in results.items():
            same = "" if kind != "candidate_index" else ("yes" if result["found"] == results["minhashlsh"]["found"] else "NO")
            print(f"{count:>9} {kind:28} {result['bytes_per_article']:>10.0f} {result['build_s']:>8.2f} "
                  f"{result['query_ms']:>9.3f} {same:>5}", flush=True)


if __name__ == "__main__":
    main()
