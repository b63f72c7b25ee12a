"""One URL per article: the canonical form every alias of a page resolves to."""

from __future__ import annotations

import ipaddress
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan


def canonical_url(page_url: str, declared: str | None = None) -> str:
    """The URL an article is stored under.

    ``declared`` is what the page says about itself (``rel=canonical`` or
    ``og:url``), trusted when it is an http(s) URL that can only be this page's
    (`trusted_canonical`); otherwise the fetched URL. courlan lower-cases the
    host, sorts the query and drops tracking parameters; the fragment never
    names another document.

    >>> canonical_url("https://Example.com/a?utm_source=x&id=3#comments")
    'https://example.com/a?id=3'
    >>> canonical_url("file:///tmp/a.html", "https://example.com/news/a")
    'https://example.com/news/a'
    >>> canonical_url("https://example.com/a", "/news/a")
    'https://example.com/news/a'
    >>> canonical_url("https://example.com/a", "/"), canonical_url("https://outlet.example/a", "https://wire.example/a")
    ('https://example.com/a', 'https://outlet.example/a')
    """
    url = page_url
    if declared:
        try:
            candidate = urljoin(page_url, declared.strip())
            trusted = trusted_canonical(page_url, candidate)
        except ValueError:  # a malformed host ("http://[name]/"): no URL at all
            trusted = False
        if trusted:
            url = candidate
    if urlsplit(url).scheme in ("http", "https"):
        url = courlan.normalize_url(url)
    scheme, netloc, path, query, _fragment = urlsplit(url)
    return urlunsplit((scheme, netloc, path, query, ""))


def trusted_canonical(page_url: str, declared: str) -> bool:
    """Whether a page at ``page_url`` may be stored under the URL it ``declared`` canonical.

    Sites get rel=canonical wrong, and trusting it merges different pages into one row: five
    pages that all declare the home page, or an outlet's rewrite that declares the wire's URL
    and would overwrite the wire's own copy. So a canonical is trusted only on the page's own
    site (its host, an edition of it, or a parent or subdomain; same port), never the site's
    root for a page that is not the root. A page read from a file or from a bare IP address (a
    saved or mirrored copy, which names no site of its own) may name any site's page.

    >>> trusted_canonical("https://m.example.com/a?ref=rss", "https://www.example.com/a")
    True
    >>> trusted_canonical("https://example.com/a", "https://example.com/"), trusted_canonical("https://example.com/", "https://example.com/")
    (False, True)
    >>> trusted_canonical("https://outlet.example/a", "https://wire.example/a")
    False
    >>> trusted_canonical("http://127.0.0.1:8080/a", "https://www.example.com/a"), trusted_canonical("http://127.0.0.1:1/a", "http://127.0.0.1:2/a")
    (True, False)
    """
    page, claimed = urlsplit(page_url), urlsplit(declared)
    if claimed.scheme not in ("http", "https") or not claimed.hostname:
        return False
    if claimed.path in ("", "/") and not claimed.query and page.path not in ("", "/"):
        return False
    if _names_no_site(page):
        return not _names_no_site(claimed)
    return _same_site(page, claimed)


def _names_no_site(parts) -> bool:
    """A local file, or an address rather than a host name."""
    if parts.scheme == "file" or not parts.hostname:
        return True
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return parts.hostname == "localhost"
    return True


def _same_site(a, b) -> bool:
    """One site: the same host name once edition prefixes are dropped, or one a subdomain of the other; the same port."""
    first, second = _edition_free(a.hostname or ""), _edition_free(b.hostname or "")
    defaults = {"http": 80, "https": 443}
    if (a.port or defaults.get(a.scheme)) != (b.port or defaults.get(b.scheme)) and a.scheme == b.scheme:
        return False
    return first == second or first.endswith("." + second) or second.endswith("." + first)


def _edition_free(host: str) -> str:
    host = host.lower()
    for prefix in EDITION_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix):]
    return host


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
