"""An article from a page's HTML, Scrapy-free: text and the metadata a news user needs.

Reads the metadata from the page as it came (pruning loses dates and
bylines), tells pages that hold no article apart (wiredup.extract.page_kind), then
runs trafilatura with comments off on a copy whose teaser boxes and date
widgets were pruned (wiredup.extract.article_text), once as configured by default
and, where the default text misses much of the page's text, once favouring
recall, keeping the recall text when it is clearly longer; date lines and
bylines at its top and the headline are dropped from the text (the article
keeps them as metadata). Each rule earns its cost on two benchmark sets
(bench/extraction_rules.py; bench/README.md, issue 19).
The published date is htmldate's, corrected by what the page declares and
shows (wiredup.extract.dates). Keeps title, authors as a list,
published and updated dates in ISO 8601 with the page's own offset, language,
site name, description, canonical URL, main image and section; a value the
page does not give is None. The crawl, the benchmarks and re-extraction all
call ``extract_article``, a pure function of its arguments (safe to run in a
process pool).
"""

from __future__ import annotations

import hashlib
import re
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime

import trafilatura
from lxml import etree
from trafilatura.settings import Extractor, set_date_params
from trafilatura.utils import load_html

from wiredup.extract.article_text import PAGE_RULES, TEXT_RULES, clean_text, prepare_page
from wiredup.extract.dates import (
    DATE_RULES,
    LISTING_SOURCES,
    DateMarkup,
    date_markup,
    date_source,
    declared_dates,
    listed_date,
    published_date,
)
from wiredup.extract.page_kind import non_article_reason
from wiredup.extract.page_layout import adopt_stray_roots
from wiredup.extract.page_metadata import read_metadata
from wiredup.settings import Settings
from wiredup.urls import canonical_url

# The rules around trafilatura, by name, for ``extract_article(skip=...)``: page repairs and pruning before it
# (article_text.PAGE_RULES), its second (favor_recall) run, then the text's clean-up (article_text.TEXT_RULES); the
# date rules (dates.DATE_RULES) and the evidence a date must have; the non-article test
RULES = ("adopt_stray_roots", *PAGE_RULES, "favor_recall", "non_article_reason", *TEXT_RULES, *DATE_RULES, "date_evidence")
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# with the time, so "who ran it first" can be told on the same day; without htmldate's extensive search,
# which reads a date out of any text, a bare year ("since 1996") as January 1st
DATE_PARAMS = {**set_date_params(extensive=False), "outputformat": DATE_FORMAT}
AGENCY_NOISE = re.compile(
    r"^(afp|ap|reuters|dpa|ansa|efe|upi|pti|ians|associated press|agence france[- ]presse|agencies|"
    r"staff|staff reporter|staff writer|editorial staff|newsroom|news desk|web desk|admin|editor)$",
    re.IGNORECASE,
)
BY_PREFIX = re.compile(r"^(by|par|von|por|di)\s+", re.IGNORECASE)
# how much longer trafilatura's favor_recall text must be to be taken: less is clutter it adds, more is body it found
# (1.05 against 1.1: WCXB dev +0.0001, 3 pages better, 1 worse; readability-pages unchanged; no run more)
RECALL_MIN_GAIN = 1.05
# The recall run is worth its cost (as long as trafilatura's first run) where the default text misses much of the
# page's text: under this share of it (WCXB dev: 149 of 793 pages, three quarters of the gain of running it on every
# page; readability-pages: 37 of 94, half of it; the gain flattens from 0.7 to 0.8 on both), or under
# RECALL_SHORT_CHARS (the default found next to nothing)
RECALL_MAX_SHARE = 0.7
RECALL_SHORT_CHARS = 500
# elements trafilatura's cleaning drops whole in either configuration: their text can't be in the recall text
UNEXTRACTED_TAGS = frozenset({"script", "style", "noscript", "head", "nav", "footer", "aside", "button", "select", "option",
                              "iframe", "svg", "dialog", "menu", "label", "input", "textarea"})
DATELINE_CHARS = 400  # how far below the headline the page's own date line is looked for
DATELINE_ABOVE_CHARS = 40  # and how far above it (a kicker line: "Blog · May 2, 2024")


