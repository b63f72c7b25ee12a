"""Listing pages skipped on two signs, no article evidence and a listing score; articles with listing signs kept.

The fixtures in fixtures/page_kinds/ are a shop category page, a shop grid whose only listing sign is a price
on every item (no sort, filter or pagination controls) and a news section page whose stories are linked titles
without headings (nothing declares them a listing, and each holds enough text to be stored), a sofa category whose
URL numbers the category ("sofas-c413892", no story's id), a lamp shop's category under /products/ (its path names a
catalogue), four articles
that show listing signs of their own ("Load more", "Add to cart", rel=next, teasers) but carry article
evidence: a story id or date in the URL, a story slug, an article declared with its author; an article
without evidence whose script holds the labels of listing controls it never prints; and an explainer without
evidence under /products/ with a "Show more" link, kept under the threshold by its prose.
"""

from __future__ import annotations

import math
import re

import pytest
from conftest import FIXTURES

from wiredup.extract import page_kind
from wiredup.extract.article import NotAnArticle, extract_article

PAGES = FIXTURES / "page_kinds"

# fixture -> (URL, text the page shows that must not be stored as an article)
LISTINGS = {
    "shop-category.html": ("https://outfitters.example/c/trail-running-shoes?sort=featured", "Trail running shoes give you the grip"),
    "section-listing.html": ("https://valleygazette.example/news/local/", "The old river bridge will close to heavy traffic"),
    "shop-grid-prices.html": ("https://potteryhouse.example/indoor-pots", "Our indoor pots are thrown, glazed and fired"),
    "shop-category-id.html": ("https://hearthandhome.example/furniture/sofas-c413892.html", "Fabric decides how a sofa wears"),
    "shop-category-path.html": ("https://lampworks.example/products/desk-lamps", "A desk lamp lights the work, not the room"),
}

# fixture -> (URL, a sentence of the article, the evidence that keeps it)
ARTICLES = {
    "short-news-article.html": (
        "https://valleygazette.example/news/local/bridge-reopens-4815162",
        "The old river bridge reopened to traffic on Friday morning",
        "url date or id",
    ),
    "listicle.html": (
        "https://gearlab.example/best-trail-running-shoes-for-beginners",
        "The best value: lighter than most shoes at its price",
        "story slug",
    ),
    "live-blog.html": (
        "https://valleygazette.example/news/live/2025/05/01/council-election-count",
        "the sitting councillor holds her seat with a majority of 312",
        "url date or id",
    ),
    "guide-with-chapters.html": (
        "https://gardenhub.example/guides/vegetable-garden/",
        "Vegetables need at least six hours of direct sun a day",
        "bylined article",
    ),
}


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_listing_page_is_skipped_with_its_signs(name):
    url, _ = LISTINGS[name]
    with pytest.raises(NotAnArticle) as skipped:
        extract_article(page(name), url)
    assert skipped.value.reason == "listing"
    assert skipped.value.detail.startswith("score ") and "no date" in skipped.value.detail


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_listing_page_is_stored_without_the_listing_rule(name, monkeypatch):
    """The listing rule is what skips it: no other rule does, and it holds enough text to be stored."""
    url, shown = LISTINGS[name]
    monkeypatch.setattr(page_kind, "LISTING_SCORE_MIN", math.inf)
    assert shown in extract_article(page(name), url).text


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_with_listing_signs_is_kept(name):
    url, sentence, _ = ARTICLES[name]
    assert sentence in extract_article(page(name), url).text


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_evidence_is_what_keeps_it(name, monkeypatch):
    """Its listing score alone would skip it: the second sign, article evidence, is needed."""
    url, _, evidence = ARTICLES[name]
    found = []
    real = page_kind.article_evidence
    monkeypatch.setattr(page_kind, "article_evidence", lambda *args: found.append(real(*args)))
    with pytest.raises(NotAnArticle) as skipped:
        extract_article(page(name), url)
    assert skipped.value.reason == "listing"
    assert found == [evidence]


