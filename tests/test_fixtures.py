"""Guard tests for the bundled fixture site and fixtures/manifest.toml (alltheplaces style).

They need no crawl and no pipeline: they check that the manifest is well formed, that every fixture
file is reachable and every link works over file:// and http alike, that each snippet really is in
its page, that each page carries the metadata the manifest expects, and that the expected groups are
the ones the seeds call for.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import urllib.robotparser
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SITE = FIXTURES / "site"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}

ARTICLE_KEYS = {
    "seed": str,
    "file": str,
    "url": str,
    "group": str,
    "title": str,
    "sitename": str,
    "published": str,
    "authors": list,
    "language": str,
    "must_contain": list,
    "must_not_contain": list,
}
NON_ARTICLE_KEYS = {"file": str, "why": str}
# The seeds' README: 000 and 001 are one AFP story; 002, 003 and 004 each stand alone.
EXPECTED_GROUPS = {frozenset({"000", "001"}), frozenset({"002"}), frozenset({"003"}), frozenset({"004"})}
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)$")


def load_manifest() -> dict:
    with open(FIXTURES / "manifest.toml", "rb") as handle:
        return tomllib.load(handle)


MANIFEST = load_manifest()
ARTICLES = MANIFEST.get("article", [])


def by_seed(argvalues):
    return pytest.mark.parametrize("page", argvalues, ids=[page.get("seed") or page.get("file", "?") for page in argvalues])


def parse_html(path: Path) -> lxml.html.HtmlElement:
    # every fixture is UTF-8; some declare it after <title> (as WordPress' Newspaper theme does)
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def page_text(path: Path) -> str:
    """The body's text as a text browser shows it (how the seeds were saved), whitespace-normalised.

    Scripts, styles and the like are dropped; an image shows as its alt text.
    """
    root = parse_html(path)
    for element in root.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    for image in root.iter("img"):
        if image.get("alt"):
            image.tail = f" {image.get('alt')} " + (image.tail or "")
    body = root.find("body")
    return " ".join(body.text_content().split()) if body is not None else ""


# -- the manifest ---------------------------------------------------------------------------------


def test_manifest_parses_and_every_entry_has_the_required_keys():
    problems = []
    if set(MANIFEST) != {"article", "non_article"}:
        problems.append(f"top-level tables must be [[article]] and [[non_article]], not {sorted(MANIFEST)}")
    for kind, keys, entries in (("article", ARTICLE_KEYS, ARTICLES), ("non_article", NON_ARTICLE_KEYS, MANIFEST.get("non_article", []))):
        if not entries:
            problems.append(f"no [[{kind}]] entries")
        for number, entry in enumerate(entries, 1):
            where = f"[[{kind}]] #{number} ({entry.get('seed') or entry.get('file')})"
            for key in sorted(set(keys) - set(entry)):
                problems.append(f"{where}: missing {key!r}")
            for key in sorted(set(entry) - set(keys)):
                problems.append(f"{where}: unknown key {key!r}")
            for key, kind_of in keys.items():
                if key in entry and not isinstance(entry[key], kind_of):
                    problems.append(f"{where}: {key!r} must be a {kind_of.__name__}")
                elif isinstance(entry.get(key), str) and not entry[key].strip():
                    problems.append(f"{where}: {key!r} is empty")
    for page in ARTICLES:
        where = f"seed {page.get('seed')}"
        if not re.fullmatch(r"\d{3}", str(page.get("seed"))):
            problems.append(f"{where}: seed must be three digits")
        if urlsplit(str(page.get("url"))).scheme != "https":
            problems.append(f"{where}: url must be an absolute https URL")
        try:
            if len(str(page.get("published"))) != 10:
                raise ValueError
            date.fromisoformat(str(page.get("published")))
        except ValueError:
            problems.append(f"{where}: published must be YYYY-MM-DD")
        if not re.fullmatch(r"[a-z]{2}", str(page.get("language"))):
            problems.append(f"{where}: language must be a two-letter code")
        if not all(isinstance(name, str) and name.strip() for name in page.get("authors", [])):
            problems.append(f"{where}: authors must be non-empty strings")
        if len(page.get("must_contain", [])) < 3:
            problems.append(f"{where}: must_contain needs the first, a middle and the last paragraph")
        if not page.get("must_not_contain"):
            problems.append(f"{where}: must_not_contain is empty")
        for snippet in page.get("must_contain", []) + page.get("must_not_contain", []):
            if not isinstance(snippet, str) or not snippet.strip():
                problems.append(f"{where}: empty or non-string snippet {snippet!r}")
            elif snippet != " ".join(snippet.split()):
                # extracted text is whitespace-normalised; such a snippet could never match it
                problems.append(f"{where}: snippet {snippet!r} has stray, double or non-breaking spaces")
    for key in ("seed", "file", "url"):
        values = [page.get(key) for page in ARTICLES]
        duplicated = sorted({value for value in values if values.count(value) > 1})
        if duplicated:
            problems.append(f"article {key} used twice: {duplicated}")
    assert not problems, "\n".join(problems)


def test_every_manifest_file_exists_in_the_fixture_site():
    entries = ARTICLES + MANIFEST.get("non_article", [])
    missing = [entry["file"] for entry in entries if not (FIXTURES / entry["file"]).is_file()]
    outside = [entry["file"] for entry in entries if not (FIXTURES / entry["file"]).resolve().is_relative_to(SITE)]
    assert not missing, f"manifest files that do not exist: {missing}"
    assert not outside, f"manifest files outside fixtures/site/: {outside}"


def test_groups_are_the_ones_the_seeds_call_for():
    groups: dict[str, set[str]] = {}
    for page in ARTICLES:
        groups.setdefault(page["group"], set()).add(page["seed"])
    assert {frozenset(seeds) for seeds in groups.values()} == EXPECTED_GROUPS


# -- the snippets ---------------------------------------------------------------------------------


@by_seed(ARTICLES)
def test_every_snippet_occurs_in_its_page_text(page):
    text = page_text(FIXTURES / page["file"])
    missing = [snippet for snippet in page["must_contain"] if snippet not in text]
    missing_clutter = [snippet for snippet in page["must_not_contain"] if snippet not in text]
    assert not missing, f"must_contain snippets not in the page: {missing}"
    assert not missing_clutter, f"must_not_contain snippets not in the page: {missing_clutter}"


def test_no_snippet_is_both_article_text_and_clutter():
    # the end-to-end tests check every page's clutter against every stored text
    article = [snippet for page in ARTICLES for snippet in page["must_contain"]]
    clutter = [(page["seed"], snippet) for page in ARTICLES for snippet in page["must_not_contain"]]
    overlaps = [(seed, snippet) for seed, snippet in clutter for text in article if snippet in text or text in snippet]
    assert not overlaps, f"clutter snippets that are also article text: {overlaps}"


# -- article metadata -----------------------------------------------------------------------------


def meta(root, attribute: str, value: str) -> list[str]:
    return root.xpath(f"//head/meta[@{attribute}=$value]/@content", value=value)


def json_ld_objects(root) -> list[dict]:
    objects = []
    for script in root.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                objects.append(item)
                stack.extend(item.get("@graph", []))
    return objects


def news_article(root) -> dict:
    found = [item for item in json_ld_objects(root) if "NewsArticle" in (item.get("@type") if isinstance(item.get("@type"), list) else [item.get("@type")])]
    assert len(found) == 1, f"expected one JSON-LD NewsArticle, found {len(found)}"
    return found[0]


@by_seed(ARTICLES)
def test_rel_canonical_and_og_url_are_the_manifest_url(page):
    root = parse_html(FIXTURES / page["file"])
    assert root.xpath('//head/link[@rel="canonical"]/@href') == [page["url"]]
    assert meta(root, "property", "og:url") == [page["url"]]


@by_seed(ARTICLES)
def test_article_metadata_matches_the_manifest(page):
    root = parse_html(FIXTURES / page["file"])
    assert root.get("lang", "").split("-")[0].lower() == page["language"]
    assert (root.findtext(".//head/title") or "").strip()
    assert meta(root, "property", "og:type") == ["article"]
    assert meta(root, "property", "og:site_name") == [page["sitename"]]
    assert meta(root, "property", "og:title") and meta(root, "property", "og:description")
    (published,) = meta(root, "property", "article:published_time")
    assert ISO_DATETIME.match(published) and published[:10] == page["published"]

    article = news_article(root)
    assert article["headline"] == page["title"]
    assert ISO_DATETIME.match(article["datePublished"]) and article["datePublished"][:10] == page["published"]
    publisher = article.get("publisher", {})
    if "@id" in publisher and "name" not in publisher:  # a Yoast-style graph points at its Organization
        publisher = next(item for item in json_ld_objects(root) if item.get("@id") == publisher["@id"])
    assert publisher.get("name") == page["sitename"]
    authors = article.get("author", [])
    authors = authors if isinstance(authors, list) else [authors]
    assert [author["name"] for author in authors] == page["authors"]


def test_json_ld_of_every_page_parses():
    for path in SITE.rglob("*.html"):
        for script in parse_html(path).xpath('//script[@type="application/ld+json"]'):
            json.loads(script.text)  # raises on a broken block


@by_seed(MANIFEST.get("non_article", []))
def test_non_article_pages_do_not_look_like_articles(page):
    root = parse_html(FIXTURES / page["file"])
    assert meta(root, "property", "og:type") != ["article"]
    assert not [item for item in json_ld_objects(root) if "Article" in str(item.get("@type"))]


def test_the_empty_page_has_an_empty_body():
    assert page_text(SITE / "empty.html") == ""


# -- the site: links, feed, sitemap, robots.txt ---------------------------------------------------


def html_links(path: Path) -> list[str]:
    return parse_html(path).xpath("//a/@href | //link/@href")


def feed_links(path: Path) -> list[str]:
    return lxml.etree.parse(str(path)).xpath("//channel/link/text() | //item/link/text()")


def sitemap_links(path: Path) -> list[str]:
    return lxml.etree.parse(str(path)).xpath("//sm:url/sm:loc/text()", namespaces=SITEMAP_NS)


def robots_links(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sitemap:")]


# the pages a crawler starts from, and how to read their links
LISTINGS = {"index.html": html_links, "feed.xml": feed_links, "sitemap.xml": sitemap_links, "robots.txt": robots_links}


def linked_files(site: Path, name: str) -> set[Path]:
    """The local files a listing page of ``site`` links to (its links are all relative)."""
    path = site / name
    return {(path.parent / unquote(urlsplit(href.strip()).path)).resolve() for href in LISTINGS[name](path)}


def orphans(site: Path, manifest_files: list[str]) -> set[str]:
    """Files of ``site`` neither named by the manifest nor linked from a listing page."""
    reachable = {(site.parent / file).resolve() for file in manifest_files}
    reachable.add((site / "robots.txt").resolve())  # found by its well-known name
    for name in LISTINGS:
        reachable |= linked_files(site, name)
    return {str(path.relative_to(site)) for path in site.rglob("*") if path.is_file() and path.resolve() not in reachable}


def manifest_files() -> list[str]:
    return [entry["file"] for entry in ARTICLES + MANIFEST.get("non_article", [])]


def test_no_orphan_fixtures():
    assert not orphans(SITE, manifest_files())


def test_orphan_check_finds_an_unlinked_file(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "articles" / "stray.html").write_text("<html><body><p>stray</p></body></html>")
    assert orphans(site, manifest_files()) == {"articles/stray.html"}


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_listing_links_are_relative_and_lead_to_existing_files(name):
    links = LISTINGS[name](SITE / name)
    assert links
    absolute = [href for href in links if urlsplit(href).scheme or urlsplit(href).netloc or href.startswith("/")]
    assert not absolute, f"{name}: links must be relative to work over file:// and http: {absolute}"
    broken = sorted(str(path) for path in linked_files(SITE, name) if not path.is_file())
    assert not broken, f"{name}: links to missing files: {broken}"


def test_no_page_uses_root_relative_links():
    # "/x" resolves to the file system root over file://; relative and absolute URLs work everywhere
    found = []
    for path in SITE.rglob("*.html"):
        for value in parse_html(path).xpath("//@href | //@src | //@action"):
            if value.startswith("/") and not value.startswith("//"):
                found.append((str(path.relative_to(SITE)), value))
    assert not found


def test_front_page_feed_and_sitemap_each_list_every_article():
    articles = {(FIXTURES / page["file"]).resolve() for page in ARTICLES}
    for name in LISTINGS:
        if name != "robots.txt":
            assert articles <= linked_files(SITE, name), f"{name} misses articles"
    feed_items = {(SITE / href).resolve() for href in lxml.etree.parse(str(SITE / "feed.xml")).xpath("//item/link/text()")}
    assert feed_items == articles
    assert {(SITE / href).resolve() for href in sitemap_links(SITE / "sitemap.xml")} == articles


def test_feed_is_rss_2_with_the_manifest_titles_and_dates():
    root = lxml.etree.parse(str(SITE / "feed.xml")).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    expected = {str((FIXTURES / page["file"]).resolve()): page for page in ARTICLES}
    for item in root.iterfind("channel/item"):
        page = expected[str((SITE / item.findtext("link")).resolve())]
        assert item.findtext("title") == page["title"]
        assert parsedate_to_datetime(item.findtext("pubDate")).date().isoformat() == page["published"]


def test_sitemap_is_a_google_news_sitemap_matching_the_manifest():
    root = lxml.etree.parse(str(SITE / "sitemap.xml")).getroot()
    expected = {str((FIXTURES / page["file"]).resolve()): page for page in ARTICLES}
    urls = root.findall("sm:url", SITEMAP_NS)
    assert len(urls) == len(ARTICLES)
    for url in urls:
        page = expected[str((SITE / url.findtext("sm:loc", namespaces=SITEMAP_NS)).resolve())]
        news = url.find("news:news", SITEMAP_NS)
        assert news.findtext("news:title", namespaces=SITEMAP_NS) == page["title"]
        assert news.findtext("news:publication/news:name", namespaces=SITEMAP_NS) == page["sitename"]
        assert news.findtext("news:publication/news:language", namespaces=SITEMAP_NS) == page["language"]
        published = news.findtext("news:publication_date", namespaces=SITEMAP_NS)
        assert ISO_DATETIME.match(published) and published[:10] == page["published"]


def test_robots_txt_allows_everything_and_names_the_sitemap():
    parser = urllib.robotparser.RobotFileParser()
    parser.parse((SITE / "robots.txt").read_text(encoding="utf-8").splitlines())
    for entry in ARTICLES + MANIFEST.get("non_article", []):
        assert parser.can_fetch("wiredup", "/" + entry["file"].removeprefix("site/"))
    assert parser.site_maps() == ["sitemap.xml"]
