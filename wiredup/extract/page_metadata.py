"""The metadata fields wiredup stores, read by trafilatura's own readers, without the ones it does not.

``trafilatura.extract_metadata`` also looks for a license, categories and tags:
three searches over every link of the page (about a quarter of its time on real
news pages, 1.2 to 0.4 ms a page on bench/corpus.py's pages) for values
wiredup never keeps. ``read_metadata`` runs the same readers, in the same order,
for the rest, and tidies the values the same way (``Document.clean_and_trim``);
tests/test_extraction_cases.py checks that both agree on every fixture page.
"""

from __future__ import annotations

import hashlib
import re
from copy import deepcopy

from htmldate import find_date
from lxml import etree
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_domain,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

# what read_metadata fills in (the others stay None); all wiredup reads of a page's metadata
FIELDS = ("title", "author", "url", "hostname", "date", "sitename", "description", "image")


def read_metadata(tree, url: str, date_config: dict) -> Document:
    """``trafilatura.extract_metadata(tree, default_url=url, date_config=date_config)``, for ``FIELDS`` only.

    >>> from trafilatura.utils import load_html
    >>> page = load_html('<html><head><title>Envoy recalled | Daily</title><meta name="author" content="Ann Lee">'
    ...                  '<meta property="article:published_time" content="2024-05-02T10:00:00Z"></head><body><p>Text</p></body></html>')
    >>> metadata = read_metadata(page, "https://daily.example/envoy", {"extensive_search": False})
    >>> metadata.title, metadata.author, metadata.date, metadata.hostname, metadata.license
    ('Envoy recalled', 'Ann Lee', '2024-05-02', 'daily.example', None)
    """
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None  # a single word is a handle, not a name (as trafilatura decides)
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # trafilatura guards its JSON-LD reader the same way: a broken script is no metadata
        pass
    metadata.title = metadata.title or extract_title(tree)
    metadata.author = metadata.author or (page_author(tree) if AUTHOR_TESTS_CURRENT else extract_author(tree))
    metadata.url = metadata.url or extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **{**date_config, "url": metadata.url})
    metadata.sitename = metadata.sitename or extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")  # a Twitter handle
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    metadata.filedate = date_config.get("max_date")
    metadata.clean_and_trim()
    return metadata



