"""How grouping cost grows with the database: docs/s, open time and peak memory at 10k, 100k, 1M stored.

    python bench/grouping_speed.py                          # 10k, 100k, 1M stored (about 15 min, ~8 GB of disk)
    python bench/grouping_speed.py --sizes 10000,100000     # quicker
    python bench/grouping_speed.py --no-window-baseline     # also measure with no window, up to 100k
    python bench/grouping_speed.py --no-window-baseline --no-window-max 1000000   # ...and every article indexed at 1M

A database is grown to each size with synthetic articles (text from a bigram
model of the labelled syndication set, so unrelated pages share common phrases
as real news does), stored through the real schema, `--per-day` articles per
day. At each size a fresh process opens it as a crawl does (DedupPipeline:
the candidate index of the grouping window) and sends `--new` articles through
DedupPipeline and StorePipeline: a third of them copies (cut or extended) of
recent stored articles, the rest new stories. Printed per size: time to open
the database for grouping, articles in the index, the memory the index keeps
(Python and numpy allocations held after open_spider, traced with tracemalloc,
per indexed article: band tables, keys, their dict), docs/s for dedup alone
and its median ms per article (items arrive signed, as from the extraction
pool; signing is timed apart, last column),
dedup + store (batched writes, --batch), peak RSS of the measuring process,
and the cost per new article as a ratio to the smallest size (the issue asks
for at most 2 at 1M vs 10k).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wiredup.group.fingerprint import fingerprints  # noqa: E402
from wiredup.settings import GroupingSettings  # noqa: E402
from wiredup.store.schema import open_database  # noqa: E402
from synthetic_text import CORPUS, BigramText  # noqa: E402

# Stored articles are first seen on their story date, 500 a day: from 2020 on, 1M of them end in 2025,
# before today. First seen is never in the future in a real database, and a crawl reads the window
# back from the newest first seen, capped at now: later dates would put a million in its window.
START = datetime(2020, 1, 1, tzinfo=timezone.utc)


def story_date(index: int, per_day: int) -> str:
    return (START + timedelta(days=index / per_day)).isoformat(timespec="seconds")


def grow(db_path: Path, target: int, pool: list[str], pool_fps, per_day: int) -> float:
    """Add filler articles (one story each) until the database holds ``target``; return seconds."""
    settings = GroupingSettings()
    scheme = settings.scheme_key()
    db = open_database(db_path)
    (have,) = db.execute("SELECT count(*) FROM articles").fetchone()
    started = time.perf_counter()
    for begin in range(have, target, 5000):
        end = min(begin + 5000, target)
        with db.atomic():
            rows, signatures = [], []
            for i in range(begin, end):
                text, fp = pool[i % len(pool)], pool_fps[i % len(pool)]
                when = story_date(i, per_day)
                rows.append((f"https://filler{i % 97}.example/{i}", "bench", f"Story {i}", "[]", when, "Filler",
                             text, hashlib.sha256(f"{i}".encode()).hexdigest(), when, when))
                signatures.append(fp)
            db.conn.executemany(
                """INSERT INTO articles (url, source, title, authors, published, sitename, text, text_hash, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                rows,
            )
            ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id DESC LIMIT ?", [end - begin])][::-1]
            db.conn.executemany("INSERT INTO clusters (id, size, outlets) VALUES (?, 1, 1)", [(i,) for i in ids])
            db.conn.executemany("UPDATE articles SET cluster_id = id WHERE id = ?", [(i,) for i in ids])
            db.conn.executemany(
                "INSERT INTO signatures (article_id, scheme, minhash, shingles, passages) VALUES (?, ?, ?, ?, ?)",
                [(i, scheme, *(lambda c: (c["minhash"], c["shingles"], c["passages"]))(fp.to_columns())) for i, fp in zip(ids, signatures)],
            )
    db.conn.close()
    return time.perf_counter() - started


