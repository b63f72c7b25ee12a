"""Each known extraction failure kind, metadata field and non-article page, on a fixture of its own.

The fixtures in fixtures/extraction/ are small news pages built to show one failure each; those in
fixtures/non_articles/ are pages the crawl must skip, each with the reason it is counted under.
"""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path

import pytest
import trafilatura

from conftest import FIXTURES, Pipelines, fixture_item
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from wiredup.extract.article import DATE_PARAMS, NotAnArticle, extract_article
from wiredup.extract.page_kind import STUB_MAX_CHARS, paywall_evidence
from wiredup.extract.page_metadata import FIELDS, author_elements, page_author, read_metadata

FIRST = "The regional council voted on Tuesday to close the old river bridge to heavy traffic"
AFTER_AD = "Local businesses on both banks said the closure would add an hour to every delivery"
LAST = "a public meeting is planned at the town hall on the first Thursday of May."

# fixture -> (must contain, must not contain)
FAILURE_KINDS = {
    "comments-kept.html": ([FIRST, LAST], ["About time! That bridge has been shaking", "A ferry would be a waste of money", "3 comments"]),
    "body-split-by-ad-row.html": ([FIRST, AFTER_AD, LAST], ["Advertisement"]),
    "related-teasers.html": ([FIRST, LAST], ["School roof repairs finished", "Market hall traders win", "More from Riverside"]),
    "reprint-notice.html": ([FIRST, AFTER_AD, LAST], ["This story was first published by the Valley Gazette"]),
    # a page builder's grid without an article container: trafilatura's default drops the list
    "list-outside-article-container.html": ([FIRST, "Pier 3: corrosion reached 21 per cent", "Pier 5:", LAST], ["Home"]),
    # the date under the headline is the article's, the meta tag a stale template's (see test_shown_date_wins)
    "stale-published-meta.html": ([FIRST, LAST], ["April 17, 2024"]),
    # htmldate cannot read a timestamp with milliseconds and takes the update time (see test_declared_publication_wins)
    "declared-published-milliseconds.html": ([FIRST, LAST], []),
    # "03/01/2024" on an en-US page is March 1 (see test_slash_date_reads_month_first_on_us_pages)
    "slash-date-month-first.html": ([FIRST, LAST], ["03/01/2024"]),
    # the publication marked below the body by <time pubdate>, a stale meta date (see test_pubdate_marked_publication_wins)
    "pubdate-below-the-body.html": ([FIRST, LAST], ["Not before time"]),
    # "April 17, 2024. Updated: May 3, 2024" away from the headline (see test_date_printed_before_its_update_is_the_publication)
    "published-then-updated-below-the-body.html": ([FIRST, LAST], []),
    # headings linking to the site's own pages, but in the rows of a table the article is about: not teasers
    # an unclosed menu button nests <main> in the header, which trafilatura drops: only a dump of the page text was left
    "main-inside-header.html": ([FIRST, LAST], ["Local Roads", "covers roads and transport"]),
    # the headline opens trafilatura's text; the article keeps it as its title (see test_headline_is_the_title_not_the_text)
    "headline-in-body.html": ([FIRST, LAST], ["Council closes the old river bridge to heavy traffic"]),
    # a guide declared as an article: its headlines linking below its own path are its chapters, other stories' still teasers
    "guide-chapters.html": (
        [FIRST, "Chapter 2: Deliveries and businesses", AFTER_AD, "Chapter 3: Having your say", LAST],
        ["School roof repairs finished", "Market hall traders win"],
    ),
    # the same guide on a page declaring no article type: its article-body container tells its chapters apart
    "guide-chapters-in-article-body.html": (
        [FIRST, "Chapter 2: Deliveries and businesses", AFTER_AD, "Chapter 3: Having your say", LAST],
        ["School roof repairs finished", "Market hall traders win"],
    ),
    # a template closed the document early: the article after </html> is outside the tree trafilatura reads
    "content-after-closing-html.html": ([FIRST, AFTER_AD, LAST], ["Sport", "all rights reserved"]),
    # the layout holding the article beside its sidebar is called "sidebar-layout": trafilatura drops it, and
    # its fallback takes the whole layout, sidebar included
    "article-in-sidebar-layout.html": (
        [FIRST, "road maintenance this year.\nWho is affected by the closure\nLocal businesses on both banks", LAST],
        ["Popular this week", "Market hall traders win", "Want to republish"],
    ),
    # a page builder makes every block of the article a "widget", trafilatura's word for a box to drop
    "article-in-page-builder-widgets.html": (
        [FIRST, "Pier 5:", LAST],
        ["Popular this week", "Market hall traders win", "morning briefing"],
    ),
    # a brief on a subscription site: declared not free like every article there, but served whole (a kept paywall_stub before)
    "short-article-declared-not-free.html": (
        ["reopened to cyclists and pedestrians on Thursday morning", "a one-way system will run on the approach roads from Monday."],
        ["Subscribe", "all rights reserved"],
    ),
    # a date line, a bureau line and a byline at the top of the article container: metadata, not text
    "dateline-and-byline-at-top.html": (
        [FIRST, "By 2021, the council hopes to open a new crossing downstream", LAST],
        ["Updated 14 hours ago", "Courier Bureau", "09:01 AM", "By Jane Doe"],
    ),
    # read over file:// here; on another host than its canonical's, see test_teasers_linking_to_the_site_the_canonical_names_...
    "teasers-linking-to-canonical-site.html": ([FIRST, LAST], ["School roof repairs finished", "Market hall traders win"]),
    # a wiki's section headings each hold a small "[edit]" link to the site's own pages: headings, not teasers
    "section-headings-with-edit-links.html": (
        [FIRST, "Construction and early years", "Closure to heavy traffic", "Public consultation", LAST],
        ["Random article", "free licence"],
    ),
    # a timeline's entries each end with a date: the article's lines, not date lines (the date line above still goes)
    "timeline-entries-with-dates.html": (
        [FIRST, "Piers found corroded 2024/03/12", "Ferry service begins 2024/05/20", LAST],
        ["Published on", "all rights reserved"],
    ),
    # a listicle whose body is a list of named places, each linking to the site's page on it and described below its
    # name: the article's items, kept; the site's other stories after it (headlines over short leads) still teasers
    "listicle-of-linked-places.html": (
        ["The Boathouse", "the Boathouse serves the best eggs on the river", "Ferry Steps", "pours the strongest espresso", "lend blankets"],
        ["School roof repairs finished", "Market hall traders win", "More from Riverside"],
    ),
    # a page builder's post template: the block with the post's text is a "widget" to trafilatura, and also marked
    # "theme-post-content", which trafilatura's body selectors read: unmasked, the mark went too and the body was read
    # without its subheadings and list
    "page-builder-post-content-widget.html": (
        [FIRST, "What the inspectors found", "Pier 5: cracks in the concrete cap", "What happens next", LAST],
        ["morning briefing", "all rights reserved"],
    ),
    "comparison-table-headings.html": (
        ["Blue Line Ferries", "its only boat is thirty years old", "Estuary Crossings", "able to take delivery lorries", "first Thursday of May"],
        ["all rights reserved"],
    ),
}
NON_ARTICLES = {
    "section-front.html": "section_front",
    "tag-page.html": "tag_page",
    "gallery.html": "gallery",
    "video-page.html": "video_page",
    "paywall-stub.html": "paywall_stub",
    "error-page.html": "error_page",
    "product-page.html": "product_page",
}


