"""Layout markup that hides the article from trafilatura, repaired before extraction (Scrapy-free).

A browser shows the article; trafilatura, reading the same HTML, can miss it
whole or in part when the page's layout is built in two common ways:

- **content after ``</html>``**: a template closes the document early, and
  lxml keeps the rest beside the root (``adopt_stray_roots``);
- **a ``<main>`` inside a header, nav or button**: an unclosed menu button
  nests the rest of the page in it (``unwrap_misnested_main``).
"""

from __future__ import annotations

# the main landmark never sits in these (HTML spec); when the parser puts it there, a tag was left open
_MISNESTED_MAIN = "//*[self::header or self::nav or self::footer or self::aside or self::button][.//main or .//*[@role='main']]"


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
    wrappers = tree.xpath(_MISNESTED_MAIN)
    for wrapper in wrappers:
        wrapper.drop_tag()
    return len(wrappers)
