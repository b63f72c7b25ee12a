"""Article rows, their raw pages and their signatures: how each is written, in one place.

Every function writes inside the caller's transaction (``with db.atomic():``).

>>> from wiredup.store.schema import open_database
>>> from wiredup.extract.article import Article
>>> db = open_database(":memory:")
>>> article = Article(text="The story.", text_hash="h1", canonical_url="https://a.example/1", title="A story")
>>> with db.atomic():
...     upsert_article(db, article, seen=seen_columns("https://a.example/1?ref=rss", "2024-04-17T10:00:00+00:00", None),
...                    source="site")
(1, 'new')
>>> db.execute("SELECT url, final_url, title, authors FROM articles").fetchall()
[('https://a.example/1', 'https://a.example/1?ref=rss', 'A story', '[]')]
"""

from __future__ import annotations

import json

from wiredup.group.fingerprint import fingerprint
from wiredup.settings import GroupingSettings
from wiredup.store.schema import upsert_row
from wiredup.urls import url_key

# What extraction gives an article, as stored: a page extracted again rewrites exactly these.
EXTRACTED_COLUMNS = ("title", "authors", "published", "published_from", "updated", "language", "sitename", "description",
                     "image", "section", "text", "text_hash")
# where a published date came from when the page itself gave none (wiredup.extract.dates.LISTING_SOURCES)
LISTED = ("feed", "sitemap")


def extracted_columns(article) -> dict:
    """The ``EXTRACTED_COLUMNS`` of an article (an ``Article``, or an item with its fields).

    >>> from wiredup.extract.article import Article
    >>> extracted_columns(Article(text="T", text_hash="h", canonical_url="u", authors=["Ann Lee"]))["authors"]
    '["Ann Lee"]'
    """
    columns = {name: getattr(article, name) for name in EXTRACTED_COLUMNS}
    columns["authors"] = json.dumps(article.authors or [], ensure_ascii=False)
    return columns


def seen_columns(fetched_url: str, fetched_at: str, run_id: int | None) -> dict:
    """What every fetch of a stored article updates, changed or not."""
    return {"final_url": fetched_url, "last_seen": fetched_at, "last_run_id": run_id}


def upsert_article(db, article, *, seen: dict, source: str, unchanged: bool = False) -> tuple[int, str]:
    """Insert or update the row of ``article`` (by its canonical URL); return its id and whether it
    was "new", "updated" or "unchanged" (``unchanged``: only ``seen`` is written)."""
    url = article.canonical_url
    row = db.execute("SELECT id, published, published_from FROM articles WHERE url = ?", [url]).fetchone()
    if row and unchanged:
        _update(db, row[0], seen)
        return row[0], "unchanged"
    content = {"url": url, "source": source, **extracted_columns(article), **seen}
    if row:
        _update(db, row[0], keep_listed_date(content, row[1], row[2]))
        return row[0], "updated"
    content.update(first_seen=seen["last_seen"], first_run_id=seen["last_run_id"], url_key=url_key(url))
    cursor = db.execute(
        f"INSERT INTO articles ({', '.join(content)}) VALUES ({', '.join('?' for _ in content)})", list(content.values())
    )
    return cursor.lastrowid, "new"


def update_extracted(db, article_id: int, article) -> None:
    """Rewrite what extraction gives of a stored article (``wiredup reextract``)."""
    stored = db.execute("SELECT published, published_from FROM articles WHERE id = ?", [article_id]).fetchone()
    _update(db, article_id, keep_listed_date(extracted_columns(article), *(stored or (None, None))))


def keep_listed_date(columns: dict, published: str | None, published_from: str | None) -> dict:
    """``columns`` to write over a stored article, with its stored feed or sitemap date kept when the page, fetched
    again from a listing page or extracted again from raw_pages, still gives no date (neither carries the feed's).

    >>> keep_listed_date({"published": None, "published_from": None}, "2024-05-07", "feed")
    {'published': '2024-05-07', 'published_from': 'feed'}
    >>> keep_listed_date({"published": "2024-05-02", "published_from": "meta"}, "2024-05-07", "feed")
    {'published': '2024-05-02', 'published_from': 'meta'}
    """
    if columns["published"] is None and published_from in LISTED:
        return {**columns, "published": published, "published_from": published_from}
    return columns


def set_text(db, article_id: int, text: str, text_hash: str) -> None:
    """Replace a stored article's text (site clutter removed from it)."""
    _update(db, article_id, {"text": text, "text_hash": text_hash})


def _update(db, article_id: int, columns: dict) -> None:
    """Plain SQL: sqlite-utils' insert and update read the table's schema on every call (a crawl's hot path)."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*columns.values(), article_id])


def save_raw_page(db, article_id: int, *, url: str, status: int, headers: dict, encoding: str, html_gzip: bytes,
                  fetched_at: str) -> None:
    """Keep the page an article was extracted from, to extract it again without crawling."""
    upsert_row(
        db,
        "raw_pages",
        {"article_id": article_id, "url": url, "status": status, "headers": json.dumps(headers), "encoding": encoding,
         "html_gzip": html_gzip, "fetched_at": fetched_at},
        key="article_id",
    )


def sign_again(db, article_id: int, text: str, grouping: GroupingSettings) -> None:
    """Store the signature of an article's new text (extracted again, or cleaned of clutter)."""
    save_signatures(db, grouping.scheme_key(), [(article_id, fingerprint(text, grouping))])


def save_signatures(db, scheme_key: str, signed) -> None:
    """Store ``(article_id, Fingerprint)`` pairs, made under the settings whose ``scheme_key()`` is given.

    The scheme is stored beside each signature: one made under other settings is never compared
    with new ones (wiredup.store.fingerprints signs its text again).
    """
    for article_id, signature in signed:
        upsert_row(db, "signatures", {"article_id": article_id, "scheme": scheme_key, **signature.to_columns()},
                   key="article_id")
