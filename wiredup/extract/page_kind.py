"""Pages that are not articles, told apart before extraction (Scrapy-free).

Section fronts, tag pages, galleries, video pages, paywall stubs and error
pages each get a short stable reason that the crawl counts skips by
(``wiredup/skipped/<reason>``). Each rule needs two signs, one of which says
"no article here", because a false skip loses an article while a missed one
is still caught by the minimum text length.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

ERROR_TITLE = re.compile(
    r"\b(404|410|page not found|not found|no longer available|does not exist|error)\b", re.IGNORECASE
)
LISTING_SEGMENTS = {"tag", "tags", "topic", "topics", "category", "categories", "section", "sections", "author", "authors"}
GALLERY_SEGMENTS = {"gallery", "galleries", "photos", "slideshow", "pictures"}
VIDEO_SEGMENTS = {"video", "videos", "watch", "tv"}
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "opinionnewsarticle"}
FRONT_MIN_HEADLINES = 8  # linked headlines to other pages of the site a section front shows at least
STUB_MAX_CHARS = 1200  # a paywalled page shows a lead and a prompt, not the article
# Text left once a front's teasers are pruned: its intro at most. Guides and listicles with many
# linked headings keep 900+ characters (three WCXB dev articles were lost at 2400).
FRONT_MAX_CHARS = 600


def non_article_reason(tree, url: str, text_chars: int, teasers: int = 0) -> tuple[str, str] | None:
    """Why the page is no article, as ``(reason, detail)``, or None when it may be one.

    ``text_chars`` is the length of the text extracted from the page, ``teasers``
    how many linked headlines of other pages of the site were pruned from it.

    >>> from lxml import html
    >>> page = html.fromstring('<html><head><title>Page not found</title></head><body><p>Sorry.</p></body></html>')
    >>> non_article_reason(page, "https://daily.example/missing", 6)
    ('error_page', 'Page not found')
    >>> page = html.fromstring('<html><head><meta property="og:type" content="article"><title>Envoy</title></head><body>x</body></html>')
    >>> non_article_reason(page, "https://daily.example/2024/envoy", 3000) is None
    True
    """
    types = _declared_types(tree)
    is_article = bool(types & ARTICLE_TYPES)
    urls = [url, *tree.xpath('//link[@rel="canonical"]/@href')]
    segments = {part.lower() for address in urls for part in urlsplit(address.strip()).path.split("/") if part}
    title = " ".join((tree.findtext(".//title") or "").split())
    if ERROR_TITLE.search(title) and text_chars < STUB_MAX_CHARS and not is_article:
        return "error_page", title
    if _paywalled(tree) and text_chars < STUB_MAX_CHARS:
        return "paywall_stub", f"{text_chars} characters"
    if not is_article:
        if "videoobject" in types or any(kind.startswith("video") for kind in types) or (segments & VIDEO_SEGMENTS and tree.xpath("//video")):
            return "video_page", ", ".join(sorted(types)) or "video"
        if "imagegallery" in types or (segments & GALLERY_SEGMENTS and text_chars < STUB_MAX_CHARS):
            return "gallery", ", ".join(sorted(types)) or "gallery"
        if segments & LISTING_SEGMENTS and text_chars < 2 * STUB_MAX_CHARS:
            return "tag_page", "/".join(sorted(segments & LISTING_SEGMENTS))
        if teasers >= FRONT_MIN_HEADLINES and text_chars < FRONT_MAX_CHARS:
            return "section_front", f"{teasers} linked headlines"
    return None


def declares_article(tree) -> bool:
    """The page says it is an article (og:type or JSON-LD @type).

    >>> from lxml import html
    >>> declares_article(html.fromstring('<html><head><meta property="og:type" content="article"></head><body>x</body></html>'))
    True
    """
    return bool(_declared_types(tree) & ARTICLE_TYPES)


def _declared_types(tree) -> set[str]:
    """og:type and JSON-LD @type values, lower-cased."""
    types = {value.strip().lower() for value in tree.xpath('//meta[@property="og:type"]/@content')}
    for item in _json_ld(tree):
        declared = item.get("@type")
        for value in declared if isinstance(declared, list) else [declared]:
            if isinstance(value, str):
                types.add(value.lower())
    return types


def _paywalled(tree) -> bool:
    for item in _json_ld(tree):
        if str(item.get("isAccessibleForFree", "true")).lower() == "false":
            return True
    return False


def _json_ld(tree) -> list[dict]:
    objects = []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return objects
