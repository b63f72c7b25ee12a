"""Scrapy settings for wiredup (found through scrapy.cfg); the WIREDUP_* ones are in wiredup/settings.py."""

BOT_NAME = "wiredup"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"
# `scrapy crawl` that exits 1 when the crawl failed (it could not write the database), not only
# when it could not start
COMMANDS_MODULE = "scraper.crawl"

# Every WIREDUP_* setting (where articles go, which sites, extraction, clutter learning, storage,
# grouping, scheduling, worker mode) has its default, the values it accepts and the reason for its
# value in wiredup/settings.py, and nowhere else (README "Settings" lists them). Set one here, e.g.
#   WIREDUP_DATABASE = "/srv/wiredup/news.db"
# or for one run with `scrapy crawl news -s NAME=VALUE`; `wiredup regroup`, `explain`, `reextract`
# and `ingest` read the same. A value out of bounds or an unknown WIREDUP_* name stops the crawl
# before it locks, opens or writes anything.

ADDONS = {
    # WIREDUP_MODE = "worker" swaps the scheduler, incremental middlewares and pipelines
    "scraper.worker_mode.WorkerMode": 0,
}
EXTENSIONS = {
    "scraper.run_lock.RunLock": 0,
    # per-site shares of articles with title, date and author, kept per run (extraction_health)
    "scraper.health.ExtractionHealth": 0,
    # a web crawl with the placeholder USER_AGENT warns that it names no one
    "scraper.identity.UserAgentCheck": 0,
    # every LOGSTATS_INTERVAL: pages fetched and their rate, articles stored, skipped, queued
    "scrapy.extensions.logstats.LogStats": None,
    "scraper.progress.CrawlProgress": 0,
    # robots.txt Crawl-delay and a source's delay as each host's minimum delay...
    "scraper.throttle.CrawlDelay": 0,
    # ...which AutoThrottle never goes below
    "scrapy.extensions.throttle.AutoThrottle": None,
    "scraper.throttle.PoliteThrottle": 0,
    # a run ends within WIREDUP_MAX_RUN_MINUTES, saying what it left for the next one
    "scraper.run_limit.RunLimit": 0,
}
# download slots (and so Crawl-delay) per host and port, as robots.txt is: two servers on one
# address are two sites
DOWNLOADER = "scraper.throttle.HostPortDownloader"
DOWNLOADER_MIDDLEWARES = {
    # robots.txt answering 5xx or not at all forbids the whole host this run (RFC 9309), not allows it
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.robots.RobotsTxtUnreachableDisallows": 100,
    # a 429 or 503 with Retry-After is not asked again this run; url_state waits as long as it says
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.RetryUnlessTold": 550,
    # after RobotsTxtMiddleware (100): what robots.txt forbids is never asked or recorded
    "scraper.middlewares.IncrementalMiddleware": 120,
    # after RedirectMiddleware (600): a redirect is recorded under the URL asked for
    "scraper.middlewares.UrlStateRecorder": 650,
}

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.declutter.DeclutterPipeline": 150,
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.store.StorePipeline": 300,
}

# Politeness: identify ourselves, obey robots.txt, never hammer one host.
# A placeholder: a crawl of web sites should name who runs it and how to reach them, e.g.
#   USER_AGENT = "wiredup/0.1 (+https://your.site/crawler; crawler@your.site)"
# (README "Crawling your own sites"); until then a web crawl says so in one warning.
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
# A page that fails after its retries is logged once, as the spider names it ("Not fetched
# (reason): URL"), a robots.txt as the host it closes (scraper/robots.py): not again as an ERROR
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"

# A response yields at most one item (an article page's), and Scrapy starts CONCURRENT_ITEMS
# tasks for every response's output however few it yields: at the default 100 that was about a
# sixth of the crawl process's time (bench/crawl_speed.py, py-spy).
CONCURRENT_ITEMS = 1

LOG_LEVEL = "INFO"
# A run ends with its summary (wiredup.store.summary); every counter is kept in crawl_runs.stats
# (`wiredup stats`), and -s STATS_DUMP=True prints Scrapy's dump of them too
STATS_DUMP = False
# A skipped page is one line, "Dropped: not an article (reason): URL", never the whole item's HTML
LOG_FORMATTER = "scraper.log_formatter.WiredupLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"
