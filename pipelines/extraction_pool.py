"""Article extraction in worker processes, so a crawl uses every core (Scrapy-free but for the reactor).

Extraction (trafilatura) is the CPU-bound stage of a crawl and Scrapy runs
item pipelines on its one reactor thread: with extraction there, a second
core stays idle. ``ExtractionPool`` sends ``extract_article`` calls to a
process pool and hands each result back on the reactor thread.

Only extraction moves. The stages after it (dedup, store) stay synchronous on
the reactor thread, so each item goes through both of them before the next
item starts: items may reach dedup in another order than their responses
arrived, which grouping does not depend on (see pipelines.near_duplicates),
but storage always follows dedup's order.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

from pipelines.extraction import Article, NotAnArticle, extract_article


def usable_cores() -> int:
    """How many cores this process may run on (its CPU affinity, not the machine's total).

    >>> usable_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_or_skip(html: str, url: str, min_text_chars: int) -> Article | tuple[str, str]:
    """``extract_article``, with a skip returned as ``(reason, detail)``: what crosses a process boundary.

    NotAnArticle is not raised across the pool because its pickled form loses
    ``reason`` (it is rebuilt from the message alone).

    >>> extract_or_skip("<html><body><p>Menu</p></body></html>", "https://daily.example/", 250)
    ('too_short', '4 characters')
    """
    try:
        return extract_article(html, url, min_text_chars)
    except NotAnArticle as skipped:
        return skipped.reason, skipped.detail


def raise_skip(result: Article | tuple[str, str]) -> Article:
    """The Article of an ``extract_or_skip`` result, or the NotAnArticle it stands for.

    >>> raise_skip(("too_short", "4 characters"))
    Traceback (most recent call last):
    ...
    pipelines.extraction.NotAnArticle: too_short: 4 characters
    """
    if isinstance(result, tuple):
        raise NotAnArticle(*result)
    return result


class ExtractionPool:
    """A process pool running ``extract_or_skip``; ``processes`` workers, started on first use.

    Workers are started with "spawn": a fresh interpreter inherits no file
    descriptor of the crawl (its run lock, its SQLite connections), so a killed
    crawl leaves nothing held, and workers exit when the crawl's pipe closes.

    >>> pool = ExtractionPool(1)
    >>> pool.submit("<html><body><p>Menu</p></body></html>", "https://daily.example/", 250).result()
    ('too_short', '4 characters')
    >>> pool.close()
    """

    def __init__(self, processes: int):
        self.processes = processes
        self._executor = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, html: str, url: str, min_text_chars: int) -> Future:
        return self._executor.submit(extract_or_skip, html, url, min_text_chars)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
