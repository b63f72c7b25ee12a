"""Real article pages on 127.0.0.1, crawled by `scrapy crawl news` and by issue 19's baseline spider (bench/crawl_speed.py).

The pages of a benchmark set (wcxb-dev-articles by default: html/*.html.gz, the page's URL in
ground-truth/*.json) are served from one port of 127.0.0.1 by a separate process, each at its
real URL's host and path (``/www.site.example/2025/09/04/story/``: the dates and words in a URL
are evidence the extraction uses), with a robots.txt that allows everything and asks no delay,
and one RSS feed listing every page without dates (a feed's date would be a hint the baseline
does not get). Each crawl is a fresh process on a fresh database, so start-up is included.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "wcxb-dev-articles"

# Both crawls get the same limits: no AutoThrottle, no delay, 16 requests in flight on the one host.
CRAWL_LIMITS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "LOG_LEVEL": "INFO"}


def load_pages(data: Path, limit: int | None = None) -> dict[str, bytes]:
    """{path on the test server: page bytes}: each page at its real URL's host and path."""
    pages = {}
    for page in sorted((data / "html").glob("*.html.gz"))[:limit]:
        file_id = page.name.split(".")[0]
        truth = data / "ground-truth" / f"{file_id}.json"
        url = json.loads(truth.read_text(encoding="utf-8")).get("url") if truth.exists() else None
        parts = urlsplit(url or f"https://unknown.example/{file_id}")
        path = quote(unquote(f"/{parts.hostname}{parts.path or '/'}"), safe="/-._~!$&'()*+,;=:@%")
        if path in pages:  # two pages of one URL: the second gets its own
            path = f"{path.rstrip('/')}/{file_id}"
        pages[path] = gzip.decompress(page.read_bytes())
    return pages


def serve(data: Path, limit: int | None) -> None:
    """Serve the pages; print the base URL as one line, then wait until stdin closes."""
    pages = {unquote(path): body for path, body in load_pages(data, limit).items()}
    base = {}

    def feed() -> bytes:
        items = "".join(f"<item><title>{i}</title><link>{escape(base['url'] + quote(path, safe='/-._~!$&()*+,;=:@%'))}</link></item>\n"
                        for i, path in enumerate(pages))
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>real pages</title>\n{items}</channel></rss>\n'.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the server's CPU stays small beside the crawls'

        def log_message(self, format, *args):
            pass

        def do_GET(self):
            path = unquote(self.path.split("?", 1)[0])
            if path == "/robots.txt":
                status, kind, body = 200, "text/plain", b"User-agent: *\nAllow: /\n"
            elif path == "/feed.xml":
                status, kind, body = 200, "application/rss+xml", feed()
            elif path in pages:
                status, kind, body = 200, "text/html; charset=utf-8", pages[path]
            else:
                status, kind, body = 404, "text/html", b"<h1>Not Found</h1>"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    print(base["url"], flush=True)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the bench closes our stdin


class Site:
    """The test server process (``with Site(data) as site: site.url``)."""

    def __init__(self, data: Path, limit: int | None = None):
        self.command = [sys.executable, __file__, "--serve", str(data)] + ([str(limit)] if limit else [])

    def __enter__(self) -> Self:
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()
        return self

    def __exit__(self, *exc_info) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(command: list[str], cwd: Path, log: Path, env: dict | None = None) -> tuple[float, float, float]:
    """Run a crawl; (start epoch, wall seconds, CPU seconds of it and its reaped children)."""
    started_epoch, started = time.time(), time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        sys.exit(f"the crawl failed ({status}); see {log}")
    return started_epoch, wall, usage.ru_utime + usage.ru_stime


def crawl_baseline(site: Site, folder: Path, pages: int) -> dict:
    """The baseline spider, from a folder outside the project (so Scrapy's defaults, not wiredup's settings)."""
    folder.mkdir(parents=True)
    database = folder / "baseline.db"
    command = [str(BIN / "scrapy"), "runspider", str(BENCH / "baseline_spider.py"), "-a", f"feed={site.url}/feed.xml",
               "-a", f"database={database}"] + [arg for name, value in CRAWL_LIMITS.items() for arg in ("-s", f"{name}={value}")]
    site_cpu = site.cpu_seconds()
    _, wall, cpu = _run(command, folder, folder / "crawl.log")
    with sqlite3.connect(database) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    return {"name": "baseline spider", "pages": pages, "stored": stored, "stories": None, "wall_s": wall,
            "pages_s": pages / wall, "cpu_ms_page": cpu * 1000 / pages,
            "site_cpu_ms_page": (site.cpu_seconds() - site_cpu) * 1000 / pages}


