"""The Scrapy project: the news spider, its item, sources, middlewares, robots, throttle and worker mode.

Anything about articles, stories or the database is asked of the core package, ``wiredup``.
"""
