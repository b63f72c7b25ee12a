"""Scrapy settings for wiredup (found through scrapy.cfg). Every WIREDUP_* knob has its default here.

Override any of them for one run with ``scrapy crawl news -s NAME=VALUE``.
"""

BOT_NAME = "wiredup"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# Where articles go, and which sites are crawled.
WIREDUP_DATABASE = "news.db"
WIREDUP_SOURCES = "sources.toml"

# Extraction: a page whose article text is shorter than this is not an article (front pages, stubs).
WIREDUP_MIN_TEXT_CHARS = 250

# Grouping: None keeps the measured defaults of pipelines.near_duplicates.GroupingSettings.
WIREDUP_DEDUP_SHINGLE_SIZE = None
WIREDUP_DEDUP_NUM_PERM = None
WIREDUP_DEDUP_LSH_THRESHOLD = None

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.store.StorePipeline": 300,
}

# Politeness: identify ourselves, obey robots.txt, never hammer one host.
USER_AGENT = "wiredup/0.1 (+https://github.com/wiredup/wiredup)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# News pages rarely pass 5 MB; a larger body is a mistake or an attack.
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
