"""A test news web for grouping: two outlets on 127.0.0.1 built from real article texts.

The texts are sixteen WCXB dev article pages (fixtures/news_web/stories.json, CC-BY-4.0, see the
README beside it), each trimmed to wire length. From them the web is built as two outlets publish:

- **The Daily Ledger** (outlet ``a``): the originals, 2014-2019, each dated on the page (JSON-LD,
  ``article:published_time``, a ``<time>`` in the byline) and in its RSS feed; a quiet template
  with a "Latest news" list of other headlines.
- **The Evening Courier** (outlet ``b``): a cluttered template (cookie banner, share counters, ads,
  "Read also" links, a newsletter box, comments and a comment form, a "Trending now" rail quoting
  the opening sentence of other stories). It runs wire copies of Ledger stories (lede kept, later
  paragraphs cut, one paragraph of its own, a headline of its own), briefs (a story's opening
  alone, at most 45 words), a weekend roundup quoting the openings of three stories, and three
  stories of its own (same topics as Ledger stories, other texts). Its pages show no date at all;
  its Google News sitemap dates most of them, some years after the original; the rest are dated
  nowhere (listed on its home page only).

The gold partition follows from how the web is built: every page of a story (original, copies,
briefs) is one group; each Courier story of its own is a group of one; the roundup is a group of
one too, being a piece of its own whose quotes are a few lines of each story it points to (putting
it with any one of them would be arbitrary, and with all of them would merge three stories).

The web comes in two editions: edition 1 is there for the first crawl; edition 2 adds a new Ledger
story with its Courier copy and a late Courier copy of a story first crawled in edition 1.
Pages of edition 1 are the same bytes in edition 2.

    bases = {"a": "http://127.0.0.1:8001", "b": "http://127.0.0.1:8002"}
    web = write_news_web(folder, bases, edition=2)   # folder/a and folder/b, each a site root
    web.gold_partition()                              # {frozenset of page URLs, ...}
    with FolderSite(folder / "a") as site: ...        # serve one outlet (port 0: a free one)

``serve_news_web`` starts both outlets' servers first (their ports go into the pages' URLs), then
writes the web.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from email.utils import format_datetime
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

STORIES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "news_web" / "stories.json"

LEDGER = "The Daily Ledger"
COURIER = "The Evening Courier"
OUTLET_NAMES = {"a": LEDGER, "b": COURIER}
SOURCE_NAMES = {"a": "daily-ledger", "b": "evening-courier"}
BRIEF_MAX_WORDS = 45
WIRE_MAX_PARAGRAPHS = 8
WIRE_MAX_WORDS = 650
PARAGRAPH_MIN_WORDS = 20  # shorter gold lines (subheadings, captions, list items) are left out

# story key -> WCXB dev article id
STORY_SOURCES = {
    "plato": "0160",
    "coffee": "4044",
    "startup": "4462",
    "plumbing": "0104",
    "carfixes": "0393",
    "exercise": "4060",
    "tinyhouse": "4562",
    "gym": "0085",
    "actuary": "0370",
    "meditation": "4561",
    "backup": "0495",
    "mindfulness": "4557",
    "landscape": "4170",
    "actuary-choice": "0373",
    "tiny-home": "4565",
    "meditation-guide": "0196",
}


# -- the stories --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """One article text as its original outlet published it, trimmed to wire length."""

    key: str
    wcxb_id: str
    source_url: str
    title: str
    author: str | None
    published: str  # YYYY-MM-DD
    paragraphs: tuple[str, ...]

    @property
    def lede(self) -> str:
        return self.paragraphs[0]

    def opening(self, max_words: int = BRIEF_MAX_WORDS) -> str:
        """The lede's leading sentences, as many as fit in ``max_words`` words (at least one)."""
        sentences = split_sentences(self.lede)
        kept = [sentences[0]]
        for sentence in sentences[1:]:
            if len(" ".join([*kept, sentence]).split()) > max_words:
                break
            kept.append(sentence)
        return " ".join(kept)

    def first_sentence(self) -> str:
        return split_sentences(self.lede)[0]


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, split after . ! ? (or a closing quote) before a capital.

    >>> split_sentences("It works. Does it? “Yes.” Fine")
    ['It works.', 'Does it?', '“Yes.”', 'Fine']
    """
    return re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", " ".join(text.split()))


@functools.cache
def load_stories(path: Path = STORIES_FILE) -> dict[str, Story]:
    """The bundled stories by key."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        entry["key"]: Story(
            key=entry["key"], wcxb_id=entry["wcxb_id"], source_url=entry["source_url"], title=entry["title"],
            author=entry["author"], published=entry["published"], paragraphs=tuple(entry["paragraphs"]),
        )
        for entry in data["stories"]
    }


