"""Site clutter learned from the pages of each site (Scrapy-free).

trafilatura keeps some furniture that a single page cannot tell from the
article: a newsletter promo, a "LATEST NEWS" heading, a legal line, a teaser
list. Across the pages of one site it gives itself away by recurring. Every
stored page's paragraphs are kept by hash in ``page_blocks``; ``site_blocks``
counts, per site, the distinct stored pages that have each paragraph. A
paragraph found on at least ``min_pages`` pages and on at least ``min_share``
of the site's stored pages is clutter of that site, unless the allow-list
matches it (a dateline, a standing correction notice a site must keep).

The counts are over distinct pages, so once a site has its pages stored the
learned clutter is the same whatever order they arrived in; pages stored
before a paragraph was learned are cleaned with ``clean_stored`` (at the end of
each crawl) and by ``wiredup reextract``.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

MIN_BLOCK_CHARS = 3  # shorter lines (bullets, stray digits) are not worth learning
MAX_CLUTTER_SHARE = 0.5  # clutter is furniture around an article, never most of the text


def clutter_site(url: str) -> str:
    """The site a page belongs to: its host without ``www.``; the folder for a file:// URL.

    >>> clutter_site("https://www.hurriyetdailynews.com/a-story-1"), clutter_site("file:///srv/site/articles/a.html")
    ('hurriyetdailynews.com', 'file:///srv/site/articles')
    """
    parts = urlsplit(url)
    if parts.hostname:
        return parts.hostname.lower().removeprefix("www.")
    return f"{parts.scheme}://{parts.path.rsplit('/', 1)[0]}"


def normalise_block(paragraph: str) -> str:
    """A paragraph as compared across pages: whitespace collapsed, lower-cased.

    >>> normalise_block("  LATEST   NEWS ")
    'latest news'
    """
    return " ".join(paragraph.split()).lower()


def blocks(text: str) -> dict[str, str]:
    """The paragraphs of an extracted text by hash (first spelling kept).

    >>> sorted(blocks("Sign up for our newsletter\\nThe story.\\nThe story.").values())
    ['Sign up for our newsletter', 'The story.']
    """
    found: dict[str, str] = {}
    for line in text.split("\n"):
        spaced = " ".join(line.split())  # normalise_block's first step, once for the key and the spelling kept
        key = _normalised_hash(spaced.lower())
        if key is not None:
            found.setdefault(key, spaced)
    return found


def block_hash(paragraph: str) -> str | None:
    """The hash a paragraph is counted by across a site's pages; None for one too short to learn.

    >>> block_hash("  LATEST   NEWS ") == block_hash("Latest news"), block_hash("1.")
    (True, None)
    """
    return _normalised_hash(normalise_block(paragraph))


def _normalised_hash(key: str) -> str | None:
    """``block_hash`` of a paragraph already through ``normalise_block`` (``key``)."""
    if len(key) < MIN_BLOCK_CHARS:
        return None
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def remove_blocks(text: str, clutter: set[str], max_share: float = MAX_CLUTTER_SHARE) -> tuple[str, int]:
    """``text`` without the paragraphs whose hash is in ``clutter``; and how many lines went.

    When they would take more than ``max_share`` of the text, nothing goes: the
    page is another edition of a page of the site (same article, other URL),
    not a page full of clutter.

    >>> text = "Sign up for our newsletter\\nThe story, told at the length an article has."
    >>> remove_blocks(text, set(blocks("Sign up for our newsletter")))
    ('The story, told at the length an article has.', 1)
    >>> remove_blocks(text, set(blocks(text)))[1]
    0
    """
    keep, removed, removed_chars = [], 0, 0
    for line in text.split("\n"):
        key = block_hash(line)
        if key is not None and key in clutter:
            removed += 1
            removed_chars += len(line)
            continue
        keep.append(line)
    if removed_chars > max_share * len(text):
        return text, 0
    return "\n".join(keep).strip(), removed