def current_rss() -> int:
    """This process's resident memory now, in bytes (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


def measure(db_path: Path, new: int, pool_size: int, per_day: int, window_days: float, seed: int, batch: int) -> dict:
    """In this process: open the database as a crawl does, then group ``new`` articles."""
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler

    from pipelines.dedup import DedupPipeline
    from pipelines.store import StorePipeline
    from scraper.items import ArticleItem
    from scraper.spiders.news import NewsSpider

    rng = random.Random(seed)
    texts = BigramText(CORPUS, seed + 1)
    db = open_database(db_path)
    (stored,) = db.execute("SELECT count(*) FROM articles").fetchone()
    recent = [text for (text,) in db.execute("SELECT text FROM articles ORDER BY id DESC LIMIT 2000")]
    db.conn.close()
    newest = story_date(stored, per_day)
    items = []
    for n in range(new):
        if n % 3 == 0:  # a copy of a recent article: cut and extended
            lines = rng.choice(recent).splitlines()
            text = "\n".join(lines[: max(2, len(lines) * 2 // 3)] + [texts.article().splitlines()[0]])
        else:
            text = texts.article()
        url = f"https://new{n % 13}.example/{seed}/{n}"
        items.append(ArticleItem(url=url, body=b"<html></html>", encoding="utf-8", content_type="text/html", status=200,
                                 headers={}, fetched_at=newest, source="bench", canonical_url=url, title=f"New {n}",
                                 published=newest, sitename="Bench", text=text,
                                 text_hash=hashlib.sha256(text.encode()).hexdigest()))
    crawler = get_crawler(NewsSpider, {"WIREDUP_DATABASE": str(db_path), "WIREDUP_DEDUP_WINDOW_DAYS": window_days,
                                       "WIREDUP_STORE_BATCH_SIZE": batch})
    dedup, store = (build_from_crawler(cls, crawler) for cls in (DedupPipeline, StorePipeline))
    # Signing is done in the extraction workers of a crawl (bench/crawl_speed.py prints its rate):
    # here it is timed apart, and the items reach DedupPipeline signed, as they do from the pool.
    started = time.perf_counter()
    for item, fp in zip(items, fingerprints([item.text for item in items], GroupingSettings())):
        item.presigned = (item.text, fp)
    sign_ms = 1000 * (time.perf_counter() - started) / len(items)
    # What the index keeps: Python and numpy allocations still held after a second open, traced.
    tracemalloc.start()
    traced = build_from_crawler(DedupPipeline, crawler)
    traced.open_spider()
    index_bytes = tracemalloc.get_traced_memory()[0]
    traced.close_spider()
    del traced
    tracemalloc.stop()
    started = time.perf_counter()
    dedup.open_spider()
    open_seconds = time.perf_counter() - started
    indexed = len(dedup.incoming.window)
    store.open_spider()
    dedup_seconds = store_seconds = 0.0
    matched = 0
    per_article = []
    for item in items:
        t0 = time.perf_counter()
        dedup.process_item(item)
        t1 = time.perf_counter()
        store.process_item(item)
        t2 = time.perf_counter()
        dedup_seconds += t1 - t0
        store_seconds += t2 - t1
        per_article.append(t1 - t0)
        matched += bool(item.matches)
    t0 = time.perf_counter()
    store.close_spider()  # the last batch
    store_seconds += time.perf_counter() - t0
    store.finish_run(None, "finished")
    dedup.close_spider()
    return {
        "stored": stored,
        "window_days": window_days,
        "indexed": indexed,
        "open_s": round(open_seconds, 3),
        "dedup_docs_s": round(new / dedup_seconds, 1),
        "dedup_store_docs_s": round(new / (dedup_seconds + store_seconds), 1),
        "ms_per_article": round(1000 * (dedup_seconds + store_seconds) / new, 2),
        "median_dedup_ms": round(1000 * sorted(per_article)[len(per_article) // 2], 2),
        "index_bytes_per_article": round(index_bytes / max(1, indexed)),
        "sign_ms": round(sign_ms, 2),
        "matched": matched,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--per-day", type=int, default=500, help="stored articles per day of story dates")
    parser.add_argument("--new", type=int, default=300, help="new articles grouped at each size")
    parser.add_argument("--pool", type=int, default=15000, help="distinct filler texts (more than a window holds)")
    parser.add_argument("--database", type=Path, help="grow this file instead of a temporary one")
    parser.add_argument("--no-window-baseline", action="store_true", help="also measure with no window (every article indexed)")
    parser.add_argument("--no-window-max", type=int, default=100_000, help="largest size measured with no window")
    parser.add_argument("--batch", type=int, default=50, help="WIREDUP_STORE_BATCH_SIZE of the measuring StorePipeline")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--window-days", type=float, default=GroupingSettings().window_days, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.new, args.pool, args.per_day, args.window_days, args.seed, args.batch)))
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    db_path = args.database or Path(tempfile.mkdtemp(prefix="wiredup-bench-")) / "bench.db"
    started = time.perf_counter()
    texts = BigramText(CORPUS, 0)
    pool = [texts.article() for _ in range(args.pool)]
    pool_fps = fingerprints(pool, GroupingSettings())
    print(f"{args.pool} filler texts signed in {time.perf_counter() - started:.1f} s; {args.per_day} articles/day; database {db_path}")

    def run(window_days: float, seed: int) -> dict:
        command = [sys.executable, __file__, "--measure", str(db_path), "--new", str(args.new), "--pool", str(args.pool),
                   "--per-day", str(args.per_day), "--window-days", str(window_days), "--seed", str(seed),
                   "--batch", str(args.batch)]
        return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)

    results = []
    header = (f"{'stored':>9} {'window':>6} {'indexed':>8} {'open s':>7} {'index B/art':>11} {'dedup/s':>8} {'med ms':>6} "
              f"{'+store/s':>8} {'ms/art':>7} {'matched':>7} {'peak MB':>8} {'cost ratio':>10} {'sign ms':>7}")
    print(header)
    for number, size in enumerate(sizes):
        grown = grow(db_path, size, pool, pool_fps, args.per_day)
        windows = [GroupingSettings().window_days] + ([0.0] if args.no_window_baseline and size <= args.no_window_max else [])
        for window in windows:
            result = run(window, number * 2 + (window == 0))
            results.append(result)
            base = next(r for r in results if r["window_days"] == window)
            ratio = result["ms_per_article"] / base["ms_per_article"]
            print(f"{result['stored']:>9} {window or 'none':>6} {result['indexed']:>8} {result['open_s']:>7} "
                  f"{result['index_bytes_per_article']:>11} {result['dedup_docs_s']:>8} {result['median_dedup_ms']:>6} "
                  f"{result['dedup_store_docs_s']:>8} {result['ms_per_article']:>7} "
                  f"{result['matched']:>7} {result['peak_rss_mb']:>8} {ratio:>10.2f} {result['sign_ms']:>7}", flush=True)
        print(f"  (grown to {size} in {grown:.0f} s; database {db_path.stat().st_size / 1e9:.2f} GB)", flush=True)


if __name__ == "__main__":
    main()
