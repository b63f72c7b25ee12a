"""ExtractPipeline: an item's article text and metadata (pipelines.extraction), or a counted skip."""

from __future__ import annotations

from dataclasses import asdict

from scrapy.exceptions import DropItem

from pipelines.extraction import NotAnArticle, extract_article
from scraper.items import ArticleItem

HTML_TYPES = {"text/html", "application/xhtml+xml", ""}


class ExtractPipeline:
    def __init__(self, stats, min_text_chars: int):
        self.stats = stats
        self.min_text_chars = min_text_chars

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.stats, crawler.settings.getint("WIREDUP_MIN_TEXT_CHARS", 250))
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item: ArticleItem) -> ArticleItem:
        self.stats.inc_value(f"wiredup/source/{item.source}/pages")
        try:
            if item.content_type not in HTML_TYPES:
                raise NotAnArticle("not_html", item.content_type)
            article = extract_article(item.html, item.url, self.min_text_chars)
        except NotAnArticle as skipped:
            self.stats.inc_value("wiredup/skipped")
            self.stats.inc_value(f"wiredup/skipped/{skipped.reason}")
            self.stats.inc_value(f"wiredup/source/{item.source}/skipped/{skipped.reason}")
            raise DropItem(f"not an article ({skipped}): {item.url}") from None
        for name, value in asdict(article).items():
            setattr(item, name, value)
        self.stats.inc_value("wiredup/extracted")
        return item
