"""Pages that are not articles, told apart before extraction (Scrapy-free).

Section fronts, tag pages, galleries, video pages, paywall stubs, error
pages and pages declaring themselves products, collections, forum threads or
profiles (and no article) each get a short stable reason that the crawl counts skips by
(``wiredup/skipped/<reason>``); listings that declare nothing (category,
search and shop-grid pages, section fronts) are told by a listing score on
pages without article evidence (``listing``). Each rule needs two signs, one
of which says "no article here", because a false skip loses an article while
a missed one is only stored clutter.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

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
    items = _json_ld(tree)
    head = _head_facts(tree, url)
    types = _declared_types(tree, items, head["og_types"])
    is_article = bool(types & ARTICLE_TYPES)
    segments = {part.lower() for path in head["canonical_paths"] for part in path.split("/") if part}
    title = head["page_title"]
    if ERROR_TITLE.search(title) and text_chars < STUB_MAX_CHARS and not is_article:
        return "error_page", title
    if text_chars < STUB_MAX_CHARS and (evidence := paywall_evidence(tree, items)):
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
    if article_evidence(head, types, items) is None:
        signs = listing_signs(tree, url, text, teasers, head, types, items)
        if (score := listing_score(signs)) > LISTING_SCORE_MIN and shows_listing(signs):
            return "listing", f"score {score:.1f}: {_explain(signs)}"
    return None


# Listing pages (section fronts, category, search and shop-grid pages) mostly declare nothing. They are
# skipped as "listing" on two independent signs: no article evidence (article_evidence: a date or an id in
# the URL, a story slug, an article declared with its date or author) and a listing score over
# LISTING_SCORE_MIN (listing_score). WCXB dev (bench/page_kind.py --halves, bench/README.md, issue 19): 12% of
# wcxb-dev-articles' pages and 81% of wcxb-dev-other's listing and collection pages show no article evidence.
ARTICLE_SLUG_WORDS = 5  # words in a URL's last segment naming one story ("envoy-recalled-after-talks-fail"); 4 when in the title
SLUG_WORD = re.compile(r"[^\W_]+")
# A slug's word naming something: 3+ letters, a number after them at most ("light2"), not a code ("37v7jznik1zy7ok",
# nike.com's category of a collection page) nor a number
NAMING_WORD = re.compile(r"[^\W\d_]{3,}\d*")
URL_DATE_OR_ID = re.compile(r"/(?:19|20)\d\d[/-]?(?:0[1-9]|1[0-2])(?:[/-]?[0-3]\d)?(?:/|$)|(?:19|20)\d\d(?:0[1-9]|1[0-2])[0-3]\d|\d{5,}")
# An id that numbers a category, not a story: one in a path segment after a category's marker ("/cp/instant-pot/4779092",
# "/c/buy/Mirrorless-Cameras/ci/24049", "/directory/8010427/houston", "/recipes/17562/dinner/") or glued to a
# category's letters ("sofas-c413892", "cat1920001", "bn_7000259855"). Read out of the path before URL_DATE_OR_ID:
# wcxb-dev-other, 9 of its 12 listings and collections whose only article evidence was such an id; no
# wcxb-dev-articles page (68 with an id in their URL) has one
CATEGORY_ID = re.compile(r"/(?:c|ci|cp|cat|b|category|categories|directory|recipes)/(?:[^/]+/)?[^/]*?\d{5,}|(?:^|[-/_])(?:c|cat|bn_?)\d{5,}", re.IGNORECASE)
# Query parameters that track a visit (campaigns, clicks, shares), not search, filter or sort a list
TRACKING_PARAMETER = re.compile(
    r"utm_\w+|srsltid|fbclid|gclid|dclid|msclkid|igshid|mkt_tok|_ga|_gl|icid|cid|ito|smid|ref|ref_src|cmp|cmpid|cm_\w+|mc_\w+"
    r"|ns_\w+|at_\w+|ocid|src|source|share",
    re.IGNORECASE,
)
PAGE_NUMBER = re.compile(r"/page/\d+|[?&]p(?:age)?=\d+(?:&|$)", re.IGNORECASE)
TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·•»]\s+|\s*::\s*")  # "Local News | Valley Gazette"
DATE_META = {"article:published_time", "og:published_time", "pubdate", "publishdate", "date", "dc.date", "dc.date.issued",
             "sailthru.date", "parsely-pub-date", "article:modified_time"}
AUTHOR_META = {"author", "article:author"}
# Controls of a shop grid and of a list loading more items, as printed: their usual case variants, searched for
# in one case-sensitive pass (a page's text runs to megabytes with its scripts; re.IGNORECASE is ten times slower)
SHOP_CONTROLS = re.compile("|".join(map(re.escape, (
    "Sort by", "Sort By", "SORT BY", "sort by", "Filter by", "Filter By", "FILTER BY", "Add to cart", "Add to Cart", "ADD TO CART",
    "Add to bag", "Add to Bag", "ADD TO BAG", "Add to basket", "Add to Basket", "Quick view", "Quick View", "QUICK VIEW",
    "Quick shop", "Quick Shop",
))))
MORE_ITEMS = re.compile("|".join(map(re.escape, (
    "Load more", "Load More", "LOAD MORE", "Older posts", "Older Posts", "Next page", "Next Page", "Page 1 of", "View more",
    "View More", "Show more", "Show More", "SHOW MORE",
))))
# A price as shops print it: a currency sign and a digit ("$12.99", "US$1,299", "€ 49", "£5") or a digit and
# a euro sign ("12,99 €"), one pattern a sign each, tried only when the sign is on the page (a regex over a
# shop page's text starting with a character class costs milliseconds, one starting with a literal skips to it).
# Counted on the page and in the extracted text: a shop grid prints a price on every item and trafilatura
# keeps few of them, while a buying guide or a cost article keeps its prices in its prose
PRICE_PATTERNS = {"$": (re.compile(r"\$\s?\d"),), "£": (re.compile(r"£\s?\d"),), "€": (re.compile(r"€\s?\d"), re.compile(r"\d\s?€"))}
# Prices printed outside the extracted text that show a grid of items for sale, as FRONT_MIN_HEADLINES do a front
# (4 or 12 skip the same listings within one, bench/page_kind.py --halves)
GRID_MIN_PRICES = 8
UNSHOWN_ELEMENTS = ("script", "style", "noscript", "template")  # their text is not printed on the page
PROSE_END = tuple(".!?\"”:…。！？»")
PROSE_MIN_CHARS = 60  # a line of running prose, not a headline or a product name
# The listing score: LISTING_BIAS plus each sign (listing_signs) times its weight, positive for a listing's
# signs, negative for an article's. A logistic regression (L2 0.05, standardised signs) fitted on the tuning
# half only (half of wcxb-dev-other's listing and collection pages and of wcxb-dev-articles' pages, by a hash
# of the page id, those without article evidence and not skipped otherwise: 75 listings, 48 articles), by
# bench/page_kind_fit.py. Refitted when path_depth and category_path were added (the URL's place in the site):
# the tuning half's articles then score 0.4 at most (0.9 before), the threshold falls to 1.5. With the evidence
# refined (CATEGORY_ID, NAMING_WORD): held half 64 -> 72 of 99 listings and collections skipped (tuning half 68 ->
# 79 of 117), articles skipped unchanged (1 of 793 as a listing, 0 of 94).
LISTING_WEIGHTS = {
    "dated": -1.99,  # a publication date in the head or JSON-LD
    "declares_article": -0.92,  # og:type or JSON-LD @type an article
    "slug_words": -0.27,  # per word of the URL's last segment, up to 6
    "title_words": -0.07,  # per word of the title's longest part, up to 12: a listing is named in a few words
    "h1_words": -0.17,  # per word of the first <h1>, up to 12
    "prose_lines": -0.13,  # per log of the extracted text's lines of running prose
    "text_chars": -0.30,  # per log of the extracted text's characters
    "teasers": 0.29,  # per log of the linked headlines of other pages pruned (prune_teasers)
    "paginated": 1.30,  # rel=next, /page/2, ?page=2
    "more_items": 1.02,  # "Load more", "Older posts", "Show more" printed on the page
    "query": 1.26,  # a query string besides tracking parameters (search, filter, sort)
    "shop_controls": 1.33,  # "Sort by", "Filter by", "Add to cart", "Quick view" printed on the page
    "link_share": 3.12,  # the share of the page's text that is link text, 0 to 1
    "grid_prices": 0.43,  # per log of the prices printed on the page and not in the extracted text
    "path_depth": -0.26,  # per segment of the page's deepest URL path, up to 5: a listing sits near the root
    "category_path": 0.75,  # a segment of the page's URL paths names a catalogue (CATEGORY_SEGMENTS)
}
LISTING_BIAS = 3.83
# Over this, a listing (with shows_listing): on the tuning half, the lowest threshold (of 0.5, 1, 1.5, ...)
# skipping none of its articles is 0.5; 1.0 more as a margin, since a false skip loses an article (and its F1)
# while a missed listing is stored clutter. readability-pages, held out (its URLs are all
# "http://fakehost/test/<name>/page.html": no slug, date or id), keeps all its articles 0.6 under it at least.
LISTING_SCORE_MIN = 1.5
# Path segments naming a shop's or a catalogue's part, not a story's: "/c/fire-pits", "/category/shoes/trail-running",
# "/products/bike", "/browse/shoes/mens/sneakers", "/collections/womens-jackets", "/departments/tools". On pages without
# article evidence, the segments of 32% (45 of 142) of wcxb-dev-other's listings and collections and of 1 of 123 articles
# (dictionary.com/browse/restaurant). Not "topic(s)" nor "collection": explainers live there (4 and 3 articles, 2 and 1 listings)
CATEGORY_SEGMENTS = {"c", "category", "categories", "collections", "products", "browse", "departments", "shop", "catalog", "list", "recipes", "jobs"}
PATH_MAX_DEPTH = 5  # segments of a URL path counted: a story is as deep as a long one
LISTING_LINK_SHARE = 0.3  # of the page's text in links: a page of links (wcxb-dev-articles: 5% of its pages, 23% of listings and collections)


def article_evidence(head: dict, types: set[str], items: list[dict]) -> str | None:
    """What says the page is one story (``head``: its ``_head_facts``), or None.

    >>> article_evidence({"paths": ["/2024/05/02/envoy"], "title": "", "dated": False, "bylined": False}, set(), [])
    'url date or id'
    >>> article_evidence({"paths": ["/world"], "title": "World", "dated": True, "bylined": True}, {"newsarticle"}, [])
    'dated article'
    >>> article_evidence({"paths": ["/world"], "title": "World news", "dated": False, "bylined": False}, set(), []) is None
    True
    >>> article_evidence({"paths": ["/cp/instant-pot/4779092"], "title": "", "dated": False, "bylined": False}, set(), []) is None
    True
    """
    if any(URL_DATE_OR_ID.search(CATEGORY_ID.sub("/", path)) for path in head["paths"]):
        return "url date or id"
    words = _slug_words(head["paths"])
    named = [word for word in words if NAMING_WORD.fullmatch(word)]
    if len(words) >= ARTICLE_SLUG_WORDS or (len(named) >= ARTICLE_SLUG_WORDS - 1 and sum(w in head["title"] for w in named) * 2 >= len(named)):
        return "story slug"
    declared = bool(types & ARTICLE_TYPES)
    dated = head["dated"] or any("datePublished" in item for item in items)
    bylined = head["bylined"] or any("author" in item for item in items)
    if dated and (declared or bylined):
        return "dated article"
    if declared and bylined:
        return "bylined article"
    return None


def listing_signs(tree, url: str, text: str, teasers: int, head: dict, types: set[str], items: list[dict]) -> dict[str, float]:
    """The signs the listing score weighs, by name: flags (0 or 1), counts (log), shares (0 to 1).

    ``head`` is the page's ``_head_facts``, ``types`` its declared types, ``items`` its JSON-LD objects. The
    page's text is the text its body prints (``printed_text``), which ``link_share`` is a share of.

    >>> from lxml import html
    >>> page = html.fromstring('<html><head><title>Shoes | Shop</title><link rel="next" href="?page=2"></head>'
    ...     '<body><h1>Shoes</h1><p>Sort by</p>' + '<a href="/s">Shoe</a> $20 ' * 30 + '</body></html>')
    >>> signs = listing_signs(page, "https://shop.example/shoes", "Shoe $20", 0, _head_facts(page, "https://shop.example/shoes"), set(), [])
    >>> signs["paginated"], signs["shop_controls"], signs["title_words"], round(signs["link_share"], 2), round(math.expm1(signs["grid_prices"]))
    (1.0, 1.0, 1.0, 0.43, 29)
    """
    body = tree.find("body")
    page_text = printed_text(body if body is not None else tree)
    lines = [line for line in (line.strip() for line in text.split("\n")) if line]
    prose_lines = sum(1 for line in lines if len(line) >= PROSE_MIN_CHARS and line.endswith(PROSE_END))
    paginated = head["next"] or bool(PAGE_NUMBER.search(url))
    link_chars = 0
    for link in tree.iter("a"):
        paginated = paginated or link.get("rel") == "next"
        link_chars += len(link.text_content())
    query = urlsplit(url).query
    segments = [[part.lower() for part in path.split("/") if part] for path in head["paths"]]
    return {
        "dated": float(head["dated"] or any("datePublished" in item for item in items)),
        "declares_article": float(bool(types & ARTICLE_TYPES)),
        "slug_words": float(min(len(_slug_words(head["paths"])), 6)),
        "title_words": float(min(max((len(part.split()) for part in TITLE_SEPARATOR.split(head["page_title"])), default=0), 12)),
        "h1_words": float(min(len(head["h1"][0].split()), 12)) if head["h1"] else 0.0,
        "prose_lines": math.log1p(prose_lines),
        "text_chars": math.log1p(len(text)),
        "teasers": math.log1p(teasers),
        "paginated": float(paginated),
        "more_items": float(MORE_ITEMS.search(page_text) is not None),
        "query": float(any(not TRACKING_PARAMETER.fullmatch(key) for key, _ in parse_qsl(query))),
        "shop_controls": float(SHOP_CONTROLS.search(page_text) is not None),
        "link_share": min(1.0, link_chars / max(1, len(page_text))),
        "grid_prices": math.log1p(max(0, count_prices(page_text) - count_prices(text))),
        "path_depth": float(min(max(map(len, segments), default=0), PATH_MAX_DEPTH)),
        "category_path": float(any(part in CATEGORY_SEGMENTS for path in segments for part in path)),
    }


def count_prices(text: str) -> int:
    """How many prices ``text`` prints (PRICE_PATTERNS).

    >>> count_prices("Mug $12.99, Cup US$8 - Teapot 24,90 € - Plate € 5 - 3 items")
    4
    """
    return sum(len(pattern.findall(text)) for sign, patterns in PRICE_PATTERNS.items() if sign in text for pattern in patterns)


def printed_text(element) -> str:
    """The text ``element`` prints: its text as lxml serialises it, less that of its scripts and styles
    (UNSHOWN_ELEMENTS; a shop's page carries megabytes of them, and a "Load more" in a script is no button).

    Not article.visible_texts, the page's words read before its teasers are pruned (for its date lines): the
    listing signs were fitted on this text, read from the pruned page, its whitespace as it stands.

    >>> from lxml import html
    >>> printed_text(html.fromstring('<div><p>Shoes</p><script>var s = "Load more";</script><p>$20</p></div>'))
    'Shoes$20'
    """
    text = etree.tostring(element, method="text", encoding="unicode")
    kept, start = [], 0
    for hidden in element.iter(UNSHOWN_ELEMENTS):
        if hidden.text and (found := text.find(hidden.text, start)) >= 0:
            # lxml prints the elements' text in document order: each hidden text is found past the last one
            kept.append(text[start:found])
            start = found + len(hidden.text)
    kept.append(text[start:])
    return "".join(kept)


def shows_listing(signs: dict[str, float]) -> bool:
    """The page shows a sign of a listing itself, not only the absence of an article's: pagination, a "Load more",
    a search or filter query, shop controls, FRONT_MIN_HEADLINES teasers, LISTING_LINK_SHARE of link text or
    GRID_MIN_PRICES prices outside the extracted text.

    >>> shows_listing({"paginated": 0.0, "teasers": math.log1p(2), "link_share": 0.1})
    False
    >>> shows_listing({"paginated": 0.0, "teasers": math.log1p(12), "link_share": 0.1})
    True
    """
    return bool(
        any(signs.get(flag) for flag in ("paginated", "more_items", "query", "shop_controls"))
        or signs.get("teasers", 0.0) >= math.log1p(FRONT_MIN_HEADLINES)
        or signs.get("link_share", 0.0) >= LISTING_LINK_SHARE
        or signs.get("grid_prices", 0.0) >= math.log1p(GRID_MIN_PRICES)
    )


def listing_score(signs: dict[str, float]) -> float:
    """The weighted sum of ``signs`` (LISTING_WEIGHTS) and LISTING_BIAS: over LISTING_SCORE_MIN, a listing.

    >>> listing_score({}) == LISTING_BIAS
    True
    """
    return LISTING_BIAS + sum(LISTING_WEIGHTS.get(name, 0.0) * value for name, value in signs.items())


def _explain(signs: dict[str, float], count: int = 4) -> str:
    """The signs adding most to the listing score, strongest first, then the article signs missing.

    >>> _explain({"shop_controls": 1.0, "teasers": math.log1p(12), "dated": 0.0, "declares_article": 0.0, "link_share": 0.3})
    'shop_controls, link_share 0.3, teasers 12; no date, no article type'
    >>> _explain({"more_items": 1.0, "dated": 1.0, "prose_lines": math.log1p(2)})
    'more_items; 2 prose lines'
    """
    adding = sorted((name for name in signs if LISTING_WEIGHTS.get(name, 0.0) * signs[name] > 0),
                    key=lambda name: -LISTING_WEIGHTS[name] * signs[name])[:count]
    named = [name if name in _FLAGS else f"{name} {round(math.expm1(signs[name])) if name in _COUNTS else round(signs[name], 2)}" for name in adding]
    missing = [label for name, label in (("dated", "no date"), ("declares_article", "no article type")) if not signs.get(name, 1.0)]
    if "prose_lines" in signs:
        missing.append(f"{round(math.expm1(signs['prose_lines']))} prose lines")
    if "path_depth" in signs:
        missing.append(f"path depth {round(signs['path_depth'])}")
    return ", ".join(named) + ("; " + ", ".join(missing) if missing else "")


_FLAGS = {"dated", "declares_article", "paginated", "more_items", "query", "shop_controls", "category_path"}
_COUNTS = {"prose_lines", "text_chars", "teasers", "grid_prices"}


def _head_facts(tree, url: str) -> dict:
    """What the page's URLs (its own, canonical, og:url) and its head say: their paths (``canonical_paths``: its
    own and canonical), its title, og:type, date and author metadata, a rel=next link. Read in one pass over
    the page's ``<meta>`` and ``<link>`` elements, wherever they are (a page without ``<head>`` has them in its body)."""
    paths, dated, bylined, following = [urlsplit(url).path], False, False, False
    canonical_paths, og_types = [urlsplit(url.strip()).path], []
    titles, headings = [], []
    for element in tree.iter("meta", "link", "title", "h1"):
        if element.tag == "title":
            titles.append(element.text or "")
            continue
        if element.tag == "h1":
            headings.append(" ".join(element.text_content().split()))
            continue
        key = (element.get("property") or element.get("name") or "").lower()
        rel = (element.get("rel") or "").lower()
        address = element.get("href") if rel == "canonical" else element.get("content") if key == "og:url" else None
        if address and address.strip():
            paths.append(urlsplit(address.strip()).path)
            if rel == "canonical":
                canonical_paths.append(paths[-1])
        if key == "og:type" and element.get("property") and element.get("content") is not None:
            og_types.append(element.get("content"))
        following = following or rel == "next"
        dated = dated or key in DATE_META
        bylined = bylined or key in AUTHOR_META
    title = " ".join(titles[0].split()) if titles else ""
    return {"paths": paths, "canonical_paths": canonical_paths, "og_types": og_types, "page_title": title, "h1": headings,
            "title": " ".join([title, *headings]).lower(), "dated": dated, "bylined": bylined, "next": following}


