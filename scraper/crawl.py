"""``scrapy crawl`` (and ``wiredup crawl``, which runs it) exits 1 when the crawl failed.

Scrapy's own command exits 0 whatever the finish reason once the crawl has started. A crawl that
stopped because it could not write its database (scraper.database_failure) has failed: cron, a
systemd unit or Scrapyd must see it in the exit status. settings.py's ``COMMANDS_MODULE`` names
this module, so the command here replaces Scrapy's ``crawl`` (Scrapy names a command after its
module).
"""

from __future__ import annotations

import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from scraper.database_failure import FAILED_REASONS, has_failed

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts) -> None:
        """Scrapy's ``crawl``, keeping the crawler to read its finish reason once it has run."""
        if len(args) != 1:
            raise UsageError("scrapy crawl takes one spider" if args else None)
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or failed(crawler):
            self.exitcode = 1


def failed(crawler) -> bool:
    """Whether the crawl ended with a failure reason (or a write failed too late to close with one)."""
    return crawler.stats.get_value("finish_reason") in FAILED_REASONS or has_failed(crawler)
