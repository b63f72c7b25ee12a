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
# Site clutter learning (wiredup.extract.clutter): a paragraph on at least this many stored pages of a
# site, and on at least this share of them, is that site's clutter and leaves its texts (0: off).
WIREDUP_CLUTTER_MIN_PAGES = 3
WIREDUP_CLUTTER_MIN_SHARE = 0.5
# Regular expressions (case-insensitive) for repeated paragraphs that are never clutter.
WIREDUP_CLUTTER_ALLOW = [r"^correction:", r"^editor'?s note:"]
# A site whose share of articles with a title, date or author drops by this much against its
# previous run gets a warning in the crawl log (scraper.health).
WIREDUP_HEALTH_DROP = 0.3

# Extraction runs in this many worker processes, off Scrapy's reactor thread (0: one per usable
# core; 1: no pool, extract in the crawl's own process).
WIREDUP_EXTRACT_PROCESSES = 0

# Storage: articles are written this many to a transaction (each one stored and its URL marked done
# together), and a batch not yet full is written after this many seconds.
WIREDUP_STORE_BATCH_SIZE = 50
WIREDUP_STORE_FLUSH_SECONDS = 2.0

# Grouping: None keeps the measured default of the wiredup.group.fingerprint.GroupingSettings
# field of the same name (which says why each value was chosen). `wiredup regroup` takes the
# same knobs as options, to try settings on the stored articles before a crawl uses them.
WIREDUP_DEDUP_SHINGLE_SIZE = None  # words per shingle
WIREDUP_DEDUP_NUM_PERM = None  # MinHash permutations
WIREDUP_DEDUP_SEED = None  # MinHash seed
WIREDUP_DEDUP_LSH_THRESHOLD = None  # LSH candidate threshold (candidates only; exact checks decide)
WIREDUP_DEDUP_CONTAINMENT = None  # same story when this share of the smaller text is in the larger
WIREDUP_DEDUP_PASSAGE_MIN_WORDS = None  # words a paragraph needs to count as a passage
WIREDUP_DEDUP_PASSAGE_SURVIVAL = None  # share of a paragraph's shingles found for it to survive
WIREDUP_DEDUP_MIN_SHARED_PASSAGES = None  # surviving paragraphs that make two texts one story
WIREDUP_DEDUP_PASSAGE_MIN_CONTAINMENT = None  # ...when they are at least this share of the smaller text
WIREDUP_DEDUP_WINDOW_DAYS = None  # only articles this close in story date are compared

# Scheduled runs: one crawl per database at a time (the second exits 1, or waits if this is True).
WIREDUP_WAIT_FOR_LOCK = False
# Incremental crawling: remember every URL's outcome in url_state and fetch only what is new or due.
WIREDUP_INCREMENTAL = True
# Feed items and sitemap entries dated more than this many days ago are not fetched (0: no limit).
WIREDUP_MAX_AGE_DAYS = 0
# A stored article is fetched again after this many hours (0: never; its URL is done).
WIREDUP_ARTICLE_RECHECK_HOURS = 0
# After a failure a URL waits this long before the next try, doubling per failure (at most a day).
WIREDUP_RETRY_BACKOFF_MINUTES = 30

# Scaling out (README "Many hosts"): "standalone" crawls and writes WIREDUP_DATABASE; "worker"
# shares the crawl with other workers through Redis and sends articles to `wiredup ingest`.
WIREDUP_MODE = "standalone"
WIREDUP_REDIS_URL = None  # e.g. "redis://ingest-host:6379/0"; workers and `wiredup ingest` use the same
# A worker silent this long (seconds) is dead: its sites and in-flight requests go to the others.
WIREDUP_WORKER_TIMEOUT = 30

ADDONS = {
    # WIREDUP_MODE = "worker" swaps the scheduler, incremental middlewares and pipelines
    "scraper.worker_mode.WorkerMode": 0,
}
EXTENSIONS = {
    "scraper.run_lock.RunLock": 0,
    # per-site shares of articles with title, date and author, kept per run (extraction_health)
    "scraper.health.ExtractionHealth": 0,
    # robots.txt Crawl-delay and a source's delay as each host's minimum delay...
    "scraper.throttle.CrawlDelay": 0,
    # ...which AutoThrottle never goes below
    "scrapy.extensions.throttle.AutoThrottle": None,
    "scraper.throttle.PoliteThrottle": 0,
}
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

# A response yields at most one item (an article page's), and Scrapy starts CONCURRENT_ITEMS
# tasks for every response's output however few it yields: at the default 100 that was about a
# sixth of the crawl process's time (bench/crawl_speed.py, py-spy).
CONCURRENT_ITEMS = 1

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
