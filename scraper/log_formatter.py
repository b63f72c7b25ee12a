"""How a crawl logs the pages it drops: one line with the reason and the URL, never the item.

Scrapy's own formatter prints the whole dropped ``ArticleItem`` after the reason, the page's HTML
included; the reason (``not an article (tag_page): URL``) already names the page.
"""

from __future__ import annotations

from scrapy import logformatter


class WiredupLogFormatter(logformatter.LogFormatter):
    """Scrapy's log formatter, with dropped items logged by their reason alone."""

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        # the reason carries the URL; the item (its HTML) is left out
        return {**entry, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
