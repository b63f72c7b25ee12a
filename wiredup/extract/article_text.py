"""Page furniture that trafilatura keeps, removed before and after extraction (Scrapy-free).

Two kinds of clutter survive trafilatura on real news pages:

- **teasers of other stories**: a linked headline with its lead paragraph,
  below or beside the article ("WORLD / ECONOMY / SPORTS" boxes, front-page
  lists). They are pruned from the page before extraction.
- **metadata lines inside the article container**: "Published on: 17/04/2024",
  a bare date, "Author: ...", "Source: ..." credit lines, and date lines and
  bylines at the top ("November 19, 2019 / 12:21 AM / Updated 14 hours ago",
  "By Jane Doe"). They are dropped from the extracted text; the metadata
  itself is kept in its own fields.

Consent-banner pruning, subheading restoring and repeated-paragraph dropping
were here: bench/extraction_rules.py found each of them no gain or a loss on
one of two benchmark sets (bench/README.md, issue 19).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urldefrag, urljoin, urlsplit

from htmldate.extractors import try_date_expr

from wiredup.extract.page_kind import declares_article
from wiredup.extract.page_layout import unmask_layout_wrappers, unwrap_misnested_main

# the rules run on the page before trafilatura and on its text after it, in order, by name (``skip`` takes them)
PAGE_RULES = ("unwrap_misnested_main", "prune_teasers", "prune_date_widgets", "unmask_layout_wrappers")
TEXT_RULES = ("strip_metadata_lines", "drop_headline")

TEASER_MAX_CHARS = 600  # a headline plus a lead paragraph; an article body is longer
# A listicle's items are named, a teaser's headline is a sentence: linked headings of 1-3 words were in WCXB dev's
# gold text in 393 of 1441 pruned blocks, of 7-11 words in 30 of 804; a named item is described below its name,
# a teaser has a lead of a sentence or none (pruned blocks with 300+ characters besides the heading: 80 of 165 in
# the gold; under 100: 337 of 2380). Groups of such blocks kept (described_items): WCXB dev +0.0021 (4 pages
# better: a guide's 90 restaurants, an app's 12 alternatives, a health topic's 7 parts; 1 worse: a page's 6 course
# cards, -0.035), readability-pages unchanged; the same with 3-6 words and 100-150 characters
ITEMS_MIN = 3  # a list; two blocks alike are as often a pair of promos
ITEM_NAME_WORDS = 4  # a name: "Obsidian", "Agi's Counter", "Oral health for adults"
ITEM_DESCRIPTION_CHARS = 150  # over a teaser's one-sentence lead
# A teaser's headline is its link; a heading whose links hold less of its text carries a small link of its own (a
# wiki's "[edit]", a permalink sign): a section heading of the article (readability-pages: the Wikipedia pages'
# section headings were pruned, 2 pages +0.01 each; WCXB dev 9 pages better, 3 worse: promo boxes with a link inside)
LINKED_HEADLINE_SHARE = 0.5
DATE_LINE_MAX_CHARS = 40  # "Published on: 17/04/2024 - 15:04" fits, a sentence with a date does not
HEADLINE_LINES = 3  # the headline is the text's first line, or comes after a kicker or section label
WORDS = re.compile(r"\w+")
CREDIT_LINE = re.compile(r"^[^\W\d_][^:]{0,24}:\s*\S.{0,60}$")  # "Source: BFM TV", "Photo: AP"
# What a line at the top of an article holds when it is its date line or byline, not its text ("November 19,
# 2019 / 12:21 AM / Updated 14 hours ago", "New Delhi, News Nation Bureau | Updated : 19 November 2019, 09:01 AM",
# "By Jane Doe"): dates, times, relative times, reading times and their labels (MARKERS, one needed) or a "By"
# opening, besides names (a place, a bureau, the author: capitalised words) and separators
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
MARKERS = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?(?:\s+\d{{4}})?"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"  # dates
    r"|\d{1,2}:[0-5]\d(?::[0-5]\d)?\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4}\b)?|\d{1,2}\.[0-5]\d\s*[ap]\.?m\.?"  # times
    r"|(?:\d+|an?|one)\s+(?:sec|second|min|minute|hr|hour|day|week|month|year)s?\s+ago|just now"  # relative times
    r"|\d+\s*min(?:ute)?s?\s+read)(?!\w)",  # reading times
    re.IGNORECASE,
)
META_LABELS = re.compile(r"\b(?:last\s+)?(?:updated|published|posted|modified|edited|written|reported)(?:\s+(?:on|at|by))?\b|\b(?:on|at)\b", re.IGNORECASE)
BYLINE_OPENING = re.compile(r"^\W*(?:by|written by|reported by|words by)\s+(?=[^\W\d_])", re.IGNORECASE)
NAME_WORD = re.compile(r"(?:[^\W\d_][\w'’.-]*|\d+)$")  # a word of a name (capitalised), or a number left of a date
TOP_LINES = 4  # the date line and byline sit with the headline and a kicker, above the first paragraph
TOP_LINE_MAX_CHARS = 160
TOP_NAME_WORDS = 8  # "New Delhi, News Nation Bureau" is five; a sentence opening is longer or not capitalised
# <time> and the elements marked as the page's dates (the attribute axis finds them in a third of the time of //*[@...])
_DATE_ELEMENTS = "//time | //@itemprop[.='datePublished' or .='dateModified']/.."
_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")  # a teaser's headline; an <h1> is the page's own
_STOP_AT = {"html", "body", "main", "article"}
# the classes CMSs give the container of an article's own text (a section front's story list sits in none)
ARTICLE_BODY_CLASSES = ("article-body", "article-content", "entry-content", "post-content", "story-body")


def prepare_page(tree, url: str, skip: frozenset[str] = frozenset()) -> int:
    """Run PAGE_RULES but those in ``skip`` on the page fetched from ``url``, in place; how many teasers it found.

    >>> from lxml import html
    >>> page = html.fromstring('<html><body><article><p>' + 'Body text. ' * 80 + '</p></article>'
    ...     '<div><a href="/other"><h3>Other story</h3></a><p>Its lead.</p></div><p><span>Updated:</span> <time>May 2</time></p></body></html>')
    >>> prepare_page(page, "https://example.com/story"), "Other story" in page.text_content(), "Updated" in page.text_content()
    (1, False, False)
    """
    if "unwrap_misnested_main" not in skip:
        unwrap_misnested_main(tree)
    teasers = prune_teasers(tree, self_urls(tree, url), keep_chapters=declares_article(tree)) if "prune_teasers" not in skip else 0
    if "prune_date_widgets" not in skip:
        prune_date_widgets(tree)
    if "unmask_layout_wrappers" not in skip:
        unmask_layout_wrappers(tree)
    return teasers


def clean_text(text: str, authors: list[str], title: str | None, skip: frozenset[str] = frozenset()) -> str:
    """trafilatura's ``text`` after TEXT_RULES but those in ``skip``: no date lines, bylines or headline.

    >>> clean_text("Envoy recalled\\nBy Jane Doe\\nParis recalled its envoy.", ["Jane Doe"], "Envoy recalled")
    'Paris recalled its envoy.'
    """
    if "strip_metadata_lines" not in skip:
        text = strip_metadata_lines(text, authors)
    if "drop_headline" not in skip:
        text = drop_headline(text, title)
    return text


def self_urls(tree, url: str) -> set[str]:
    """The URLs a page goes by: where it was fetched, its rel=canonical and og:url.

    >>> from lxml import html
    >>> sorted(self_urls(html.fromstring('<html><head><link rel="canonical" href="https://e.com/a"></head><body>x</body></html>'), "file:///a.html"))
    ['file:///a.html', 'https://e.com/a']
    """
    declared = [link.get("href") for link in tree.iter("link") if link.get("rel") == "canonical"]
    declared += [meta.get("content") for meta in tree.iter("meta") if meta.get("property") == "og:url"]
    return {url, *(value.strip() for value in declared if value and value.strip())}


def prune_teasers(tree, page_urls: set[str], keep_chapters: bool = False) -> int:
    """Remove teaser blocks: a headline linking to another page, with the small box around it.

    From each linked headline, climb to the largest ancestor that still holds
    only that one linked headline and at most TEASER_MAX_CHARS of text.
    Headlines linking to the page itself (``page_urls``) are the article's own, and so are headlines
    that link only to other sites than those of ``page_urls`` (the products, events or sources a listicle
    is about; a page served from a mirror or a syndication host declares its site by its canonical URL),
    headings whose links hold under LINKED_HEADLINE_SHARE of their text (a wiki's "[edit]"), and so are
    headings in a table (the rows of a comparison the article makes), and headlines linking below
    one of its URLs' paths with ``keep_chapters`` (for a page that declares itself an article) or
    inside the page's article-body container (``article-body``, ``entry-content``, ... classes): its
    chapters or parts (a guide's table of contents). Blocks that form a list of named, described items
    (``described_items``: a listicle's places, an app's alternatives) are the article's and stay. Returns
    how many blocks were found, kept items included: the page's count of other pages' linked headlines,
    which the non-article test reads.

    >>> from lxml import html
    >>> page = html.fromstring('<html><body><article><p>' + 'Body text. ' * 80 + '</p></article>'
    ...     '<div class="box"><a href="/other"><h3>Other story</h3></a><p>Its lead.</p></div></body></html>')
    >>> prune_teasers(page, {"https://example.com/story"})
    1
    >>> "Other story" in page.text_content(), "Body text." in page.text_content()
    (False, True)
    """
    blocks = teaser_blocks(tree, page_urls, keep_chapters)
    items = described_items(blocks)
    for block, _ in blocks:
        if block not in items:
            _drop(block)
    return len(blocks)


def teaser_blocks(tree, page_urls: set[str], keep_chapters: bool = False) -> list:
    """Each linked headline of another page of the site with the box around it, as ``(box, headline)``: the blocks
    ``prune_teasers`` removes unless they are a list the article is made of (``described_items``).

    >>> from lxml import html
    >>> page = html.fromstring('<html><body><p>Body.</p><div class="box"><a href="/other"><h3>Other story</h3></a><p>Its lead.</p></div></body></html>')
    >>> [(block.get("class"), heading.text) for block, heading in teaser_blocks(page, {"https://example.com/story"})]
    [('box', 'Other story')]
    """
    headings = [heading for heading in tree.iter(_HEADING_TAGS) if _linked(heading)]
    live = _heading_counts(headings)
    blocks = []
    taken = set()
    base = next(iter(sorted(page_urls)), "")
    for heading in headings:
        ancestors = list(heading.iterancestors())
        if not ancestors or ancestors[-1] is not tree or taken.intersection(ancestors):
            continue  # inside a block taken already
        if any(ancestor.tag == "table" for ancestor in ancestors):
            continue  # a row of a comparison table: the article's own content
        in_link = any(ancestor.tag == "a" and ancestor.get("href") is not None for ancestor in ancestors)
        if not in_link and _linked_chars(heading) < LINKED_HEADLINE_SHARE * len(heading.text_content().strip()):
            continue  # a section heading with an [edit] or permalink link in it, not a headline
        links = heading.xpath("ancestor-or-self::a[@href]/@href | .//a[@href]/@href")
        targets = [urldefrag(urljoin(base, href))[0] for href in links]
        if any(target in page_urls for target in targets):
            continue
        if not any(_same_site(target, page) for target in targets for page in page_urls):
            continue  # a list of products, events or sources: the article's own headings
        if any(_below(target, page) for target in targets for page in page_urls) and (keep_chapters or _in_article_body(ancestors)):
            continue
        block = heading
        for parent in ancestors:
            if parent.tag in _STOP_AT or live[parent] > 1 or _longer_than(parent, TEASER_MAX_CHARS):
                break
            block = parent
        for ancestor in block.iterancestors():
            live[ancestor] -= live[block]  # its headings are gone with it
        blocks.append((block, heading))
        taken.add(block)
    return blocks


def described_items(blocks: list) -> set:
    """The blocks that are the items of a list the article is made of, not teasers of other stories.

    A teaser's headline is a sentence, over a short lead or none; the items
    of a listicle, a guide's places or a comparison's products are named
    (a few words) and described below their name. Blocks sharing their
    nearest container with others form a list; a list of ITEMS_MIN blocks
    or more whose median heading holds at most ITEM_NAME_WORDS words and
    whose median description (its text besides the heading) holds
    ITEM_DESCRIPTION_CHARS or more is the article's.

    >>> from lxml import html
    >>> described = ' '.join(['It serves the best eggs on the river until two, bakes its own bread in the boat shed.'] * 2)
    >>> page = html.fromstring('<div><div class="venues">' + ''.join(f'<div><a href="/places/{n}"><h3>Cafe {n}</h3></a><p>{described}</p></div>'
    ...     for n in range(3)) + '</div><div class="more">' + ''.join(f'<div><a href="/2024/{n}"><h3>School roof repairs finished ahead of term {n}</h3></a>'
    ...     f'<p>{described}</p></div>' for n in range(3)) + '</div></div>')
    >>> blocks = [(heading.getparent().getparent(), heading) for heading in page.iter("h3")]
    >>> sorted(heading.text for block, heading in blocks if block in described_items(blocks))
    ['Cafe 0', 'Cafe 1', 'Cafe 2']
    """
    headings = dict(blocks)
    groups = {}
    for block, container in _list_containers(list(headings)).items():
        groups.setdefault(container, []).append(block)
    items = set()
    for members in groups.values():
        if len(members) < ITEMS_MIN:
            continue
        texts = [" ".join(block.text_content().split()) for block in members]
        names = [" ".join(headings[block].text_content().split()) for block in members]
        words = sorted(len(name.split()) for name in names)
        descriptions = sorted(len(text) - len(name) for text, name in zip(texts, names))
        middle = len(members) // 2
        if words[middle] <= ITEM_NAME_WORDS and descriptions[middle] >= ITEM_DESCRIPTION_CHARS:
            items.update(members)
    return items


def _list_containers(blocks: list) -> dict:
    """Each block's nearest ancestor that holds another of ``blocks`` (blocks alone in theirs are left out)."""
    counts = {}
    for block in blocks:
        for ancestor in block.iterancestors():
            counts[ancestor] = counts.get(ancestor, 0) + 1
    containers = {}
    for block in blocks:
        for ancestor in block.iterancestors():
            if counts[ancestor] > 1:
                containers[block] = ancestor
                break
    return containers


def _linked(heading) -> bool:
    """Whether a heading is in a link (``<a href>``) or holds one.

    >>> from lxml import html
    >>> [_linked(heading) for heading in html.fromstring('<div><a href="/a"><h3>A</h3></a><h3><a>B</a></h3></div>').iter("h3")]
    [True, False]
    """
    return any(link.get("href") is not None for link in heading.iter("a")) or any(
        link.get("href") is not None for link in heading.iterancestors("a"))


def _heading_counts(headings) -> dict:
    """How many of ``headings`` each element holds (itself included): the elements that hold any."""
    counts = {}
    for heading in headings:
        for element in (heading, *heading.iterancestors()):
            counts[element] = counts.get(element, 0) + 1
    return counts


def _longer_than(element, limit: int) -> bool:
    """Whether ``len(element.text_content().strip()) > limit``, reading the text only as far as needed.

    >>> from lxml import html
    >>> page = html.fromstring('<div> <p>Envoy</p> <p>recalled</p> </div>')
    >>> _longer_than(page, 13), _longer_than(page, 14)
    (True, False)
    """
    read = ""  # the text so far, without its leading whitespace
    for piece in element.itertext():
        read += piece if read else piece.lstrip()
        if len(read) > limit and len(read.rstrip()) > limit:
            return True  # the whole text, stripped, starts with this much
    return False


def _in_article_body(ancestors) -> bool:
    """Whether one of ``ancestors`` has a class CMSs give the container of an article's own text."""
    return any(name in (ancestor.get("class") or "") for ancestor in ancestors for name in ARTICLE_BODY_CLASSES)


def prune_date_widgets(tree) -> int:
    """Remove the small boxes that show the page's date ("Published on: <time>...</time>").

    trafilatura drops the ``<time>`` but keeps its label; the date itself is
    kept as metadata. A ``<time>`` inside a sentence stays. Returns how many
    boxes were removed.

    >>> from lxml import html
    >>> page = html.fromstring('<html><body><p><span>Published on:</span> <time>17/04/2024</time></p>'
    ...     '<p>It happened on <time>Tuesday</time>, after weeks of tension in the region.</p></body></html>')
    >>> prune_date_widgets(page), page.text_content()
    (1, 'It happened on Tuesday, after weeks of tension in the region.')
    """
    removed = 0
    for moment in tree.xpath(_DATE_ELEMENTS):
        if not _attached(moment, tree):
            continue
        block = moment
        while True:
            parent = block.getparent()
            if parent is None or parent.tag in _STOP_AT or _longer_than(parent, DATE_LINE_MAX_CHARS):
                break
            block = parent
        if block is not moment:
            _drop(block)
            removed += 1
    return removed


def strip_metadata_lines(text: str, authors: list[str]) -> str:
    """Drop date lines and byline/credit lines from extracted article text.

    A credit line ("Source: BFM TV") goes only next to a byline, so an
    ordinary "Label: value" line in the article stays.

    >>> strip_metadata_lines("Published on: 17/04/2024 - 15:04\\nThe story.\\nAuthor: Jane Doe\\nSource: Wire", ["Jane Doe"])
    'The story.'
    >>> strip_metadata_lines("Key facts: three people died.\\nThe story.", [])
    'Key facts: three people died.\\nThe story.'
    """
    lines = text.split("\n")
    byline = [_is_byline(line, authors) for line in lines]
    keep = []
    for number, line in enumerate(lines):
        near_byline = any(byline[max(0, number - 1) : number + 2])
        if byline[number] or _is_date_line(line) or (near_byline and CREDIT_LINE.match(line.strip())):
            continue
        if number < TOP_LINES and is_metadata_line(line):
            continue
        keep.append(line)
    return "\n".join(keep).strip()


def is_metadata_line(line: str) -> bool:
    """Whether a line holds only a date line's or a byline's parts: dates, times, relative or reading times, their
    labels ("Updated", "Published on"), a "By" opening, names (a place, a bureau, the author) and separators.

    It needs a date, a time, a relative or reading time (MARKERS) or a "By"
    opening; what is left of it must be at most TOP_NAME_WORDS capitalised
    words (or numbers): a sentence has lower-case words.

    >>> is_metadata_line("November 19, 2019 / 12:21 AM / Updated 14 hours ago")
    True
    >>> is_metadata_line("New Delhi, News Nation Bureau | Updated : 19 November 2019, 09:01 AM")
    True
    >>> is_metadata_line("By Jane Doe"), is_metadata_line("By 2030, Europe will need twice the power")
    (True, False)
    >>> is_metadata_line("Politics"), is_metadata_line("On May 2, 2024 the council met."), is_metadata_line("- Average GPA: 3.69")
    (False, False, False)
    """
    line = " ".join(line.split())
    if not line or len(line) > TOP_LINE_MAX_CHARS:
        return False
    rest, markers = MARKERS.subn(" ", line)
    rest, byline = BYLINE_OPENING.subn(" ", rest)
    if not markers and not byline:
        return False
    words = re.split(r"[\s|/·•,:;()–—-]+", META_LABELS.sub(" ", rest))
    words = [word for word in words if word and word.lower() not in ("and", "&")]
    return len(words) <= TOP_NAME_WORDS and all(NAME_WORD.match(word) and not word[0].islower() for word in words)


def drop_headline(text: str, title: str | None) -> str:
    """Drop the headline from the top of the extracted text: the article keeps it in its title.

    A line among the first HEADLINE_LINES with the title's words (case and
    punctuation aside) is the headline; a later mention of it is the article's own.

    >>> drop_headline("World\\nEnvoy recalled!\\nParis recalled its envoy.", "Envoy recalled")
    'World\\nParis recalled its envoy.'
    >>> drop_headline("Paris recalled its envoy.\\nTalks stopped.\\nA vote is due.\\nEnvoy recalled", "Envoy recalled")
    'Paris recalled its envoy.\\nTalks stopped.\\nA vote is due.\\nEnvoy recalled'
    """
    if not title:
        return text
    headline = WORDS.findall(title.lower())
    lines = text.split("\n")
    for number, line in enumerate(lines[:HEADLINE_LINES]):
        if headline and WORDS.findall(line.lower()) == headline:
            return "\n".join(lines[:number] + lines[number + 1 :]).strip()
    return text


def _is_byline(line: str, authors: list[str]) -> bool:
    """Whether a short line names one of ``authors``, as whole words: trafilatura's author string split on an
    initial leaves one-letter names ("F" of "F. Kooman") that are in any line (readability-pages: an RFC's
    "HTTP/1.1 302 Found", "[WEBFINGER]" were dropped, +0.003; WCXB dev unchanged).

    >>> _is_byline("F. Kooman", ["F", "Kooman"]), _is_byline("HTTP/1.1 302 Found", ["F", "Kooman"])
    (True, False)
    """
    line = line.strip()
    return any(author in line and len(line) <= len(author) + 25 and _names(author, line) for author in authors)


def _names(author: str, line: str) -> bool:
    """Whether ``author`` is in ``line`` as whole words (not inside a longer word)."""
    return re.search(r"(?<!\w)" + re.escape(author) + r"(?!\w)", line) is not None


def _is_date_line(line: str) -> bool:
    """Whether a line anywhere in the text is a date line: a date htmldate reads, with only what a date line at the
    top holds besides (``is_metadata_line``: labels, names, separators).

    A short line with a date and words of a sentence is the article's: a
    timeline entry, a changelog's, a citation's access date split off by
    trafilatura (WCXB dev 6 pages better, 3 worse; readability-pages: a
    Wikipedia page's references, +0.02).

    >>> _is_date_line("Published on: 17/04/2024 - 15:04"), _is_date_line("Piers found corroded 2024/03/12")
    (True, False)
    >>> _is_date_line(". Radio Times. Retrieved 6 May 2014.")
    False
    """
    line = line.strip()
    if "|" in line:
        return False  # a table row: its dates are data
    if not line or len(line) > DATE_LINE_MAX_CHARS or not any(char.isdigit() for char in line):
        return False
    if try_date_expr(line, "%Y-%m-%d", False, datetime(1990, 1, 1), datetime(2100, 1, 1)) is None:
        return False
    return is_metadata_line(line)


def _linked_chars(heading) -> int:
    """How many characters of a heading's text are inside its links.

    >>> from lxml import html
    >>> _linked_chars(html.fromstring('<h2>History<span>[<a href="/w/index.php?action=edit">edit</a>]</span></h2>'))
    4
    """
    return sum(len(link.text_content().strip()) for link in heading.iter("a") if link.get("href"))


def _same_site(url: str, base: str) -> bool:
    host, base_host = urlsplit(url).hostname or "", urlsplit(base).hostname or ""
    return not host or not base_host or _registered(host) == _registered(base_host)


def _below(url: str, page: str) -> bool:
    """``url`` is on ``page``'s host, under its path.

    >>> _below("https://e.com/guide/part-2", "https://e.com/guide"), _below("https://e.com/other", "https://e.com/guide")
    (True, False)
    """
    target, parent = urlsplit(url), urlsplit(page)
    folder = parent.path.rstrip("/") + "/"
    return target.hostname == parent.hostname and target.path.startswith(folder) and target.path.rstrip("/") + "/" != folder


def _registered(host: str) -> str:
    return ".".join(host.removeprefix("www.").split(".")[-2:])


def _attached(element, root) -> bool:
    return any(ancestor is root for ancestor in element.iterancestors()) or element is root


def _drop(element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
