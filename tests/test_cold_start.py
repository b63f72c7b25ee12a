"""What a crawl no longer pays at every start (issue 19) still works the same.

Each import check runs in a fresh interpreter: what a test module imported already would hide an import.
The same for what an extraction no longer pays on every page: trafilatura's author search without its copy
of the page.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from copy import deepcopy

import pytest
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from conftest import FIXTURES, ROOT
from wiredup.extract.page_metadata import author_elements, page_author


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


def _xpath_paths(tree, elements) -> list[str]:
    """Where ``elements`` stand in their page, as paths that read the same in a copy of the page's root."""
    path = tree.getroottree().getpath
    return [path(element).replace("/html[1]", "/html", 1) for element in elements]


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.html")), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_the_author_is_found_without_copying_the_page_as_trafilatura_finds_it(path):
    """page_author tests trafilatura's author XPaths in one pass over the page instead of on a pruned copy of it."""
    tree = load_html(path.read_text(encoding="utf-8"))
    copy = deepcopy(tree)  # what trafilatura's extract_author searches: the root's copy (not elements after the root)
    found, discarded = author_elements(tree)
    assert [_xpath_paths(tree, elements) for elements in found] == [_xpath_paths(copy, xpath(copy)) for xpath in AUTHOR_XPATHS]
    assert _xpath_paths(tree, discarded) == _xpath_paths(copy, [element for xpath in AUTHOR_DISCARD_XPATHS for element in xpath(copy)])
    assert page_author(tree) == extract_author(tree)


def test_an_author_in_a_comment_is_skipped_and_a_date_in_a_byline_is_pruned_from_it():
    page = load_html('<html><body><div class="comments"><span class="author">Troll Two</span></div>'
                     '<p class="byline">By<time>May 2</time>Ann Lee, Paris</p></body></html>')
    # the pruned date's tail joins the text before it, as trafilatura deletes it from its copy
    assert page_author(page) == extract_author(page) == "ByAnn Lee; Paris"


def test_the_author_tests_are_those_of_the_installed_trafilatura_else_its_own_reader_runs(monkeypatch):
    """page_author repeats trafilatura's author XPaths in Python: a trafilatura whose XPaths differ must fail here
    (update page_author, then AUTHOR_XPATHS_WRITTEN_FOR), and meanwhile read_metadata uses trafilatura's reader."""
    from wiredup.extract import page_metadata

    assert page_metadata.AUTHOR_TESTS_CURRENT, "trafilatura's author XPaths changed: page_author no longer repeats them"
    page = load_html('<html><body><p class="byline">By <a rel="author">Ann Lee</a></p><p>Text</p></body></html>')
    monkeypatch.setattr(page_metadata, "page_author", lambda tree: "Not Trafilatura")
    assert page_metadata.read_metadata(page, "https://a.example/1", {"extensive_search": False}).author == "Not Trafilatura"
    monkeypatch.setattr(page_metadata, "AUTHOR_TESTS_CURRENT", False)
    assert page_metadata.read_metadata(page, "https://a.example/1", {"extensive_search": False}).author == "Ann Lee"
