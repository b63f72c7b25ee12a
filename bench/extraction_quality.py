"""Extraction quality of wiredup against plain trafilatura, on the WCXB dev article pages.

Runs three extractors over the same pages and prints one table, a row each:

1. ``trafilatura default``: ``trafilatura.extract(html, url=url)`` (comments included);
2. ``trafilatura no comments``: ``trafilatura.extract(html, url=url, include_comments=False)``;
3. ``wiredup``: ``wiredup.extract.article.extract_article(html, url, min_text_chars=0)``
   (metadata read from the page as it came; non-article pages skipped with a
   reason; teaser boxes and date widgets pruned before trafilatura,
   date/byline/credit lines and repeated paragraphs dropped after it; ``min_text_chars=0`` so no real article is skipped
   for length; how many pages the default of 250 would skip is printed apart).

Columns
-------
- **P / R / F1**: the benchmark's own metric. The extracted text and the gold
  ``main_content`` are each turned into a bag (multiset) of lower-cased ``\\w+``
  words; precision = shared words / extracted words, recall = shared words /
  gold words, F1 their harmonic mean. Each is computed per page, then averaged
  over pages. A page where the extractor returns nothing (``None``, empty text,
  or for wiredup ``NotAnArticle``) scores 0 precision, 0 recall and 0 F1.
- **with**: share of all gold ``with`` snippets (pooled over pages) found in the
  extracted text; **w/o leak**: share of all gold ``without`` snippets found in
  it (lower is better). A snippet is found when, after lower-casing and
  collapsing whitespace runs to one space on both sides, it is a substring of
  the extracted text.
- **title**: over pages whose gold has a title, share where the extracted title
  has the same lower-cased ``\\w+`` word sequence (so a kept "| Site name"
  suffix counts as wrong, quotes and dashes do not matter).
- **date**: over pages whose gold has a ``publish_date``, share where the
  extracted date's first 10 characters (YYYY-MM-DD) equal the gold's. wiredup
  keeps the page's own offset (the gold is the page's local day); how many
  dates are exactly one day off is printed under the table.
- **invented**: over pages whose gold has no ``publish_date``, share given a
  date anyway. Not every such page is undated (readability-pages' gold takes
  its date from Readability's own metadata, often empty on dated pages), so
  this is an upper bound of the dates made up; what evidence wiredup's came
  from (``Article.published_from``) is printed under the table, with how many
  of each were right on the pages whose gold has a date.
- **author**: over pages whose gold has an ``author``, share where some gold
  name occurs in some extracted author. Gold names are the whole gold author
  string plus its parts split on ``,`` ``;`` ``&`` ``|`` and the word "and" that
  have at least two words ("Jane Doe, MD, PhD" gives "Jane Doe, MD, PhD" and
  "Jane Doe"; the one-word credentials are not names). Extracted authors are
  trafilatura's author string split on ``;`` (wiredup's ``Article.authors``).
  "Occurs in" is a substring test after lower-casing and collapsing whitespace.
- **empty**: pages with nothing extracted (for wiredup, by ``NotAnArticle`` reason).
- **pages/s/proc**: pages divided by the seconds spent inside that extractor's
  call, summed over worker processes, i.e. the throughput of ONE process (with
  ``--jobs 2`` on 2 cores, two such processes run side by side). For the two
  trafilatura rows only ``extract()`` is timed; the metadata they are scored on
  comes from one extra, separately timed ``trafilatura.extract_metadata(html,
  default_url=url)`` per page (the very function, with the same defaults, that
  ``bare_extraction(html, url=url, with_metadata=True)`` runs; its speed is
  printed under the table), while wiredup's timed call does body and metadata
  in one pass.

Then it lists the pages where wiredup's F1 is furthest below, and furthest
above, the ``trafilatura no comments`` row, with a hint per page: characters
extracted by each and in the gold, words wiredup lost / gained against the
baseline, how many teaser boxes / date widgets
wiredup pruned and metadata lines it dropped, and the first line the baseline
kept that wiredup lost.

Run (from the repository root, about 3 to 5 minutes for the 793 pages on 2 cores)::

    .venv/bin/python bench/extraction_quality.py
    .venv/bin/python bench/extraction_quality.py --limit 50 --jobs 1   # quick look
    .venv/bin/python bench/extraction_quality.py --data /some/other/folder

``--data`` takes any folder laid out like WCXB: ``html/<id>.html.gz`` (gzip,
UTF-8) and ``ground-truth/<id>.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from wiredup.extract.article import NotAnArticle, extract_article, split_authors  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "wcxb-dev-articles"
BASELINE_DEFAULT = "trafilatura default"
BASELINE = "trafilatura no comments"
WIREDUP = "wiredup"
EXTRACTORS = (BASELINE_DEFAULT, BASELINE, WIREDUP)
DEFAULT_MIN_TEXT_CHARS = 250  # extract_article's default, reported as "would skip"
LISTED = 10  # pages in each of the worst / best lists

WORD = re.compile(r"\w+")
NAME_SEPARATORS = re.compile(r"\s*(?:[,;&|]|\band\b)\s*", re.IGNORECASE)


# ---------------------------------------------------------------- scoring


def bag_of_words(text: str | None) -> Counter:
    """The benchmark's bag: lower-cased ``\\w+`` words with their counts.

    >>> sorted(bag_of_words("The cat, the HAT.").items())
    [('cat', 1), ('hat', 1), ('the', 2)]
    """
    return Counter(WORD.findall((text or "").lower()))


def body_scores(extracted: str | None, gold: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 of one page; nothing extracted scores zeros.

    >>> [round(score, 3) for score in body_scores("the cat sat", "the cat sat down")]
    [1.0, 0.75, 0.857]
    >>> body_scores(None, "the cat")
    (0.0, 0.0, 0.0)
    """
    predicted, expected = bag_of_words(extracted), bag_of_words(gold)
    shared = sum((predicted & expected).values())
    if not shared:
        return 0.0, 0.0, 0.0
    precision = shared / sum(predicted.values())
    recall = shared / sum(expected.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def squeeze(text: str | None) -> str:
    """Lower-cased, whitespace runs collapsed to one space, stripped.

    >>> squeeze("  Breaking\\n  NEWS\\t today ")
    'breaking news today'
    """
    return " ".join((text or "").lower().split())


def snippets_found(snippets: list[str], extracted: str | None) -> int:
    """How many snippets occur in the extracted text (after ``squeeze`` on both)."""
    haystack = squeeze(extracted)
    return sum(1 for snippet in snippets if squeeze(snippet) and squeeze(snippet) in haystack)


def same_title(extracted: str | None, gold: str) -> bool:
    """Titles match when their lower-cased ``\\w+`` word sequences are equal.

    >>> same_title("“Envoy recalled” – again", "'Envoy Recalled' - Again")
    True
    >>> same_title("Envoy recalled | Daily", "Envoy recalled")
    False
    """
    return WORD.findall((extracted or "").lower()) == WORD.findall(gold.lower())


def same_date(extracted: str | None, gold: str) -> bool:
    """Dates match on their first 10 characters (YYYY-MM-DD).

    >>> same_date("2024-04-17", "2024-04-17T15:04:00"), same_date(None, "2024-04-17")
    (True, False)
    """
    return bool(extracted) and extracted.strip()[:10] == gold.strip()[:10]


def one_day_off(extracted: str | None, gold: str) -> bool:
    """The dates are exactly one calendar day apart (a UTC time against a local date, typically).

    >>> one_day_off("2024-04-17T23:30:00+00:00", "2024-04-18"), one_day_off("2024-04-17", "2024-04-17")
    (True, False)
    """
    try:
        return abs((date.fromisoformat(extracted.strip()[:10]) - date.fromisoformat(gold.strip()[:10])).days) == 1
    except (AttributeError, ValueError):
        return False


def gold_names(author: str) -> list[str]:
    """The names in a gold author string: all of it, plus its parts of two words or more.

    >>> gold_names("Danielle DeSiato, Donna Enzmann, and Natalie Nguyen")
    ['danielle desiato, donna enzmann, and natalie nguyen', 'danielle desiato', 'donna enzmann', 'natalie nguyen']
    >>> gold_names("Genevieve Carlton, Ph.D.")
    ['genevieve carlton, ph.d.', 'genevieve carlton']
    """
    names = [squeeze(author)]
    for part in NAME_SEPARATORS.split(author):
        if len(part.split()) >= 2 and squeeze(part) not in names:
            names.append(squeeze(part))
    return names


def same_author(extracted: list[str], gold: str) -> bool:
    """Some gold name occurs (case-insensitively) in some extracted author.

    >>> same_author(["Genevieve Carlton"], "Genevieve Carlton, Ph.D.")
    True
    >>> same_author(["By JANE DOE"], "Jane Doe"), same_author(["Jane"], "Jane Doe"), same_author([], "Jane Doe")
    (True, False, False)
    """
    authors = [squeeze(name) for name in extracted if name and name.strip()]
    return any(name in author for name in gold_names(gold) for author in authors)


# ---------------------------------------------------------------- one page


@dataclass
class Extraction:
    """What one extractor got from one page, and how long its call took."""

    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    date_from: str | None = None  # wiredup's published_from
    seconds: float = 0.0
    skipped: str | None = None  # NotAnArticle reason (wiredup only)


@dataclass
class PageResult:
    """The three extractions of one page, with the gold fields they are scored on."""

    page_id: str
    gold: dict
    extractions: dict[str, Extraction]
    metadata_seconds: float = 0.0  # the baselines' extract_metadata, timed apart from the table
    skipped_at_default: str | None = None  # wiredup's NotAnArticle reason at min_text_chars=250


def load_page(data: Path, page_id: str) -> tuple[str, str, dict]:
    """The HTML, URL and gold fields (``ground_truth``) of one page."""
    html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", errors="replace")
    record = json.loads((data / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
    return html, record.get("url") or "", record.get("ground_truth") or {}


def run_baseline(html: str, url: str, include_comments: bool) -> Extraction:
    """Time ``trafilatura.extract`` (body text only) on one page."""
    start = time.perf_counter()
    kwargs = {} if include_comments else {"include_comments": False}
    text = trafilatura.extract(html, url=url, **kwargs)
    return Extraction(text=text or "", seconds=time.perf_counter() - start)


def run_wiredup(html: str, url: str) -> Extraction:
    """Time ``extract_article(html, url, min_text_chars=0)`` on one page."""
    start = time.perf_counter()
    try:
        article = extract_article(html, url, min_text_chars=0)
    except NotAnArticle as skipped:
        return Extraction(seconds=time.perf_counter() - start, skipped=skipped.reason)
    return Extraction(
        text=article.text,
        title=article.title,
        authors=list(article.authors),
        date=article.published,
        date_from=getattr(article, "published_from", None),
        seconds=time.perf_counter() - start,
    )


def measure_page(job: tuple[str, str]) -> PageResult:
    """Run the three extractors on one page (a Pool worker)."""
    data, page_id = job
    html, url, gold = load_page(Path(data), page_id)
    results = {
        BASELINE_DEFAULT: run_baseline(html, url, include_comments=True),
        BASELINE: run_baseline(html, url, include_comments=False),
        WIREDUP: run_wiredup(html, url),
    }
    start = time.perf_counter()
    metadata = trafilatura.extract_metadata(html, default_url=url)  # what bare_extraction(with_metadata=True) runs
    metadata_seconds = time.perf_counter() - start
    for name in (BASELINE_DEFAULT, BASELINE):
        results[name].title = metadata.title
        results[name].authors = split_authors(metadata.author)
        results[name].date = metadata.date
    page = PageResult(page_id, gold, results, metadata_seconds)
    wiredup = results[WIREDUP]
    if wiredup.skipped:
        page.skipped_at_default = wiredup.skipped
    elif len(wiredup.text) < DEFAULT_MIN_TEXT_CHARS:
        try:  # confirm with the real default rather than re-implementing its check
            extract_article(html, url)
        except NotAnArticle as skipped:
            page.skipped_at_default = skipped.reason
    return page


# ---------------------------------------------------------------- aggregation


@dataclass
class Row:
    """One extractor's totals over the pages."""

    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    with_found: int = 0
    with_total: int = 0
    without_leaked: int = 0
    without_total: int = 0
    titles_right: int = 0
    titles_total: int = 0
    dates_right: int = 0
    dates_total: int = 0
    dates_one_day_off: int = 0
    dates_invented: int = 0
    undated_total: int = 0
    date_sources: Counter = field(default_factory=Counter)  # published_from -> pages given a date from it
    date_sources_right: Counter = field(default_factory=Counter)  # ... of them right, gold-dated pages only
    date_sources_dated: Counter = field(default_factory=Counter)  # ... of them with a gold date
    authors_right: int = 0
    authors_total: int = 0
    empty: int = 0
    skipped: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, extraction: Extraction, gold: dict) -> float:
        """Count one page in; returns its F1."""
        precision, recall, f1 = body_scores(extraction.text, gold.get("main_content") or "")
        self.pages += 1
        self.precision += precision
        self.recall += recall
        self.f1 += f1
        self.seconds += extraction.seconds
        with_snippets = [s for s in gold.get("with") or [] if isinstance(s, str)]
        without_snippets = [s for s in gold.get("without") or [] if isinstance(s, str)]
        self.with_found += snippets_found(with_snippets, extraction.text)
        self.with_total += len(with_snippets)
        self.without_leaked += snippets_found(without_snippets, extraction.text)
        self.without_total += len(without_snippets)
        if (gold.get("title") or "").strip():
            self.titles_total += 1
            self.titles_right += same_title(extraction.title, gold["title"])
        if (gold.get("publish_date") or "").strip():
            self.dates_total += 1
            self.dates_right += same_date(extraction.date, gold["publish_date"])
            self.dates_one_day_off += one_day_off(extraction.date, gold["publish_date"])
        else:
            self.undated_total += 1
            self.dates_invented += bool(extraction.date)
        if extraction.date:
            source = extraction.date_from or "-"
            self.date_sources[source] += 1
            if (gold.get("publish_date") or "").strip():
                self.date_sources_dated[source] += 1
                self.date_sources_right[source] += same_date(extraction.date, gold["publish_date"])
        if (gold.get("author") or "").strip():
            self.authors_total += 1
            self.authors_right += same_author(extraction.authors, gold["author"])
        if not extraction.text.strip():
            self.empty += 1
            if extraction.skipped:
                self.skipped[extraction.skipped] += 1
        return f1


def share(part: int, whole: int) -> str:
    """``part/whole`` as a percentage with one decimal, or ``-`` for an empty whole."""
    return f"{100 * part / whole:.1f}%" if whole else "-"


def print_table(rows: dict[str, Row]) -> None:
    """The one comparison table, a row per extractor."""
    header = ("extractor", "pages", "P", "R", "F1", "with", "w/o leak", "title", "date", "invented", "author", "empty", "pages/s/proc")
    lines = [header]
    for name, row in rows.items():
        empty = str(row.empty)
        if row.skipped:
            empty += " (" + ", ".join(f"{reason} {count}" for reason, count in row.skipped.most_common()) + ")"
        lines.append((
            name,
            str(row.pages),
            f"{row.precision / row.pages:.4f}",
            f"{row.recall / row.pages:.4f}",
            f"{row.f1 / row.pages:.4f}",
            share(row.with_found, row.with_total),
            share(row.without_leaked, row.without_total),
            share(row.titles_right, row.titles_total),
            share(row.dates_right, row.dates_total),
            share(row.dates_invented, row.undated_total),
            share(row.authors_right, row.authors_total),
            empty,
            f"{row.pages / row.seconds:.1f}" if row.seconds else "-",
        ))
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    for number, line in enumerate(lines):
        print("  ".join(cell.ljust(width) if column in (0, 11) else cell.rjust(width)
                        for column, (cell, width) in enumerate(zip(line, widths))).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


# ---------------------------------------------------------------- per-page hints


def pruning_counts(data: Path, page_id: str) -> str:
    """What wiredup's rules did on one page: teaser boxes, date widgets, metadata lines.

    Re-runs the steps of ``extract_article`` one by one (for the listed pages only).
    """
    try:
        from trafilatura.utils import load_html

        from wiredup.extract.article_text import prune_date_widgets, prune_teasers, self_urls, strip_metadata_lines

        html, url, _ = load_page(data, page_id)
        tree = load_html(html)
        teasers = prune_teasers(tree, self_urls(tree, url))
        widgets = prune_date_widgets(tree)
        document = trafilatura.bare_extraction(tree, url=url, include_comments=False, with_metadata=True)
        lines = 0
        if document is not None and document.text:
            before = [line for line in document.text.split("\n") if line.strip()]
            after = [line for line in strip_metadata_lines(document.text, split_authors(document.author)).split("\n") if line.strip()]
            lines = len(before) - len(after)
        return f"teasers -{teasers}, date widgets -{widgets}, meta lines -{lines}"
    except Exception as error:  # a diagnostic only; the pipeline may be mid-edit
        return f"(pruning counts unavailable: {type(error).__name__})"


def first_missing_line(source: str, target: str, width: int = 70) -> str:
    """The first non-trivial line of ``source`` that ``target`` does not contain, shortened.

    >>> first_missing_line("Title\\nRead more: other story\\nBody", "Title\\nBody")
    '"Read more: other story"'
    """
    present = squeeze(target)
    for line in source.split("\n"):
        line = " ".join(line.split())
        if len(line) >= 3 and squeeze(line) not in present:
            return json.dumps(line if len(line) <= width else line[: width - 1] + "…", ensure_ascii=False)
    return "-"


def page_hint(page: PageResult, data: Path) -> str:
    """A one-line explanation of a page's F1 difference between wiredup and the baseline."""
    wiredup, baseline = page.extractions[WIREDUP], page.extractions[BASELINE]
    gold = page.gold.get("main_content") or ""
    if wiredup.skipped:
        return f"wiredup NotAnArticle {wiredup.skipped}; chars baseline {len(baseline.text)}, gold {len(gold)}"
    ours, theirs = bag_of_words(wiredup.text), bag_of_words(baseline.text)
    hint = (f"chars wiredup {len(wiredup.text)} / baseline {len(baseline.text)} / gold {len(gold)}; "
            f"words -{sum((theirs - ours).values())} +{sum((ours - theirs).values())} vs baseline; ")
    hint += pruning_counts(data, page.page_id)
    lost = first_missing_line(baseline.text, wiredup.text)
    if lost != "-":
        hint += f"; lost {lost}"
    else:
        hint += f"; gained {first_missing_line(wiredup.text, baseline.text)}"
    return hint


def print_differences(pages: list[PageResult], f1s: dict[str, dict[str, float]], data: Path) -> None:
    """The pages where wiredup's F1 is furthest below, then furthest above, the baseline's."""
    differences = sorted(
        ((f1s[WIREDUP][page.page_id] - f1s[BASELINE][page.page_id], page) for page in pages),
        key=lambda pair: pair[0],
    )
    changed = [pair for pair in differences if abs(pair[0]) > 1e-9]
    print(f"\nwiredup F1 differs from '{BASELINE}' on {len(changed)} of {len(pages)} pages "
          f"({sum(1 for d, _ in changed if d < 0)} lower, {sum(1 for d, _ in changed if d > 0)} higher; "
          f"sum of differences {sum(d for d, _ in changed):+.2f} F1-pages).")
    below = [pair for pair in changed if pair[0] < 0][:LISTED]
    above = [pair for pair in reversed(changed) if pair[0] > 0][:LISTED]
    for title, listed in ((f"{LISTED} pages furthest BELOW the baseline", below),
                          (f"{LISTED} pages furthest ABOVE the baseline", above)):
        print(f"\n{title} (id: wiredup F1 vs baseline F1, difference; hint)")
        for difference, page in listed:
            print(f"  {page.page_id}: {f1s[WIREDUP][page.page_id]:.3f} vs {f1s[BASELINE][page.page_id]:.3f} "
                  f"({difference:+.3f}); {page_hint(page, data)}")
        if not listed:
            print("  (none)")


# ---------------------------------------------------------------- main


def page_ids(data: Path, limit: int | None) -> list[str]:
    """The ids of pages that have both an HTML file and a ground truth, sorted, first ``limit``."""
    ids = sorted(path.name.removesuffix(".html.gz") for path in (data / "html").glob("*.html.gz"))
    ids = [page_id for page_id in ids if (data / "ground-truth" / f"{page_id}.json").exists()]
    return ids[:limit] if limit else ids


def measure_all(data: Path, ids: list[str], jobs: int) -> list[PageResult]:
    """Every page's results, in id order, over ``jobs`` processes; progress on stderr."""
    work = [(str(data), page_id) for page_id in ids]
    results = []

    def collect(iterator):
        for number, page in enumerate(iterator, 1):
            results.append(page)
            if number % 100 == 0 or number == len(work):
                print(f"  {number}/{len(work)} pages", file=sys.stderr, flush=True)

    if jobs <= 1:
        quiet_logging()
        collect(map(measure_page, work))
    else:
        with Pool(jobs, initializer=quiet_logging) as pool:
            collect(pool.imap(measure_page, work, chunksize=4))
    return results


def quiet_logging() -> None:
    """trafilatura and htmldate warn on every discarded page; keep the output to the report."""
    logging.disable(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the extractors, print the table and the page lists."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with html/<id>.html.gz and ground-truth/<id>.json (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default: %(default)s)")
    args = parser.parse_args(argv)

    ids = page_ids(args.data, args.limit)
    if not ids:
        parser.error(f"no pages in {args.data}")
    print(f"{len(ids)} pages from {args.data}, {args.jobs} process(es)", file=sys.stderr)
    started = time.perf_counter()
    pages = measure_all(args.data, ids, args.jobs)
    wall = time.perf_counter() - started

    rows = {name: Row() for name in EXTRACTORS}
    f1s: dict[str, dict[str, float]] = {name: {} for name in EXTRACTORS}
    for page in pages:
        for name in EXTRACTORS:
            f1s[name][page.page_id] = rows[name].add(page.extractions[name], page.gold)

    print(f"Extraction quality on {len(pages)} pages of {args.data}")
    print("P/R/F1: bag of lower-cased \\w+ words vs gold main_content, averaged over pages; "
          "a page with nothing extracted scores 0.\n")
    print_table(rows)
    metadata_seconds = sum(page.metadata_seconds for page in pages)
    print(f"\nwith = gold 'with' snippets found, w/o leak = gold 'without' snippets found (pooled over pages); "
          f"title/date/author over pages whose gold has one ({rows[WIREDUP].titles_total}/"
          f"{rows[WIREDUP].dates_total}/{rows[WIREDUP].authors_total}).")
    print(f"Baseline metadata (title/date/author) comes from extract_metadata(), timed apart: "
          f"{len(pages) / metadata_seconds:.1f} pages/s/proc on its own." if metadata_seconds else "")
    print(f"Dates invented over the {rows[WIREDUP].undated_total} pages whose gold has none: "
          + ", ".join(f"{name} {row.dates_invented}" for name, row in rows.items()) + ".")
    sources = rows[WIREDUP].date_sources
    print("wiredup's dates by published_from (right / with a gold date / all): "
          + ", ".join(f"{source} {rows[WIREDUP].date_sources_right[source]}/{rows[WIREDUP].date_sources_dated[source]}/{count}"
                      for source, count in sources.most_common()) + ".")
    print("Dates exactly one day off the gold (counted as wrong; the gold is the page's local day): "
          + ", ".join(f"{name} {row.dates_one_day_off}" for name, row in rows.items()) + ".")
    skipped = Counter(page.skipped_at_default for page in pages if page.skipped_at_default)
    print(f"wiredup at its default min_text_chars={DEFAULT_MIN_TEXT_CHARS} would skip {sum(skipped.values())} "
          f"of {len(pages)} pages" + (": " + ", ".join(f"{r} {n}" for r, n in skipped.most_common()) if skipped else "")
          + ".")
    print(f"Wall time {wall:.0f} s with {args.jobs} process(es) ({len(pages) / wall:.1f} pages/s for all "
          f"{len(EXTRACTORS)} extractors plus the metadata pass together).")
    print_differences(pages, f1s, args.data)


if __name__ == "__main__":
    main()