class NotAnArticle(Exception):
    """The page holds no article; ``reason`` is a short stable name to count skips by."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def text_hash(text: str) -> str:
    """How a stored text is told from another: whether an article changed since it was stored.

    >>> text_hash("The story.")
    '3a3023358ebdd9e704d9f5e939101b58ce7318f7'
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class Article:
    text: str
    text_hash: str
    canonical_url: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    sitename: str | None = None
    description: str | None = None
    updated: str | None = None
    image: str | None = None
    section: str | None = None
    published_from: str | None = None  # the evidence for `published`: one of dates.PAGE_SOURCES or LISTING_SOURCES


def extract_article(
    html: str,
    url: str,
    min_text_chars: int = Settings.min_text_chars,
    listed_date: str | None = None,
    listed_from: str | None = None,
    skip: frozenset[str] = frozenset(),
) -> Article:
    """The article of a page, or ``NotAnArticle`` saying why not.

    ``listed_date`` is the date the feed or sitemap named by ``listed_from``
    ("feed", "sitemap") gave the page's URL, as written there: the
    published date when the page itself gives none (``published_from`` says
    which). ``skip`` names RULES to run without: how
    bench/extraction_rules.py measures what each rule is worth.

    >>> page = '<html lang="en"><head><title>Envoy recalled - Daily</title><meta property="og:site_name" content="Daily"></head>'
    >>> page += '<body><article><h1>Envoy recalled</h1>' + ''.join(f'<p>Paris recalled its ambassador on Tuesday, said source {n}.</p>' for n in range(8)) + '</article></body></html>'
    >>> article = extract_article(page, "https://daily.example/envoy?utm_source=rss")
    >>> article.title, article.language, article.canonical_url, article.published
    ('Envoy recalled', 'en', 'https://daily.example/envoy', None)
    >>> article = extract_article(page, "https://daily.example/envoy", listed_date="Tue, 07 May 2024 09:30:00 GMT", listed_from="feed")
    >>> article.published, article.published_from
    ('2024-05-07T09:30:00+00:00', 'feed')
    >>> try:
    ...     extract_article("<html><body><p>Menu</p></body></html>", "https://daily.example/")
    ... except NotAnArticle as skipped:
    ...     print(skipped.reason, skipped.detail)
    too_short 4 characters
    """
    if undecodable(html):
        raise NotAnArticle("undecodable", "mostly bytes that are no character in its encoding")
    tree = load_html(html) if html.strip() else None
    if tree is None:
        raise NotAnArticle("empty_page")
    if "adopt_stray_roots" not in skip:
        adopt_stray_roots(tree)
    language = page_language(tree)
    metadata = read_metadata(tree, url, DATE_PARAMS)
    texts, headline = visible_texts(tree)
    page_text = visible_text(texts)
    datelines = headline_and_dateline(page_text, words_before_headline(texts, headline))
    markup = date_markup(tree)
    declared = declared_dates(tree, markup)  # (published, updated)
    published = published_date(tree, iso_published(metadata.date), datelines, page_text, tree.get("lang"), url, skip, declared, markup)
    if "date_evidence" not in skip:
        published, published_from = published_evidence(tree, published, page_text, (url, metadata.url), listed_date, listed_from, markup)
    else:
        published_from = None
    updated = declared[1]
    teasers = prepare_page(tree, url, skip)
    raw_text = article_body(tree, url, recall="favor_recall" not in skip)
    kind = non_article_reason(tree, url, raw_text, teasers) if "non_article_reason" not in skip else None
    if kind:
        raise NotAnArticle(*kind)
    if not raw_text.strip():
        raise NotAnArticle("no_article_text")
    authors = split_authors(metadata.author)
    title = clean_title(metadata.title, metadata.sitename)
    text = clean_text(raw_text, authors, title, skip)
    if len(text) < min_text_chars:
        raise NotAnArticle("too_short", f"{len(text)} characters")
    if undecodable(text):
        raise NotAnArticle("undecodable", "its text is mostly bytes that are no character in its encoding")
    return Article(
        text=text,
        text_hash=text_hash(text),
        canonical_url=canonical_url(url, metadata.url),
        title=title,
        authors=authors,
        published=published,
        language=language,
        sitename=metadata.sitename or metadata.hostname or None,
        description=metadata.description or None,
        updated=updated,
        image=metadata.image or None,
        section=declared_section(tree),
        published_from=published_from,
    )


