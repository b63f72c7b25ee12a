"""One URL per article: the canonical form every alias of a page resolves to."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan


def canonical_url(page_url: str, declared: str | None = None) -> str:
    """The URL an article is stored under.

    ``declared`` is what the page says about itself (``rel=canonical`` or
    ``og:url``), trusted when it is an http(s) URL; otherwise the fetched URL.
    courlan lower-cases the host, sorts the query and drops tracking
    parameters; the fragment never names another document.

    >>> canonical_url("https://Example.com/a?utm_source=x&id=3#comments")
    'https://example.com/a?id=3'
    >>> canonical_url("file:///tmp/a.html", "https://example.com/news/a")
    'https://example.com/news/a'
    >>> canonical_url("https://example.com/a", "/news/a")
    'https://example.com/news/a'
    """
    url = page_url
    if declared:
        candidate = urljoin(page_url, declared.strip())
        if urlsplit(candidate).scheme in ("http", "https"):
            url = candidate
    if urlsplit(url).scheme in ("http", "https"):
        url = courlan.normalize_url(url)
    scheme, netloc, path, query, _fragment = urlsplit(url)
    return urlunsplit((scheme, netloc, path, query, ""))
