"""Pages/s of a standalone crawl, one crawl worker and two crawl workers (+ one `wiredup ingest`) on this machine.

    python bench/workers_speed.py                       # 4 sites x 40 articles, no delay
    python bench/workers_speed.py --sites 2 --articles 20 --delay 0.1

Serves ``--sites`` news sites on 127.0.0.1 (tests/news_site.py), each with ``--articles``
copies of the fixture articles (own paths and canonical URLs), starts a redis-server
(tests/redis_server.py), and crawls them three times into fresh project copies: standalone
(``scrapy crawl news``), then 1 and 2 workers (``WIREDUP_MODE=worker``) with one ingest process.
Printed per mode: article pages fetched, pages/s while crawling (first to last request the sites
logged), pages/s end to end (start to every article stored), and the ratio to standalone.

On one machine the workers compete for the same cores with each other and with the ingest
process; across hosts the extraction work (the CPU-heavy part) is what spreads. The sites all
live on 127.0.0.1, which a single Scrapy process treats as one host (one download slot), while
each worker owns its own sites.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from news_site import NewsSite, full_source, write_sources  # noqa: E402
from redis_server import RedisServer  # noqa: E402

BIN = Path(sys.executable).parent


def pages(site_number: int, count: int) -> dict[str, bytes]:
    """``count`` article pages: the fixture articles in turn, each with its own canonical URL."""
    with open(ROOT / "fixtures" / "manifest.toml", "rb") as handle:
        manifest = sorted(tomllib.load(handle)["article"], key=lambda page: page["seed"])
    result = {}
    for number in range(count):
        page = manifest[number % len(manifest)]
        html = (ROOT / "fixtures" / page["file"]).read_text(encoding="utf-8")
        assert page["url"] in html, page["file"]
        html = html.replace(page["url"], f"{page['url']}-bench-{site_number}-{number}")
        result[f"/articles/{Path(page['file']).stem}-{number}.html"] = html.encode("utf-8")
    return result


def fresh_project(base: Path, name: str) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "*.db", "*.db-*", "__pycache__", ".pytest_cache", "*.egg-info")
    return Path(shutil.copytree(ROOT, base / name, ignore=ignore))


def crawl_settings(delay: float) -> list[str]:
    return ["-s", f"DOWNLOAD_DELAY={delay}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]


def run_mode(base: Path, mode: str, workers: int, args, redis_server: RedisServer | None) -> dict:
    project = fresh_project(base, mode)
    with ExitStack() as stack:
        sites = [stack.enter_context(NewsSite(f"bench-{n}", pages(n, args.articles), crawl_delay=args.delay or None,
                                              home_links=True, feed_items=False, sitemap_urls=False))
                 for n in range(args.sites)]
        sources = write_sources(project / "sources.toml", [full_source(site) for site in sites])
        command = [str(BIN / "scrapy"), "crawl", "news", "-a", f"sources={sources}", *crawl_settings(args.delay)]
        expected = args.sites * args.articles
        started = time.monotonic()
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": project}
        if redis_server is None:
            processes = [subprocess.Popen(command, **quiet)]
        else:
            worker_command = [*command, "-s", "WIREDUP_MODE=worker", "-s", f"WIREDUP_REDIS_URL={redis_server.url}",
                              "-s", "WIREDUP_WORKER_TIMEOUT=5"]
            processes = [subprocess.Popen(worker_command, **quiet) for _ in range(workers)]
            time.sleep(2)  # let the workers register before the ingest process looks for them
            processes.append(subprocess.Popen(
                [str(BIN / "wiredup"), "ingest", "news.db", "--redis", redis_server.url, "--stop-when-idle", "2"], **quiet))
        all_stored = None
        while any(process.poll() is None for process in processes):
            if all_stored is None and stored_count(project) >= expected:
                all_stored = time.monotonic()
            time.sleep(0.1)
        all_stored = all_stored or time.monotonic()
        articles = [request for site in sites for request in site.since() if request.path in set(site.article_paths)]
        stored = stored_count(project)
    times = sorted(request.time for request in articles)
    crawling = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {"mode": mode, "fetched": len(articles), "stored": stored, "crawl_pps": len(articles) / crawling,
            "end_to_end_pps": stored / (all_stored - started), "seconds": all_stored - started}


def stored_count(project: Path) -> int:
    try:
        with sqlite3.connect(project / "news.db", timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:  # not created yet, or being migrated
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--articles", type=int, default=40, help="articles per site")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between two requests to a site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wiredup-workers-") as tmp:
        base = Path(tmp)
        results = [run_mode(base, "standalone", 1, args, None)]
        for workers in (1, 2):
            with RedisServer(base / f"redis-{workers}") as server:
                results.append(run_mode(base, f"{workers} worker{'s' if workers > 1 else ''}", workers, args, server))
    baseline = results[0]
    print(f"{args.sites} sites x {args.articles} articles on 127.0.0.1, delay {args.delay} s; "
          "pages/s while crawling (first to last article request) and end to end (start to the last article stored)")
    print(f"{'mode':<12} {'fetched':>8} {'stored':>7} {'crawl p/s':>10} {'x':>6} {'e2e p/s':>9} {'x':>6} {'seconds':>8}")
    for row in results:
        print(f"{row['mode']:<12} {row['fetched']:>8} {row['stored']:>7} {row['crawl_pps']:>10.1f} "
              f"{row['crawl_pps'] / baseline['crawl_pps']:>6.2f} {row['end_to_end_pps']:>9.1f} "
              f"{row['end_to_end_pps'] / baseline['end_to_end_pps']:>6.2f} {row['seconds']:>8.1f}")


if __name__ == "__main__":
    main()