def bundle_stories(wcxb_articles: Path, destination: Path = STORIES_FILE) -> None:
    """Write ``stories.json`` from a WCXB article set (``ground-truth/<id>.json``): each story's gold
    title, author, date and its paragraphs of ``PARAGRAPH_MIN_WORDS`` words or more, at most
    ``WIRE_MAX_PARAGRAPHS`` of them and about ``WIRE_MAX_WORDS`` words.

    The fixture was made with ``bundle_stories(Path("../shared/benchmarks/wcxb-dev-articles"))``.
    """
    stories = []
    for key, wcxb_id in STORY_SOURCES.items():
        record = json.loads((wcxb_articles / "ground-truth" / f"{wcxb_id}.json").read_text(encoding="utf-8"))
        gold = record["ground_truth"]
        paragraphs, words = [], 0
        for paragraph in gold["main_content"].split("\n\n"):
            paragraph = " ".join(paragraph.split())
            if len(paragraph.split()) < PARAGRAPH_MIN_WORDS:
                continue
            if len(paragraphs) == WIRE_MAX_PARAGRAPHS or words > WIRE_MAX_WORDS:
                break
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        stories.append({
            "key": key, "wcxb_id": wcxb_id, "source_url": record["url"], "title": gold["title"],
            "author": gold.get("author"), "published": gold["publish_date"], "paragraphs": paragraphs,
        })
    note = ("Texts from WCXB (Web Content eXtraction Benchmark) v1.0 dev split by Murrough Foley, CC-BY-4.0; "
            "changed: trimmed to their first paragraphs of 20 words or more. See README.md.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(json.dumps({"note": note, "stories": stories}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# -- the plan: which outlet runs what, when, dated how -------------------------------------------


@dataclass(frozen=True)
class Copy:
    """A Courier wire copy of a Ledger story: the lede and the ``keep`` paragraphs (by index), with
    a paragraph of its own after the ``own_after``-th kept one, under a headline of its own."""

    story: str
    title: str
    keep: tuple[int, ...]
    own: str
    own_after: int
    sitemap_date: str | None  # None: dated nowhere
    edition: int = 1


@dataclass(frozen=True)
class Brief:
    """A Courier brief: a story's opening alone (at most ``BRIEF_MAX_WORDS`` words)."""

    story: str
    title: str
    sitemap_date: str | None
    edition: int = 1


@dataclass(frozen=True)
class OwnStory:
    """A story the Courier runs of its own: the whole text, no Ledger original."""

    story: str
    sitemap_date: str | None
    edition: int = 1


@dataclass(frozen=True)
class Roundup:
    """A Courier roundup: an intro, then per story its Ledger headline, its opening quoted and a
    line of the Courier's own; a closing line."""

    key: str
    title: str
    intro: str
    quotes: tuple[tuple[str, str], ...]  # (story, the Courier's line about it)
    outro: str
    sitemap_date: str | None
    edition: int = 1


# Ledger originals and the edition each first appears in.
ORIGINALS = {
    "plato": 1, "coffee": 1, "startup": 1, "plumbing": 1, "carfixes": 1, "exercise": 1, "tinyhouse": 1,
    "gym": 1, "actuary": 1, "meditation": 1, "backup": 1, "mindfulness": 1, "landscape": 2,
}

COPIES = (
    Copy(
        "plato", "Community college teacher: why Plato belongs in every trade classroom", keep=(1, 2, 4),
        own="The essay has circulated widely among faculty at the county's two community colleges, where humanities "
            "courses were trimmed again this spring and several instructors now teach across three campuses.",
        own_after=2, sitemap_date="2021-03-09T10:15:00+00:00",
    ),
    Copy(
        "coffee", "From a goat herder's hunch to the morning cup: coffee's long history", keep=(1, 2, 3),
        own="Roasters along the waterfront say interest in the origins of their beans has never been higher, and "
            "several now print the farm and region on every bag they sell at the weekend market.",
        own_after=3, sitemap_date="2022-05-17T07:40:00+00:00",
    ),
    Copy(
        "startup", "Six hard lessons from a serial founder's first business", keep=(1, 2, 4),
        own="Local business advisers told the Courier that the same mistakes come up again and again at their free "
            "evening clinics, above all underestimating how long it takes before a new company sees steady income.",
        own_after=1, sitemap_date="2020-08-04T12:00:00+00:00",
    ),
    Copy(
        "plumbing", "Camera inspections spare lawns as plumbers go high-tech", keep=(1, 2, 5),
        own="The water utility said its crews already send a camera down most reported blockages before any digging "
            "starts, and that the practice has cut the number of streets closed for repairs by about a third.",
        own_after=2, sitemap_date="2019-02-12T09:30:00+00:00",
    ),
    Copy(
        "carfixes", "Cheap car fixes that keep the mechanic's bill down", keep=(1, 2),
        own="Independent garages in the valley report that more drivers now bring their own parts bought online and "
            "ask only for the labour, a trend most of them have learned to accept rather than fight.",
        own_after=1, sitemap_date=None,
    ),
    Copy(
        "exercise", "Moderate exercise linked to fewer poor mental health days, study finds", keep=(1, 2, 4),
        own="Doctors at the regional hospital said they already recommend brisk walking to patients with mild "
            "depression, and that the findings support adding group exercise classes to the clinic's programme.",
        own_after=3, sitemap_date=None,
    ),
    Copy(
        "tinyhouse", "The downsides of tiny house living, from someone who does it", keep=(1, 2, 3),
        own="Planning officers say applications to park tiny houses on private land have doubled across the district, "
            "although rules on water, waste and fire safety still leave many owners in a grey area.",
        own_after=2, sitemap_date="2021-11-30T15:20:00+00:00",
    ),
    Copy(  # a late copy: its original was crawled in the first run, the copy appears before the second
        "actuary", "Consulting or insurer? New actuaries weigh their first job", keep=(1, 3),
        own="Recruiters who place graduates with the insurers headquartered downtown say candidates ask the same "
            "question every autumn, and that the answer depends more on the team than on the employer.",
        own_after=1, sitemap_date=None, edition=2,
    ),
    Copy(  # a story new in the second run, original and copy
        "landscape", "Composition rules every landscape photographer should know", keep=(1, 3, 4, 5),
        own="Members of the camera club that meets in the old library say the rule of thirds is the first thing they "
            "teach newcomers, and the first rule the best of them learn to break on purpose.",
        own_after=2, sitemap_date="2024-02-20T10:00:00+00:00", edition=2,
    ),
)

BRIEFS = (
    Brief("plumbing", "In brief: cameras change how plumbers find broken pipes", sitemap_date=None),
    Brief("exercise", "In brief: moderate exercise and mental health", sitemap_date="2023-01-10T08:05:00+00:00"),
    Brief("meditation", "In brief: what a few minutes of meditation can do", sitemap_date=None),
)

OWN_STORIES = (
    OwnStory("actuary-choice", sitemap_date="2019-04-16T11:00:00+00:00"),  # topic of "actuary"
    OwnStory("tiny-home", sitemap_date=None),  # topic of "tinyhouse"
    OwnStory("meditation-guide", sitemap_date="2016-03-01T13:45:00+00:00"),  # topic of "meditation" and "mindfulness"
)

ROUNDUP = Roundup(
    key="weekend-reading",
    title="Weekend reading: coffee's past, exercise and the mind, and a few quiet minutes",
    intro="Every Saturday the Courier's editors pick the pieces from other newsrooms that they kept talking about "
          "during the week. This week the reading list wanders from the coffee house to the gym and ends somewhere "
          "much quieter.",
    quotes=(
        ("coffee", "A short and cheerful history lesson, and the best excuse we found this week for a second cup."),
        ("exercise", "Our health desk has followed this research for months; the numbers are worth a careful look."),
        ("meditation", "If the first two pieces left you restless, this one suggests spending ten minutes doing nothing."),
    ),
    outro="Tell us what you have been reading: the best suggestions from readers make it into next week's list.",
    sitemap_date="2023-01-14T06:00:00+00:00",
)

# Stories the Courier's "Trending now" rail quotes (headline and first sentence), in rotation: the
# Ledger originals of edition 1, but "mindfulness", whose lede opens with a dateline ("WASHINGTON
# (January 24, 2017) —"): quoted on a Courier page, it would put a date on a page meant to show none.
RAIL_STORIES = ("plato", "coffee", "startup", "plumbing", "carfixes", "exercise", "tinyhouse", "gym", "actuary", "meditation", "backup")

COMMENTS = (
    ("Marguerite", "Shared this with my whole book club, thank you."),
    ("tomw", "Good piece but the headline oversells it a bit."),
    ("Ravi K.", "Finally someone writes about this properly."),
    ("Lena", "My neighbour went through exactly this last year."),
    ("old_salt", "Same story every time, nothing ever changes."),
)


# -- pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One article page of the web and what the test expects of it."""

    outlet: str  # "a" (Ledger) or "b" (Courier)
    path: str
    story: str  # the gold group: pages of one story share it
    kind: str  # original, copy, brief, roundup, own
    edition: int
    title: str
    paragraphs: tuple[str, ...]
    date: str | None  # ISO datetime: on the page and in the feed (Ledger), in the sitemap (Courier)
    date_from: str | None  # "page" or "sitemap"; None when the date is nowhere
    quoted: tuple[str, ...] = ()  # a roundup: the stories whose openings it quotes

    @property
    def label(self) -> str:
        """Short name in failure messages: outlet/kind/story."""
        return f"{self.outlet}/{self.kind}/{self.story}"

    @property
    def words(self) -> int:
        return sum(len(paragraph.split()) for paragraph in self.paragraphs)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70].rstrip("-")


