"""Scrapy spiders; SPIDER_MODULES in settings.py points here."""
