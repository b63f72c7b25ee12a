"""Site clutter learning: paragraphs a site repeats on its pages are learned, counted and kept out of
stored texts whatever order the pages arrive in; the allow-list keeps legitimate repeated lines."""

from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from conftest import FIXTURES, Pipelines, fixture_item

PAGES = sorted(f"learning/{path.name}" for path in (FIXTURES / "learning").glob("*.html"))
PROMO = "Sign up for the Riverside Morning Brief"
LEGAL = "Reproduction of this article without the written permission of the Riverside Courier is prohibited."
NOTE = "Editor's note: this story is part of our series on how the town spends its budget."
OWN_TEXT = {
    "bridge-closure": "inspectors found corrosion in two of its supporting piers",
    "cycle-lane": "paint alone would not make riders feel safe",
    "market-hall": "footfall had not recovered since a supermarket opened",
    "school-roof": "the new roof should last for at least forty years",
}


def crawl(db_path, pages, **settings):
    pipelines = Pipelines(db_path, **settings)
    for page in pages:
        assert not isinstance(pipelines.process(fixture_item(page)), str), page
    pipelines.close()
    return pipelines


def stored_texts(db_path) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT url, text FROM articles"))


def test_the_fixture_pages_carry_the_clutter_that_extraction_alone_keeps():
    from wiredup.extract.article import extract_article

    path = FIXTURES / PAGES[0]
    text = extract_article(path.read_text(encoding="utf-8"), path.as_uri()).text
    assert PROMO in text and LEGAL in text


def test_learned_clutter_leaves_every_stored_text_and_the_allow_listed_note_stays(tmp_path):
    pipelines = crawl(tmp_path / "news.db", PAGES)
    texts = stored_texts(tmp_path / "news.db")
    assert len(texts) == len(PAGES)
    for url, text in texts.items():
        assert PROMO not in text and LEGAL not in text, url
        assert NOTE in text, url
        assert OWN_TEXT[url.rsplit("/", 1)[1]] in text
    # the first pages arrived before the clutter was learned: cleaned when the crawl closed
    assert pipelines.stats["wiredup/clutter/stored_cleaned"] >= 1


def test_learning_is_kept_in_the_database_with_counts(tmp_path):
    crawl(tmp_path / "news.db", PAGES)
    with sqlite3.connect(tmp_path / "news.db") as conn:
        counts = dict(conn.execute("SELECT text, pages FROM site_blocks WHERE site = 'riverside-courier.example'"))
        signed = conn.execute("SELECT count(*) FROM signatures").fetchone()[0]
    assert counts[LEGAL] == len(PAGES) and counts[NOTE] == len(PAGES)
    assert sum(1 for text, pages in counts.items() if PROMO in text and pages == len(PAGES)) == 1
    assert all(pages == 1 for text, pages in counts.items() if any(own in text for own in OWN_TEXT.values()))
    assert signed == len(PAGES)


def test_stored_texts_do_not_depend_on_arrival_order(tmp_path):
    orders = [PAGES, PAGES[::-1], PAGES[1:] + PAGES[:1]]
    results = []
    for number, order in enumerate(orders):
        crawl(tmp_path / f"{number}.db", order)
        results.append(stored_texts(tmp_path / f"{number}.db"))
    assert results[0] == results[1] == results[2]


def test_an_empty_allow_list_lets_the_repeated_note_go(tmp_path):
    crawl(tmp_path / "news.db", PAGES, WIREDUP_CLUTTER_ALLOW=[])
    assert all(NOTE not in text for text in stored_texts(tmp_path / "news.db").values())


def test_too_few_pages_teach_nothing(tmp_path):
    crawl(tmp_path / "news.db", PAGES[:2])
    assert all(PROMO in text for text in stored_texts(tmp_path / "news.db").values())


def test_reextract_applies_learning_to_a_database_crawled_without_it(tmp_path):
    from wiredup.cli import cli

    crawl(tmp_path / "news.db", PAGES, WIREDUP_CLUTTER_MIN_PAGES=0)
    assert all(PROMO in text for text in stored_texts(tmp_path / "news.db").values())
    result = CliRunner().invoke(cli, ["reextract", str(tmp_path / "news.db"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["pages"] == len(PAGES) and summary["texts_changed"] == len(PAGES)
    for text in stored_texts(tmp_path / "news.db").values():
        assert PROMO not in text and LEGAL not in text and NOTE in text


def test_editions_of_one_article_on_one_site_are_not_taken_for_clutter(tmp_path):
    # the same article under several URLs of a site: every paragraph recurs, none is clutter
    from wiredup.extract.clutter import blocks, remove_blocks
    from wiredup.settings import ClutterRules
    from wiredup.store.site_blocks import learned_clutter, record_page
    from wiredup.store.schema import open_database

    db = open_database(tmp_path / "news.db")
    text = "\n".join(f"Paragraph {n} of the one story this site prints under four addresses." for n in range(5))
    with db.atomic():
        for number in range(4):
            article_id = db["articles"].insert({"url": f"https://daily.example/a-{number}", "text": text, "text_hash": str(number),
                                                "first_seen": "2024", "last_seen": "2024"}).last_pk
            record_page(db, article_id, "daily.example", blocks(text))
    clutter = learned_clutter(db, "daily.example", ClutterRules())
    assert len(clutter) == 5  # every paragraph recurs on every page...
    assert remove_blocks(text, clutter) == (text, 0)  # ...but removing them all would remove the article