def extract(path: Path):
    return extract_article(path.read_text(encoding="utf-8"), path.as_uri())


@pytest.mark.parametrize("name", sorted(FAILURE_KINDS))
def test_failure_kind_is_handled(name):
    must, must_not = FAILURE_KINDS[name]
    text = extract(FIXTURES / "extraction" / name).text
    assert not [snippet for snippet in must if snippet not in text], text
    assert not [snippet for snippet in must_not if snippet in text], text


def test_comments_fixture_shows_the_failure_of_trafilatura_defaults():
    html = (FIXTURES / "extraction" / "comments-kept.html").read_text(encoding="utf-8")
    assert "A ferry would be a waste of money" in trafilatura.extract(html)


def test_list_fixture_shows_the_failure_of_trafilatura_defaults():
    html = (FIXTURES / "extraction" / "list-outside-article-container.html").read_text(encoding="utf-8")
    assert "Pier 3:" not in trafilatura.extract(html, include_comments=False)


def test_main_inside_header_fixture_shows_the_failure_of_trafilatura_defaults():
    html = (FIXTURES / "extraction" / "main-inside-header.html").read_text(encoding="utf-8")
    assert "Local Roads" in trafilatura.extract(html, include_comments=False)


def test_content_after_closing_html_fixture_shows_the_failure_of_trafilatura_defaults():
    html = (FIXTURES / "extraction" / "content-after-closing-html.html").read_text(encoding="utf-8")
    text = trafilatura.extract(html, include_comments=False)
    assert "Sport" in text and FIRST not in text


