"""Article extraction in worker processes, so a crawl uses every core (Scrapy-free but for the reactor).

Extraction (trafilatura) is the CPU-bound stage of a crawl and Scrapy runs
item pipelines on its one reactor thread: with extraction there, a second
core stays idle. ``ExtractionPool`` sends ``extract_article`` calls to a
process pool and hands each result back on the reactor thread.

With the article, a worker also signs its text (wiredup.group.fingerprint
fingerprint, which DedupPipeline uses while the text is unchanged) and gzips
the page for raw_pages: the crawl's thread is left with the download, the
candidate lookups and the writes. The stages after extraction (dedup, store) stay synchronous on
the reactor thread, so each item goes through both of them before the next
item starts: items may reach dedup in another order than their responses
arrived, which grouping does not depend on (see wiredup.group.fingerprint),
but storage always follows dedup's order.
"""

from __future__ import annotations

import gzip
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass

from wiredup.extract.article import Article, NotAnArticle, extract_article
from wiredup.settings import GroupingSettings


def usable_cores() -> int:
    """How many cores this process may run on (its CPU affinity, not the machine's total).

    >>> usable_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_or_skip(
    html: str, url: str, min_text_chars: int, listed_date: str | None = None, listed_from: str | None = None
) -> Article | tuple[str, str]:
    """``extract_article``, with a skip returned as ``(reason, detail)``: what crosses a process boundary.

    NotAnArticle is not raised across the pool because its pickled form loses
    ``reason`` (it is rebuilt from the message alone).

    >>> extract_or_skip("<html><body><p>Menu</p></body></html>", "https://daily.example/", 250)
    ('too_short', '4 characters')
    """
    try:
        return extract_article(html, url, min_text_chars, listed_date, listed_from)
    except NotAnArticle as skipped:
        return skipped.reason, skipped.detail


def raise_skip(result: Article | tuple[str, str]) -> Article:
    """The Article of an ``extract_or_skip`` result, or the NotAnArticle it stands for.

    >>> raise_skip(("too_short", "4 characters"))
    Traceback (most recent call last):
    ...
    wiredup.extract.article.NotAnArticle: too_short: 4 characters
    """
    if isinstance(result, tuple):
        raise NotAnArticle(*result)
    return result


def compress_page(body: bytes) -> bytes:
    """A page's bytes gzipped for raw_pages (wiredup.store.articles.save_raw_page) at ``RAW_PAGE_GZIP_LEVEL``.

    >>> gzip.decompress(compress_page(b"<html></html>"))
    b'<html></html>'
    """
    return gzip.compress(body, compresslevel=RAW_PAGE_GZIP_LEVEL)


# zlib's levels 1-3 use its fast matcher, 4-9 the lazy one, and the cost jumps between them: on
# wcxb-dev-articles' 793 pages (178 KB on average) level 6, zlib's default, took 3.6 ms a page for
# files 19.0 % of the page, level 3 1.5 ms for 21.3 %, level 1 1.3 ms for 22.7 % (bench/README.md,
# issue 19). Level 3 keeps nine tenths of the time saved for three fifths of level 1's extra bytes;
# decompressing (reextract) costs 0.55 ms a page at any level.
RAW_PAGE_GZIP_LEVEL = 3


@dataclass
class PreparedPage:
    """What a worker makes of a page: the article (or the skip), and, for an article, the rest of
    the CPU work the crawl's thread would otherwise do: its fingerprint and the gzipped body."""

    result: Article | tuple[str, str]
    fingerprint: object = None  # wiredup.group.fingerprint.Fingerprint of result.text
    body_gzip: bytes | None = None


def prepare_page(
    body: bytes, encoding: str, url: str, min_text_chars: int, grouping: GroupingSettings,
    listed_date: str | None = None, listed_from: str | None = None,
) -> PreparedPage:
    """Decode, extract (with the date its feed or sitemap gave, if any), sign and compress one page (run in a worker).

    >>> page = prepare_page(b"<html><body><p>Menu</p></body></html>", "utf-8", "https://daily.example/", 250, GroupingSettings())
    >>> page.result, page.fingerprint
    (('too_short', '4 characters'), None)
    """
    from wiredup.group.fingerprint import fingerprint
    result = extract_or_skip(body.decode(encoding, errors="replace"), url, min_text_chars, listed_date, listed_from)
    if isinstance(result, tuple):
        return PreparedPage(result)
    return PreparedPage(result, fingerprint(result.text, grouping), compress_page(body))