def plan_pages(stories: dict[str, Story] | None = None) -> list[Page]:
    """Every page of the web's last edition (each says its edition), in publishing order."""
    stories = stories or load_stories()
    pages = []
    for key, edition in ORIGINALS.items():
        story = stories[key]
        pages.append(Page(
            "a", f"/news/{_slug(story.title)}.html", key, "original", edition, story.title, story.paragraphs,
            f"{story.published}T09:00:00+00:00", "page",
        ))
    for copy in COPIES:
        story = stories[copy.story]
        kept = [story.lede, *(story.paragraphs[index] for index in copy.keep)]
        kept.insert(copy.own_after + 1, copy.own)
        pages.append(_courier_page(copy.story, "copy", copy.edition, copy.title, kept, copy.sitemap_date))
    for brief in BRIEFS:
        pages.append(_courier_page(brief.story, "brief", brief.edition, brief.title, [stories[brief.story].opening()], brief.sitemap_date))
    for own in OWN_STORIES:
        story = stories[own.story]
        pages.append(_courier_page(own.story, "own", own.edition, story.title, list(story.paragraphs), own.sitemap_date))
    paragraphs = [ROUNDUP.intro]
    for key, line in ROUNDUP.quotes:
        paragraphs += [f"“{stories[key].opening()}”", line]
    paragraphs.append(ROUNDUP.outro)
    roundup = _courier_page(ROUNDUP.key, "roundup", ROUNDUP.edition, ROUNDUP.title, paragraphs, ROUNDUP.sitemap_date)
    pages.append(replace(roundup, quoted=tuple(key for key, _ in ROUNDUP.quotes)))
    return pages


