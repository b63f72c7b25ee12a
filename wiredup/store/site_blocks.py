"""What the site clutter learning keeps: each stored page's paragraphs (``page_blocks``) and, per
site, on how many pages each one is (``site_blocks``); the rule itself is ``ClutterRules.is_clutter``."""

from __future__ import annotations

from collections.abc import Iterable

from wiredup.extract.article import text_hash
from wiredup.extract.clutter import remove_blocks
from wiredup.settings import ClutterRules, GroupingSettings
from wiredup.store.articles import set_text, sign_again


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


def has_page(db, url: str) -> bool:
    """Whether the article stored under canonical ``url`` has its paragraphs recorded."""
    row = db.execute(
        "SELECT 1 FROM page_blocks JOIN articles ON articles.id = page_blocks.article_id WHERE articles.url = ? LIMIT 1", [url]
    ).fetchone()
    return row is not None


def clutter_among(db, site: str, hashes: Iterable[str], rules: ClutterRules, pages: int, extra: int = 0) -> set[str]:
    """Which of ``hashes`` are ``site``'s clutter when it has ``pages`` stored pages (``extra`` of
    them, this page, not counted in ``site_blocks`` yet)."""
    hashes = list(hashes)
    found = set()
    for start in range(0, len(hashes), 500):  # under SQLite's variable limit
        chunk = hashes[start : start + 500]
        rows = db.execute(
            f"SELECT block_hash, text, pages FROM site_blocks WHERE site = ? AND block_hash IN ({','.join('?' * len(chunk))})",
            [site, *chunk],
        )
        found |= {h for h, text, count in rows if rules.is_clutter(text, count + extra, pages)}
    return found


def learned_clutter(db, site: str, rules: ClutterRules) -> set[str]:
    """The hashes of the paragraphs that are ``site``'s clutter under ``rules``."""
    pages = site_pages(db, site)
    rows = db.execute("SELECT block_hash, text, pages FROM site_blocks WHERE site = ? AND pages >= ?", [site, rules.min_pages])
    return {block_hash for block_hash, text, count in rows if rules.is_clutter(text, count, pages)}


def clean_stored(db, site: str, clutter: set[str], grouping: GroupingSettings) -> int:
    """Remove ``clutter`` from the stored texts of ``site`` that still hold it, signing each changed
    text again under ``grouping`` in the same transaction; returns how many changed."""
    if not clutter:
        return 0
    marks = ",".join("?" * len(clutter))
    ids = [row[0] for row in db.execute(
        f"SELECT DISTINCT article_id FROM page_blocks WHERE site = ? AND block_hash IN ({marks})", [site, *clutter]
    )]
    changed = 0
    with db.atomic():
        for article_id in ids:
            (text,) = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
            cleaned, removed = remove_blocks(text, clutter)
            if removed and cleaned:
                set_text(db, article_id, cleaned, text_hash(cleaned))
                sign_again(db, article_id, cleaned, grouping)
                changed += 1
    return changed
