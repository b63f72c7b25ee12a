"""ExtractionHealth: a Scrapy extension that records a crawl run's extraction health when it closes
(wiredup.store.health): a site whose share of articles with a title, date or author falls by
``WIREDUP_HEALTH_DROP`` against its previous run is logged as a warning naming it.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from scraper.database_failure import has_failed
from wiredup.settings import Settings
from wiredup.store.health import newest_run, record_health
from wiredup.store.schema import open_database


class ExtractionHealth:
    def __init__(self, database_path: str, drop: float):
        self.database_path = database_path
        self.drop = drop

    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        if settings.health_drop == 0:
            raise NotConfigured("WIREDUP_HEALTH_DROP is 0")
        extension = cls(settings.database, settings.health_drop)
        extension.crawler = crawler
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason: str) -> None:
        if has_failed(self.crawler):
            return  # the database refused the run's writes: no health row to compare with
        db = open_database(self.database_path)
        try:
            run_id = newest_run(db)
            if run_id is not None:
                record_health(db, run_id, self.drop)
        finally:
            db.conn.close()
