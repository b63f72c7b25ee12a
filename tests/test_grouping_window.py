"""The grouping window (issue 18): two articles are compared when their story dates are within
``window_days`` or when they were first seen within ``window_days``, in a crawl as in a regroup.

Articles go through the real DedupPipeline and StorePipeline into a real SQLite file, each
with the date it says it was published and the time it was fetched (its first seen).
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
from datetime import date, timedelta

import pytest

from test_grouping_in_database import BENCHMARK, A, B, Grouping, clusters_by_url, paragraphs, run, text_item
from wiredup.group import incoming
from wiredup.group.compare import compare
from wiredup.group.fingerprint import fingerprints
from wiredup.group.window import story_dates, window_rule
from wiredup.settings import GroupingSettings

C = paragraphs("gamma", 6)


def crawl(db_path, *items, **settings) -> None:
    """One crawl run: (url, text, published, fetched_at) through the pipelines."""
    grouping = Grouping(db_path, **settings)
    for url, text, published, fetched_at in items:
        grouping.process(text_item(url, text, published=published, fetched_at=fetched_at))
    grouping.close()


def match_pairs(db_path) -> set[frozenset]:
    with sqlite3.connect(db_path) as conn:
        return {frozenset(pair) for pair in conn.execute(
            "SELECT a.url, b.url FROM matches JOIN articles a ON a.id = article_id JOIN articles b ON b.id = other_id")}


def test_a_backfill_groups_copies_dated_years_apart_that_were_first_seen_in_one_run(tmp_path):
    db_path = tmp_path / "news.db"
    story = "\n".join(A)
    crawl(
        db_path,
        ("https://a.example/2019/original", story, "2019-11-18T10:00:00+00:00", "2024-04-18T08:00:00+00:00"),
        ("https://b.example/copy-misdated", story + "\n" + B[0], "2020-01-01T00:00:00+00:00", "2024-04-18T08:01:00+00:00"),
        ("https://c.example/copy-undated", story, None, "2024-04-18T08:02:00+00:00"),
        ("https://d.example/2016/other", "\n".join(C), "2016-05-01T00:00:00+00:00", "2024-04-18T08:03:00+00:00"),
    )
    clusters = clusters_by_url(db_path)
    copies = {clusters[url] for url in ("https://a.example/2019/original", "https://b.example/copy-misdated", "https://c.example/copy-undated")}
    assert len(copies) == 1 and clusters["https://d.example/2016/other"] not in copies
    assert run("regroup", db_path).exit_code == 0
    assert clusters_by_url(db_path) == clusters


def test_copies_first_seen_far_apart_and_dated_far_apart_are_still_not_compared(tmp_path):
    db_path = tmp_path / "news.db"
    story = "\n".join(A)
    crawl(db_path, ("https://a.example/2019", story, "2019-11-18T10:00:00+00:00", "2019-11-18T11:00:00+00:00"))
    crawl(db_path, ("https://b.example/2024", story, "2024-04-17T10:00:00+00:00", "2024-04-18T08:00:00+00:00"))
    assert len(set(clusters_by_url(db_path).values())) == 2


def test_a_stored_page_dated_in_the_future_does_not_stop_the_next_crawl_grouping_a_copy_of_an_older_story(tmp_path):
    db_path = tmp_path / "news.db"
    crawl(db_path, ("https://a.example/march-original", "\n".join(A), "2024-03-01T09:00:00+00:00", "2024-03-01T10:00:00+00:00"))
    # a headline's "October 15, 2026" taken for the page's date (its meta says 2024-04-04)
    crawl(db_path, ("https://b.example/headline-date", "\n".join(B), "2026-10-15T00:00:00+00:00", "2024-04-04T10:00:00+00:00"))
    crawl(db_path, ("https://c.example/march-copy", "\n".join(A[:5]), "2024-03-02T09:00:00+00:00", "2024-04-05T10:00:00+00:00"))
    clusters = clusters_by_url(db_path)
    assert clusters["https://a.example/march-original"] == clusters["https://c.example/march-copy"]
    assert clusters["https://b.example/headline-date"] != clusters["https://a.example/march-original"]
    # the future date is not the page's story date: it was first seen before it
    assert story_dates("2026-10-15T00:00:00+00:00", "2024-04-04T10:00:00+00:00").story.date() == date(2024, 4, 4)
    assert run("regroup", db_path).exit_code == 0
    assert clusters_by_url(db_path) == clusters


@pytest.fixture(scope="module")
def dated_corpus():
    """120 syndication-dev articles in 20-odd stories, each with a published date as sites give
    them (right, a few days off, wrong by years, missing, in the future) and the crawl run that
    fetched it (five runs over three months, two of them within a window of each other)."""
    if not BENCHMARK.is_file():
        pytest.skip(f"benchmark not found at {BENCHMARK}")
    docs = [json.loads(line) for line in BENCHMARK.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = set(sorted({doc["cluster"] for doc in docs})[2::5])
    docs = [doc for doc in docs if doc["cluster"] in chosen][:120]
    rng = random.Random(18)
    runs = [date(2024, 1, 10), date(2024, 2, 20), date(2024, 3, 25), date(2024, 4, 5), date(2024, 4, 30)]
    story_day = {cluster: date(2024, 1, 1) + timedelta(days=rng.randrange(120)) for cluster in chosen}
    corpus = []
    for doc in docs:
        fetched = rng.choice(runs)
        kind = rng.random()
        if kind < 0.55:
            published = story_day[doc["cluster"]] + timedelta(days=rng.randrange(3))
        elif kind < 0.7:
            published = story_day[doc["cluster"]] - timedelta(days=rng.randrange(365, 3000))  # wrong by years
        elif kind < 0.8:
            published = date(2026, 10, 15)  # a headline's date
        else:
            published = None
        corpus.append((f"https://bench.example/{doc['id']}", doc["text"],
                       published and f"{published.isoformat()}T09:00:00+00:00", fetched))
    return corpus


def crawl_in_runs(db_path, corpus, seed: int) -> None:
    """Each run's articles, shuffled, in a crawl of its own, runs in date order."""
    rng = random.Random(seed)
    for fetched in sorted({entry[3] for entry in corpus}):
        batch = [entry for entry in corpus if entry[3] == fetched]
        rng.shuffle(batch)
        crawl(db_path, *((url, text, published, f"{fetched.isoformat()}T{8 + i // 60:02d}:{i % 60:02d}:00+00:00")
                         for i, (url, text, published, _) in enumerate(batch)))