# Decoded with replacement, a page in no known encoding (random bytes said to be UTF-8) is a text of
# U+FFFD; a real page with a few broken bytes has a handful among thousands of characters.
UNDECODABLE_SHARE = 0.05


def undecodable(text: str) -> bool:
    """Whether ``text`` is mostly replacement characters (U+FFFD): nothing to store.

    >>> undecodable("Le café" * 50 + "\ufffd"), undecodable("ab\ufffd\ufffd" * 50)
    (False, True)
    """
    return bool(text) and text.count("\ufffd") > UNDECODABLE_SHARE * len(text)


def published_evidence(
    tree, published: str | None, page_text: str, urls, listed: str | None, listed_from: str | None, markup: DateMarkup | None = None
) -> tuple[str | None, str | None]:
    """``published`` with where the page gives it (wiredup.extract.dates.date_source), or the ``listed`` date with
    ``listed_from`` when the page gives none; (None, None) when nothing does (``markup``: the page's ``date_markup``).

    htmldate's fast search still reads a date from a script's timestamp or an
    image's URL: a date found nowhere the page states its own date is dropped
    (WCXB dev: 13 such dates, 2 of them the gold's).

    >>> page = load_html('<html><head><meta property="article:published_time" content="2024-05-02T10:00:00Z"></head><body>x</body></html>')
    >>> published_evidence(page, "2024-05-02T10:00:00+00:00", "x", ["https://a.example/1"], "2024-05-07", "sitemap")
    ('2024-05-02T10:00:00+00:00', 'meta')
    >>> published_evidence(page, "2019-01-01", "x", ["https://a.example/1"], "2024-05-07", "sitemap")
    ('2024-05-07', 'sitemap')
    >>> published_evidence(page, None, "x", ["https://a.example/1"], "soon", "feed")
    (None, None)
    """
    source = date_source(tree, published, page_text, tree.get("lang"), urls, markup)
    if source:
        return published, source
    listed = listed_date(listed) if listed_from in LISTING_SOURCES else None
    return (listed, listed_from) if listed else (None, None)


def article_body(tree, url: str, recall: bool = True) -> str:
    """trafilatura's text of the page, or its ``favor_recall`` text when that is RECALL_MIN_GAIN times longer.

    The default configuration loses whole parts of bodies it finds no article
    container for (lists, paragraphs in other wrappers); when the recall
    configuration finds clearly more, the more is mostly body (WCXB dev: 31
    pages better, 4 worse). The recall run (``recall``) costs as much as the
    first: it runs only when the default text holds under RECALL_MAX_SHARE of
    the text the page has outside the elements trafilatura drops
    (``extractable_chars``), is under RECALL_SHORT_CHARS, or that count
    failed (under half the default text: a page whose body the parser nested
    oddly).

    >>> page = '<html><body><div><span>' + '<p>Paris recalled its ambassador on Tuesday, officials said.</p>' * 3
    >>> page += '<ul>' + '<li>Talks were suspended until the envoy returns, the ministry added.</li>' * 4 + '</ul></span></div></body></html>'
    >>> body = article_body(load_html(page), "https://daily.example/envoy")
    >>> body.count("Talks were suspended")
    4
    """
    text = trafilatura_text(tree, url)
    if not recall:
        return text
    # the page's text is only counted when the default's is long enough for the count to decide
    if RECALL_SHORT_CHARS <= len(text) and RECALL_MAX_SHARE * (room := extractable_chars(tree)) <= len(text) <= 2 * room:
        return text  # the default found most of the page's text: the recall run seldom finds more body (four pages in five)
    recalled_text = trafilatura_text(tree, url, favor_recall=True)
    return recalled_text if len(recalled_text) > RECALL_MIN_GAIN * len(text) else text


# trafilatura's options for each run, built once: bare_extraction otherwise builds them, reading its
# configuration, on every call (a few per cent of an extraction)
_RUN_OPTIONS = {recall: Extractor(output_format="python", comments=False, recall=recall) for recall in (False, True)}


def trafilatura_text(tree, url: str, favor_recall: bool = False) -> str:
    """The text of ``trafilatura.bare_extraction(tree, url=url, include_comments=False, favor_recall=...)``, "" for none.

    >>> trafilatura_text(load_html('<html><body><article>' + '<p>Paris recalled its ambassador on Tuesday.</p>' * 3 + '</article></body></html>'), "https://a.example/1")[:24]
    'Paris recalled its ambas'
    """
    options = copy(_RUN_OPTIONS[favor_recall])
    options.url = options.source = url
    document = trafilatura.bare_extraction(tree, options=options)
    return (document.text or "") if document is not None else ""


