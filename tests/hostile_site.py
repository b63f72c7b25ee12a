"""A hostile web server on 127.0.0.1: every kind of broken page, transport fault, feed and sitemap a
scheduled crawler meets, each on its own path, served by one ``ThreadingHTTPServer`` per port.

    with HostileSite(canary_file) as site:
        site.sources()        # sources.toml entries that reach every case
        site.paths()          # every path requested so far

``CASES`` lists what the crawl must make of each case: ``stored`` (with a snippet its stored text
must contain), ``skipped`` (counted under ``wiredup/skipped/<reason>``, logged with the URL) or
``failed`` (counted under ``wiredup/fetch_failed/<reason>``, logged with the URL). Article cases are
listed in ``/feed.xml``; the bad feeds and sitemaps each list one readable article too, so a test can
tell "survived and kept reading" from "gave up".
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from random import Random
from xml.sax.saxutils import escape as xml_escape

MILLION = 1_000_000
BOMB_BYTES = 64 * 1024 * 1024  # a gzip body that inflates past DOWNLOAD_MAXSIZE (5 MB)
HANG_SECONDS = 20  # longer than the test crawl's DOWNLOAD_TIMEOUT


@dataclass(frozen=True)
class Case:
    name: str  # the path is /hostile/<name>
    group: str  # page, transport
    expect: str  # stored, skipped, skipped:<reason>, failed:<reason>
    snippet: str | None = None  # stored text must contain it
    requests: int | None = None  # how many times the crawl may ask for it (None: not checked)

    @property
    def path(self) -> str:
        return f"/hostile/{self.name}"


RUSSIAN = (
    "Правительство объявило о новом пакете мер поддержки для малого бизнеса в регионах страны. "
    "По словам министра экономики, программа рассчитана на три года и охватит более ста тысяч предприятий. "
    "Эксперты отмечают, что условия кредитования станут мягче, а проверки — реже. "
    "Представители отрасли встретили новость осторожно и ждут подробностей о сроках выплат."
)
TURKISH = (
    "İstanbul Büyükşehir Belediyesi, kentteki toplu taşıma ağını genişletmek için yeni bir plan açıkladı. "
    "Plana göre önümüzdeki iki yıl içinde üç yeni metro hattı açılacak ve otobüs seferleri sıklaştırılacak. "
    "Belediye başkanı, yatırımın şehrin trafik sorununu önemli ölçüde azaltacağını söyledi. "
    "Uzmanlar ise projenin maliyetinin çok yüksek olduğunu ve finansmanın belirsiz kaldığını vurguladı."
)
JAPANESE = (
    "政府は本日、地方の中小企業を支援するための新しい経済対策を発表しました。"
    "経済大臣によると、この計画は三年間にわたって実施され、十万社以上の企業が対象となる見込みです。"
    "専門家は、融資の条件が緩和され、手続きが簡単になることを評価しています。"
    "一方で、業界の関係者は支払いの時期について詳しい説明を求めています。"
    "地方の商工会議所は、説明会を各地で開く予定だと発表しました。"
    "今回の対策が地域経済の回復につながるかどうか、今後の動向が注目されます。"
    "また、政府は来年度の予算案に関連する費用を盛り込む方針で、国会での議論が始まる見通しです。"
    "野党は対策の規模が不十分だと批判しており、追加の支援を求める声も上がっています。"
    "地方自治体の中には、独自の上乗せ支援を検討しているところもあります。"
)
ACCENTED = (
    "The café owners of Zürich met on Tuesday to discuss the new rules for terraces in the old town. "
    "Their association said the rules would cost each café thousands of francs a year in fees. "
    "The city answered that the fees pay for cleaning the squares and that nothing was decided yet. "
    "A second meeting is planned for next month, when the city council will present a revised draft."
)


def english(name: str) -> str:
    """A news text of its own for each case (no two cases may share a text: they would be one article)."""
    return (
        f"The {name} inquiry opened on Monday in the capital, where officials said the hearings would last a week. "
        f"Witnesses in the {name} inquiry include two former ministers and the head of the port authority. "
        f"Lawyers for the families said they expected the {name} hearings to answer how the warnings were missed. "
        f"The government said it would publish the findings of the {name} inquiry in full before the summer."
    )


def page(title: str, text: str, *, head: str = "", lang: str = "en") -> str:
    paragraphs = "".join(f"<p>{sentence.strip()}.</p>" for sentence in text.replace("。", ". ").split(". ") if sentence.strip())
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{head}<title>{title}</title></head>'
        f"<body><nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Contact us</footer></body></html>"
    )


def _html(title, text, **kwargs) -> bytes:
    return page(title, text, **kwargs).encode("utf-8")


CASES = [
    # -- bad pages ------------------------------------------------------------------------------
    Case("pdf", "page", "skipped:not_html"),
    Case("image", "page", "skipped:not_html"),
    Case("json", "page", "skipped:not_html"),
    Case("no-content-type", "page", "stored", "The no-content-type inquiry opened"),
    Case("no-content-type-binary", "page", "skipped"),
    Case("empty", "page", "skipped"),
    Case("one-byte", "page", "skipped"),
    Case("over-size-limit", "page", "failed:too_large"),
    Case("over-size-limit-streamed", "page", "failed:too_large"),
    Case("gzip-bomb", "page", "failed:too_large"),
    Case("malformed-html", "page", "stored", "Witnesses in the malformed-html inquiry"),
    Case("truncated-html", "page", "stored", "Witnesses in the truncated-html inquiry"),
    Case("windows-1251-undeclared", "page", "stored", "Правительство объявило"),
    Case("windows-1251-declared", "page", "stored", "экономики"),
    Case("iso-8859-9-header-says-utf-8", "page", "stored", "İstanbul Büyükşehir Belediyesi"),
    Case("shift-jis-header-says-utf-8", "page", "stored", "政府は本日"),
    Case("shift-jis-meta-says-latin-1", "page", "stored", "地方の中小企業"),
    Case("utf-8-bom-header-says-latin-1", "page", "stored", "The café owners of Zürich"),
    Case("utf-16-bom", "page", "stored", "Witnesses in the utf-16-bom inquiry"),
    Case("nul-bytes", "page", "stored", "Witnesses in the nul-bytes inquiry"),
    Case("invalid-utf-8", "page", "stored", "A second meeting is planned"),
    Case("all-script", "page", "skipped"),
    # UTF-8 bytes with multibyte sequences are UTF-8, whatever the header or <meta> says (issue 20, 5)
    Case("utf-8-header-says-latin-1", "page", "stored", "Le café de Zürich ferme"),
    Case("utf-8-meta-says-windows-1252", "page", "stored", "La crème brûlée du marché"),
    Case("utf-8-header-latin-1-meta-windows-1252", "page", "stored", "Ein Geschäft in Düsseldorf"),
    # random bytes declared UTF-8: no text to store, a counted skip with its reason (issue 20, 9)
    Case("random-bytes-says-utf-8", "page", "skipped:undecodable"),
    Case("random-bytes-in-html-says-utf-8", "page", "skipped:undecodable"),
    # rel=canonical is trusted for the page itself only: never the site's root, never another host
    # (issue 20, 3); each is stored under its own URL
    *[Case(f"canonical-is-home-{number}", "page", "stored", f"Witnesses in the canonical-is-home-{number} inquiry") for number in range(5)],
    Case("canonical-on-another-host", "page", "stored", "Witnesses in the canonical-on-another-host inquiry"),
    # -- bad transport --------------------------------------------------------------------------
    Case("not-found", "transport", "failed:http_404", requests=1),
    Case("gone", "transport", "failed:http_410", requests=1),
    Case("too-many-requests", "transport", "failed:http_429", requests=1),
    Case("unavailable-retry-after", "transport", "failed:http_503", requests=1),
    Case("server-error", "transport", "failed:http_500"),
    Case("timeout", "transport", "failed:timeout"),
    Case("slow-drip", "transport", "failed:timeout"),
    Case("connection-reset", "transport", "failed:connection_lost"),
    Case("redirect-loop", "transport", "failed:redirect_loop"),
    Case("redirect-chain", "transport", "failed:too_many_redirects"),
    Case("redirect-offsite", "transport", "failed:offsite"),
]
CASE_BY_PATH = {case.path: case for case in CASES}

# Bad feeds and sitemaps: each lists one readable article (``/via/<name>``) besides its trap.
FEEDS = ["malformed", "entity-bomb", "external-entity", "bad-links"]
SITEMAPS = ["malformed", "entity-bomb", "external-entity", "million-urls", "million-urls-gzip", "bad-links"]
# Links no crawl may follow, each before a readable article on a feed, a sitemap and a listing page
# (issue 20, 1 and 4): schemes that are no page, an invalid IPv6 host, a local file, inline data, and
# a host that is not the source's. Each is counted and logged; the entries after it are still read.
BAD_LINK_NAMES = ["mailto", "javascript", "tel", "urn", "invalid-ipv6", "file", "data", "localhost"]
LOCAL_TARGET = "/localhost-target"  # what following the localhost link would ask for
LISTINGS = ["bad-links"]  # listing pages (a source of their own, with a home page)
TOO_LARGE_SITEMAPS = {"million-urls", "million-urls-gzip"}  # skipped whole: too large to read
OFFSITE_TARGET = "/offsite-target"
CANARY_PATH = "/xxe-canary"  # what a resolved external entity would make the crawler ask for
ROBOTS_CASES = ["robots-503", "robots-timeout"]  # a port each: robots.txt is per host:port


def via_path(kind: str, name: str) -> str:
    return f"/via/{kind}-{name}"


def via_pages() -> list[tuple[str, str]]:
    """(port role, path) of every readable article the bad feeds, sitemaps and listings lead to: each
    must be stored. (The robots hosts' articles must not: an unreachable robots.txt forbids the whole host.)"""
    return [("main", via_path("feed", name)) for name in FEEDS] + [
        ("main", via_path("sitemap", name)) for name in SITEMAPS if name not in TOO_LARGE_SITEMAPS
    ] + [("main", via_path("listing", name)) for name in LISTINGS]


def bad_links(site: "HostileSite") -> list[str]:
    """One link of each ``BAD_LINK_NAMES`` kind, as a page of ``site`` would carry it."""
    port = site._servers["main"].server_address[1]
    return [
        "mailto:desk@news.example", "javascript:void(0)", "tel:+15550100", "urn:isbn:0451450523",
        "http://[name]/x", "file:///etc/passwd", "data:text/html,<p>Injected</p>",
        f"http://localhost:{port}{LOCAL_TARGET}",
    ]


@cache
def _gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)


