"""Crawl throughput: real pages crawled by wiredup and by a 20-line spider; generated pages stage by stage.

    python bench/crawl_speed.py                                       # real pages: two rounds of both crawls (~5 min on 2 cores)
    python bench/crawl_speed.py --repeat 1 --limit 200                # quicker
    python bench/crawl_speed.py --real-setting WIREDUP_EXTRACT_PROCESSES=1   # wiredup with a setting of its own
    python bench/crawl_speed.py --generated                           # then the generated pages too (~10 min more)
    python bench/crawl_speed.py --generated --skip-real --pages 1000 --sample 100 --skip-stages --repeat 1

Real pages (issue 19; bench/real_crawl.py): wcxb-dev-articles' 793 article pages
served from 127.0.0.1 with one RSS feed and no crawl delay, crawled into fresh
databases by `scrapy crawl news` (a new process each time: cold start included)
and by bench/baseline_spider.py (trafilatura.extract without comments in its
callback, each row inserted with sqlite-utils, one process), in turn, with the
same limits (no AutoThrottle, no delay, 16 requests in flight), ``--repeat``
times, the order swapped each round. Printed: each crawl's pages/s over its
process's whole life, CPU ms a page, the ratio of the best of each and round by
round, and where the best wiredup crawl's time went (phases of the run; CPU a
page of each pipeline stage on the reactor thread, of Scrapy's own work, of the
pool's threads and of the extraction workers).

Generated pages (``--generated``, issue 8): a seeded corpus (bench/corpus.py: 50-150 KB pages like the fixtures, ~30 %
wire copies) is written to a temporary folder and served by ten outlets
(tests/news_site.py, one port each on 127.0.0.1, in a separate process).

Stages, in this process, on the first ``--sample`` pages, each next to its
floor or baseline measured in the same run:
  parse           lxml.html.fromstring (the floor of any extraction)
  extract         wiredup.extract.article.extract_article, one process
  extract pool    the same through ExtractionPool with one worker per usable core
  sign            fingerprints(): shingle hashes once, MinHash.bulk (next to: the
                  shingle hashes alone, and datasketch MinHash.update per shingle)
  dedup + store   DedupPipeline + StorePipeline on a fresh database, batched writes
                  (WIREDUP_STORE_BATCH_SIZE=50) next to one transaction per article

Then `scrapy crawl news` over all pages on fresh databases, with the pool
(WIREDUP_EXTRACT_PROCESSES=0) and without (=1), in turn, ``--repeat`` times
(2): this virtual machine's speed drifts by a quarter from one minute to the
next, so a single pair can compare a fast spell with a slow one; the best
crawl of each kind is compared, as timeit takes the best of its repeats.
Scrapy's politeness limits are lifted (no AutoThrottle, 32 concurrent
requests, no Crawl-delay): this measures the machine, not the sites' delays.
Printed per crawl: article pages/s over Scrapy's elapsed time, wall seconds,
peak RSS of the crawl process and of its largest extraction worker, database
bytes per stored article, CPU milliseconds per page of the crawl process and
its workers together (what bounds the rate on a busy machine: N cores give at
most N * 1000 / that pages/s), and of the test site's server (it shares the
cores; a real site's does not); then the ratio pool on / off, best against
best and round by round.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import OUTLETS, generate  # noqa: E402

BIN = Path(sys.executable).parent


def write_corpus(pages, folder: Path) -> None:
    for page in pages:
        path = folder / page.outlet / page.path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.html, encoding="utf-8")


def serve(folder: Path) -> None:
    """Serve each outlet folder as a NewsSite; print {outlet: base URL} as one JSON line, then wait."""
    from news_site import NewsSite

    sites = []
    for outlet in OUTLETS:
        articles = {f"/{p.relative_to(folder / outlet)}": p.read_bytes() for p in sorted((folder / outlet).rglob("*.html"))}
        sites.append(NewsSite(outlet, articles, crawl_delay=None).start())
    print(json.dumps({site.name: site.url("/") for site in sites}), flush=True)
    sys.stdin.read()  # until the bench closes our stdin


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def time_it(function, items) -> float:
    started = time.perf_counter()
    for item in items:
        function(item)
    return time.perf_counter() - started


def stages(pages, processes: int) -> None:
    import lxml.html
    from datasketch import MinHash

    from wiredup.extract.pool import ExtractionPool, extract_or_skip
    from wiredup.group.fingerprint import fingerprints, _hashes
    from wiredup.settings import GroupingSettings

    urls = [f"https://www.{p.outlet}.example{p.path}" for p in pages]
    htmls = [p.html for p in pages]
    n = len(pages)
    rows = []
    parse = time_it(lxml.html.fromstring, htmls)
    rows.append(("parse (lxml, floor)", rate(n, parse), ""))
    started = time.perf_counter()
    texts = [extract_or_skip(html, url, 250) for html, url in zip(htmls, urls)]
    extract = time.perf_counter() - started
    rows.append(("extract, 1 process", rate(n, extract), f"{parse / extract:.2f} of parse"))
    pool = ExtractionPool(processes)
    list(pool.submit(h, u, 250).result() for h, u in zip(htmls[:processes * 2], urls[:processes * 2]))  # workers up
    started = time.perf_counter()
    futures = [pool.submit(html, url, 250) for html, url in zip(htmls, urls)]
    pooled = [future.result() for future in futures]
    extract_pool = time.perf_counter() - started
    pool.close()
    assert [getattr(a, "text", a) for a in pooled] == [getattr(a, "text", a) for a in texts]
    rows.append((f"extract, pool of {processes}", rate(n, extract_pool), f"{extract / extract_pool:.2f}x one process"))

    texts = [a.text for a in texts if not isinstance(a, tuple)]
    settings = GroupingSettings()
    hashing = time_it(lambda text: _hashes(text, settings.shingle_size), texts)
    started = time.perf_counter()
    fingerprints(texts, settings)
    signing = time.perf_counter() - started

    def per_shingle(text):
        minhash = MinHash(num_perm=settings.num_perm, seed=settings.seed)
        for shingle in _hashes(text, settings.shingle_size)[0].tolist():
            minhash.update(shingle.to_bytes(4, "little"))

    naive = time_it(per_shingle, texts)
    rows.append(("shingle hashes only (floor)", rate(len(texts), hashing), ""))
    rows.append(("sign: MinHash.bulk, hashfunc=int", rate(len(texts), signing), f"{naive / signing:.1f}x update per shingle"))
    rows.append(("sign: MinHash.update per shingle", rate(len(texts), naive), ""))

    for batch in (50, 1):
        seconds, stored = dedup_store(pages, batch)
        rows.append((f"dedup + store, batch {batch}", rate(stored, seconds), ""))
    rows[-2] = (*rows[-2][:2], f"{rows[-2][1] / rows[-1][1]:.2f}x batch 1")
    print(f"\nStages on {n} pages ({len(texts)} articles), this process:")
    for name, per_second, note in rows:
        print(f"  {name:34} {per_second:9.1f} /s   {note}")


def dedup_store(pages, batch: int) -> tuple[float, int]:
    """Seconds DedupPipeline + StorePipeline take over the sample's articles, on a fresh database."""
    from scrapy.exceptions import DropItem
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler

    from pipelines.dedup import DedupPipeline
    from pipelines.extract import ExtractPipeline
    from pipelines.store import StorePipeline
    from scraper.items import ArticleItem
    from scraper.spiders.news import NewsSpider

    with tempfile.TemporaryDirectory() as folder:
        crawler = get_crawler(NewsSpider, {"WIREDUP_DATABASE": f"{folder}/s.db", "WIREDUP_STORE_BATCH_SIZE": batch,
                                           "WIREDUP_EXTRACT_PROCESSES": 1})
        extract, dedup, store = (build_from_crawler(cls, crawler) for cls in (ExtractPipeline, DedupPipeline, StorePipeline))
        items = []
        for page in pages:
            item = ArticleItem(url=f"https://www.{page.outlet}.example{page.path}", body=page.html.encode(), encoding="utf-8",
                               content_type="text/html", status=200, headers={}, fetched_at="2024-04-20T00:00:00+00:00",
                               source=page.outlet)
            try:
                items.append(extract.process_item(item))
            except DropItem:
                pass
        dedup.open_spider()
        store.open_spider()
        started = time.perf_counter()
        for item in items:
            store.process_item(dedup.process_item(item))
        store.close_spider()
        seconds = time.perf_counter() - started
        store.finish_run(None, "finished")
        dedup.close_spider()
    return seconds, len(items)


