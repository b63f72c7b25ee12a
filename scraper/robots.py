"""robots.txt as RFC 9309 reads it: a robots.txt that cannot be reached means "crawl nothing here".

Scrapy's RobotsTxtMiddleware treats a robots.txt answered with 5xx as an
empty file and one that timed out or failed as absent: everything allowed.
RFC 9309 (2.3.1.4) says the opposite: when robots.txt is unreachable because
of a server or network error, the crawler must assume complete disallow. A
site whose robots.txt is down is not crawled this run (each page is counted as
``robotstxt/forbidden``, the host is logged once and counted as
``wiredup/robots_unreachable``); the next run asks again.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.misc import build_from_crawler

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsTxtUnreachableDisallows(RobotsTxtMiddleware):
    async def _parse_robots(self, response, netloc, request):
        if response.status >= 500:
            self._unreachable(netloc, f"HTTP {response.status}")
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc, netloc) -> None:
        if isinstance(exc, IgnoreRequest):  # not asked on purpose (offsite, say): nothing was unreachable
            return super()._robots_error(exc, netloc)
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unreachable(netloc, type(exc).__name__)
        # as Scrapy's own does, but with a parser that forbids everything, also for requests already waiting
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        waiting, self._parsers[netloc] = self._parsers[netloc], parser
        waiting.callback(parser)

    def _unreachable(self, netloc: str, reason: str) -> None:
        self._stats.inc_value("wiredup/robots_unreachable")
        logger.warning("robots.txt of %s unreachable (%s): nothing on %s is crawled this run (RFC 9309)", netloc, reason, netloc)
