"""Pages that are not articles, told apart before extraction (Scrapy-free).

Section fronts, tag pages, galleries, video pages, paywall stubs, error
pages and pages declaring themselves products, collections, forum threads or
profiles (and no article) each get a short stable reason that the crawl counts skips by
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
# Types a page declares (JSON-LD @type, og:type) for what is not an article, by the reason it is skipped under;
# only on pages declaring no article type besides. Not ItemList: a listicle declares one (WCXB dev: 12 articles)
DECLARED_KINDS = {
    "product_page": {"product", "productgroup", "product.group", "itempage", "offercatalog", "ebay-objects:item"},
    "listing_page": {"collectionpage", "searchresultspage", "ebay-objects:ecommerce"},
    "forum_page": {"qapage", "discussionforumposting"},
    "profile_page": {"profilepage"},
}
FRONT_MIN_HEADLINES = 8  # linked headlines to other pages of the site a section front shows at least
STUB_MAX_CHARS = 1200  # a paywalled page shows a lead and a prompt, not the article
GATED_MIN_CHARS = 200  # a declared paywalled part holding less than this is not served (an empty box, a teaser line)
PAYWALL_BOX = re.compile(r"paywall|pay-wall|regwall|subscriber-only|premium-(gate|content-gate)|meter-?wall|content-gate", re.IGNORECASE)
_PAYWALL_BOXES = "//*[contains(@class, 'wall') or contains(@id, 'wall') or contains(@class, 'gate') or contains(@id, 'gate') or contains(@class, 'subscriber')]"
SUBSCRIBE_PROMPT = re.compile(r"subscri|sign in|log in|register|abonn|abonni", re.IGNORECASE)
SIMPLE_SELECTOR = re.compile(r"([a-z][a-z0-9]*)?([.#])([\w-]+)", re.IGNORECASE)
# Text left once a front's teasers are pruned: its intro at most. Guides and listicles with many
# linked headings keep 900+ characters (three WCXB dev articles were lost at 2400).
FRONT_MAX_CHARS = 600


def non_article_reason(tree, url: str, text: str, teasers: int = 0) -> tuple[str, str] | None:
    """Why the page is no article, as ``(reason, detail)``, or None when it may be one.

    ``text`` is the text extracted from the page, ``teasers``
    how many linked headlines of other pages of the site were pruned from it.

    >>> from lxml import html
    >>> page = html.fromstring('<html><head><title>Page not found</title></head><body><p>Sorry.</p></body></html>')
    >>> non_article_reason(page, "https://daily.example/missing", "Sorry.")
    ('error_page', 'Page not found')
    >>> page = html.fromstring('<html><head><meta property="og:type" content="article"><title>Envoy</title></head><body>x</body></html>')
    >>> non_article_reason(page, "https://daily.example/2024/envoy", "Paris recalled its envoy. " * 120) is None
    True
    """
    text_chars = len(text)
    types = _declared_types(tree)
    is_article = bool(types & ARTICLE_TYPES)
    urls = [url, *tree.xpath('//link[@rel="canonical"]/@href')]
    segments = {part.lower() for address in urls for part in urlsplit(address.strip()).path.split("/") if part}
    title = " ".join((tree.findtext(".//title") or "").split())
    if ERROR_TITLE.search(title) and text_chars < STUB_MAX_CHARS and not is_article:
        return "error_page", title
    if text_chars < STUB_MAX_CHARS and (evidence := paywall_evidence(tree)):
        return "paywall_stub", f"{text_chars} characters, {evidence}"
    if not is_article:
        if "videoobject" in types or any(kind.startswith("video") for kind in types) or (segments & VIDEO_SEGMENTS and tree.xpath("//video")):
            return "video_page", ", ".join(sorted(types)) or "video"
        if "imagegallery" in types or (segments & GALLERY_SEGMENTS and text_chars < STUB_MAX_CHARS):
            return "gallery", ", ".join(sorted(types)) or "gallery"
        for reason, kinds in DECLARED_KINDS.items():
            if types & kinds:
                return reason, ", ".join(sorted(types & kinds))
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


def paywall_evidence(tree) -> str | None:
    """What shows the page withholds its article behind a paywall, or None.

    Publishers declare ``isAccessibleForFree: false`` on every article of a
    metered or subscription site, served in full or not, and a short real
    article (a brief) is short either way: the declaration is needed but not
    enough. Evidence is that the part it declares gated (``hasPart``'s
    ``cssSelector``) is missing or nearly empty, or a paywall box
    (``PAYWALL_BOX`` id or class) asking the reader to subscribe or sign in.

    >>> from lxml import html
    >>> declared = '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
    >>> gated = declared.replace('}', ', "hasPart": {"isAccessibleForFree": "False", "cssSelector": ".body"}}')
    >>> served = '<div class="body"><p>' + 'The council met on Tuesday. ' * 10 + '</p></div>'
    >>> paywall_evidence(html.fromstring(f'<html><head>{gated}</head><body><p>Lead.</p></body></html>'))
    'gated .body missing'
    >>> paywall_evidence(html.fromstring(f'<html><head>{gated}</head><body>{served}</body></html>')) is None
    True
    >>> prompt = '<div id="paywall-box"><p>Subscribe to keep reading.</p></div>'
    >>> paywall_evidence(html.fromstring(f'<html><head>{declared}</head><body><p>Lead.</p>{prompt}</body></html>'))
    'paywall box paywall-box'
    """
    items = _json_ld(tree)
    if not any(_not_free(item) for item in items):
        return None
    for item in items:
        for part in item.get("hasPart") if isinstance(item.get("hasPart"), list) else [item.get("hasPart")]:
            if isinstance(part, dict) and _not_free(part) and isinstance(part.get("cssSelector"), str):
                selector = part["cssSelector"].strip()
                gated = _select(tree, selector)
                if gated is not None and sum(len(" ".join(e.text_content().split())) for e in gated) < GATED_MIN_CHARS:
                    return f"gated {selector} missing"
    for box in tree.xpath(_PAYWALL_BOXES):
        name = f"{box.get('id') or ''} {box.get('class') or ''}"
        if PAYWALL_BOX.search(name) and SUBSCRIBE_PROMPT.search(box.text_content()):
            return "paywall box " + " ".join(name.split())
    return None


def _not_free(item: dict) -> bool:
    """The JSON-LD object declares ``isAccessibleForFree`` false (a boolean or a string)."""
    return str(item.get("isAccessibleForFree", "true")).strip().lower() == "false"


def _select(tree, selector: str) -> list | None:
    """The elements a simple CSS selector list (``.a``, ``#b``, ``div.c``, comma-separated) picks, None for others."""
    found = []
    for one in selector.split(","):
        match = SIMPLE_SELECTOR.fullmatch(one.strip())
        if not match:
            return None
        tag, marker, name = match.groups()
        test = f"@id='{name}'" if marker == "#" else f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
        found += tree.xpath(f"//{tag or '*'}[{test}]")
    return found


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
