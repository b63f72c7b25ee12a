"""Issue 19's baseline: the 20-line spider wiredup's crawl is measured against (one process, no pool).

    scrapy runspider bench/baseline_spider.py -a feed=http://127.0.0.1:PORT/feed.xml -a database=baseline.db
"""

import scrapy
import sqlite_utils
import trafilatura


class BaselineSpider(scrapy.Spider):
    name = "baseline"

    def __init__(self, feed: str, database: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [feed]
        self.db = sqlite_utils.Database(database)

    def parse(self, response):
        for link in response.xpath("//item/link/text()").getall():
            yield scrapy.Request(link.strip(), self.parse_page)

    def parse_page(self, response):
        text = trafilatura.extract(response.text, url=response.url, include_comments=False)
        if text:
            self.db["articles"].insert({"url": response.url, "text": text})
