"""A small news site on 127.0.0.1 for crawl tests: robots.txt, an RSS feed, a sitemap index, a Google
news sitemap, a home page and article pages, served by ``http.server.ThreadingHTTPServer`` in a
background thread, with a log of every request it answered.

    with NewsSite("outlet-a", {"/articles/a.html": html}) as site:
        ...  # crawl site.url("/")
        site.requests          # [Request(time, method, path, headers, status, user_agent), ...]
        site.paths()           # ["/robots.txt", "/feed.xml", ...]

Besides the articles it serves, on purpose:

- ``/private/articles/secret.html``: linked from the home page, matches ``/articles/``, but
  robots.txt disallows ``/private/``: it must never be requested;
- ``/articles/old-url.html``: a 301 to one of the articles (the first, unless ``redirect_to`` says);
- ``/articles/missing.html``: 404; ``/articles/broken.html``: 500.

They sit under ``/articles/`` so that a source's ``article_patterns = ["/articles/"]`` makes the
spider follow them from the home page (a plain ``/old-url.html`` would never be requested at all,
and a test that it is not would prove nothing).

The feed and both sitemaps send ``ETag`` and ``Last-Modified`` and answer ``304 Not Modified`` to a
matching ``If-None-Match`` (or, without one, an ``If-Modified-Since`` not older than the
content). ``add_article`` changes all three (and the sitemap index's ``<lastmod>``, so a crawler
that revalidates the index learns the news sitemap changed).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

LOGGED_HEADERS = ("If-None-Match", "If-Modified-Since", "User-Agent")

SECRET_PATH = "/private/articles/secret.html"
REDIRECT_PATH = "/articles/old-url.html"
MISSING_PATH = "/articles/missing.html"
BROKEN_PATH = "/articles/broken.html"
SPECIAL_PATHS = (SECRET_PATH, REDIRECT_PATH, MISSING_PATH, BROKEN_PATH)


@dataclass(frozen=True)
class Request:
    time: float  # time.monotonic() when the request line arrived
    method: str
    path: str
    headers: dict[str, str] = field(hash=False)  # the LOGGED_HEADERS the request carried
    status: int = 0  # what the site answered

    @property
    def conditional(self) -> bool:
        return "If-None-Match" in self.headers or "If-Modified-Since" in self.headers

    @property
    def user_agent(self) -> str:
        return self.headers.get("User-Agent", "")


@dataclass
class _Article:
    path: str
    html: bytes
    title: str
    published: str  # ISO 8601


class NewsSite:
    """One outlet on its own port of 127.0.0.1 (port 0: a free one)."""

    def __init__(
        self,
        name: str,
        articles: dict[str, str | bytes] | None = None,
        *,
        crawl_delay: float | None = 0.5,
        robots_sitemap: bool = True,
        home_links: bool = True,
        feed_items: bool = True,
        sitemap_urls: bool = True,
        redirect_to: str | None = None,
        host: str = "127.0.0.1",
    ):
        self.name = name
        self.crawl_delay = crawl_delay
        self.robots_sitemap = robots_sitemap  # robots.txt carries a Sitemap: line
        self.home_links = home_links  # the home page links to the articles (and the special pages)
        self.feed_items = feed_items  # the feed lists the articles
        self.sitemap_urls = sitemap_urls  # the news sitemap lists the articles
        self.redirect_to = redirect_to
        self.host = host
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._articles: dict[str, _Article] = {}
        self._version = 0
        self._modified = int(time.time()) - 3600  # Last-Modified of the feed and sitemaps
        for path, html in (articles or {}).items():
            self._add(path, html)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "NewsSite":
        site = self

        class Handler(_Handler):
            pass

        Handler.site = site
        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"news-site-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "NewsSite":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "start the site first"
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    # -- content --------------------------------------------------------------------------------

    @property
    def article_paths(self) -> list[str]:
        with self._lock:
            return list(self._articles)

    def add_article(self, path: str, html: str | bytes, *, title: str | None = None, published: str | None = None) -> None:
        """Publish one more article: on the home page, in the feed and the news sitemap (new ETags)."""
        self._add(path, html, title=title, published=published)
        with self._lock:
            self._version += 1
            self._modified = max(self._modified + 1, int(time.time()))

    def _add(self, path: str, html: str | bytes, *, title: str | None = None, published: str | None = None) -> None:
        assert path.startswith("/"), path
        body = html.encode("utf-8") if isinstance(html, str) else html
        text = body.decode("utf-8", "replace")
        if title is None:
            match = re.search(r'property="og:title"\s+content="([^"]*)"', text) or re.search(r"<title>([^<]*)</title>", text)
            title = match.group(1) if match else path
        if published is None:
            match = re.search(r'property="article:published_time"\s+content="([^"]*)"', text)
            published = match.group(1) if match else "2024-04-17T12:00:00+00:00"
        with self._lock:
            self._articles[path] = _Article(path, body, title, published)

    # -- the request log ------------------------------------------------------------------------

    def mark(self) -> int:
        """A position in the request log: ``site.since(mark)`` is what was requested after it."""
        with self._lock:
            return len(self.requests)

    def since(self, mark: int = 0) -> list[Request]:
        with self._lock:
            return list(self.requests[mark:])

    def paths(self, mark: int = 0) -> list[str]:
        return [request.path for request in self.since(mark)]

    def _log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    # -- documents ------------------------------------------------------------------------------

    def robots_txt(self) -> str:
        lines = ["User-agent: *"]
        if self.crawl_delay is not None:
            lines.append(f"Crawl-delay: {self.crawl_delay:g}")
        lines.append("Disallow: /private/")
        if self.robots_sitemap:
            lines += ["", f"Sitemap: {self.url('/sitemap-index.xml')}"]
        return "\n".join(lines) + "\n"

    def home_html(self) -> str:
        items = []
        if self.home_links:
            with self._lock:
                articles = list(self._articles.values())
            for article in articles:
                items.append(f'<li><a href="{escape(article.path)}">{escape(article.title)}</a></li>')
            items += [
                f'<li><a href="{SECRET_PATH}">Members only</a></li>',
                f'<li><a href="{REDIRECT_PATH}">An article that moved</a></li>',
                f'<li><a href="{MISSING_PATH}">An article that was taken down</a></li>',
                f'<li><a href="{BROKEN_PATH}">An article the server fails on</a></li>',
            ]
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(self.name)}</title>"
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>\n'
            f"<body><h1>{escape(self.name)}</h1>\n<ul>\n" + "\n".join(items) + "\n</ul>\n"
            '<p><a href="/about.html">About</a></p></body></html>\n'
        )

    def feed_xml(self) -> str:
        with self._lock:
            articles = list(self._articles.values()) if self.feed_items else []
        items = "".join(
            "    <item>\n"
            f"      <title>{xml_escape(article.title)}</title>\n"
            f"      <link>{xml_escape(self.url(article.path))}</link>\n"
            f"      <guid>{xml_escape(self.url(article.path))}</guid>\n"
            f"      <pubDate>{_rfc2822(article.published)}</pubDate>\n"
            "    </item>\n"
            for article in articles
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n'
            f"    <title>{xml_escape(self.name)}</title>\n    <link>{self.url('/')}</link>\n"
            f"    <description>Latest from {xml_escape(self.name)}</description>\n"
            f"{items}  </channel>\n</rss>\n"
        )

    def sitemap_index_xml(self) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"  <sitemap><loc>{self.url('/sitemap-news.xml')}</loc><lastmod>{_iso(self._modified)}</lastmod></sitemap>\n"
            "</sitemapindex>\n"
        )

    def sitemap_news_xml(self) -> str:
        with self._lock:
            articles = list(self._articles.values()) if self.sitemap_urls else []
        urls = "".join(
            "  <url>\n"
            f"    <loc>{xml_escape(self.url(article.path))}</loc>\n"
            "    <news:news>\n"
            f"      <news:publication><news:name>{xml_escape(self.name)}</news:name><news:language>en</news:language></news:publication>\n"
            f"      <news:publication_date>{xml_escape(article.published)}</news:publication_date>\n"
            f"      <news:title>{xml_escape(article.title)}</news:title>\n"
            "    </news:news>\n"
            "  </url>\n"
            for article in articles
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            f"{urls}</urlset>\n"
        )


class _Handler(BaseHTTPRequestHandler):
    site: NewsSite
    protocol_version = "HTTP/1.1"
    server_version = "NewsSite/1.0"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_HEAD(self):
        self._answer(head=True)

    def do_GET(self):
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        arrived = time.monotonic()
        site = self.site
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        status, headers, body = self._route(site, path)
        site._log(
            Request(arrived, self.command, path, {name: self.headers[name] for name in LOGGED_HEADERS if name in self.headers}, status)
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _route(self, site: NewsSite, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, site.robots_txt().encode()
        if path in ("/", "/index.html"):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, site.home_html().encode()
        if path == "/feed.xml":
            return self._conditional(site, site.feed_xml(), "application/rss+xml; charset=utf-8")
        if path == "/sitemap-index.xml":
            return self._conditional(site, site.sitemap_index_xml(), "application/xml; charset=utf-8")
        if path == "/sitemap-news.xml":
            return self._conditional(site, site.sitemap_news_xml(), "application/xml; charset=utf-8")
        if path == REDIRECT_PATH:
            target = site.redirect_to or (site.article_paths or ["/"])[0]
            return 301, {"Location": site.url(target), "Content-Type": "text/html; charset=utf-8"}, b"<p>Moved</p>"
        if path == BROKEN_PATH:
            return 500, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>Internal Server Error</h1>"
        if path == SECRET_PATH:
            # Served (a crawler ignoring robots.txt would store it), so only robots.txt keeps it out.
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _secret_html().encode()
        with site._lock:
            article = site._articles.get(path)
        if article is not None:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, article.html
        return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>Not Found</h1>"

    def _conditional(self, site: NewsSite, document: str, content_type: str) -> tuple[int, dict[str, str], bytes]:
        body = document.encode("utf-8")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = site._modified
        headers = {"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True), "Cache-Control": "no-cache"}
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        not_modified = False
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            not_modified = etag in tags or "*" in tags
        elif if_modified_since is not None:
            try:
                not_modified = parsedate_to_datetime(if_modified_since).timestamp() >= modified
            except (TypeError, ValueError):
                not_modified = False
        if not_modified:
            return 304, headers, b""
        return 200, {**headers, "Content-Type": content_type}, body


def _secret_html() -> str:
    paragraph = "This page is for members only and robots.txt forbids crawling it. " * 12
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Members only</title></head>'
        f"<body><article><h1>Members only</h1><p>{paragraph}</p><p>{paragraph}</p></article></body></html>"
    )


def _iso(timestamp: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(timestamp))


def _rfc2822(iso: str) -> str:
    from datetime import datetime

    try:
        return formatdate(datetime.fromisoformat(iso).timestamp(), usegmt=True)
    except ValueError:
        return formatdate(usegmt=True)


def write_sources(path: Path, outlets: list[dict]) -> Path:
    """Write a sources.toml; each outlet is a dict of sources.toml fields (name, home, feeds, ...)."""
    chunks = []
    for outlet in outlets:
        lines = ["[[source]]", f"name = {_toml(outlet['name'])}"]
        if outlet.get("home"):
            lines.append(f"home = {_toml(outlet['home'])}")
        for key in ("feeds", "sitemaps", "article_patterns", "listing_patterns", "deny_patterns"):
            if outlet.get(key):
                lines.append(f"{key} = [{', '.join(_toml(value) for value in outlet[key])}]")
        for key in ("max_depth", "delay"):
            if key in outlet:
                lines.append(f"{key} = {outlet[key]}")
        chunks.append("\n".join(lines))
    path.write_text("\n\n".join(chunks) + "\n", encoding="utf-8")
    return path


def full_source(site: NewsSite) -> dict:
    """Every entry point of ``site``: home, feed and the sitemap index."""
    return {
        "name": site.name,
        "home": site.url("/"),
        "feeds": [site.url("/feed.xml")],
        "sitemaps": [site.url("/sitemap-index.xml")],
        "article_patterns": ["/articles/"],
    }


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