def extractable_chars(tree) -> int:
    """How many characters of text the page has outside UNEXTRACTED_TAGS, whitespace runs counted as one.

    An upper bound, in practice, on what either trafilatura configuration can extract.

    >>> extractable_chars(load_html('<html><body><nav>Home News</nav><p>Paris  recalled <b>its</b> envoy.</p><footer>(c) Daily</footer></body></html>'))
    26
    """
    chars = 0
    for child in tree:
        if isinstance(child.tag, str) and child.tag not in UNEXTRACTED_TAGS:
            chars += _spaced_length(child.text) + extractable_chars(child)
        chars += _spaced_length(child.tail)
    return chars


def _spaced_length(text: str | None) -> int:
    """Length of ``text`` with whitespace runs collapsed, plus one for the break before the next text."""
    return len(" ".join(text.split())) + 1 if text and not text.isspace() else 0


# what a reader does not see: every text inside a script, style or noscript fallback
HIDDEN_TAGS = frozenset({"script", "style", "noscript"})
# the text nodes inside an element, ``is_tail`` telling a text after a child element from the element's own
TEXT_NODES = etree.XPath("descendant::text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")


def visible_texts(tree) -> tuple[list[str], int | None]:
    """The text nodes of the page's body a reader sees (none inside HIDDEN_TAGS), in document order, and the index
    among them of its headline's first own text (of its first ``<h1>`` or an element in it, not a tail), None if none.

    Walked in Python: as fast as one XPath over the text nodes with their
    ancestors tested, and it finds the headline on the way.

    >>> visible_texts(load_html('<html><body><nav>Menu</nav><h1><img>Logo <b>Envoy  recalled</b></h1><script>x=1</script></body></html>'))
    (['Menu', 'Logo ', 'Envoy  recalled'], 2)
    """
    body = tree.find("body")
    if body is None:
        return [], None
    headline = tree.find(".//h1")  # the page's first: one in the head, not the body's, means no headline
    texts, starts = [body.text] if body.text else [], []
    _collect_visible(body, texts, headline, starts)
    if not starts:
        return texts, None
    own = [not text.is_tail for text in TEXT_NODES(headline)]
    return texts, starts[0] + own.index(True) if True in own else None


def _collect_visible(element, texts: list[str], headline, starts: list[int]) -> None:
    """Appends the visible text nodes under ``element`` to ``texts``; where ``headline``'s begin, to ``starts``."""
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in HIDDEN_TAGS:
            if child is headline:
                starts.append(len(texts))
            if child.text:
                texts.append(child.text)
            _collect_visible(child, texts, headline, starts)
        if child.tail:
            texts.append(child.tail)


def visible_text(texts: list[str]) -> str:
    """The words of the page's ``visible_texts``, whitespace collapsed.

    >>> visible_text(['Menu', 'Envoy  recalled '])
    'Menu Envoy recalled'
    """
    return " ".join(" ".join(texts).split())


def headline_and_dateline(words: str, start: int) -> list[str]:
    """Where a page prints its date line, in the order to look: the page's ``visible_text`` (``words``) from its
    headline (first ``<h1>``, ``start`` characters in: ``words_before_headline``) on, DATELINE_CHARS long, then the
    DATELINE_ABOVE_CHARS above the headline; read before pruning.

    The headline is found where the ``<h1>`` stands, not by its words: a menu
    or a teaser of the same story above it repeats them, with other stories'
    dates after them.

    >>> texts, headline = visible_texts(load_html('<html><body><nav>Menu</nav><p>Politics</p><h1>Envoy recalled</h1><p>May 2, 2024</p><script>x=1</script></body></html>'))
    >>> headline_and_dateline(visible_text(texts), words_before_headline(texts, headline))
    ['Envoy recalled May 2, 2024', 'Menu Politics ']
    >>> texts, headline = visible_texts(load_html('<html><body><nav><a>Envoy recalled</a> March 1, 2019</nav><h1>Envoy recalled</h1><p>May 2, 2017</p></body></html>'))
    >>> headline_and_dateline(visible_text(texts), words_before_headline(texts, headline))[0]
    'Envoy recalled May 2, 2017'
    """
    return [words[start:][:DATELINE_CHARS], words[max(start - DATELINE_ABOVE_CHARS, 0) : start]]


