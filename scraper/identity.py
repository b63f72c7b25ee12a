"""UserAgentCheck: a crawl of web sources says who runs it, or warns that it does not.

A site owner who finds wiredup in their logs reads the User-Agent to learn who is crawling and how
to reach them. settings.py ships a placeholder that names wiredup's project, not whoever runs
the crawl; README "Crawling your own sites" says how to set ``USER_AGENT``. A crawl that fetches
http(s) pages with the placeholder logs one warning; a crawl of local files (the bundled
fixtures) has nobody to tell and says nothing. Any other USER_AGENT switches the check off.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

# settings.py's USER_AGENT as shipped (tests/test_crawl_messages.py keeps the two the same)
PLACEHOLDER_USER_AGENT = "wiredup/0.1 (+https://github.com/wiredup/wiredup)"


class UserAgentCheck:
    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.get("USER_AGENT") != PLACEHOLDER_USER_AGENT:
            raise NotConfigured  # bare: a message would be logged as a warning, for a setting done right
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider) -> None:
        if crawls_the_web(spider):
            logger.warning(
                "USER_AGENT is wiredup's placeholder, which tells the sites nothing of who crawls them: "
                "set it to name you and how to reach you, e.g. -s 'USER_AGENT=wiredup/0.1 "
                "(+https://your.site/crawler)' (README: Crawling your own sites)"
            )


def crawls_the_web(spider) -> bool:
    """Whether the news spider asks anything over http(s): its -a url page, or a source's pages."""
    urls = [getattr(spider, "page_url", None) or ""]
    for source in getattr(spider, "sources", []):
        urls += [source.home or "", *source.feeds, *source.sitemaps]
    return any(urlsplit(url).scheme in ("http", "https") for url in urls)
