"""AutoThrottle that never goes below a host's own minimum delay (robots.txt Crawl-delay, source delay).

Scrapy's AutoThrottle lowers a slot's delay towards the server's latency,
bounded only by the global DOWNLOAD_DELAY; a site that asks for one request
every 10 s must get it even when it answers in 50 ms. The minimum per host is
what ``scraper.middlewares.CrawlDelayMiddleware`` put in the downloader's
per-slot settings.
"""

from __future__ import annotations

from scrapy.extensions.throttle import AutoThrottle


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
