"""wiredup's core: extract articles, group copies of a wire story, store them in SQLite.

Scrapy-free: importing any of it never imports scrapy or twisted. The Scrapy project
(``scraper``) and its item pipelines (``pipelines``) sit on top of it.
"""