def _courier_page(story: str, kind: str, edition: int, title: str, paragraphs: list[str], sitemap_date: str | None) -> Page:
    return Page("b", f"/story/{_slug(title)}/", story, kind, edition, title, tuple(paragraphs), sitemap_date,
                "sitemap" if sitemap_date else None)


# -- the written web ----------------------------------------------------------------------------


@dataclass
class NewsWeb:
    """One edition of the web as written: its pages, and where each outlet is served."""

    bases: dict[str, str]  # outlet -> http://127.0.0.1:PORT
    edition: int
    pages: list[Page] = field(default_factory=list)  # the pages of this edition

    def url(self, page: Page) -> str:
        return self.bases[page.outlet] + page.path

    def by_url(self) -> dict[str, Page]:
        return {self.url(page): page for page in self.pages}

    def gold_partition(self) -> set[frozenset[str]]:
        """The intended groups: the URLs of each story's pages."""
        groups: dict[str, set[str]] = {}
        for page in self.pages:
            groups.setdefault(page.story, set()).add(self.url(page))
        return {frozenset(group) for group in groups.values()}

    def sources(self) -> list[dict]:
        """sources.toml entries for both outlets (as ``news_site.write_sources`` takes them):
        the Ledger through its home page and feed, the Courier through its home page and sitemap."""
        ledger, courier = self.bases["a"], self.bases["b"]
        return [
            {"name": SOURCE_NAMES["a"], "home": f"{ledger}/", "feeds": [f"{ledger}/feed.xml"], "article_patterns": ["/news/"]},
            {"name": SOURCE_NAMES["b"], "home": f"{courier}/", "sitemaps": [f"{courier}/news-sitemap.xml"], "article_patterns": ["/story/"]},
        ]


