"""What a crawl no longer pays at every start (issue 19) still works the same.

Each import check runs in a fresh interpreter: what a test module imported already would hide an import.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT


def run_python(code: str) -> str:
    """stdout of ``code`` run by a fresh interpreter from the project folder."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_crawls_components_import_no_scipy():
    """datasketch's package imports MinHashLSH and scipy with it; signing needs neither."""
    out = run_python("""
        import sys
        import pipelines.extract, pipelines.declutter, pipelines.dedup, pipelines.store
        from wiredup.group.fingerprint import fingerprint
        from wiredup.settings import GroupingSettings
        fingerprint("Words enough to make a few shingles of five words each.", GroupingSettings())
        print(sorted(name for name in sys.modules if name.split(".")[0] == "scipy" or name == "datasketch.lsh"))
    """)
    assert out == "[]"


def test_the_rest_of_datasketch_still_imports_after_the_lean_import():
    out = run_python("""
        from wiredup.group.fingerprint import fingerprint
        from datasketch import MinHashLSH, MinHash
        import datasketch
        print(MinHashLSH(threshold=0.5, num_perm=128).b, MinHash is datasketch.minhash.MinHash, datasketch.__version__ != "")
    """)
    assert out == "25 True True"


def test_known_bands_are_what_datasketch_chooses():
    from datasketch import MinHashLSH

    from wiredup.group.candidate_index import KNOWN_BANDS

    for (threshold, num_perm), bands in KNOWN_BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == bands


def test_an_extraction_worker_does_not_run_the_crawls_main_script(tmp_path):
    """A spawned worker would run the parent's main script (the `scrapy` command, importing Scrapy);
    it is skipped, and the worker still extracts, signs and compresses."""
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent("""
        import sys
        import scrapy  # what the `scrapy` command imports: a worker running this script would too
        from wiredup.extract.pool import WARM_UP_PAGE, ExtractionPool
        from wiredup.settings import GroupingSettings

        if __name__ == "__main__":
            pool = ExtractionPool(1)
            page = pool.prepare(WARM_UP_PAGE, "utf-8", "https://daily.example/a", 0, GroupingSettings()).result(timeout=120)
            imported = pool._run(eval, "sorted(m for m in __import__('sys').modules if m.split('.')[0] in ('scrapy', 'twisted'))")
            print(imported.result(timeout=60), "A paragraph of words" in page.result.text, page.body_gzip is not None)
            print(sys.modules["__main__"].__file__.endswith("main_script.py"))  # given back to the crawl
            pool.close()
    """))
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("\n") == ["[] True True", "True"]


def test_the_extraction_workers_start_with_the_pipeline_and_serve_the_crawl():
    """ExtractPipeline starts its pool when Scrapy builds it (not at open_spider), once, and closes it."""
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler

    from pipelines.extract import ExtractPipeline
    from scraper.spiders.news import NewsSpider

    crawler = get_crawler(NewsSpider, {"WIREDUP_EXTRACT_PROCESSES": 2})
    pipeline = build_from_crawler(ExtractPipeline, crawler)
    pool = pipeline.pool
    assert pool is not None and pool._pool is not None  # workers already on their way
    pipeline.open_spider()
    assert pipeline.pool is pool
    pipeline.close_spider()
    assert pipeline.pool is None and pool._pool is None
    assert build_from_crawler(ExtractPipeline, get_crawler(NewsSpider, {"WIREDUP_EXTRACT_PROCESSES": 1})).pool is None


def test_extraction_never_loads_dateparser():
    """htmldate's slow path (dateparser: its locale tables take seconds to load, in every worker of
    every hourly run) is only reached with extensive search, which wiredup's date rules do not use."""
    out = run_python("""
        import sys
        from pathlib import Path
        from wiredup.extract.article import NotAnArticle, extract_article
        for number, page in enumerate(sorted(Path("fixtures").rglob("*.html"))):
            try:
                extract_article(page.read_text(encoding="utf-8", errors="replace"), f"https://daily.example/{number}", 250)
            except NotAnArticle:
                pass
        print(number > 3, "dateparser" in sys.modules)
    """)
    assert out == "True False"