def _start_worker() -> None:
    """Ready a worker before its first page: import the extraction (trafilatura, htmldate, datasketch:
    about a second) and run it once, while the crawl is still fetching robots.txt, feeds and sitemaps.

    Ctrl-C reaches the workers too (one process group): they ignore it, and the crawl,
    shutting down gracefully, lets them finish the pages in flight before closing the pool.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        prepare_page(WARM_UP_PAGE, "utf-8", "https://warm-up.example/story", 0, GroupingSettings())
    except Exception:
        # an initializer that raises kills its worker and the pool starts another, forever; a
        # broken extraction fails each page instead, where the crawl counts and logs it
        pass


WARM_UP_PAGE = (
    b'<html lang="en"><head><title>Warm-up</title><meta property="article:published_time" content="2024-05-02T10:00:00Z">'
    b"</head><body><article><h1>Warm-up</h1><p>May 2, 2024</p>" + b"<p>A paragraph of words to extract and sign.</p>" * 5
    + b"</article></body></html>"
)


@contextmanager
def _main_script_hidden():
    """While a worker is spawned: a spawned process runs the parent's main script first (as
    ``__mp_main__``), and a crawl's is the ``scrapy`` command, which imports Scrapy and Twisted
    (about 0.4 s of CPU a worker, at every start) for nothing: the worker runs this module's functions."""
    main = sys.modules["__main__"]
    path = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path


class _WorkerProcess(multiprocessing.get_context("spawn").Process):
    """A spawned worker that does not run the crawl's main script (``_main_script_hidden``)."""

    def start(self) -> None:
        with _main_script_hidden():
            super().start()


class _Pool(multiprocessing.pool.Pool):
    """multiprocessing's Pool, with its worker-handler thread woken only when it has something to do,
    and workers that skip the crawl's main script (``_WorkerProcess``, replacements included).

    CPython's handler also waits on the results pipe, so each result wakes it, and it loops
    (checking every worker's exit status) until the result thread has read that result: in a
    crawl about 1 ms of CPU a page, on the cores the extraction needs (bench/README.md). Without
    the pipe it still wakes when a worker exits (the workers' sentinels, to replace it), on
    close and terminate, and when the last task in flight finishes (the change notifier).
    """

    def _get_sentinels(self):
        return [self._change_notifier._reader]

    @staticmethod
    def Process(ctx, *args, **kwds):  # multiprocessing.pool.Pool calls it by this name
        return _WorkerProcess(*args, **kwds)


class ExtractionPool:
    """``processes`` worker processes running ``extract_or_skip`` and ``prepare_page``; started by ``start`` or on first use.

    A multiprocessing Pool rather than a ProcessPoolExecutor: a submission is a
    put on an in-memory queue (the pool's own threads pickle and send it), while
    the executor's submit writes to a wake-up pipe from the caller's thread and
    then waits for the GIL back, measured at ~5 ms per page on the reactor
    thread of a busy crawl. Workers are started with "spawn": a fresh
    interpreter inherits no file descriptor of the crawl (its run lock, its
    SQLite connections), so a killed crawl leaves nothing held, and workers exit
    when the crawl's pipe closes.

    >>> pool = ExtractionPool(1)
    >>> pool.submit("<html><body><p>Menu</p></body></html>", "https://daily.example/", 250).result()
    ('too_short', '4 characters')
    >>> pool.close()
    """

    def __init__(self, processes: int):
        self.processes = processes
        self._pool = None
        self._unanswered: set[Future] = set()  # given to a worker, no result yet

    def start(self) -> None:
        """Start the workers now rather than on the first page (they get ready in the background)."""
        if self._pool is None:
            self._pool = _Pool(self.processes, initializer=_start_worker, context=multiprocessing.get_context("spawn"))

    def _run(self, function, *args) -> Future:
        self.start()
        future: Future = Future()
        future.set_running_or_notify_cancel()
        self._unanswered.add(future)  # set.add and discard are atomic: the pool's result thread discards
        future.add_done_callback(self._unanswered.discard)
        self._pool.apply_async(function, args, callback=future.set_result, error_callback=future.set_exception)
        return future

    def submit(self, html: str, url: str, min_text_chars: int) -> Future:
        """``extract_or_skip`` in a worker."""
        return self._run(extract_or_skip, html, url, min_text_chars)

    def prepare(
        self, body: bytes, encoding: str, url: str, min_text_chars: int, grouping: GroupingSettings,
        listed_date: str | None = None, listed_from: str | None = None,
    ) -> Future:
        """``prepare_page`` in a worker."""
        return self._run(prepare_page, body, encoding, url, min_text_chars, grouping, listed_date, listed_from)

    def abandon(self, future: Future) -> None:
        """Give up on a page whose worker died with it (killed, out of memory): multiprocessing's pool
        neither answers nor forgets such a task, and ``close`` would wait for it for ever.

        >>> pool = ExtractionPool(1)
        >>> pool.abandon(Future())
        """
        self._unanswered.discard(future)

    def close(self) -> None:
        """Stop the workers once they finish what they were given: at once when every page has its
        result (the crawl's end) rather than letting each spawned worker exit on its own, tearing its
        interpreter down (the close took 0.08-0.09 s of a 30-page crawl's end, 0.01-0.03 s so; a
        worker is killed waiting for a task that will not come: it holds nothing to save)."""
        if self._pool is None:
            return
        if self._unanswered:
            self._pool.close()
        else:
            self._pool.terminate()  # also the end of a crawl whose only unanswered pages were abandoned
        self._pool.join()
        self._pool = None
