"""Layout markup that hides the article from trafilatura, repaired before extraction (Scrapy-free).

A browser shows the article; trafilatura, reading the same HTML, can miss it
whole or in part when the page's layout is built in three common ways:

- **content after ``</html>``**: a template closes the document early, and
  lxml keeps the rest beside the root (``adopt_stray_roots``);
- **a ``<main>`` inside a header, nav or button**: an unclosed menu button
  nests the rest of the page in it (``unwrap_misnested_main``);
- **a layout wrapper named like a box to discard**: ``content-sidebar-wrap``,
  ``sidebar-layout``, a page builder's ``widget`` blocks, a Webflow
  ``w-embed``; trafilatura drops any element whose class or id contains
  ``sidebar``, ``widget``, ``embed``, ``footer``... (``unmask_layout_wrappers``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import html
from trafilatura.xpaths import BODY_XPATH, OVERALL_DISCARD_XPATH

# the main landmark never sits in these (HTML spec); when the parser puts it there, a tag was left open
_NEVER_HOLDS_MAIN = ("header", "nav", "footer", "aside", "button")
_MAIN = "//main | //@role[.='main']/.."  # //*[@role='main'] reached by the attribute axis: a third of the time
# A box trafilatura is right to drop (a sidebar, a widget, an embed) never holds half of the page's
# paragraph text; a wrapper that does is the page's layout (trafilatura keeps a <form> by the same test)
LAYOUT_MIN_SHARE = 0.5


def adopt_stray_roots(tree) -> int:
    """Move what the page has after its ``</html>`` into its body, where a browser shows it.

    A template that closes ``</body></html>`` early (a header include) leaves
    the rest of the page, the article often, outside the document: lxml keeps
    it in a second ``<html>`` beside the root, which trafilatura never reads.
    Returns how many elements were moved.

    >>> from trafilatura.utils import load_html
    >>> page = load_html('<html><body><nav>Menu</nav></body></html><div><p>Paris recalled its envoy.</p></div>')
    >>> adopt_stray_roots(page), page.find('body')[-1].tag
    (1, 'div')
    """
    body = tree.find("body")
    if body is None:
        return 0
    moved = 0
    for stray in [sibling for sibling in tree.itersiblings() if sibling.tag == "html"]:
        for child in list(stray):
            if child.tag != "head":
                body.append(child)
                moved += 1
    return moved


def unwrap_misnested_main(tree) -> int:
    """Drop the tags (not the content) of headers, navs, footers, asides and buttons that hold the page's ``<main>``.

    A menu button or search form left unclosed makes the HTML parser nest the
    rest of the page inside the header, and trafilatura discards headers and
    navs (and buttons) whole: the article is lost and only a last-resort dump
    of the page text remains. Returns how many tags were dropped.

    >>> from lxml import html
    >>> page = html.fromstring('<html><body><header><button><div>Menu<main><p>Body text.</p></main></div></button></header></body></html>')
    >>> unwrap_misnested_main(page), page.find('body')[0].tag
    (2, 'div')
    """
    wrapping = {ancestor for main in tree.xpath(_MAIN) for ancestor in main.iterancestors(*_NEVER_HOLDS_MAIN)}
    if not wrapping:
        return 0  # (most pages: one scan for the landmark, none of every header's and nav's subtree)
    wrappers = [element for element in tree.iter(*_NEVER_HOLDS_MAIN) if element in wrapping]  # outermost first
    for wrapper in wrappers:
        wrapper.drop_tag()
    return len(wrappers)


def unmask_layout_wrappers(tree) -> set[str]:
    """Take the class words and ids that would make trafilatura drop the page's layout out of the page.

    trafilatura drops every element whose class or id contains a word of
    boxes to discard (``sidebar``, ``widget``, ``embed``, ``footer``, ...).
    Layouts carry those words too: ``content-sidebar-wrap`` holds the
    article beside its sidebar, page builders call every block of an
    article a ``widget``. An element that would be dropped although it holds
    LAYOUT_MIN_SHARE of the page's paragraph text is such a wrapper: the
    words that condemn it are taken off it, and off every element that has
    them (a page builder's other blocks are the article's other parts).
    A word trafilatura's body selectors read as the article's mark stays
    (``_marks_body``: Elementor's ``elementor-widget-theme-post-content``):
    taken off, trafilatura no longer finds the body it reads from inside
    and falls back to a wider part of the page, read without its
    subheadings and lists (WCXB dev 15 pages better, 4846 +0.17, 4260
    +0.12; 3 worse, 4090 -0.09; readability-pages unchanged).
    Returns the words and ids taken off.

    >>> page = html.fromstring('<html><body><div class="content-sidebar-wrap"><div class="entry">'
    ...     '<p>Paris recalled its envoy on Tuesday after the talks failed.</p></div>'
    ...     '<div class="sidebar widget"><p>Popular now</p></div></div></body></html>')
    >>> sorted(unmask_layout_wrappers(page)), page.find('.//div').get('class'), page.xpath('//p/..')[1].get('class')
    (['content-sidebar-wrap'], '', 'sidebar widget')
    """
    shares = _paragraph_chars(tree)
    total = shares.get(tree, 0)
    if not total:
        return set()
    unmasked = set()
    for element, chars in shares.items():
        if chars < LAYOUT_MIN_SHARE * total or not _would_discard(element):
            continue
        unmasked |= {word for word in (element.get("class") or "").split() if _discarded("class", word) and not _marks_body(word)}
        if element.get("id") and _discarded("id", element.get("id")):
            unmasked.add("#" + element.get("id"))
            del element.attrib["id"]
    words = {word for word in unmasked if not word.startswith("#")}
    if words:
        for element in tree.iter():
            classes = element.get("class")
            if classes and words.intersection(classes.split()):
                element.set("class", " ".join(word for word in classes.split() if word not in words))
    return unmasked


def _paragraph_chars(tree) -> dict:
    """The characters of ``<p>`` text under each element that has any, the root included."""
    chars = {}
    for paragraph in tree.iter("p"):
        length = len(" ".join(paragraph.text_content().split()))
        if length:
            for element in (paragraph, *paragraph.iterancestors()):
                chars[element] = chars.get(element, 0) + length
    return chars


# the attributes trafilatura's discard rules read: an element with none of them is never discarded
_DISCARD_ATTRIBUTES = frozenset(name for rule in OVERALL_DISCARD_XPATH for name in re.findall(r"@([\w-]+)", rule.path))


def _would_discard(element) -> bool:
    """Whether trafilatura's discard rules drop this element, judged on a copy of its tag and attributes.

    The rules read only an element's own tag and attributes; running them on
    a lone copy costs microseconds, on the page milliseconds.

    >>> _would_discard(html.fromstring('<div class="widget"><p>text</p></div>'))
    True
    """
    read = tuple(sorted((name, value) for name, value in element.attrib.items() if name in _DISCARD_ATTRIBUTES))
    return bool(read) and _discarded_element(element.tag, read)


@lru_cache(maxsize=4096)
def _discarded_element(tag: str, attributes: tuple) -> bool:
    """Whether trafilatura's discard rules drop a ``tag`` element with these ``(name, value)`` attributes.

    >>> _discarded_element("div", (("class", "sidebar"),)), _discarded_element("div", (("id", "main"),))
    (True, False)
    """
    probe = html.Element("div")
    probe.append(html.Element(tag, dict(attributes)))
    return any(rule(probe) for rule in OVERALL_DISCARD_XPATH)


@lru_cache(maxsize=4096)
def _discarded(attribute: str, value: str) -> bool:
    """Whether trafilatura's discard rules drop a ``<div>`` with this one class word (or id).

    >>> _discarded("class", "content-sidebar-wrap"), _discarded("class", "entry-content")
    (True, False)
    """
    return _discarded_element("div", ((attribute, value),))


@lru_cache(maxsize=4096)
def _marks_body(word: str) -> bool:
    """Whether trafilatura's body selectors (``BODY_XPATH``) take a ``<div>`` with this one class word for the article.

    >>> _marks_body("elementor-widget-theme-post-content"), _marks_body("elementor-widget")
    (True, False)
    """
    probe = html.Element("body")
    probe.append(html.Element("div", {"class": word}))
    return any(rule(probe) for rule in BODY_XPATH)
