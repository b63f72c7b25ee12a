"""AutoThrottle that never goes below a host's own minimum delay (robots.txt Crawl-delay, source delay).

Scrapy's AutoThrottle lowers a slot's delay towards the server's latency,
bounded only by the global DOWNLOAD_DELAY; a site that asks for one request
every 10 s must get it even when it answers in 50 ms. The minimum per host is
what `CrawlDelay` put in the downloader's per-slot settings.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader import Downloader
from scrapy.extensions.throttle import AutoThrottle
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


def host_and_port(parts) -> str:
    """A download slot's key: the host name, with the port when the URL gives one.

    >>> host_and_port(urlsplit("http://127.0.0.1:8001/feed.xml")), host_and_port(urlsplit("https://News.example/a"))
    ('127.0.0.1:8001', 'news.example')
    """
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


class HostPortDownloader(Downloader):
    """Scrapy's downloader with a slot per host and port, not per host name.

    A robots.txt (and its Crawl-delay) belongs to a scheme, host and port (RFC 9309); two servers on
    one address are two sites, and one asking for ``Crawl-delay: 600`` must not hold the other's
    requests for as long. ``DOWNLOADER`` in settings.py names it.
    """

    def get_slot_key(self, request) -> str:
        if request.meta.get(self.DOWNLOAD_SLOT) is not None or self.ip_concurrency:
            return super().get_slot_key(request)
        return host_and_port(urlparse_cached(request))


class PoliteThrottle(AutoThrottle):
    def _adjust_delay(self, slot, latency, response) -> None:
        super()._adjust_delay(slot, latency, response)
        downloader = self.crawler.engine.downloader
        floor = max(
            (settings.get("delay", 0.0) for key, settings in downloader.per_slot_settings.items()
             if downloader.slots.get(key) is slot),
            default=0.0,
        )
        slot.delay = max(slot.delay, floor)


class CrawlDelay:
    """Each host's minimum delay: the larger of its robots.txt ``Crawl-delay`` and its source's ``delay``.

    Scrapy obeys robots.txt rules but not Crawl-delay. The minimum goes into
    the downloader's per-slot settings (a slot made later starts with it) and
    onto the slot if it exists, without jitter: a site asking for 10 s must not
    get 5. Source delays are set when the spider opens; Crawl-delay when
    RobotsTxtMiddleware has parsed the host's robots.txt (``robots_parsed``).
    """

    def __init__(self, user_agent: str):
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT"))
        extension.crawler = crawler
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.robots_parsed, signal=signals.robots_parsed)
        return extension

    def spider_opened(self, spider) -> None:
        for source in getattr(spider, "sources", []):
            for host in source.hosts():
                if source.delay:
                    self.keep(host_and_port(urlsplit(f"//{host}")), source.delay)

    def robots_parsed(self, robotparser, request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay:
            self.keep(self.crawler.engine.downloader.get_slot_key(request), float(delay))

    def keep(self, slot_key: str, delay: float) -> None:
        """Make ``delay`` the least time between two requests of a download slot."""
        downloader = self.crawler.engine.downloader
        settings = downloader.per_slot_settings.setdefault(slot_key, {})
        settings["delay"] = max(settings.get("delay", 0.0), delay)
        settings["jitter"] = 0
        if slot_key in downloader.slots:
            slot = downloader.slots[slot_key]
            slot.delay, slot.jitter = max(slot.delay, settings["delay"]), 0
        logger.info("Keeping at least %.2f s between requests to %s", settings["delay"], slot_key)