@pytest.mark.parametrize("name", ["article-in-sidebar-layout.html", "article-in-page-builder-widgets.html"])
def test_layout_wrapper_fixtures_show_the_failure_of_trafilatura_defaults(name):
    html = (FIXTURES / "extraction" / name).read_text(encoding="utf-8")
    assert "Popular this week" in trafilatura.extract(html, include_comments=False)


def test_headline_is_the_title_not_the_text():
    path = FIXTURES / "extraction" / "headline-in-body.html"
    headline = "Council closes the old river bridge to heavy traffic"
    assert trafilatura.extract(path.read_text(encoding="utf-8")).startswith(headline)  # the failure
    article = extract(path)
    assert article.title == headline and article.text.startswith(FIRST)


def test_shown_date_wins_over_a_stale_meta_date():
    path = FIXTURES / "extraction" / "stale-published-meta.html"
    assert trafilatura.extract_metadata(path.read_text(encoding="utf-8")).date.startswith("2019-03-02")  # the failure
    assert extract(path).published == "2024-04-17"


def test_declared_publication_wins_over_htmldates_update_date():
    path = FIXTURES / "extraction" / "declared-published-milliseconds.html"
    assert trafilatura.extract_metadata(path.read_text(encoding="utf-8")).date.startswith("2024-05-03")  # the failure
    article = extract(path)
    assert article.published == "2024-04-17T08:00:00+02:00" and article.updated == "2024-05-03T10:00:00+02:00"


def test_slash_date_reads_month_first_on_us_pages():
    path = FIXTURES / "extraction" / "slash-date-month-first.html"
    assert trafilatura.extract_metadata(path.read_text(encoding="utf-8")).date == "2024-01-03"  # the failure: day first
    assert extract(path).published == "2024-03-01"


def test_pubdate_marked_publication_wins_over_a_stale_meta_date():
    path = FIXTURES / "extraction" / "pubdate-below-the-body.html"
    assert trafilatura.extract_metadata(path.read_text(encoding="utf-8")).date == "2024-04-10"  # the failure
    assert extract(path).published == "2024-04-17"  # not the comment's pubdate either


def test_date_printed_before_its_update_is_the_publication():
    path = FIXTURES / "extraction" / "published-then-updated-below-the-body.html"
    assert trafilatura.extract_metadata(path.read_text(encoding="utf-8")).date == "2024-05-03"  # the failure: the update
    article = extract(path)
    assert article.published == "2024-04-17" and article.updated == "2024-05-03T10:00:00+02:00"


def test_dateline_fixture_shows_the_failure_of_trafilatura_defaults():
    html = (FIXTURES / "extraction" / "dateline-and-byline-at-top.html").read_text(encoding="utf-8")
    text = trafilatura.extract(html, include_comments=False)
    assert "Updated 14 hours ago" in text and "Courier Bureau" in text and "By Jane Doe" in text


def test_short_article_declared_not_free_is_no_paywall_stub():
    """The declaration alone made it a stub: short, and isAccessibleForFree false. The part it gates is on the page."""
    path = FIXTURES / "extraction" / "short-article-declared-not-free.html"
    html = path.read_text(encoding="utf-8")
    assert '"isAccessibleForFree": false' in html and len(extract(path).text) < STUB_MAX_CHARS
    assert paywall_evidence(load_html(html)) is None
    assert paywall_evidence(load_html((FIXTURES / "non_articles" / "paywall-stub.html").read_text(encoding="utf-8")))