def _memory_mb(pid: int, field: str) -> float:
    """A /proc/<pid>/status memory figure in MB (0 once the process is gone).

    VmHWM, not wait4's ru_maxrss: Linux carries ru_maxrss over an exec from the
    process that forked, so a crawl started by this script reported this
    script's memory (the whole corpus) as its own peak.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (its reaped children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawl(urls: dict, folder: Path, processes: int, concurrency: int, server_pid: int) -> dict:
    from news_site import write_sources

    run = folder / f"crawl-{processes}"
    run.mkdir(parents=True)
    sources = write_sources(run / "sources.toml", [
        {"name": name, "home": url, "feeds": [url + "feed.xml"], "sitemaps": [url + "sitemap-index.xml"],
         "article_patterns": ["/articles/"]}
        for name, url in urls.items()
    ])
    database = run / "news.db"
    command = [str(BIN / "scrapy"), "crawl", "news", "-a", f"sources={sources}",
               "-s", f"WIREDUP_DATABASE={database}", "-s", f"WIREDUP_EXTRACT_PROCESSES={processes}",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"CONCURRENT_REQUESTS={concurrency}",
               "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}", "-s", "LOG_LEVEL=INFO"]
    started = time.perf_counter()
    server_cpu = _cpu_seconds(server_pid)
    with open(run / "crawl.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        peaks = {"crawl": 0, "worker": 0}
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peaks["crawl"] = max(peaks["crawl"], _memory_mb(process.pid, "VmHWM"))
            peaks["worker"] = max([peaks["worker"], *(_memory_mb(child, "VmHWM") for child in _children(process.pid))])
            time.sleep(0.2)
    wall = time.perf_counter() - started
    server_cpu = _cpu_seconds(server_pid) - server_cpu
    if status != 0:
        sys.exit(f"the crawl failed ({status}); see {run / 'crawl.log'}")
    with sqlite3.connect(database) as conn:
        (stats,) = conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
        (articles,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        (clusters,) = conn.execute("SELECT count(DISTINCT cluster_id) FROM articles").fetchone()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stats = json.loads(stats)
    pages = stats.get("wiredup/extracted", 0) + stats.get("wiredup/skipped", 0)
    elapsed = float(stats.get("elapsed_time_seconds", wall))
    size = sum(path.stat().st_size for path in run.glob("news.db*"))
    return {"processes": processes, "pages": pages, "articles": articles, "stories": clusters, "elapsed_s": elapsed,
            "wall_s": wall, "pages_s": pages / elapsed, "peak_rss_mb": peaks["crawl"], "worker_peak_mb": peaks["worker"],
            # the crawl process and its extraction workers (reaped children), start-up included
            "cpu_ms_page": (usage.ru_utime + usage.ru_stime) * 1000 / max(1, pages),
            # the test site's server shares the 2 cores; a real site's does not
            "site_cpu_ms_page": server_cpu * 1000 / max(1, pages),
            "db_bytes_per_article": size / max(1, articles)}


def real_pages(args) -> None:
    """Issue 19's table: wiredup and the baseline spider over real pages, in turn, and wiredup's time by stage."""
    import real_crawl

    pages = len(real_crawl.load_pages(args.data, args.limit))
    settings = dict(value.split("=", 1) for value in args.real_setting)
    print(f"\n{pages} real pages ({args.data.name}) on 127.0.0.1, one feed, no delay; load average {_load()}")
    results = []
    with real_crawl.Site(args.data, args.limit) as site, tempfile.TemporaryDirectory(prefix="wiredup-real-") as tmp:
        for round_ in range(1, args.repeat + 1):
            crawls = [("baseline", None)] + [("wiredup", project) for project in args.project or [real_crawl.ROOT]]
            for number, (kind, project) in enumerate(crawls if round_ % 2 else crawls[::-1]):  # who goes first alternates
                folder = Path(tmp) / f"round-{round_}-{number}-{kind}"
                if kind == "baseline":
                    result = real_crawl.crawl_baseline(site, folder, pages)
                else:
                    result = real_crawl.crawl_wiredup(site, folder, pages, settings, project.resolve())
                results.append({**result, "kind": kind, "round": round_, "load": os.getloadavg()[0]})
    print(f"  {'crawl':34} {'pages/s':>8} {'wall s':>7} {'stored':>7} {'stories':>8} {'CPU ms/page':>11} {'site ms/page':>12} {'load':>5}")
    for r in results:
        name = f"{r['name']}, round {r['round']}"
        stories = "" if r["stories"] is None else r["stories"]
        print(f"  {name:34} {r['pages_s']:8.1f} {r['wall_s']:7.1f} {r['stored']:7} {stories:>8} {r['cpu_ms_page']:11.1f} "
              f"{r['site_cpu_ms_page']:12.1f} {r['load']:5.2f}")
    baseline = max((r for r in results if r["kind"] == "baseline"), key=lambda r: r["pages_s"])
    for name in dict.fromkeys(r["name"] for r in results if r["kind"] == "wiredup"):
        runs = [r for r in results if r["name"] == name]
        best = max(runs, key=lambda r: r["pages_s"])
        by_round = {r["round"]: r["pages_s"] for r in results if r["kind"] == "baseline"}
        rounds = ", ".join(f"{r['pages_s'] / by_round[r['round']]:.2f}x" for r in runs)
        print(f"  best of {args.repeat}: {name} {best['pages_s']:.1f} pages/s, baseline {baseline['pages_s']:.1f}; "
              f"{name} / baseline {best['pages_s'] / baseline['pages_s']:.2f}x (each round: {rounds})   (issue 19 asks >= 1.5x)")
    print(f"  load average now {_load()}")
    for name in dict.fromkeys(r["name"] for r in results if r["kind"] == "wiredup"):
        best = max((r for r in results if r["name"] == name), key=lambda r: r["pages_s"])
        print(f"\n  Where {name}'s time went (its best crawl, {pages} pages; code from {Path(best['clock']['code']).parents[1]}):")
        for label, value in real_crawl.breakdown(best):
            print(f"    {label:92} {value}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="a benchmark set with html/*.html.gz and ground-truth/*.json (wcxb-dev-articles)")
    parser.add_argument("--limit", type=int, default=None, help="real pages: only the first N")
    parser.add_argument("--real-setting", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting for wiredup's real-page crawls")
    parser.add_argument("--project", action="append", type=Path, metavar="DIR",
                        help="crawl with this copy of the project instead (repeat it: each is crawled every round), "
                             "e.g. git worktrees at two commits for a before and after")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--generated", action="store_true", help="the generated-page stages and crawls too (issue 8)")
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=300, help="pages the stage rates are measured on")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--skip-stages", action="store_true")
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the two crawls; the best of each is compared")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if not args.skip_real:
        import real_crawl

        args.data = args.data or real_crawl.DEFAULT_DATA
        real_pages(args)
    if args.generated:
        generated_pages(args)


def generated_pages(args) -> None:
    """Issue 8's tables: stage rates on generated pages, then crawls of them with the pool on and off."""
    from wiredup.extract.pool import usable_cores

    processes = usable_cores()
    print(f"{os.cpu_count()} cores ({processes} usable), load average {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    started = time.perf_counter()
    pages = generate(args.pages, args.seed)
    sizes = sorted(len(p.html) for p in pages)
    copies = sum(p.story != int(p.path.split("/")[-1][:6]) for p in pages)
    print(f"{len(pages)} pages generated in {time.perf_counter() - started:.0f} s: {sizes[0] // 1000}-{sizes[-1] // 1000} KB "
          f"(median {sizes[len(sizes) // 2] // 1000}), {copies / len(pages):.0%} wire copies")
    if not args.skip_stages:
        stages(pages[: args.sample], processes)
    if args.skip_crawl:
        return
    with tempfile.TemporaryDirectory(prefix="wiredup-crawl-") as tmp:
        folder = Path(tmp)
        write_corpus(pages, folder / "site")
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(folder / "site")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            urls = json.loads(server.stdout.readline())
            # pool on and off alternate, so that a slow spell of the machine falls on both
            results = [crawl(urls, folder / f"round-{round_}", setting, args.concurrency, server.pid)
                       for round_ in range(1, args.repeat + 1) for setting in (0, 1)]
        finally:
            server.stdin.close()
            server.wait(timeout=30)
    print(f"\n`scrapy crawl news` over {len(pages)} pages on 127.0.0.1 ({args.concurrency} concurrent requests), "
          f"pool on and off in turn, {args.repeat} times:")
    print(f"  {'extraction':26} {'pages/s':>8} {'elapsed s':>9} {'wall s':>7} {'articles':>8} {'stories':>8} {'peak MB':>8} {'worker MB':>9} {'DB B/art':>9} {'CPU ms/page':>11} {'site ms/page':>12}")
    for number, result in enumerate(results):
        name = f"pool of {processes}" if result["processes"] == 0 else "in the crawl (off)"
        print(f"  {name + f', round {number // 2 + 1}':26} {result['pages_s']:8.1f} {result['elapsed_s']:9.1f} {result['wall_s']:7.1f} {result['articles']:8} "
              f"{result['stories']:8} {result['peak_rss_mb']:8.0f} {result['worker_peak_mb']:9.0f} {result['db_bytes_per_article']:9.0f} {result['cpu_ms_page']:11.1f} {result['site_cpu_ms_page']:12.1f}")
    on = max((r for r in results if r["processes"] == 0), key=lambda r: r["pages_s"])
    off = max((r for r in results if r["processes"] == 1), key=lambda r: r["pages_s"])
    rounds = ", ".join(f"{a['pages_s'] / b['pages_s']:.2f}x" for a, b in zip(results[::2], results[1::2]))
    print(f"  CPU ms/page: the crawl process and its workers; {processes} cores at most {processes * 1000 / on['cpu_ms_page']:.0f} pages/s at that cost")
    print(f"  best of {args.repeat}: pool on {on['pages_s']:.1f} pages/s, off {off['pages_s']:.1f}; on / off: {on['pages_s'] / off['pages_s']:.2f}x "
          f"(each round: {rounds})   (the issue asks >= 70 pages/s and >= 1.6x on 2 cores)")
    if len({(r["articles"], r["stories"]) for r in results}) > 1:
        print("  WARNING: the crawls stored different articles or stories")

if __name__ == "__main__":
    main()
