"""Scrapy item pipelines: thin adapters that read their settings once and call the core in ``wiredup``."""