@pytest.mark.parametrize("earlier_days_limit", [incoming.EARLIER_DAYS_LIMIT, 0])
def test_a_crawl_compares_what_a_regroup_from_scratch_compares(tmp_path, dated_corpus, monkeypatch, earlier_days_limit):
    # limit 0: every earlier day read for one article is let go at the next, and read again when needed
    monkeypatch.setattr(incoming, "EARLIER_DAYS_LIMIT", earlier_days_limit)
    db_path = tmp_path / "news.db"
    crawl_in_runs(db_path, dated_corpus, seed=earlier_days_limit)
    crawled_pairs = match_pairs(db_path)
    assert run("regroup", db_path).exit_code == 0
    # the same pairs compared and matched (stories made of the pairs: test_grouping_in_database)
    assert match_pairs(db_path) == crawled_pairs

    # the corpus exercises both parts of the rule and pairs the window keeps apart
    settings = GroupingSettings()
    with sqlite3.connect(db_path) as conn:
        seen = {url: (published, first_seen) for url, published, first_seen in conn.execute("SELECT url, published, first_seen FROM articles")}
    fps = dict(zip(seen, fingerprints([text for _, text, _, _ in sorted(dated_corpus, key=lambda e: list(seen).index(e[0]))], settings)))
    rules = {}
    for a, b in itertools.combinations(seen, 2):
        if compare(fps[a], fps[b], settings).same_story:
            rule = window_rule(story_dates(*seen[a]), story_dates(*seen[b]), settings.window_days)
            rules[rule] = rules.get(rule, 0) + 1
            assert (frozenset((a, b)) in crawled_pairs) == (rule is not None)
    assert rules.get("story dates", 0) >= 3 and rules.get("first seen", 0) >= 3 and rules.get(None, 0) >= 3, rules


