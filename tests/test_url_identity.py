"""Every alias of an article resolves to one row: editions (www., m.) and schemes of one canonical URL."""

from __future__ import annotations

import sqlite3

from conftest import Pipelines, fixture_item, load_manifest


def test_the_mobile_edition_of_a_stored_article_is_the_same_row(tmp_path):
    page = next(page for page in load_manifest()["article"] if page["seed"] == "000")
    assert page["url"].startswith("https://www.")
    mobile_url = page["url"].replace("https://www.", "http://m.")
    desktop = fixture_item(page["file"])
    mobile = fixture_item(page["file"])
    mobile.url = mobile_url
    mobile.body = desktop.body.replace(page["url"].encode(), mobile_url.encode())
    assert mobile_url.encode() in mobile.body

    db_path = tmp_path / "news.db"
    pipelines = Pipelines(db_path)
    first, second = pipelines.process(desktop), pipelines.process(mobile)
    pipelines.close()
    assert (first.canonical_url, second.canonical_url) == (page["url"], page["url"])
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT url, final_url FROM articles").fetchall()
    assert rows == [(page["url"], mobile_url)]  # one row, last reached through the mobile edition
    assert pipelines.stats["wiredup/stored/unchanged"] == 1