def test_price_grid_is_what_skips_the_shop_grid(monkeypatch):
    """A price on each of its 24 items, printed outside the extracted text, is the shop grid's listing sign."""
    url, shown = LISTINGS["shop-grid-prices.html"]
    monkeypatch.setattr(page_kind, "GRID_MIN_PRICES", math.inf)
    monkeypatch.setitem(page_kind.LISTING_WEIGHTS, "grid_prices", 0.0)
    assert shown in extract_article(page("shop-grid-prices.html"), url).text


def test_listing_signs_read_the_printed_text_not_scripts():
    """ "Load more" and "Sort by" in a script's strings are no controls on the page: the article keeps no listing sign."""
    url = "https://stationnotes.example/notes/coastal-fog"
    html = page("article-script-load-more.html")
    assert "Load more" in html and "Sort by" in html
    assert "the last two dry summers were the exception" in extract_article(html, url).text
    found = []
    real = page_kind.listing_signs
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(page_kind, "listing_signs", lambda *args: found.append(real(*args)) or found[-1])
        extract_article(html, url)
    assert found and found[0]["more_items"] == 0.0 and found[0]["shop_controls"] == 0.0
    assert not page_kind.shows_listing(found[0])


def test_category_id_is_no_article_evidence(monkeypatch):
    """The sofa page's only article evidence was the number in its URL, a category's ("sofas-c413892"): read as a
    story's id, the page is stored."""
    url, shown = LISTINGS["shop-category-id.html"]
    monkeypatch.setattr(page_kind, "CATEGORY_ID", re.compile(r"(?!)"))
    assert shown in extract_article(page("shop-category-id.html"), url).text


@pytest.mark.parametrize("path, evidence", [
    ("/cp/instant-pot/4779092", None),
    ("/c/buy/Mirrorless-Cameras/ci/24049", None),
    ("/clothing/women/clearance/cat1920001", None),
    ("/news/local/bridge-reopens-4815162", "url date or id"),
    ("/c/2024/05/02/council-vote", "url date or id"),
])
def test_category_ids_are_read_out_of_the_url(path, evidence):
    head = {"paths": [path], "title": "", "dated": False, "bylined": False}
    assert page_kind.article_evidence(head, set(), []) == evidence


@pytest.mark.parametrize("path, title, evidence", [
    ("/w/mens-running-shoes-37v7jznik1zy7ok", "men's running shoes. nike.com", None),
    ("/garden-guides/houseplants-for-low-light2", "houseplants for low light", "story slug"),
])
def test_a_code_in_a_slug_names_nothing(path, title, evidence):
    """A category's code ("37v7jznik1zy7ok") is no word of a story's slug; a word with a number after it is."""
    head = {"paths": [path], "title": title, "dated": False, "bylined": False}
    assert page_kind.article_evidence(head, set(), []) == evidence


def test_category_path_is_what_skips_the_lamp_shop(monkeypatch):
    """ "/products/" in its URL tips the lamp shop's score over the threshold, and the skip says so."""
    url, shown = LISTINGS["shop-category-path.html"]
    with pytest.raises(NotAnArticle) as skipped:
        extract_article(page("shop-category-path.html"), url)
    assert "category_path" in skipped.value.detail and "path depth 2" in skipped.value.detail
    monkeypatch.setattr(page_kind, "CATEGORY_SEGMENTS", set())
    assert shown in extract_article(page("shop-category-path.html"), url).text


def test_explainer_under_a_category_path_is_kept():
    """No date, author or slug, "/products/" in its URL and a "Show more" link: its prose keeps it under the threshold."""
    url = "https://nimbuscloud.example/products/object-storage/what-is-it"
    html = page("explainer-products-path.html")
    found = []
    real = page_kind.listing_signs
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(page_kind, "listing_signs", lambda *args: found.append(real(*args)) or found[-1])
        text = extract_article(html, url).text
    assert "Object storage keeps data as objects in a flat address space" in text
    assert found[0]["category_path"] == 1.0 and page_kind.shows_listing(found[0])
    assert page_kind.listing_score(found[0]) < page_kind.LISTING_SCORE_MIN