def test_an_article_whose_text_changed_leaves_its_story_when_it_no_longer_matches(tmp_path):
    db_path = tmp_path / "news.db"
    april = "2024-04-17T10:00:00+00:00"
    crawl(
        db_path,
        ("https://a.example/page", "\n".join(A), april, "2024-04-18T08:00:00+00:00"),
        ("https://b.example/copy", "\n".join(A[:5]), april, "2024-04-18T08:01:00+00:00"),
        ("https://c.example/copy", "\n".join(A[1:]), april, "2024-04-18T08:02:00+00:00"),
        ("https://d.example/other", "\n".join(C), april, "2024-04-18T08:03:00+00:00"),
    )
    before = clusters_by_url(db_path)
    story = before["https://a.example/page"]
    assert before["https://b.example/copy"] == before["https://c.example/copy"] == story != before["https://d.example/other"]

    # fetched again, the page now carries another story (B): it leaves A's, which keeps its id
    crawl(db_path, ("https://a.example/page", "\n".join(B), april, "2024-04-19T08:00:00+00:00"))
    after = clusters_by_url(db_path)
    assert after["https://b.example/copy"] == after["https://c.example/copy"] == story
    assert after["https://a.example/page"] not in (story, after["https://d.example/other"])
    with sqlite3.connect(db_path) as conn:
        page_id = conn.execute("SELECT id FROM articles WHERE url = 'https://a.example/page'").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM matches WHERE ? IN (article_id, other_id)", [page_id]).fetchone()[0] == 0
        assert conn.execute("SELECT size FROM clusters WHERE id = ?", [story]).fetchone()[0] == 2
    explained = json.loads(run("explain", db_path, "https://a.example/page", "https://b.example/copy", "--json").stdout)
    assert not explained["same_cluster"]

    # and again, now a copy of the other stored story (C): it joins that one
    crawl(db_path, ("https://a.example/page", "\n".join(C[:5]), april, "2024-04-20T08:00:00+00:00"))
    joined = clusters_by_url(db_path)
    assert joined["https://a.example/page"] == joined["https://d.example/other"] == before["https://d.example/other"]
    assert joined["https://b.example/copy"] == story
    assert run("regroup", db_path).exit_code == 0
    assert clusters_by_url(db_path) == joined


def test_an_article_whose_text_changed_a_little_stays_in_its_story(tmp_path):
    db_path = tmp_path / "news.db"
    april = "2024-04-17T10:00:00+00:00"
    crawl(
        db_path,
        ("https://a.example/page", "\n".join(A), april, "2024-04-18T08:00:00+00:00"),
        ("https://b.example/copy", "\n".join(A[:5]), april, "2024-04-18T08:01:00+00:00"),
    )
    story = clusters_by_url(db_path)["https://a.example/page"]
    crawl(db_path, ("https://a.example/page", "\n".join(A + [B[0]]), april, "2024-04-25T08:00:00+00:00"))
    assert set(clusters_by_url(db_path).values()) == {story}
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM matches").fetchone()[0] == 1  # the new text's match, the old one gone


def test_explain_says_the_window_decided_with_both_dates_where_they_came_from_and_how_far_apart(tmp_path):
    db_path = tmp_path / "news.db"
    story = "\n".join(A)
    crawl(db_path, ("https://a.example/2019/original", story, "2019-11-18T10:00:00+00:00", "2019-11-18T11:00:00+00:00"))
    crawl(db_path, ("https://b.example/copy-misdated", story + "\n" + B[0], "2020-01-01T00:00:00+00:00", "2020-02-01T08:00:00+00:00"))
    with sqlite3.connect(db_path) as conn:  # as the extraction records it
        conn.execute("UPDATE articles SET published_from = 'jsonld' WHERE url = 'https://a.example/2019/original'")
    report = json.loads(run("explain", db_path, "https://b.example/copy-misdated", "https://a.example/2019/original", "--json").stdout)
    assert report["decision"] != "not the same story" and not report["same_cluster"]
    assert report["decided_by"] == "window" and "never compared" in report["reason"]
    window = report["window"]
    assert (window["days"], window["rule"], window["compared"]) == (21, None, False)
    assert window["a"] == {"story_date": "2020-01-01", "from": "published", "first_seen": "2020-02-01"}
    assert window["b"] == {"story_date": "2019-11-18", "from": "jsonld", "first_seen": "2019-11-18"}
    assert (window["story_days_apart"], window["first_seen_days_apart"]) == (43.6, 74.9)
    printed = run("explain", db_path, "https://b.example/copy-misdated", "https://a.example/2019/original").output
    assert "A dated 2020-01-01 (published), first seen 2020-02-01; B dated 2019-11-18 (jsonld), first seen 2019-11-18" in printed
    assert "story dates 43.6 days apart, first seen 74.9 days apart  ->  never compared" in printed
    assert "Same story: no, decided by the window: never compared" in printed


