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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# settings.py's WIREDUP_CLUTTER_ALLOW default: notices a site repeats on purpose
DEFAULT_ALLOW = (r"^correction:", r"^editor'?s note:")
MIN_BLOCK_CHARS = 3  # shorter lines (bullets, stray digits) are not worth learning
MAX_CLUTTER_SHARE = 0.5  # clutter is furniture around an article, never most of the text


@dataclass(frozen=True)
class ClutterRules:
    """When a recurring paragraph counts as a site's clutter."""

    min_pages: int = 3
    min_share: float = 0.5
    allow: tuple[str, ...] = DEFAULT_ALLOW  # regular expressions; a paragraph matching one is never clutter

    def allowed(self, text: str) -> bool:
        """Whether the allow-list keeps ``text`` however often it recurs.

        >>> ClutterRules(allow=("^correction:",)).allowed("Correction: an earlier version misnamed the minister.")
        True
        """
        return any(re.search(pattern, text, re.IGNORECASE) for pattern in self.allow)


def site_of(url: str) -> str:
    """The site a page belongs to: its host without ``www.``; the folder for a file:// URL.

    >>> site_of("https://www.hurriyetdailynews.com/a-story-1"), site_of("file:///srv/site/articles/a.html")
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
        key = normalise_block(line)
        if len(key) >= MIN_BLOCK_CHARS:
            found.setdefault(hashlib.sha1(key.encode("utf-8")).hexdigest()[:16], " ".join(line.split()))
    return found


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
        key = normalise_block(line)
        if len(key) >= MIN_BLOCK_CHARS and hashlib.sha1(key.encode("utf-8")).hexdigest()[:16] in clutter:
            removed += 1
            removed_chars += len(line)
            continue
        keep.append(line)
    if removed_chars > max_share * len(text):
        return text, 0
    return "\n".join(keep).strip(), removed


def record_page(db, article_id: int, site: str, page_blocks: dict[str, str]) -> None:
    """Keep which paragraphs a stored page has, and recount them for its site (inside the caller's transaction).

    Re-recording a page replaces its paragraphs, so a page counts once however often it is stored.
    """
    before = {row[0] for row in db.execute("SELECT block_hash FROM page_blocks WHERE article_id = ?", [article_id])}
    db.execute("DELETE FROM page_blocks WHERE article_id = ?", [article_id])
    db.conn.executemany(
        "INSERT INTO page_blocks (article_id, site, block_hash) VALUES (?, ?, ?)",
        [(article_id, site, block_hash) for block_hash in page_blocks],
    )
    db.conn.executemany(
        "INSERT INTO site_blocks (site, block_hash, text, pages) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING",
        [(site, block_hash, text) for block_hash, text in page_blocks.items()],
    )
    _recount(db, site, before | set(page_blocks))


def _recount(db, site: str, hashes: Iterable[str]) -> None:
    db.conn.executemany(
        "UPDATE site_blocks SET pages = (SELECT count(*) FROM page_blocks WHERE page_blocks.site = site_blocks.site"
        " AND page_blocks.block_hash = site_blocks.block_hash) WHERE site = ? AND block_hash = ?",
        [(site, block_hash) for block_hash in hashes],
    )


def site_pages(db, site: str) -> int:
    """How many stored pages of ``site`` the learning has seen."""
    return db.execute("SELECT count(DISTINCT article_id) FROM page_blocks WHERE site = ?", [site]).fetchone()[0]


def learned_clutter(db, site: str, rules: ClutterRules, extra_pages: int = 0) -> set[str]:
    """The hashes of the paragraphs that are ``site``'s clutter under ``rules``.

    ``extra_pages`` counts pages of the site about to be stored, not yet in the database.
    """
    pages = site_pages(db, site) + extra_pages
    needed = max(rules.min_pages, rules.min_share * pages)
    rows = db.execute("SELECT block_hash, text FROM site_blocks WHERE site = ? AND pages >= ?", [site, needed])
    return {block_hash for block_hash, text in rows if not rules.allowed(text)}


def clean_stored(db, site: str, clutter: set[str], on_change=None) -> int:
    """Remove ``clutter`` from the stored texts of ``site`` that still hold it; returns how many changed.

    ``on_change(article_id, text)`` is called for each changed article inside the
    transaction (the caller re-signs it for grouping).
    """
    if not clutter:
        return 0
    marks = ",".join("?" * len(clutter))
    ids = [row[0] for row in db.execute(
        f"SELECT DISTINCT article_id FROM page_blocks WHERE site = ? AND block_hash IN ({marks})", [site, *clutter]
    )]
    changed = 0
    with db.conn:
        for article_id in ids:
            (text,) = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
            cleaned, removed = remove_blocks(text, clutter)
            if removed and cleaned:
                db.execute(
                    "UPDATE articles SET text = ?, text_hash = ? WHERE id = ?",
                    [cleaned, hashlib.sha1(cleaned.encode("utf-8")).hexdigest(), article_id],
                )
                if on_change:
                    on_change(article_id, cleaned)
                changed += 1
    return changed
