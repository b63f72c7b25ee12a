"""The metadata fields wiredup stores, read by trafilatura's own readers, without the ones it does not.

``trafilatura.extract_metadata`` also looks for a license, categories and tags:
three searches over every link of the page (about a quarter of its time on real
news pages, 1.2 to 0.4 ms a page on bench/corpus.py's pages) for values
wiredup never keeps. ``read_metadata`` runs the same readers, in the same order,
for the rest, and tidies the values the same way (``Document.clean_and_trim``);
tests/test_extraction_cases.py checks that both agree on every fixture page.
"""

from __future__ import annotations

from htmldate import find_date
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_domain,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document

# what read_metadata fills in (the others stay None); all wiredup reads of a page's metadata
FIELDS = ("title", "author", "url", "hostname", "date", "sitename", "description", "image")


def read_metadata(tree, url: str, date_config: dict) -> Document:
    """``trafilatura.extract_metadata(tree, default_url=url, date_config=date_config)``, for ``FIELDS`` only.

    >>> from trafilatura.utils import load_html
    >>> page = load_html('<html><head><title>Envoy recalled | Daily</title><meta name="author" content="Ann Lee">'
    ...                  '<meta property="article:published_time" content="2024-05-02T10:00:00Z"></head><body><p>Text</p></body></html>')
    >>> metadata = read_metadata(page, "https://daily.example/envoy", {"extensive_search": False})
    >>> metadata.title, metadata.author, metadata.date, metadata.hostname, metadata.license
    ('Envoy recalled', 'Ann Lee', '2024-05-02', 'daily.example', None)
    """
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None  # a single word is a handle, not a name (as trafilatura decides)
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # trafilatura guards its JSON-LD reader the same way: a broken script is no metadata
        pass
    metadata.title = metadata.title or extract_title(tree)
    metadata.author = metadata.author or extract_author(tree)
    metadata.url = metadata.url or extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **{**date_config, "url": metadata.url})
    metadata.sitename = metadata.sitename or extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")  # a Twitter handle
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    metadata.filedate = date_config.get("max_date")
    metadata.clean_and_trim()
    return metadata