def test_seed_metadata_fields():
    article = extract(FIXTURES / "site/articles/hurriyet-azerbaijan-slams-french-pressure.html")
    assert article.published == "2024-04-17T14:42:00+03:00"  # the page's own offset, not shifted to UTC
    assert article.updated == "2024-04-17T14:58:00+03:00"
    assert article.section == "World"
    assert article.image.startswith("https://image.hurriyetdailynews.com/")
    assert article.canonical_url == "https://www.hurriyetdailynews.com/azerbaijan-slams-french-pressure-and-threats-after-paris-recalls-envoy-193174"
    assert article.sitename == "Hürriyet Daily News" and article.language == "en"


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.html")), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_metadata_reader_agrees_with_trafilatura_extract_metadata(path):
    """read_metadata skips trafilatura's license, category and tag searches; every other field must be its own."""
    tree = load_html(path.read_text(encoding="utf-8"))
    ours = read_metadata(tree, path.as_uri(), DATE_PARAMS)
    theirs = trafilatura.extract_metadata(tree, default_url=path.as_uri(), date_config=DATE_PARAMS)
    assert {name: getattr(ours, name) for name in FIELDS} == {name: getattr(theirs, name) for name in FIELDS}
    assert ours.title or ours.url  # the comparison saw a page, not two empty documents


def test_metadata_reader_tidies_values_as_trafilatura_does():
    page = load_html('<html><head><title>Pie &amp;amp; Mash </title><meta property="og:site_name" content="Camels &amp;amp; Chocolate ">'
                     '<meta name="description" content="Where to eat,&#160; we say.&#160;"></head><body><p>Text</p></body></html>')
    ours = read_metadata(page, "https://pies.example/mash", DATE_PARAMS)
    theirs = trafilatura.extract_metadata(page, default_url="https://pies.example/mash", date_config=DATE_PARAMS)
    assert (ours.title, ours.sitename, ours.description) == (theirs.title, theirs.sitename, theirs.description)
    assert ours.description == "Where to eat, we say." and ours.sitename == "Camels & Chocolate"


def test_authors_are_names_and_missing_metadata_is_none():
    paragraphs = "".join(f"<p>Paragraph {n} of a story about the bridge closure, long enough to be article text.</p>" for n in range(6))
    page = ('<html><head><meta name="author" content="By Jane Doe and John Roe; AFP"><title>Bridge</title></head>'
            f"<body><article><h1>Bridge</h1>{paragraphs}</article></body></html>")
    article = extract_article(page, "https://daily.example/bridge")
    assert article.authors == ["Jane Doe", "John Roe"]
    assert article.published is None and article.updated is None
    assert article.section is None and article.image is None and article.language is None


@pytest.mark.parametrize("name", sorted(NON_ARTICLES))
def test_non_article_page_is_skipped_with_its_reason(name):
    with pytest.raises(NotAnArticle) as skipped:
        extract(FIXTURES / "non_articles" / name)
    assert skipped.value.reason == NON_ARTICLES[name]


def test_non_article_skips_are_counted_by_the_crawl_pipelines(tmp_path):
    pipelines = Pipelines(tmp_path / "news.db")
    outcomes = [pipelines.process(fixture_item(f"non_articles/{name}")) for name in sorted(NON_ARTICLES)]
    pipelines.close()
    assert all(isinstance(outcome, str) for outcome in outcomes)
    for reason in NON_ARTICLES.values():
        assert pipelines.stats[f"wiredup/skipped/{reason}"] == 1


def test_seed_articles_are_not_taken_for_non_articles():
    for path in sorted((FIXTURES / "site" / "articles").glob("*.html")):
        assert extract(path).text


def test_every_extraction_fixture_is_used():
    used = {f"extraction/{name}" for name in FAILURE_KINDS} | {f"non_articles/{name}" for name in NON_ARTICLES}
    present = {str(path.relative_to(FIXTURES)) for folder in ("extraction", "non_articles") for path in (FIXTURES / folder).iterdir()}
    assert present == used