def write_news_web(folder: Path, bases: dict[str, str], edition: int = 2, stories: dict[str, Story] | None = None) -> NewsWeb:
    """Write ``edition`` of the web under ``folder`` (``a/`` and ``b/``, each a site root) for the
    outlets served at ``bases``; files whose bytes do not change are left alone."""
    stories = stories or load_stories()
    everything = plan_pages(stories)
    web = NewsWeb(bases, edition, [page for page in everything if page.edition <= edition])
    files: dict[str, str] = {}
    for page in web.pages:
        render = _ledger_page if page.outlet == "a" else _courier_article
        files[page.outlet + _file_path(page.path)] = render(page, web, everything, stories)
    ledger = [page for page in web.pages if page.outlet == "a"]
    courier = [page for page in web.pages if page.outlet == "b"]
    files["a/index.html"] = _ledger_home(ledger, web)
    files["a/feed.xml"] = _ledger_feed(ledger, web)
    files["a/robots.txt"] = "User-agent: *\nDisallow: /search\n"
    files["b/index.html"] = _courier_home(courier, web)
    files["b/news-sitemap.xml"] = _courier_sitemap(courier, web)
    files["b/robots.txt"] = f"User-agent: *\nDisallow: /account/\n\nSitemap: {bases['b']}/news-sitemap.xml\n"
    for relative, text in files.items():
        _write_if_changed(folder / relative, text)
    return web


def _file_path(path: str) -> str:
    return path + "index.html" if path.endswith("/") else path


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _human_date(iso: str) -> str:
    day = date.fromisoformat(iso[:10])
    return f"{day:%B} {day.day}, {day.year}"


def _paragraphs_html(paragraphs) -> str:
    return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)


def _others(key: str, pool: list[str], count: int) -> list[str]:
    """``count`` keys of ``pool`` after ``key`` in cyclic order (``key`` itself left out)."""
    start = pool.index(key) + 1 if key in pool else 0
    rotated = pool[start:] + pool[:start]
    return [other for other in rotated if other != key][:count]


def _edition_one_originals(everything: list[Page]) -> list[Page]:
    """Ledger originals of edition 1: what sidebars and rails of every edition point at, so a page
    keeps its bytes from one edition to the next."""
    return [page for page in everything if page.outlet == "a" and page.edition == 1]