def words_before_headline(texts: list[str], headline: int | None) -> int:
    """How many characters of the page's ``visible_text`` come before its headline's first text (0 without one),
    given the page's ``visible_texts``.

    >>> words_before_headline(*visible_texts(load_html('<html><body><p>Politics  </p><h1>Envoy <b>recalled</b></h1></body></html>')))
    9
    >>> words_before_headline(*visible_texts(load_html('<html><body><p>Politics</p><h1><img alt="Logo"></h1><p>Text</p></body></html>')))
    0
    """
    if headline is None:
        return 0
    prefix = " ".join(" ".join(texts[:headline]).split())
    return len(prefix) + 1 if prefix else 0


def iso_published(value: str | None) -> str | None:
    """A publication date from htmldate as ISO 8601: with the page's own offset when it gave a time, else the day alone.

    The offset is kept, not converted to UTC: the day is the one the page's readers saw.

    >>> iso_published("2024-04-17T23:42:00+0300")
    '2024-04-17T23:42:00+03:00'
    >>> iso_published("2024-04-17T00:00:00")
    '2024-04-17'
    >>> iso_published(None) is None
    True
    """
    if not value:
        return None
    moment = datetime.strptime(value, DATE_FORMAT if value[-5:-4] in "+-" else DATE_FORMAT[:-2])
    if moment.tzinfo is not None:
        return moment.isoformat()
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.date().isoformat()  # htmldate's midnight means "no time given"
    return moment.isoformat()


def clean_title(title: str | None, sitename: str | None) -> str | None:
    """The headline without the site name that page titles often append.

    >>> clean_title("France recalls envoy | The Armenian Report", "The Armenian Report")
    'France recalls envoy'
    >>> clean_title("Macron: stop the offensive - Hexagone Daily", "Hexagone Daily")
    'Macron: stop the offensive'
    >>> clean_title("Ceasefire holds", "Daily")
    'Ceasefire holds'
    """
    if not title:
        return None
    title = title.strip()
    if sitename:
        for separator in (" | ", " - ", " – ", " — ", " · ", " :: ", " » "):
            suffix = separator + sitename.strip()
            if title.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


def page_language(tree) -> str | None:
    """The page's declared language as a lower-case primary subtag (``<html lang>``, then ``og:locale``).

    >>> page_language(load_html('<html lang="en-GB"><body><p>x</p></body></html>'))
    'en'
    >>> page_language(load_html('<html><head><meta property="og:locale" content="fr_FR"></head><body>x</body></html>'))
    'fr'
    >>> page_language(load_html('<html><body><p>x</p></body></html>')) is None
    True
    """
    declared = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not declared:
        locales = tree.xpath('//meta[@property="og:locale"]/@content')
        declared = locales[0] if locales else None
    if not declared:
        return None
    primary = declared.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary or None


def split_authors(value: str | None) -> list[str]:
    """trafilatura's author string as a list of names: no "By", no agency or staff credits, no repeats.

    >>> split_authors("By Jane Doe; John Roe and Ann Poe; AFP")
    ['Jane Doe', 'John Roe', 'Ann Poe']
    >>> split_authors("Reuters") , split_authors(None)
    ([], [])
    """
    if not value:
        return []
    names = []
    for part in re.split(r";|\s+and\s+|\s+&\s+|\|", value):
        name = BY_PREFIX.sub("", " ".join(part.split())).strip(" ,.-")
        if name and not AGENCY_NOISE.match(name) and "@" not in name and "://" not in name and name not in names:
            names.append(name)
    return names


def declared_section(tree) -> str | None:
    """The section the page declares (``article:section`` or JSON-LD ``articleSection``), else None.

    >>> from lxml import html
    >>> declared_section(html.fromstring('<html><head><meta property="article:section" content="Politics"></head><body>x</body></html>'))
    'Politics'
    """
    declared = tree.xpath('//meta[@property="article:section"]/@content')
    declared += re.findall(r'"articleSection"\s*:\s*\[?\s*"([^"]+)"', " ".join(tree.xpath('//script[@type="application/ld+json"]/text()')))
    for value in declared:
        if value.strip():
            return " ".join(value.split())
    return None