def _million_line(base: str, number: int) -> bytes:
    """One entry of the million-URL sitemap: a page of this very site, so a crawler that read the
    sitemap would ask for it (the test checks none is asked)."""
    return f"<url><loc>{base}/articles/n{number:07d}.html</loc></url>\n".encode()


MILLION_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
MILLION_TAIL = b"</urlset>\n"


@cache
def _million_gzip(base: str) -> bytes:
    body = MILLION_HEAD + b"".join(_million_line(base, number) for number in range(MILLION)) + MILLION_TAIL
    return gzip.compress(body, compresslevel=1)


class HostileSite:
    """The main port serves every case; two more ports serve a robots.txt that fails (503, hang)."""

    def __init__(self, canary_file: Path):
        self.canary_file = canary_file  # an external entity points here; it holds the canary URL
        self.requests: list[tuple[int, str]] = []  # (port, path)
        self._lock = threading.Lock()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self.stopping = threading.Event()

    def __enter__(self) -> "HostileSite":
        for role in ("main", *ROBOTS_CASES):
            handler = type(f"Handler_{role}", (_Handler,), {"site": self, "role": role})
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers[role] = server
        self.canary_file.write_text(self.url(CANARY_PATH))
        self._write_local_source()
        _million_gzip(self.url(""))  # made before the crawl asks for it, or the crawl would time out waiting
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def _write_local_source(self) -> None:
        """A source read from local files, next to the web ones (as the bundled fixture entry is):
        its feed lists a local article, which must be stored, and must not open the web sources'
        pages to other hosts or schemes (issue 20, 4)."""
        folder = self.canary_file.parent / "local-source"
        folder.mkdir(exist_ok=True)
        self.local_article = folder / "article.html"
        self.local_article.write_text(page("A local story", english("local-file-source")), encoding="utf-8")
        self.local_feed = folder / "feed.xml"
        self.local_feed.write_text(f'<?xml version="1.0"?><rss><channel><item><title>Local</title><link>{self.local_article.as_uri()}</link>'
                                   "</item></channel></rss>", encoding="utf-8")

    def url(self, path: str, role: str = "main") -> str:
        return f"http://127.0.0.1:{self._servers[role].server_address[1]}{path}"

    def paths(self, role: str = "main") -> list[str]:
        port = self._servers[role].server_address[1]
        with self._lock:
            return [path for requested_port, path in self.requests if requested_port == port]

    def sources(self) -> list[dict]:
        """sources.toml entries: the main site (a feed of every case, the bad feeds and sitemaps),
        and one per failing robots.txt."""
        main = {
            "name": "hostile",
            "feeds": [self.url("/feed.xml")] + [self.url(f"/feeds/{name}.xml") for name in FEEDS],
            "sitemaps": [self.url(f"/sitemaps/{name}.xml") for name in SITEMAPS],
        }
        robots = [{"name": role, "home": self.url("/", role), "article_patterns": ["/via/"]} for role in ROBOTS_CASES]
        # every bad link looks like an article to this source: only the link checks keep them out
        listings = [{"name": f"listing-{name}", "home": self.url(f"/listings/{name}.html"),
                     "article_patterns": ["/via/", "^mailto:", "^javascript:", "^tel:", "^urn:", "/x$", "passwd", "^data:", LOCAL_TARGET]}
                    for name in LISTINGS]
        local = {"name": "local-file", "feeds": [self.local_feed.as_uri()]}
        return [main, *robots, *listings, local]

    def _log(self, port: int, path: str) -> None:
        with self._lock:
            self.requests.append((port, path))