def _ledger_page(page: Page, web: NewsWeb, everything: list[Page], stories: dict[str, Story]) -> str:
    story = stories[page.story]
    url = web.url(page)
    latest = _edition_one_originals(everything)
    by_story = {item.story: item for item in latest}
    sidebar = "\n".join(
        f'<li><a href="{escape(by_story[key].path)}">{escape(by_story[key].title)}</a></li>'
        for key in _others(page.story, list(by_story), 5)
    )
    json_ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": page.title, "url": url,
        "datePublished": page.date, "publisher": {"@type": "Organization", "name": LEDGER},
    }
    byline = f"By {escape(story.author)} | " if story.author else ""
    if story.author:
        json_ld["author"] = {"@type": "Person", "name": story.author}
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(page.title)} | {LEDGER}</title>
<link rel="canonical" href="{escape(url)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(page.title)}">
<meta property="og:site_name" content="{LEDGER}">
<meta property="og:url" content="{escape(url)}">
<meta property="article:published_time" content="{page.date}">
<link rel="alternate" type="application/rss+xml" title="{LEDGER}" href="/feed.xml">
<script type="application/ld+json">{json.dumps(json_ld, ensure_ascii=False)}</script>
</head><body>
<header class="masthead"><a class="logo" href="/">{LEDGER}</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/section/world/">World</a></li><li><a href="/section/business/">Business</a></li>
<li><a href="/section/health/">Health</a></li><li><a href="/section/culture/">Culture</a></li></ul></nav></header>
<main class="layout">
<article class="story">
<h1>{escape(page.title)}</h1>
<p class="byline">{byline}<time datetime="{page.date}">{_human_date(page.date)}</time></p>
{_paragraphs_html(page.paragraphs)}
</article>
<aside class="sidebar"><h2>Latest news</h2><ul>
{sidebar}
</ul></aside>
</main>
<footer><p>&copy; {LEDGER}. All rights reserved.</p><p><a href="/about.html">About us</a> | <a href="/contact.html">Contact</a> | <a href="/feed.xml">RSS</a></p></footer>
</body></html>
"""


def _courier_article(page: Page, web: NewsWeb, everything: list[Page], stories: dict[str, Story]) -> str:
    url = web.url(page)
    number = sum(map(ord, page.path))  # stable per page: counters and comments vary across pages
    pool = list(RAIL_STORIES)
    trending = "\n".join(
        f'<li><a href="/story/{_slug(stories[key].title)}/"><strong>{escape(stories[key].title)}</strong></a>'
        f"<p>{escape(stories[key].first_sentence())}</p></li>"
        for key in _others(page.story, pool, 3)
    )
    most_read = "\n".join(f"<li>{escape(stories[key].title)}</li>" for key in _others(page.story, pool[::-1], 4))
    read_also = stories[_others(page.story, pool, 5)[-1]].title
    body = []
    for index, paragraph in enumerate(page.paragraphs):
        body.append(f"<p>{escape(paragraph)}</p>")
        if index == 0:
            body.append('<div class="ad-slot" aria-hidden="true">Advertisement</div>')
        if index == 1:
            body.append(f'<p class="read-also">Read also: <a href="/story/{_slug(read_also)}/">{escape(read_also)}</a></p>')
    comments = [COMMENTS[(number + offset) % len(COMMENTS)] for offset in range(2)]
    comment_html = "\n".join(
        f'<div class="comment"><span class="author">{escape(name)}</span><p>{escape(text)}</p></div>' for name, text in comments
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(page.title)} - {COURIER}</title>
<link rel="canonical" href="{escape(url)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(page.title)}">
<meta property="og:site_name" content="{COURIER}">
<meta property="og:url" content="{escape(url)}">
<meta name="description" content="{escape(split_sentences(page.paragraphs[0])[0])}">
</head><body>
<div class="cookie-banner"><p>We use cookies to give you the best experience on our site and to show you relevant ads.</p>
<button>Accept all</button> <button>Manage preferences</button></div>
<div class="topbar"><a class="logo" href="/">{COURIER}</a>
<nav><a href="/">Home</a> | <a href="/local/">Local</a> | <a href="/business/">Business</a> | <a href="/sport/">Sport</a> |
<a href="/opinion/">Opinion</a> | <a href="/puzzles/">Puzzles</a> | <a href="/account/subscribe">Subscribe</a></nav>
<form class="search" action="/search"><input name="q" placeholder="Search the Courier"><button>Go</button></form></div>
<div class="container">
<div class="main-col">
<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/local/">Local</a></div>
<h1 class="headline">{escape(page.title)}</h1>
<div class="share-bar"><span class="share-count">{1 + number % 9}.{number % 10}K shares</span>
<a href="#share-facebook">Facebook</a> <a href="#share-x">X</a> <a href="#share-email">Email</a>
<span class="comment-count">{len(comments) + number % 30} comments</span></div>
<div class="story-body">
<p class="byline">By Courier staff and wire services</p>
{chr(10).join(body)}
</div>
<div class="newsletter"><h3>Get the Evening Briefing</h3><p>Our best stories in your inbox every weekday.</p>
<form><input type="email" placeholder="Your email"><button>Sign up</button></form></div>
<section class="comments" id="comments"><h3>Join the conversation</h3>
{comment_html}
<form class="comment-form"><textarea placeholder="Add your comment"></textarea><button>Post comment</button></form>
</section>
</div>
<aside class="rail"><h2>Trending now</h2><ol>
{trending}
</ol><h2>Most read</h2><ol>
{most_read}
</ol></aside>
</div>
<footer><p>&copy; {COURIER} Media Group. All rights reserved.</p>
<p><a href="/about/">About</a> | <a href="/advertise/">Advertise</a> | <a href="/privacy/">Privacy</a></p></footer>
</body></html>
"""