def test_stored_row_has_the_new_metadata_columns(tmp_path):
    import sqlite3

    pipelines = Pipelines(tmp_path / "news.db")
    pipelines.process(fixture_item("site/articles/rfi-france-russia-opposite-sides-armenia-azerbaijan.html"))
    pipelines.close()
    with sqlite3.connect(tmp_path / "news.db") as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM articles").fetchone()
    assert row["published"] == "2024-04-17T15:04:00+02:00" and row["updated"] == "2024-04-17T15:11:00+02:00"
    assert row["section"] == "International" and row["image"].startswith("https://s.rfi.fr/")
    assert json.loads(row["authors"]) == []


def test_teasers_linking_to_the_site_the_canonical_names_are_pruned_on_another_host():
    """A story served from a syndication host (or a mirror) declares its site by its canonical URL: teasers
    linking there are the site's other stories, pruned as on the site itself (before, only the host the page
    was fetched from counted, and they were kept as if they were sources the article links to)."""
    html = (FIXTURES / "extraction" / "teasers-linking-to-canonical-site.html").read_text(encoding="utf-8")
    text = extract_article(html, "https://news.syndication.example/riverside/bridge-syndicated-1234.html").text
    assert FIRST in text and LAST in text
    assert "School roof repairs finished" not in text and "Market hall traders win" not in text


def test_a_one_letter_author_drops_no_line_that_merely_holds_the_letter():
    """trafilatura splits "F. Kooman" into authors "F" and "Kooman": a line holding an F inside a word is not a byline."""
    from wiredup.extract.article_text import strip_metadata_lines

    text = "The protocol answers every request.\nHTTP/1.1 302 Found\n[WEBFINGER]\nF. Kooman"
    assert strip_metadata_lines(text, ["F", "Kooman"]) == "The protocol answers every request.\nHTTP/1.1 302 Found\n[WEBFINGER]"


def _xpath_paths(tree, elements) -> list[str]:
    """Where ``elements`` stand in their page, as paths that read the same in a copy of the page's root."""
    path = tree.getroottree().getpath
    return [path(element).replace("/html[1]", "/html", 1) for element in elements]


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.html")), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_the_author_is_found_without_copying_the_page_as_trafilatura_finds_it(path):
    """page_author tests trafilatura's author XPaths in one pass over the page instead of on a pruned copy of it."""
    tree = load_html(path.read_text(encoding="utf-8"))
    copy = deepcopy(tree)  # what trafilatura's extract_author searches: the root's copy (not elements after the root)
    found, discarded = author_elements(tree)
    assert [_xpath_paths(tree, elements) for elements in found] == [_xpath_paths(copy, xpath(copy)) for xpath in AUTHOR_XPATHS]
    assert _xpath_paths(tree, discarded) == _xpath_paths(copy, [element for xpath in AUTHOR_DISCARD_XPATHS for element in xpath(copy)])
    assert page_author(tree) == extract_author(tree)


def test_an_author_in_a_comment_is_skipped_and_a_date_in_a_byline_is_pruned_from_it():
    page = load_html('<html><body><div class="comments"><span class="author">Troll Two</span></div>'
                     '<p class="byline">By<time>May 2</time>Ann Lee, Paris</p></body></html>')
    # the pruned date's tail joins the text before it, as trafilatura deletes it from its copy
    assert page_author(page) == extract_author(page) == "ByAnn Lee; Paris"


def test_the_author_tests_are_those_of_the_installed_trafilatura_else_its_own_reader_runs(monkeypatch):
    """page_author repeats trafilatura's author XPaths in Python: a trafilatura whose XPaths differ must fail here
    (update page_author, then AUTHOR_XPATHS_WRITTEN_FOR), and meanwhile read_metadata uses trafilatura's reader."""
    from wiredup.extract import page_metadata

    assert page_metadata.AUTHOR_TESTS_CURRENT, "trafilatura's author XPaths changed: page_author no longer repeats them"
    page = load_html('<html><body><p class="byline">By <a rel="author">Ann Lee</a></p><p>Text</p></body></html>')
    monkeypatch.setattr(page_metadata, "page_author", lambda tree: "Not Trafilatura")
    assert page_metadata.read_metadata(page, "https://a.example/1", {"extensive_search": False}).author == "Not Trafilatura"
    monkeypatch.setattr(page_metadata, "AUTHOR_TESTS_CURRENT", False)
    assert page_metadata.read_metadata(page, "https://a.example/1", {"extensive_search": False}).author == "Ann Lee"
