"""A bench-only Scrapy extension: where a `scrapy crawl news` run spends its time, written as JSON at the end.

bench/real_crawl.py adds it to the project's EXTENSIONS (with bench/ on PYTHONPATH) and names the
file with ``-s STAGE_CLOCK_FILE=PATH``. It wraps the pipelines' methods at class level (an
extension is built before the engine builds the pipelines) and adds up, per stage, the CPU time
of the crawl's reactor thread inside them; the rest of that thread's CPU is Scrapy's own work
(downloads, parsing, scheduling). Moments of the run (epoch seconds) give the start-up and the
tail; the extraction workers' CPU is the process's reaped children's at the end. Every
``SAMPLE_SECONDS`` it also notes how many pages the workers have in hand (given, not answered):
fewer than there are workers means a worker waits for the crawl's thread.
"""

from __future__ import annotations

import functools
import json
import resource
import time
from collections import defaultdict

from scrapy import signals

SAMPLE_SECONDS = 0.05

# (module, class, method, stage): what each stage's CPU is made of
WRAPPED = [
    ("pipelines.extract", "ExtractPipeline", "open_spider", "extract (start the pool)"),
    ("pipelines.extract", "ExtractPipeline", "process_item", "extract"),
    ("pipelines.extract", "ExtractPipeline", "_extracted", "extract"),
    ("pipelines.extract", "ExtractPipeline", "_skipped", "extract"),
    ("wiredup.extract.pool", "ExtractionPool", "prepare", "extract"),
    ("pipelines.extract", "ExtractPipeline", "close_spider", "extract (close the pool)"),
    ("pipelines.declutter", "DeclutterPipeline", "open_spider", "declutter"),
    ("pipelines.declutter", "DeclutterPipeline", "process_item", "declutter"),
    ("pipelines.declutter", "DeclutterPipeline", "close_spider", "declutter (at close)"),
    ("pipelines.dedup", "DedupPipeline", "open_spider", "dedup"),
    ("pipelines.dedup", "DedupPipeline", "process_item", "dedup"),
    ("pipelines.store", "StorePipeline", "open_spider", "store"),
    ("pipelines.store", "StorePipeline", "process_item", "store"),
    ("pipelines.store", "StorePipeline", "flush", "store"),
    # Writer's, not StorePipeline.finish_run: a signal handler is called with the arguments its
    # signature names, and a wrapper's (*args, **kwargs) would be handed them all
    ("wiredup.store.writer", "Writer", "finish_run", "store"),
]


class StageClock:
    """Reactor-thread CPU and wall seconds per stage, call counts, and the run's moments."""

    def __init__(self, path: str):
        self.path = path
        self.moments = {"extension_built": time.time()}
        self.cpu = defaultdict(float)
        self.wall = defaultdict(float)
        self.calls = defaultdict(int)
        self._depth = 0  # a wrapped method calling another (flush from process_item) is counted once
        self.in_hand: set = set()  # the pool's futures not answered yet
        self.samples: list[tuple[float, int, float]] = []  # (epoch, pages in the workers' hands, reactor thread CPU s)
        self.processes = 0

    @classmethod
    def from_crawler(cls, crawler):
        clock = cls(crawler.settings.get("STAGE_CLOCK_FILE"))
        clock.wrap_all()
        clock.watch_pool()
        for name in ("spider_opened", "response_received", "item_scraped", "spider_closed", "engine_stopped"):
            crawler.signals.connect(getattr(clock, name), signal=getattr(signals, name))
        return clock

    def wrap_all(self) -> None:
        """Time every method of WRAPPED (classes are patched once per process: one crawl each)."""
        import importlib

        for module, cls, method, stage in WRAPPED:
            owner = getattr(importlib.import_module(module), cls)
            setattr(owner, method, self._timed(getattr(owner, method), stage))

    def watch_pool(self) -> None:
        """Keep the futures of the pages given to the workers, until each is answered."""
        from wiredup.extract.pool import ExtractionPool

        prepare, clock = ExtractionPool.prepare, self

        @functools.wraps(prepare)
        def watched(pool, *args, **kwargs):
            clock.processes = pool.processes
            clock.moments.setdefault("first_page_given", time.time())
            future = prepare(pool, *args, **kwargs)
            clock.in_hand.add(future)
            future.add_done_callback(clock.answered)
            return future

        ExtractionPool.prepare = watched

    def answered(self, future) -> None:
        """(On the pool's result thread: set.discard and dict.setdefault are atomic.)"""
        self.in_hand.discard(future)
        self.moments.setdefault("first_page_answered", time.time())

    def sample(self) -> None:
        self.samples.append((time.time(), len(self.in_hand), time.thread_time()))

    def _timed(self, function, stage: str):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            if self._depth:
                return function(*args, **kwargs)
            self._depth += 1
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._depth -= 1
                self.cpu[stage] += time.thread_time() - cpu
                self.wall[stage] += time.perf_counter() - wall
                self.calls[stage] += 1

        return timed

    def spider_opened(self, spider) -> None:
        self.moments["spider_opened"] = time.time()
        self.opened_cpu_s = time.thread_time()  # the reactor thread's start-up: imports, settings, components
        from twisted.internet import task

        self.sampler = task.LoopingCall(self.sample)
        self.sampler.start(SAMPLE_SECONDS, now=False)

    def response_received(self, response, request, spider=None) -> None:
        if request.meta.get("wiredup_kind") == "article":
            self.moments.setdefault("first_article_response", time.time())
            self.moments["last_article_response"] = time.time()

    def item_scraped(self, item, response, spider=None) -> None:
        self.moments.setdefault("first_item_stored", time.time())
        self.moments["last_item_stored"] = time.time()

    def spider_closed(self, spider, reason) -> None:
        self.moments["spider_closed"] = time.time()
        if self.sampler.running:
            self.sampler.stop()

    def engine_stopped(self) -> None:
        """Write the figures (the pool is closed by now: its workers are reaped children)."""
        self.moments["engine_stopped"] = time.time()
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        import wiredup

        figures = {
            "code": wiredup.__file__,  # which copy of the project ran (a bench may run another)
            "moments": self.moments,
            "reactor_thread_cpu_s": time.thread_time(),
            "reactor_thread_startup_cpu_s": self.opened_cpu_s,
            "process_cpu_s": own.ru_utime + own.ru_stime,
            "workers_cpu_s": children.ru_utime + children.ru_stime,
            "processes": self.processes,
            "in_hand_samples": self.samples,
            "stages": {stage: {"cpu_s": self.cpu[stage], "wall_s": self.wall[stage], "calls": self.calls[stage]} for stage in self.cpu},
        }
        with open(self.path, "w") as out:
            json.dump(figures, out, indent=1)