def test_explain_says_the_rule_decided_with_its_numbers_or_that_other_members_joined_them(tmp_path):
    db_path = tmp_path / "news.db"
    april, seen = "2024-04-17T10:00:00+00:00", "2024-04-18T08:00:00+00:00"
    crawl(
        db_path,
        ("https://a.example/long", "\n".join(A), april, seen),
        ("https://b.example/first-half", "\n".join(A[:3]), None, seen),
        ("https://c.example/second-half", "\n".join(A[3:]), april, seen),
        ("https://d.example/other", "\n".join(C), april, seen),
    )
    direct = json.loads(run("explain", db_path, "https://a.example/long", "https://b.example/first-half", "--json").stdout)
    assert direct["same_cluster"] and direct["decided_by"] == "rule" and direct["reason"].startswith("matched directly: ")
    assert direct["window"]["b"]["from"] == "first seen" and direct["window"]["rule"] == "story dates"
    through = json.loads(run("explain", db_path, "https://b.example/first-half", "https://c.example/second-half", "--json").stdout)
    assert through["same_cluster"] and through["decision"] == "not the same story" and through["stored_match"] is None
    assert through["decided_by"] == "other members"
    assert [step["to"] for step in through["joined_through"]][-1] == through["b"]["id"]
    assert f"#{through['a']['id']} -" in through["reason"] and f"- #{through['b']['id']}" in through["reason"]
    apart = run("explain", db_path, "https://a.example/long", "https://d.example/other")
    assert "Same story: no, decided by the rule: not the same story: containment 0.00 (under" in apart.output

    ids = {url: article_id for url, article_id in sqlite3.connect(db_path).execute("SELECT url, id FROM articles")}
    assert run("different", db_path, ids["https://a.example/long"], ids["https://b.example/first-half"]).exit_code == 0
    corrected = json.loads(run("explain", db_path, "https://a.example/long", "https://b.example/first-half", "--json").stdout)
    assert corrected["decided_by"] == "correction" and "marked them different" in corrected["reason"]


def test_a_crawl_reaching_back_years_lets_go_of_earlier_days_and_still_groups_every_copy(tmp_path, monkeypatch):
    from pipelines.dedup import DedupPipeline

    monkeypatch.setattr(incoming, "EARLIER_DAYS_LIMIT", 4)
    db_path = tmp_path / "news.db"
    first = date(2019, 1, 1)
    stories = {n: paragraphs(f"story{n}", 5) for n in range(40)}  # one a month for over three years
    crawl(db_path, *((f"https://a.example/{n}", "\n".join(text), f"{first + timedelta(days=30 * n)}T09:00:00+00:00",
                      f"{first + timedelta(days=30 * n)}T10:00:00+00:00") for n, text in stories.items()))
    grouping = Grouping(db_path)
    dedup = grouping.stage(DedupPipeline)
    held = []
    for n in random.Random(1).sample(sorted(stories), 25):  # a backfill of copies, in no order of date
        when = f"{first + timedelta(days=30 * n + 2)}T09:00:00+00:00"
        grouping.process(text_item(f"https://b.example/{n}", "\n".join(stories[n][:4]), published=when, fetched_at="2024-04-18T08:00:00+00:00"))
        held.append((dedup.incoming.days.articles, len(dedup.incoming.window) - len(dedup.incoming.text_hashes)))
    grouping.close()
    clusters = clusters_by_url(db_path)
    assert all(clusters[f"https://b.example/{n}"] == clusters[f"https://a.example/{n}"] for n in stories if f"https://b.example/{n}" in clusters)
    assert len(set(clusters.values())) == len(stories)
    # 25 copies each read their original's month; held for earlier days at any time: at most the limit
    # plus what the last copy needed (a month holds one story); in the window, those and the days read at open
    assert max(days for days, _ in held) <= 4 + 2 and max(stored for _, stored in held) <= 4 + 2 + 2
