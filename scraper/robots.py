"""robots.txt as RFC 9309 reads it: a robots.txt that cannot be reached means "crawl nothing here".

Scrapy's RobotsTxtMiddleware treats a robots.txt answered with 5xx as an
empty file and one that timed out or failed as absent: everything allowed.
RFC 9309 (2.3.1.4) says the opposite: when robots.txt is unreachable because
of a server or network error, the crawler must assume complete disallow. A
site whose robots.txt is down is not crawled this run (each page is counted as
``robotstxt/forbidden``, the host is logged once and counted as
``wiredup/robots_unreachable``); the next run asks again. That is one warning naming the host,
not Scrapy's ERROR lines and traceback: a site being down is no bug of the crawl.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

# What a fetch of robots.txt fails with when the site, or the way to it, is down: logged as one warning
DOWNLOAD_ERRORS = (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError, DownloadFailedError,
    DownloadTimeoutError, ResponseDataLossError,
)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsTxtUnreachableDisallows(RobotsTxtMiddleware):
    async def robot_parser(self, request):
        """Scrapy's, without its ERROR line and traceback when robots.txt cannot be fetched: that
        is the site's fault, not a bug, and ``_unreachable`` says it in one warning. Anything else
        that goes wrong keeps its traceback."""
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = Request(
                f"{urlparse_cached(request).scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY, meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots)
                await self._parse_robots(response, netloc, request)
            except Exception as error:  # noqa: BLE001 - whatever it is, the host is decided: disallowed
                if not isinstance(error, (IgnoreRequest, *DOWNLOAD_ERRORS)):
                    logger.error("Reading %s failed", robots, exc_info=True)
                self._robots_error(error, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

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
