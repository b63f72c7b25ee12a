"""DeclutterPipeline: remove the paragraphs this site repeats on many pages (wiredup.extract.declutter).

Runs in the crawl's main process between extraction and grouping. When the crawl closes, the
stored pages of the sites it touched are cleaned of clutter learned after they were stored.
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from scraper.items import ArticleItem
from wiredup.extract.declutter import SiteClutter
from wiredup.settings import ClutterRules, GroupingSettings, Settings
from wiredup.store.schema import open_database


class DeclutterPipeline:
    def __init__(self, database_path: str, rules: ClutterRules, stats, grouping: GroupingSettings):
        self.database_path = database_path
        self.rules = rules
        self.stats = stats
        self.grouping = grouping
        self.clutter: SiteClutter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        if settings.clutter.min_pages == 0:
            raise NotConfigured("WIREDUP_CLUTTER_MIN_PAGES is 0: no site clutter learning")
        return cls(settings.database, settings.clutter, crawler.stats, settings.grouping)

    def open_spider(self) -> None:
        self.clutter = SiteClutter(open_database(self.database_path), self.rules, self.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.clutter.declutter_item(item)
        return item

    def close_spider(self) -> None:
        """Clean the stored pages of this run's sites of clutter learned after they were stored.

        Scrapy closes pipelines in reverse order, so StorePipeline has written its last item by now.
        """
        if self.clutter is None:
            return
        self.clutter.finish(self.grouping)
        self.clutter.db.conn.close()
        self.clutter = None
