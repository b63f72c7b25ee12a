"""Grouping as the crawl stores it: merges, corrections, the time window, regroup and explain.

Articles go through the real DedupPipeline and StorePipeline (extraction is
skipped where the test gives the text itself) into a real SQLite file.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import SHARED, Pipelines, fixture_item, load_manifest
from pipelines.dedup import DedupPipeline
from wiredup.group.fingerprint import fingerprints
from wiredup.group.window import group
from wiredup.settings import GroupingSettings
from wiredup.cli import cli
from wiredup.store.schema import open_database

BENCHMARK = SHARED / "benchmarks" / "syndication-dev.jsonl"


def paragraphs(topic: str, count: int) -> list[str]:
    """Distinct, article-like paragraphs: no two topics share a five-word run."""
    rng = random.Random(topic)
    words = [f"{topic}{rng.randrange(10**6)}" for _ in range(400)]
    return [" ".join(rng.choice(words) for _ in range(30)) + "." for _ in range(count)]


def text_item(url: str, text: str, published: str | None = "2024-04-17T10:00:00+00:00", fetched_at: str | None = None):
    """An ArticleItem as ExtractPipeline leaves it, for DedupPipeline and StorePipeline; fetched when
    the fixture pages were (2024-04-18) unless ``fetched_at`` says otherwise."""
    item = fixture_item("site/articles/" + load_manifest()["article"][0]["file"].split("/")[-1])
    item.fetched_at = fetched_at or item.fetched_at
    item.url = item.canonical_url = url
    item.title, item.published, item.sitename = url.rsplit("/", 1)[-1], published, url.split("/")[2]
    item.text, item.text_hash = text, hashlib.sha256(text.encode()).hexdigest()
    return item


class Grouping(Pipelines):
    """Dedup and Store only: the texts are given, not extracted."""

    def __init__(self, db_path, **settings):
        super().__init__(db_path, **settings)
        from pipelines.store import StorePipeline

        self.stages = [stage for stage in self.stages if isinstance(stage, (DedupPipeline, StorePipeline))]


def store_fixture_pages(db_path, **settings) -> None:
    """The five seed pages through the real pipelines, extraction included."""
    pipelines = Pipelines(db_path, **settings)
    for page in load_manifest()["article"]:
        assert not isinstance(pipelines.process(fixture_item(page["file"])), str), page["file"]
    pipelines.close()


def clusters_by_url(db_path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT url, cluster_id FROM articles"))


def ids_by_url(db_path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT url, id FROM articles"))


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


A, B = paragraphs("alpha", 6), paragraphs("beta", 6)


def test_an_article_that_copies_two_stories_merges_them_and_the_merge_is_recorded(tmp_path):
    db_path = tmp_path / "news.db"
    grouping = Grouping(db_path)
    grouping.process(text_item("https://a.example/one", "\n".join(A)))
    grouping.process(text_item("https://b.example/two", "\n".join(B)))
    before = clusters_by_url(db_path)
    assert before["https://a.example/one"] != before["https://b.example/two"]
    grouping.process(text_item("https://c.example/both", "\n".join(A + B)))
    grouping.close()
    after = clusters_by_url(db_path)
    assert len(set(after.values())) == 1
    survivor, retired = min(before.values()), max(before.values())
    assert set(after.values()) == {survivor}
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT merged_id, into_id FROM cluster_merges").fetchall() == [(retired, survivor)]
        assert conn.execute("SELECT count(*) FROM matches").fetchone()[0] == 2
    result = run("show", db_path, retired, "--json")  # the retired id still resolves
    assert result.exit_code == 0 and len(json.loads(result.output)) == 3


def test_a_different_correction_splits_the_story_and_holds_in_later_crawls_and_regroups(tmp_path):
    db_path = tmp_path / "news.db"
    grouping = Grouping(db_path)
    grouping.process(text_item("https://a.example/one", "\n".join(A)))
    grouping.process(text_item("https://b.example/one-long", "\n".join(A + B[:2])))
    grouping.close()
    ids = ids_by_url(db_path)
    assert len(set(clusters_by_url(db_path).values())) == 1

    result = run("different", db_path, ids["https://a.example/one"], ids["https://b.example/one-long"])
    assert result.exit_code == 0, result.output
    split = clusters_by_url(db_path)
    assert split["https://a.example/one"] != split["https://b.example/one-long"]

    # a later crawl brings a third copy of both: it joins one side, never both
    grouping = Grouping(db_path)
    grouping.process(text_item("https://c.example/one-again", "\n".join(A + B[:1])))
    grouping.close()
    crawled = clusters_by_url(db_path)
    assert crawled["https://a.example/one"] != crawled["https://b.example/one-long"]
    assert crawled["https://c.example/one-again"] in (crawled["https://a.example/one"], crawled["https://b.example/one-long"])

    assert run("regroup", db_path).exit_code == 0
    regrouped = clusters_by_url(db_path)
    assert regrouped["https://a.example/one"] != regrouped["https://b.example/one-long"]


def test_a_same_correction_joins_two_stories_and_regroup_keeps_them_joined(tmp_path):
    db_path = tmp_path / "news.db"
    grouping = Grouping(db_path)
    grouping.process(text_item("https://a.example/one", "\n".join(A)))
    grouping.process(text_item("https://b.example/two", "\n".join(B)))
    grouping.close()
    ids = ids_by_url(db_path)
    result = run("same", db_path, ids["https://a.example/one"], ids["https://b.example/two"], "--note", "one event")
    assert result.exit_code == 0, result.output
    assert "both in story" in result.output
    assert len(set(clusters_by_url(db_path).values())) == 1
    assert run("regroup", db_path).exit_code == 0
    assert len(set(clusters_by_url(db_path).values())) == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT relation, note FROM overrides").fetchall() == [("same", "one event")]


def test_corrections_name_unknown_articles_clearly(tmp_path):
    db_path = tmp_path / "news.db"
    open_database(db_path).conn.close()
    result = run("same", db_path, 1, 2)
    assert result.exit_code == 1 and "no article with id or URL '1'" in result.output


def test_copies_further_apart_than_the_window_are_not_grouped(tmp_path):
    db_path = tmp_path / "news.db"
    grouping = Grouping(db_path, WIREDUP_DEDUP_WINDOW_DAYS=21)
    for url, when in (("https://a.example/spring", "2024-04-17T10:00:00+00:00"), ("https://b.example/summer", "2024-07-01T10:00:00+00:00"),
                      ("https://c.example/spring", "2024-04-20T10:00:00+00:00")):  # each fetched the day it was published
        grouping.process(text_item(url, "\n".join(A), published=when, fetched_at=when))
    grouping.close()
    clusters = clusters_by_url(db_path)
    assert clusters["https://a.example/spring"] == clusters["https://c.example/spring"] != clusters["https://b.example/summer"]
    # regroup applies the same window; without one, all three are one story
    assert run("regroup", db_path).exit_code == 0
    assert clusters_by_url(db_path) == clusters
    assert run("regroup", db_path, "--window-days", 0).exit_code == 0
    assert len(set(clusters_by_url(db_path).values())) == 1


def test_a_crawl_opens_with_what_was_published_or_first_seen_within_the_window_of_the_last_crawl(tmp_path):
    db_path = tmp_path / "news.db"
    grouping = Grouping(db_path)
    for url, text, published, fetched_at in (
        ("https://a.example/january", A, "2024-01-02T10:00:00+00:00", "2024-01-02T11:00:00+00:00"),
        ("https://b.example/old-page-found-in-april", B, "2023-05-01T10:00:00+00:00", "2024-04-10T11:00:00+00:00"),
        ("https://c.example/april", A[:3] + B[:3], "2024-04-17T10:00:00+00:00", "2024-04-18T08:00:00+00:00"),
    ):
        grouping.process(text_item(url, "\n".join(text), published=published, fetched_at=fetched_at))
    grouping.close()
    later = Pipelines(db_path)
    window = later.stage(DedupPipeline).incoming.window
    # 21 days back from the last crawl (2024-04-18): the old page is in by its first seen, January is out
    assert set(window.index.keys()) == {"https://b.example/old-page-found-in-april", "https://c.example/april"}
    later.close()


def test_regroup_with_other_settings_reports_what_changed_and_keeps_surviving_ids(tmp_path):
    db_path = tmp_path / "news.db"
    store_fixture_pages(db_path)
    before = clusters_by_url(db_path)

    unchanged = run("regroup", db_path, "--json")
    assert unchanged.exit_code == 0, unchanged.output
    report = json.loads(unchanged.stdout)
    assert (report["stories_after"], report["stories_unchanged"], report["articles_moved"]) == (4, 4, 0)
    assert clusters_by_url(db_path) == before

    # passages off: the abridged AFP copies (containment about 0.2) fall apart
    strict = json.loads(run("regroup", db_path, "--min-shared-passages", 99, "--json").stdout)
    assert (strict["stories_after"], strict["stories_split"], strict["articles_moved"]) == (5, 1, 1)
    after = clusters_by_url(db_path)
    assert set(before.values()) < set(after.values())  # every old id survives; one new
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM matches").fetchone()[0] == 0


def test_regroup_signs_again_what_was_signed_under_another_scheme(tmp_path):
    db_path = tmp_path / "news.db"
    store_fixture_pages(db_path, WIREDUP_DEDUP_SHINGLE_SIZE=4)
    report = json.loads(run("regroup", db_path, "--json").stdout)
    assert report["signed_again"] == 5 and report["stories_after"] == 4
    with sqlite3.connect(db_path) as conn:
        schemes = {json.loads(s)["shingle_size"] for (s,) in conn.execute("SELECT scheme FROM signatures")}
    assert schemes == {GroupingSettings().shingle_size}


def test_explain_prints_the_scores_the_rule_and_the_shared_passages(tmp_path):
    db_path = tmp_path / "news.db"
    store_fixture_pages(db_path)
    seeds = {page["seed"]: page for page in load_manifest()["article"]}
    short, long = seeds["000"]["url"], seeds["001"]["url"]
    result = run("explain", db_path, short, long)
    assert result.exit_code == 0, result.output
    assert "->  passages" in result.output and "Stored match: passages" in result.output
    report = json.loads(run("explain", db_path, short, long, "--json").stdout)
    assert report["decision"] == "passages" and report["same_cluster"]
    assert report["shared_passage_count"] >= 2 and len(report["shared_passages"]) >= 2
    assert 0.05 < report["jaccard"] < 0.2 and report["containment"] < GroupingSettings().containment
    with sqlite3.connect(db_path) as conn:
        (text,) = conn.execute("SELECT text FROM articles WHERE url = ?", [short]).fetchone()
    assert all(passage in text for passage in report["shared_passages"])
    apart = json.loads(run("explain", db_path, short, seeds["004"]["url"], "--json").stdout)
    assert apart["decision"] == "not the same story" and apart["shared_passages"] == []
    assert run("explain", db_path, short, "https://nowhere.example/x").exit_code == 1


@pytest.fixture(scope="module")
def benchmark_sample():
    if not BENCHMARK.is_file():
        pytest.skip(f"benchmark not found at {BENCHMARK}")
    docs = [json.loads(line) for line in BENCHMARK.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = set(sorted({doc["cluster"] for doc in docs})[1::5])
    return [doc for doc in docs if doc["cluster"] in chosen][:120]


def test_crawl_and_regroup_give_group_s_partition_in_any_arrival_order(tmp_path, benchmark_sample):
    settings = GroupingSettings()
    texts = {f"https://bench.example/{doc['id']}": doc["text"] for doc in benchmark_sample}
    reference = {frozenset(g) for g in group(dict(zip(texts, fingerprints(list(texts.values()), settings))), settings)}
    assert sum(len(g) > 1 for g in reference) >= 8
    for seed in range(2):
        order = list(texts)
        random.Random(seed).shuffle(order)
        db_path = tmp_path / f"order-{seed}.db"
        grouping = Grouping(db_path)
        for url in order:
            grouping.process(text_item(url, texts[url]))
        grouping.close()
        crawled = clusters_by_url(db_path)
        assert partition_of(crawled) == reference, f"crawl, shuffle {seed}"
        assert run("regroup", db_path).exit_code == 0
        assert clusters_by_url(db_path) == crawled, f"regroup, shuffle {seed}"


def partition_of(clusters: dict[str, int]) -> set[frozenset]:
    groups: dict[int, set] = {}
    for url, cluster_id in clusters.items():
        groups.setdefault(cluster_id, set()).add(url)
    return {frozenset(g) for g in groups.values()}


def test_a_crawl_groups_against_articles_signed_under_another_scheme(tmp_path):
    db_path = tmp_path / "news.db"
    pages = {page["seed"]: page for page in load_manifest()["article"]}
    earlier = Pipelines(db_path, WIREDUP_DEDUP_SHINGLE_SIZE=4)
    for seed, page in pages.items():
        if seed != "001":
            assert not isinstance(earlier.process(fixture_item(page["file"])), str)
    earlier.close()
    later = Pipelines(db_path)  # default settings: the stored signatures are signed again in memory
    # every stored page was first seen on the fixtures' day (the 2023 page too): all in the window, signed again
    assert len(later.stage(DedupPipeline).incoming.window.fingerprints) == 4
    assert not isinstance(later.process(fixture_item(pages["001"]["file"])), str)
    later.close()
    clusters = clusters_by_url(db_path)
    assert clusters[pages["001"]["url"]] == clusters[pages["000"]["url"]]
    assert len(set(clusters.values())) == 4
