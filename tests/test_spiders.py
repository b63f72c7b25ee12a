"""Guard tests in the alltheplaces style: every spider imports and has a unique name."""

from __future__ import annotations

import importlib
import pkgutil

import scrapy

import scraper.spiders


def all_spiders():
    for module_info in pkgutil.iter_modules(scraper.spiders.__path__):
        module = importlib.import_module(f"scraper.spiders.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, scrapy.Spider) and value.__module__ == module.__name__:
                yield value


def test_every_spider_imports_and_names_are_unique():
    names = [spider.name for spider in all_spiders()]
    assert "news" in names
    assert len(names) == len(set(names))


def test_scrapy_finds_the_news_spider_from_the_project_root():
    import subprocess

    from conftest import BIN, ROOT

    result = subprocess.run([str(BIN / "scrapy"), "list"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["news"]