def _ledger_home(pages: list[Page], web: NewsWeb) -> str:
    items = "\n".join(
        f'<li><a href="{escape(page.path)}">{escape(page.title)}</a> <span class="date">{_human_date(page.date)}</span></li>'
        for page in sorted(pages, key=lambda page: page.date, reverse=True)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{LEDGER}</title>'
        '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>\n'
        f"<body><h1>{LEDGER}</h1>\n<ul>\n{items}\n</ul>\n"
        '<p><a href="/about.html">About</a></p></body></html>\n'
    )


def _ledger_feed(pages: list[Page], web: NewsWeb) -> str:
    items = "".join(
        "    <item>\n"
        f"      <title>{xml_escape(page.title)}</title>\n"
        f"      <link>{xml_escape(web.url(page))}</link>\n"
        f"      <guid>{xml_escape(web.url(page))}</guid>\n"
        f"      <pubDate>{format_datetime(datetime.fromisoformat(page.date).astimezone(timezone.utc), usegmt=True)}</pubDate>\n"
        "    </item>\n"
        for page in sorted(pages, key=lambda page: page.date, reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n'
        f"    <title>{LEDGER}</title>\n    <link>{web.bases['a']}/</link>\n"
        f"    <description>Latest from {LEDGER}</description>\n{items}  </channel>\n</rss>\n"
    )


def _courier_home(pages: list[Page], web: NewsWeb) -> str:
    items = "\n".join(f'<li><a href="{escape(page.path)}">{escape(page.title)}</a></li>' for page in reversed(pages))
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{COURIER}</title></head>\n'
        f'<body><div class="topbar"><a href="/">{COURIER}</a> <a href="/local/">Local</a> <a href="/sport/">Sport</a></div>\n'
        f"<h1>Latest stories</h1>\n<ul>\n{items}\n</ul>\n</body></html>\n"
    )


def _courier_sitemap(pages: list[Page], web: NewsWeb) -> str:
    urls = "".join(
        "  <url>\n"
        f"    <loc>{xml_escape(web.url(page))}</loc>\n"
        "    <news:news>\n"
        f"      <news:publication><news:name>{COURIER}</news:name><news:language>en</news:language></news:publication>\n"
        f"      <news:publication_date>{page.date}</news:publication_date>\n"
        f"      <news:title>{xml_escape(page.title)}</news:title>\n"
        "    </news:news>\n"
        "  </url>\n"
        for page in pages
        if page.date_from == "sitemap"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{urls}</urlset>\n"
    )


# -- serving ------------------------------------------------------------------------------------


class _QuietFolderHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass


class FolderSite:
    """Serve one folder over HTTP on 127.0.0.1 (port 0: a free one), in a background thread.

    Files are read at each request, so rewriting the folder changes the site; unchanged files
    answer ``If-Modified-Since`` with 304, as a static web server does.
    """

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_QuietFolderHandler, directory=str(self.folder))
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"folder-site-{self.folder.name}", daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FolderSite":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serve_news_web(folder: Path) -> Iterator[dict[str, str]]:
    """Serve ``folder/a`` and ``folder/b`` as the two outlets; yields their bases for ``write_news_web``."""
    with ExitStack() as stack:
        sites = {outlet: stack.enter_context(FolderSite(Path(folder) / outlet)) for outlet in OUTLET_NAMES}
        yield {outlet: site.base for outlet, site in sites.items()}
