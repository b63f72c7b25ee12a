"""Load and validate ``sources.toml``: the sites the ``news`` spider crawls.

Each ``[[source]]`` entry names a site and where its articles are listed::

    [[source]]
    name = "fixture-site"
    home = "fixtures/site/index.html"     # listing page; its links matching article_patterns are followed
    feeds = ["fixtures/site/feed.xml"]    # RSS or Atom
    sitemaps = ["fixtures/site/sitemap.xml"]
    article_patterns = ["/articles/"]     # regular expressions an article URL must match (listing links only)
    delay = 2                             # optional: seconds between requests to this site, at least
    allowed_domains = ["cdn.news.example"] # optional: domains its articles may be on besides its own hosts
    listing_patterns = ["/world/$"]        # optional: links from home that are listings to follow too...
    max_depth = 2                         # ...this many levels deep (1: home only, the default)
    deny_patterns = ["/video/"]           # optional: links never followed

A location is an ``http(s)://`` or ``file://`` URL, or a path relative to the
folder holding ``sources.toml``, so the bundled fixture site works offline from
any checkout.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class SourcesError(ValueError):
    """``sources.toml`` cannot be used; the message names the entry and the field to fix."""


@dataclass(frozen=True)
class Source:
    """One site to crawl, with every location already an absolute URL."""

    name: str
    home: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = field(default=())
    listing_patterns: tuple[str, ...] = ()  # links from the home page (and on) that are listings to follow
    deny_patterns: tuple[str, ...] = ()  # links never followed, whatever else they match
    max_depth: int = 1  # listing pages followed from home: 1 is home alone
    delay: float = 0.0  # seconds between requests to this source's hosts, at least
    allowed_domains: tuple[str, ...] = ()  # more domains its articles may be on (besides its own hosts)

    def hosts(self) -> set[str]:
        """The host[:port] of every location of this source.

        >>> sorted(Source("x", home="https://a.example/", feeds=("https://b.example:8080/rss",)).hosts())
        ['a.example', 'b.example:8080']
        """
        return {urlsplit(url).netloc for url in (self.home, *self.feeds, *self.sitemaps) if url and urlsplit(url).netloc}

    def domains(self) -> set[str]:
        """Where this source's web requests may go: its web hosts' names and ``allowed_domains``.
        A location that is a local file adds none: it opens no host to this or any other source.

        >>> sorted(Source("x", home="https://a.example/", allowed_domains=("cdn.example",)).domains())
        ['a.example', 'cdn.example']
        >>> Source("x", home="file:///tmp/index.html").domains()
        set()
        """
        locations = [url for url in (self.home, *self.feeds, *self.sitemaps) if url]
        return {urlsplit(url).hostname for url in locations if urlsplit(url).scheme in ("http", "https")} | set(self.allowed_domains)

    def is_article_url(self, url: str) -> bool:
        """True when a link found on a listing page looks like an article of this source.

        >>> Source("x", article_patterns=("/articles/",)).is_article_url("https://x.example/articles/a.html")
        True
        >>> Source("x", article_patterns=("/articles/",)).is_article_url("https://x.example/about.html")
        False
        """
        return _matches(self.article_patterns, url) and not _matches(self.deny_patterns, url)

    def is_listing_url(self, url: str, depth: int) -> bool:
        """True when a link found on a listing page at ``depth`` (home is 1) is a listing to follow.

        >>> section = Source("x", listing_patterns=("/world/",), deny_patterns=("/world/video",), max_depth=2)
        >>> section.is_listing_url("https://x.example/world/", 1), section.is_listing_url("https://x.example/world/", 2)
        (True, False)
        >>> section.is_listing_url("https://x.example/world/video/", 1)
        False
        """
        return depth < self.max_depth and _matches(self.listing_patterns, url) and not _matches(self.deny_patterns, url)


def _matches(patterns: tuple[str, ...], url: str) -> bool:
    return any(re.search(pattern, url) for pattern in patterns)


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file.

    >>> load_sources("no-such-file.toml")
    Traceback (most recent call last):
    ...
    scraper.sources.SourcesError: no-such-file.toml: file not found; create it or set WIREDUP_SOURCES
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: file not found; create it or set WIREDUP_SOURCES") from None
    except tomllib.TOMLDecodeError as error:
        raise SourcesError(f"{path}: not valid TOML: {error}") from None
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: no [[source]] entries; add at least one")
    sources = [_parse_source(entry, number, path) for number, entry in enumerate(entries, 1)]
    names = [source.name for source in sources]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise SourcesError(f"{path}: source name {duplicated[0]!r} is used twice; names must be unique")
    return sources


def _parse_source(entry: dict, number: int, path: Path) -> Source:
    where = f"{path}: [[source]] #{number}"
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: field 'name' is required and must be a non-empty string")
    where = f"{path}: source {name!r}"
    known = {"name", "home", "feeds", "sitemaps", "article_patterns", "listing_patterns", "deny_patterns",
             "max_depth", "delay", "allowed_domains"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise SourcesError(f"{where}: unknown field {unknown[0]!r}; expected one of {sorted(known)}")

    def locations(field_name: str) -> tuple[str, ...]:
        value = entry.get(field_name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise SourcesError(f"{where}: field {field_name!r} must be a list of URLs or paths")
        return tuple(_resolve(item, path.parent, where, field_name) for item in value)

    home = entry.get("home")
    if home is not None and not isinstance(home, str):
        raise SourcesError(f"{where}: field 'home' must be a URL or a path")
    patterns = {name: _patterns(entry, name, where) for name in ("article_patterns", "listing_patterns", "deny_patterns")}
    max_depth = entry.get("max_depth", 1)
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise SourcesError(f"{where}: field 'max_depth' must be a whole number, 1 (home only) or more")
    delay = entry.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise SourcesError(f"{where}: field 'delay' must be a number of seconds, 0 or more")
    allowed = entry.get("allowed_domains", [])
    if not isinstance(allowed, list) or not all(isinstance(item, str) and item and "/" not in item for item in allowed):
        raise SourcesError(f"{where}: field 'allowed_domains' must be a list of domain names such as \"news.example\"")
    source = Source(
        name=name,
        delay=float(delay),
        allowed_domains=tuple(allowed),
        home=_resolve(home, path.parent, where, "home") if home else None,
        feeds=locations("feeds"),
        sitemaps=locations("sitemaps"),
        article_patterns=patterns["article_patterns"],
        listing_patterns=patterns["listing_patterns"],
        deny_patterns=patterns["deny_patterns"],
        max_depth=max_depth,
    )
    if not (source.home or source.feeds or source.sitemaps):
        raise SourcesError(f"{where}: give at least one of 'home', 'feeds' or 'sitemaps'")
    if source.home and not source.article_patterns:
        raise SourcesError(f"{where}: field 'article_patterns' is required with 'home', to tell articles from other links")
    return source


def _patterns(entry: dict, field_name: str, where: str) -> tuple[str, ...]:
    patterns = entry.get(field_name, [])
    if not isinstance(patterns, list) or not all(isinstance(item, str) for item in patterns):
        raise SourcesError(f"{where}: field {field_name!r} must be a list of regular expressions")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise SourcesError(f"{where}: field {field_name!r}: {pattern!r} is not a valid regular expression ({error})") from None
    return tuple(patterns)


def _resolve(location: str, base: Path, where: str, field_name: str) -> str:
    scheme = urlsplit(location).scheme
    if scheme in ("http", "https", "file"):
        return location
    if scheme and len(scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise SourcesError(f"{where}: field {field_name!r}: {location!r} has unsupported scheme {scheme!r}; use http, https, file or a path")
    local = (base / location).resolve()
    if not local.exists():
        raise SourcesError(f"{where}: field {field_name!r}: {location!r} does not exist (looked for {local})")
    return local.as_uri()