# trafilatura's extract_author deep-copies the page, deletes AUTHOR_DISCARD_XPATHS' matches (comments, dates,
# figures, sidebars) from the copy and runs AUTHOR_XPATHS on it: about 25 ms a page on readability-pages (the
# 62 of 94 pages whose meta tags name no author pay it), nearly all of it libxml2 testing each element
# against those XPaths' many attribute conditions and re:test calls. page_author finds the same elements in
# one pass over the page's elements (about 2 ms), with the same tests written in Python, and skips those in
# or under a discarded one; tests/test_extraction_cases.py checks both find the same elements on every fixture.
# The tests, as trafilatura.xpaths writes them (trafilatura 2.0):
AUTHOR_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})  # AUTHOR_XPATHS[0]
AUTHOR_NAME_CLASS = re.compile(r"author-?name|AuthorName|authorName")
AUTHOR_TEST_IDS = frozenset({"AuthorCard", "AuthorURL"})
BYLINE_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})  # AUTHOR_XPATHS[1]
BYLINE_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
BYLINE_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
BYLINE_CLASS = re.compile(r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
ANY_AUTHOR_ID = re.compile(r"[Aa]uthor")  # AUTHOR_XPATHS[2], on any element
ANY_AUTHOR_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
DISCARD_TAGS = frozenset({"a", "div", "section", "span"})  # AUTHOR_DISCARD_XPATHS[0]
DISCARD_CLASSES = frozenset({"comments", "title", "date"})
DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
DISCARD_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
DISCARD_WHOLE_TAGS = frozenset({"time", "figure"})  # AUTHOR_DISCARD_XPATHS[1]
AUTHOR_MAX_CHARS = 120  # extract_author's length limit
# The XPaths those tests were written from (SHA-1 of their text, trafilatura 2.3.1): with another trafilatura's,
# read_metadata calls its extract_author, so an upgrade never silently finds other authors than trafilatura would
AUTHOR_XPATHS_WRITTEN_FOR = "8cea8abb3ec3f7d9dd28eba92f32ebad066ec4e9"


def xpaths_digest(xpaths) -> str:
    """SHA-1 of compiled XPaths' text, to tell whether trafilatura's are still those page_author was written from.

    >>> from lxml import etree
    >>> xpaths_digest([etree.XPath("//time")])
    '3f411e20d23041f435a444ef03b5aa6b247eab1f'
    """
    return hashlib.sha1("\n".join(xpath.path for xpath in xpaths).encode("utf-8")).hexdigest()


AUTHOR_TESTS_CURRENT = xpaths_digest(AUTHOR_XPATHS + AUTHOR_DISCARD_XPATHS) == AUTHOR_XPATHS_WRITTEN_FOR


def author_elements(tree) -> tuple[list[list], list]:
    """What each of trafilatura's AUTHOR_XPATHS finds in the page of ``tree`` (its root), and what its
    AUTHOR_DISCARD_XPATHS find, each in document order.

    >>> from lxml import html
    >>> page = html.fromstring('<html><body><p class="byline">By <a rel="author">Ann</a></p><div class="comments"><time>1</time></div></body></html>')
    >>> found, discarded = author_elements(page)
    >>> [[element.tag for element in elements] for elements in found], [element.tag for element in discarded]
    ([['a'], ['p'], ['p']], ['div', 'time'])
    """
    root = tree.getroottree().getroot()
    # the first XPath's ``rel='me'`` tests for a child element <rel> reading "me" (not the attribute)
    rel_me_parents = set(root.xpath("//rel[.='me']/..")) if root.find(".//rel") is not None else set()
    found, discarded, whole = ([], [], []), [], []
    for element in root.iter(etree.Element):
        tag = element.tag
        css, name, itemprop = element.get("class"), element.get("id"), element.get("itemprop") or ""
        if tag == "author" or (tag in AUTHOR_TAGS and (
            element.get("rel") == "author" or name == "author" or css == "author" or itemprop == "author name"
            or element.get("data-testid") in AUTHOR_TEST_IDS or (css is not None and AUTHOR_NAME_CLASS.search(css))
            or element in rel_me_parents
        )):
            found[0].append(element)
        if tag in BYLINE_TAGS and (
            css in BYLINE_CLASSES or "author" in itemprop or (name is not None and BYLINE_ID.search(name))
            or (css is not None and BYLINE_CLASS.search(css))
        ):
            found[1].append(element)
        if ("Byline" in (element.get("data-component") or "") or "author" in itemprop or (name is not None and ANY_AUTHOR_ID.search(name))
                or (css is not None and ANY_AUTHOR_CLASS.search(css))):
            found[2].append(element)
        if tag in DISCARD_TAGS and element is not root and (
            name == "comments" or css in DISCARD_CLASSES or (name is not None and DISCARD_ID.search(name))
            or (css is not None and DISCARD_CLASS.search(css)) or "Figure" in (element.get("data-component") or "")
        ):
            discarded.append(element)
        elif tag in DISCARD_WHOLE_TAGS:
            whole.append(element)
    return list(found), discarded + whole


def page_author(tree) -> str | None:
    """``trafilatura.metadata.extract_author(tree)`` without copying the page: the first author element's text.

    An element inside a discarded one (a comment, a figure) is skipped; one
    holding a discarded element has its text read from a pruned copy of itself.

    >>> from lxml import html
    >>> page_author(html.fromstring('<div><div class="comments"><span class="author">Troll Two</span></div>'
    ...                             '<p class="byline">By <a rel="author">Ann Lee</a><time>May 2</time></p></div>'))
    'Ann Lee'
    """
    found, discards = author_elements(tree)
    discarded = set(discards)
    for elements in found:
        for element in elements:
            if element in discarded or any(ancestor in discarded for ancestor in element.iterancestors()):
                continue
            content = trim(" ".join(pruned_text(element, discarded)))
            if content and 2 < len(content) < AUTHOR_MAX_CHARS:
                return normalize_authors(None, content)
    return None


def pruned_text(element, discarded: set) -> list[str]:
    """The text nodes of ``element`` as trafilatura reads them once ``discarded`` elements are deleted from the page.

    A deleted element's tail is joined to the text before it (trafilatura's delete_element), so a copy of
    ``element`` is pruned the same way when it holds one.

    >>> from lxml import html
    >>> byline = html.fromstring('<p>By Ann Lee<time>May 2</time>, Paris</p>')
    >>> pruned_text(byline, set(byline.iter("time")))
    ['By Ann Lee, Paris']
    """
    if not any(descendant in discarded for descendant in element.iterdescendants()):
        return list(element.itertext())
    return list(prune_unwanted_nodes(deepcopy(element), AUTHOR_DISCARD_XPATHS).itertext())
