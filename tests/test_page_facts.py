"""The date rules read a page's date markup once (wiredup.extract.dates.date_markup): it finds, on every fixture
page, the same elements and JSON-LD text as the XPaths each rule ran before, in the same order."""

from pathlib import Path

import pytest
from trafilatura.utils import load_html

from wiredup.extract.dates import date_markup

PAGES = sorted(Path(__file__).resolve().parent.parent.joinpath("fixtures").rglob("*.html"))
JSON_LD_HEAD = "<html><head><script type='application/ld+json'>{\"datePublished\": \"2024-05-02\"}</script>"


def test_there_are_fixture_pages():
    assert len(PAGES) > 20


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(page.parent.parent)))
def test_date_markup_finds_what_each_rule_looked_for(page):
    tree = load_html(page.read_text(encoding="utf-8", errors="replace"))
    if tree is None:
        pytest.skip("no page")
    markup = date_markup(tree)
    assert markup.linked_data == " ".join(tree.xpath('//script[@type="application/ld+json"]/text()'))
    assert markup.dated == tree.xpath("//meta[@content] | //*[@itemprop][@datetime]")
    assert [element for element in markup.dated if element.tag != "time"] == tree.xpath(
        "//meta[@content] | //*[@itemprop][@datetime][not(self::time)]"
    )
    assert [element.get("datetime") for element in markup.times if element.get("datetime") is not None] == tree.xpath("//time/@datetime")
    assert [element for element in markup.times if element.get("pubdate") is not None and element.get("datetime") is not None] == tree.xpath(
        "//time[@pubdate][@datetime]"
    )


def test_date_markup_of_mixed_markup():
    tree = load_html(
        JSON_LD_HEAD + '<meta itemprop="datePublished" datetime="2024-05-01"><meta property="og:title" content="x"></head><body>'
        '<span itemprop="dateModified" datetime="2024-05-03">May 3</span><time pubdate datetime="2024-05-02">May 2</time>'
        "<time>Today</time><p>Text</p></body></html>"
    )
    markup = date_markup(tree)
    assert markup.linked_data == '{"datePublished": "2024-05-02"}'
    assert [element.tag for element in markup.dated] == ["meta", "meta", "span"]  # the second <meta> has content, no date
    assert [element.text for element in markup.times] == ["May 2", "Today"]
