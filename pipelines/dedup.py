"""DedupPipeline: which stored articles a new article copies (wiredup.group.incoming), counted."""

from __future__ import annotations

from scraper.items import ArticleItem
from wiredup.group.incoming import IncomingArticles
from wiredup.settings import Settings
from wiredup.store.schema import open_database


class DedupPipeline:
    def __init__(self, database_path: str, grouping, stats):
        self.database_path = database_path
        self.grouping = grouping
        self.stats = stats
        self.incoming: IncomingArticles | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = Settings.from_values(crawler.settings)
        return cls(settings.database, settings.grouping, crawler.stats)

    def open_spider(self) -> None:
        self.incoming = IncomingArticles(open_database(self.database_path), self.grouping, self.stats)
        self.incoming.open()

    def close_spider(self) -> None:
        if self.incoming is not None:
            self.incoming.db.conn.close()
            self.incoming = None

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.incoming.group(item)
        return item
