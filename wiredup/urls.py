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


# Host prefixes that name the same site's desktop, mobile or AMP edition
EDITION_PREFIXES = ("www.", "m.", "mobile.", "amp.")


def url_key(url: str) -> str:
    """What every alias of a canonical URL has in common: no scheme, no edition prefix on the host.

    Two pages whose canonical URLs differ only by http/https or by ``www.``,
    ``m.``, ``mobile.`` or ``amp.`` are one article.

    >>> url_key("https://m.example.com/news/a?id=3") == url_key("http://www.example.com/news/a?id=3")
    True
    >>> url_key("https://www.example.com/news/a")
    'example.com/news/a'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for prefix in EDITION_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix):]
            break
    port = f":{parts.port}" if parts.port else ""
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""  # canonical URLs have none; keys stay distinct anyway
    return f"{host}{port}{parts.path}{query}{fragment}"