def crawl_wiredup(site: Site, folder: Path, pages: int, settings: dict[str, str] | None = None, project: Path = ROOT) -> dict:
    """`scrapy crawl news` from ``project`` (this one, or a copy at another commit), on a fresh
    database, with the stage clock on."""
    folder.mkdir(parents=True)
    sources = folder / "sources.toml"
    sources.write_text(f'[[source]]\nname = "real"\nfeeds = ["{site.url}/feed.xml"]\n', encoding="utf-8")
    database, clock = folder / "news.db", folder / "stages.json"
    extensions = {**_project_extensions(project), "stage_clock.StageClock": 0}
    values = {**CRAWL_LIMITS, "WIREDUP_DATABASE": str(database), "STAGE_CLOCK_FILE": str(clock),
              "EXTENSIONS": json.dumps(extensions), **(settings or {})}
    command = [str(BIN / "scrapy"), "crawl", "news", "-a", f"sources={sources}"] + [
        arg for name, value in values.items() for arg in ("-s", f"{name}={value}")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))}
    site_cpu = site.cpu_seconds()
    started, wall, cpu = _run(command, project, folder / "crawl.log", env)  # Scrapy puts the project first on the path
    with sqlite3.connect(database) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        (stories,) = conn.execute("SELECT count(DISTINCT cluster_id) FROM articles").fetchone()
        (stats,) = conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    stats = json.loads(stats)
    figures = json.loads(clock.read_text())
    figures["moments"]["process_started"] = started
    figures["moments"]["process_exited"] = started + wall
    name = "wiredup" if project == ROOT else f"wiredup ({project.name})"
    return {"name": " ".join([name, *(f"{k}={v}" for k, v in (settings or {}).items())]), "pages": pages,
            "stored": stored, "stories": stories, "skipped": stats.get("wiredup/skipped", 0), "wall_s": wall,
            "pages_s": pages / wall, "cpu_ms_page": cpu * 1000 / pages,
            "site_cpu_ms_page": (site.cpu_seconds() - site_cpu) * 1000 / pages, "clock": figures}


def _project_extensions(project: Path) -> dict:
    """The EXTENSIONS of a project's Scrapy settings (the stage clock joins them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"settings_of_{abs(hash(str(project)))}", project / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXTENSIONS


def breakdown(result: dict) -> list[tuple[str, str]]:
    """Where a wiredup crawl's time went: the run's phases (wall) and each stage's CPU per page."""
    clock, pages = result["clock"], result["pages"]
    m = clock["moments"]
    phases = [
        ("start-up: process start -> spider open (imports, settings, database, pipelines, pool started)",
         m["spider_opened"] - m["process_started"]),
        ("spider open -> first article response (robots.txt, feed)", m.get("first_article_response", m["spider_opened"]) - m["spider_opened"]),
        ("first article response -> first item stored (pool warm-up, first extraction)",
         m.get("first_item_stored", m["spider_opened"]) - m.get("first_article_response", m["spider_opened"])),
        ("  of which: first article response -> first page given to the workers",
         m.get("first_page_given", m["spider_opened"]) - m.get("first_article_response", m["spider_opened"])),
        ("  of which: first page given -> first page answered (worker start-up left, one extraction)",
         m.get("first_page_answered", m["spider_opened"]) - m.get("first_page_given", m["spider_opened"])),
        ("first -> last item stored (the steady crawl)", m.get("last_item_stored", 0) - m.get("first_item_stored", 0)),
        ("last item -> spider closed", m["spider_closed"] - m.get("last_item_stored", m["spider_closed"])),
        ("spider closed -> process exit (close pipelines, pool, database)", m["process_exited"] - m["spider_closed"]),
    ]
    phases.insert(0, ("cold start: process start -> first item stored", m.get("first_item_stored", m["spider_opened"]) - m["process_started"]))
    rows = [(f"{name}", f"{seconds:6.2f} s") for name, seconds in phases]
    stages = clock["stages"]
    in_stages = sum(stage["cpu_s"] for stage in stages.values())
    startup = clock["reactor_thread_startup_cpu_s"]
    rows.append(("reactor thread CPU to spider open (imports, settings, components)", f"{startup:6.2f} s"))
    rows.append(("reactor thread CPU after it, per page:", f"{(clock['reactor_thread_cpu_s'] - startup) * 1000 / pages:6.1f} ms"))
    for name, stage in sorted(stages.items(), key=lambda kv: -kv[1]["cpu_s"]):
        rows.append((f"  {name} ({stage['calls']} calls)", f"{stage['cpu_s'] * 1000 / pages:6.1f} ms"))
    rows.append(("  fetch and the rest (Scrapy: downloads, parsing, scheduling, signals)",
                 f"{(clock['reactor_thread_cpu_s'] - startup - in_stages) * 1000 / pages:6.1f} ms"))
    rows.append(("crawl process's other threads (the pool's pickling and pipes), per page",
                 f"{(clock['process_cpu_s'] - clock['reactor_thread_cpu_s']) * 1000 / pages:6.1f} ms"))
    rows.append(("extraction workers (extract, sign, gzip), per page", f"{clock['workers_cpu_s'] * 1000 / pages:6.1f} ms"))
    rows.extend(overlap(clock))
    return rows


def overlap(clock: dict) -> list[tuple[str, str]]:
    """How the workers and the reactor thread overlapped while pages kept coming (first item
    stored -> last article response), from the stage clock's samples: how often a worker had no
    page (fewer in hand than workers), and the share of that time the reactor thread was on a CPU."""
    m, processes = clock["moments"], clock.get("processes") or 0
    steady = [s for s in clock.get("in_hand_samples", [])
              if m.get("first_item_stored", 0) <= s[0] <= m.get("last_article_response", 0)]
    if len(steady) < 2 or not processes:
        return []
    short = sum(in_hand < processes for _, in_hand, _ in steady) / len(steady)
    busy = (steady[-1][2] - steady[0][2]) / (steady[-1][0] - steady[0][0])
    mean = sum(in_hand for _, in_hand, _ in steady) / len(steady)
    return [(f"steady crawl: samples with fewer than {processes} pages in the workers' hands (a worker idle)",
             f"{short:6.1%}"),
            ("steady crawl: pages in the workers' hands, mean", f"{mean:6.1f}"),
            ("steady crawl: reactor thread on a CPU (its CPU s / wall s)", f"{busy:6.1%}")]


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    serve(Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