class _Handler(BaseHTTPRequestHandler):
    site: HostileSite
    role: str
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        self.site._log(self.server.server_address[1], path)
        try:
            if self.role != "main":
                self._robots_host(path)
            else:
                self._main(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on a page it did not want: that is the point

    # -- answers ----------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str | None = "text/html; charset=utf-8", **headers) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _hang(self) -> None:
        """Read the request, answer nothing, until the crawler gives up or the site stops."""
        self.site.stopping.wait(HANG_SECONDS)
        self.close_connection = True

    def _robots_host(self, path: str) -> None:
        if path == "/robots.txt":
            if self.role == "robots-503":
                return self._send(503, b"<h1>Service Unavailable</h1>")
            return self._hang()
        if path == "/":
            link = via_path("robots", self.role)
            return self._send(200, f'<html><body><a href="{link}">Story</a></body></html>'.encode())
        if path == via_path("robots", self.role):
            return self._send(200, _html(f"Story behind {self.role}", english(self.role)))
        return self._send(404, b"<h1>Not Found</h1>")

    def _main(self, path: str) -> None:
        site = self.site
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            items = "".join(f"<item><title>{case.name}</title><link>{site.url(case.path)}</link></item>" for case in CASES)
            return self._send(200, f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'.encode(),
                              "application/rss+xml")
        if path.startswith("/listings/"):
            name = path.removeprefix("/listings/").removesuffix(".html")
            links = [*bad_links(site), via_path("listing", name)]
            return self._send(200, "<html><body>{}</body></html>".format("".join(f'<a href="{link}">x</a>' for link in links)).encode())
        if path == LOCAL_TARGET:
            return self._send(200, _html("Should never be asked", english("localhost")))
        if path.startswith("/feeds/"):
            return self._send(200, self._feed(path.removeprefix("/feeds/").removesuffix(".xml")), "application/rss+xml")
        if path.startswith("/sitemaps/"):
            return self._sitemap(path.removeprefix("/sitemaps/").removesuffix(".xml"))
        if path.startswith("/via/"):
            return self._send(200, _html(f"Story behind {path}", english(path.removeprefix("/via/"))))
        if path == CANARY_PATH or path == OFFSITE_TARGET:
            return self._send(200, _html("Should never be asked", english("canary")))
        if path == "/hostile/redirect-loop-b":
            return self._send(301, b"", Location=site.url("/hostile/redirect-loop"))
        if path.startswith("/hostile/redirect-chain/"):
            number = int(path.rsplit("/", 1)[1])
            return self._send(302, b"", Location=site.url(f"/hostile/redirect-chain/{number + 1}"))
        case = CASE_BY_PATH.get(path)
        if case is not None and case.name.startswith("canonical-is-home-"):
            return self._canonical_page(case, self.site.url("/"))
        if case is None:
            return self._send(404, b"<h1>Not Found</h1>")
        getattr(self, "case_" + case.name.replace("-", "_"))(case)

    def _feed(self, name: str) -> bytes:
        readable = f"<item><title>Readable</title><link>{self.site.url(via_path('feed', name))}</link></item>"
        if name == "bad-links":
            items = "".join(f"<item><title>Bad</title><link>{xml_escape(link)}</link></item>" for link in bad_links(self.site))
            return f'<?xml version="1.0"?><rss><channel><title>Bad links</title>{items}{readable}</channel></rss>'.encode()
        if name == "malformed":
            return f'<?xml version="1.0"?><rss><channel><title>Broken & unescaped<item><title>x</title></item>{readable}<item><link>'.encode()
        if name == "entity-bomb":
            return (_laughs_doctype("rss") + f"<rss><channel>{readable}<item><title>&lol9;</title><link>&lol9;</link></item></channel></rss>").encode()
        return (_external_doctype("rss", self.site.canary_file)
                + f"<rss><channel>{readable}<item><title>Leak</title><link>&xxe;</link></item></channel></rss>").encode()

    def _sitemap(self, name: str) -> None:
        readable = f"<url><loc>{self.site.url(via_path('sitemap', name))}</loc></url>"
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if name == "bad-links":
            entries = "".join(f"<url><loc>{xml_escape(link)}</loc></url>" for link in bad_links(self.site))
            return self._send(200, f"<?xml version='1.0'?><urlset {ns}>{entries}{readable}</urlset>".encode(), "application/xml")
        if name == "malformed":
            return self._send(200, f"<?xml version='1.0'?><urlset {ns}>{readable}<url><loc>&broken; <<url>".encode(), "application/xml")
        if name == "entity-bomb":
            body = _laughs_doctype("urlset") + f"<urlset {ns}>{readable}<url><loc>&lol9;</loc></url></urlset>"
            return self._send(200, body.encode(), "application/xml")
        if name == "external-entity":
            body = _external_doctype("urlset", self.site.canary_file) + f"<urlset {ns}>{readable}<url><loc>&xxe;</loc></url></urlset>"
            return self._send(200, body.encode(), "application/xml")
        if name == "million-urls-gzip":  # a .xml.gz as sites serve them: gzip bytes, no Content-Encoding
            return self._send(200, _million_gzip(self.site.url("")), "application/x-gzip")
        # million-urls: 1,000,000 <url> entries, streamed after an honest Content-Length
        base = self.site.url("")
        length = len(MILLION_HEAD) + len(_million_line(base, 0)) * MILLION + len(MILLION_TAIL)  # lines of one width
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(MILLION_HEAD)
        for start in range(0, MILLION, 10_000):
            self.wfile.write(b"".join(_million_line(base, number) for number in range(start, start + 10_000)))
        self.wfile.write(MILLION_TAIL)

    # -- bad pages ------------------------------------------------------------------------------

    def case_pdf(self, case):
        self._send(200, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" * 20, "application/pdf")

    def case_image(self, case):
        self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "image/png")

    def case_json(self, case):
        self._send(200, b'{"title": "Not a page", "text": "' + english("json").encode() + b'"}', "application/json")

    def case_no_content_type(self, case):
        self._send(200, _html("No content type", english(case.name)), content_type=None)

    def case_no_content_type_binary(self, case):
        self._send(200, bytes(range(256)) * 16, content_type=None)

    def case_empty(self, case):
        self._send(200, b"")

    def case_one_byte(self, case):
        self._send(200, b"x")

    def case_over_size_limit(self, case):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(64 * 1024 * 1024))
        self.end_headers()
        self.wfile.write(b"<html><body>" + b"<p>padding</p>" * 1000)
        self.close_connection = True

    def case_over_size_limit_streamed(self, case):
        # no Content-Length: the size shows only while it arrives
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<p>" + b"padding " * 8000 + b"</p>"
        for _ in range(8 * 1024 * 1024 // len(chunk)):
            self.wfile.write(chunk)
        self.close_connection = True

    def case_gzip_bomb(self, case):
        self._send(200, _gzip_bomb(), Content_Encoding="gzip")

    def case_malformed_html(self, case):
        text = english(case.name)
        body = (
            '<html><head><title>Malformed <b>title</title><meta charset="utf-8"><body><div><article><h1>Malformed'
            f"<p>{text}<p>{text.upper()}</div></span></td><p class=\"unclosed>{english(case.name + ' again')}"
            "<table><tr><td>cell<p>inside</article></html></html><script>var x = '</p>'"
        )
        self._send(200, body.encode())

    def case_truncated_html(self, case):
        body = page("Truncated page", english(case.name) + ". " + english("cut") * 3).encode()
        self._send(200, body[: len(body) * 2 // 3])

    def case_windows_1251_undeclared(self, case):
        self._send(200, page("Новости экономики", RUSSIAN, lang="ru").encode("cp1251"), "text/html")

    def case_windows_1251_declared(self, case):
        text = RUSSIAN.replace("Правительство", "Кабинет министров")
        self._send(200, page("Новости", text, lang="ru").encode("cp1251"), "text/html; charset=windows-1251")

    def case_iso_8859_9_header_says_utf_8(self, case):
        body = page("Metro hatları", TURKISH, head='<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-9">', lang="tr")
        self._send(200, body.encode("iso-8859-9"), "text/html; charset=utf-8")

    def case_shift_jis_header_says_utf_8(self, case):
        self._send(200, page("経済対策", JAPANESE, lang="ja").encode("shift_jis"), "text/html; charset=utf-8")

    def case_shift_jis_meta_says_latin_1(self, case):
        text = JAPANESE.replace("政府は本日", "内閣は昨日")
        body = page("経済対策", text, head='<meta charset="iso-8859-1">', lang="ja").encode("shift_jis")
        self._send(200, body, "text/html")

    def case_utf_8_bom_header_says_latin_1(self, case):
        self._send(200, b"\xef\xbb\xbf" + page("Café terraces", ACCENTED).encode("utf-8"), "text/html; charset=iso-8859-1")

    def case_utf_16_bom(self, case):
        self._send(200, page("UTF-16 page", english(case.name)).encode("utf-16"), "text/html")

    def case_nul_bytes(self, case):
        body = page("NUL\0 bytes", english(case.name)).encode().replace(b". ", b".\0 ").replace(b"<p>", b"<p>\0")
        self._send(200, body)

    def case_invalid_utf_8(self, case):
        body = page("Invalid UTF-8", ACCENTED.replace("Zürich", "Zürich\xff", 1)).encode("utf-8").replace(b"\xc3\xbf", b"\xff\xfe")
        self._send(200, body.replace(b"Tuesday", b"Tues\x80day"))

    def case_all_script(self, case):
        script = "<script>" + "window.app = {state: 'loading', items: []};" * 200 + "</script>"
        self._send(200, f"<html><head>{script}</head><body>{script}<div id=\"root\"></div>{script}</body></html>".encode())

    def case_utf_8_header_says_latin_1(self, case):
        text = english(case.name) + ". Le café de Zürich ferme ses portes après cent ans"
        self._send(200, page("Café", text).encode("utf-8"), "text/html; charset=iso-8859-1")

    def case_utf_8_meta_says_windows_1252(self, case):
        text = english(case.name) + ". La crème brûlée du marché a gagné le concours"
        self._send(200, page("Crème", text, head='<meta charset="windows-1252">').encode("utf-8"), "text/html")

    def case_utf_8_header_latin_1_meta_windows_1252(self, case):
        text = english(case.name) + ". Ein Geschäft in Düsseldorf schließt nach fünfzig Jahren"
        body = page("Geschäft", text, head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
        self._send(200, body.encode("utf-8"), "text/html; charset=iso-8859-1")

    def case_random_bytes_says_utf_8(self, case):
        self._send(200, Random(20).randbytes(6000), "text/html; charset=utf-8")

    def case_random_bytes_in_html_says_utf_8(self, case):
        noise = Random(21).randbytes(900)
        paragraphs = b"".join(b"<p>" + noise[start:start + 300].replace(b"<", b" ") + b"</p>" for start in range(0, 900, 300))
        body = b'<html><head><meta charset="utf-8"><title>Noise</title></head><body><article>' + paragraphs + b"</article></body></html>"
        self._send(200, body, "text/html; charset=utf-8")

    def _canonical_page(self, case, canonical: str):
        head = f'<link rel="canonical" href="{canonical}">'
        self._send(200, _html(f"Story {case.name}", english(case.name), head=head))

    def case_canonical_on_another_host(self, case):
        # the page names a URL on another host (port) as its original: a syndicated rewrite
        self._canonical_page(case, self.site.url(f"/wire/{case.name}", ROBOTS_CASES[0]))

    # -- bad transport --------------------------------------------------------------------------

    def case_not_found(self, case):
        self._send(404, b"<h1>Not Found</h1>")

    def case_gone(self, case):
        self._send(410, b"<h1>Gone</h1>")

    def case_too_many_requests(self, case):
        self._send(429, b"<h1>Slow down</h1>", Retry_After="7200")

    def case_unavailable_retry_after(self, case):
        self._send(503, b"<h1>Maintenance</h1>", Retry_After=formatdate(time.time() + 3 * 3600, usegmt=True))

    def case_server_error(self, case):
        self._send(500, b"<h1>Internal Server Error</h1>")

    def case_timeout(self, case):
        self._hang()

    def case_slow_drip(self, case):
        body = _html("Slow drip", english(case.name))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for offset in range(len(body)):
            if self.site.stopping.wait(0.25):
                break
            self.wfile.write(body[offset:offset + 1])
            self.wfile.flush()
        self.close_connection = True

    def case_connection_reset(self, case):
        # SO_LINGER 0: close() sends RST instead of FIN, mid-answer
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body><p>Start")
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def case_redirect_loop(self, case):
        self._send(301, b"", Location=self.site.url("/hostile/redirect-loop-b"))

    def case_redirect_chain(self, case):
        self._send(302, b"", Location=self.site.url("/hostile/redirect-chain/1"))

    def case_redirect_offsite(self, case):
        # localhost is another host name than the source's 127.0.0.1: off the allowed domains
        port = self.server.server_address[1]
        self._send(302, b"", Location=f"http://localhost:{port}{OFFSITE_TARGET}")


def _laughs_doctype(root: str) -> str:
    """The billion laughs: ten levels of ten references, 10^9 "lol"s if expanded."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    ]
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n' + "\n".join(entities) + "\n]>\n"


def _external_doctype(root: str, canary_file: Path) -> str:
    """An external entity naming a local file (it holds the canary URL) and one naming the canary itself."""
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n<!ENTITY xxe SYSTEM "{canary_file.as_uri()}">\n]>\n'