def _slug_words(paths: list[str]) -> list[str]:
    """The words of the longest last path segment of ``paths`` (its extension dropped), lower-cased.

    >>> _slug_words(["/world", "/world/envoy-recalled-after-talks.html"])
    ['envoy', 'recalled', 'after', 'talks']
    """
    best: list[str] = []
    for path in paths:
        segments = [segment for segment in path.split("/") if segment]
        if segments:
            words = SLUG_WORD.findall(re.sub(r"\.\w{2,5}$", "", segments[-1]).lower())
            best = max(best, words, key=len)
    return best


def declares_article(tree) -> bool:
    """The page says it is an article (og:type or JSON-LD @type).

    >>> from lxml import html
    >>> declares_article(html.fromstring('<html><head><meta property="og:type" content="article"></head><body>x</body></html>'))
    True
    """
    return bool(_declared_types(tree) & ARTICLE_TYPES)


def _declared_types(tree, items: list[dict] | None = None, og_types: list[str] | None = None) -> set[str]:
    """og:type and JSON-LD @type values, lower-cased (``items``, ``og_types``: the page's JSON-LD objects and
    og:type values when read already)."""
    if og_types is None:
        og_types = tree.xpath('//meta[@property="og:type"]/@content')
    types = {value.strip().lower() for value in og_types}
    for item in _json_ld(tree) if items is None else items:
        declared = item.get("@type")
        for value in declared if isinstance(declared, list) else [declared]:
            if isinstance(value, str):
                types.add(value.lower())
    return types


def paywall_evidence(tree, items: list[dict] | None = None) -> str | None:
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
    items = _json_ld(tree) if items is None else items
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
