"""Scrapy item pipelines (extract, dedup, store) and the Scrapy-free grouping code they use."""
