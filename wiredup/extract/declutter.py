"""``SiteClutter``: a run's removal of what each site repeats on many pages (wiredup.extract.clutter).

Between extraction and grouping, each article loses the paragraphs its site's stored pages have
taught are clutter (counting the page itself when it is new), and keeps its paragraphs by hash for
the store to record. At the end of a run, the stored pages of the sites it touched are cleaned of
clutter learned after they were stored, and signed again, so the stored texts do not depend on the
order pages arrived in.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from wiredup.extract.article import text_hash
from wiredup.extract.clutter import blocks, clutter_site, remove_blocks
from wiredup.settings import ClutterRules, GroupingSettings
from wiredup.store.site_blocks import clean_stored, clutter_among, has_page, learned_clutter, site_pages

logger = logging.getLogger(__name__)


class Decluttered(NamedTuple):
    blocks: dict[str, str]  # the page's paragraphs by hash, before its clutter was removed
    text: str
    text_hash: str | None  # of the text, when clutter was found (else the text is as it came)
    removed: int  # lines removed


class SiteClutter:
    """Counts in ``stats`` (Scrapy's stats collector, or wiredup.store.writer.Counters).

    >>> from wiredup.store.schema import open_database
    >>> from wiredup.store.writer import Counters
    >>> clutter = SiteClutter(open_database(":memory:"), ClutterRules(), Counters())
    >>> clutter.declutter("https://a.example/1", "Sign up for our newsletter\\nThe story.").removed
    0
    """

    def __init__(self, db, rules: ClutterRules, stats):
        self.db = db
        self.rules = rules
        self.stats = stats
        self.sites: set[str] = set()
        self.site_pages: dict[str, int] = {}  # stored pages per site, counted once then kept up to date here

    def declutter(self, url: str, text: str) -> Decluttered:
        """The article at canonical ``url`` without its site's learned clutter, and its paragraphs."""
        site = clutter_site(url)
        self.sites.add(site)
        extra = 0 if has_page(self.db, url) else 1
        if site not in self.site_pages:
            self.site_pages[site] = site_pages(self.db, site)
        self.site_pages[site] += extra
        page_blocks = blocks(text)
        clutter = clutter_among(self.db, site, page_blocks, self.rules, self.site_pages[site], extra)
        if not clutter:
            return Decluttered(page_blocks, text, None, 0)
        cleaned, removed = remove_blocks(text, clutter)
        return Decluttered(page_blocks, cleaned, text_hash(cleaned), removed)

    def declutter_item(self, item) -> None:
        """`declutter` an item's text in place, and keep its paragraphs for the store (``item.blocks``)."""
        found = self.declutter(item.canonical_url, item.text)
        item.blocks = found.blocks
        if found.text_hash is not None:
            item.text, item.text_hash = found.text, found.text_hash
            self.stats.inc_value("wiredup/clutter/lines_removed", found.removed)

    def finish(self, grouping: GroupingSettings) -> int:
        """At the end of a run (after its last article is stored): `clean_stored`, counted and logged."""
        cleaned = self.clean_stored(grouping)
        if cleaned:
            self.stats.inc_value("wiredup/clutter/stored_cleaned", cleaned)
            logger.info("Removed newly learned site clutter from %d stored article(s)", cleaned)
        return cleaned

    def clean_stored(self, grouping: GroupingSettings) -> int:
        """Clean the stored pages of this run's sites of clutter learned after they were stored, signing
        each changed text again under ``grouping``; returns how many changed."""
        return sum(clean_stored(self.db, site, learned_clutter(self.db, site, self.rules), grouping)
                   for site in sorted(self.sites))
