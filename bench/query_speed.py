"""How fast the query commands answer on a database of 100k articles: stories, members, search, article.

    python bench/query_speed.py                              # build 100k articles in /tmp (2-3 min), then time
    python bench/query_speed.py --database /tmp/q100k.db     # build there once; later runs reuse it (~10 s)
    python bench/query_speed.py --articles 20000 --repeat 3  # quicker

A database of ``--articles`` synthetic articles is built through
``wiredup.store.schema.open_database`` (the real schema, FTS5 triggers included),
or reused when ``--database`` names a file that already holds articles (it is
migrated to this version's schema first, as any wiredup command would). The
articles are grouped into stories of realistic sizes: most stories have one
article, a fifth have 2-10 copies, one in 200 has 20-50. Each copy comes from a
different one of 50 sites (a few sites publish much more than others), up to
two days after the first; stories are spread over one year. Titles and bodies
(200-600 words, in paragraphs) come from a bigram model of the texts of
``syndication-dev.jsonl``; a copy cuts the tail of its story's text or adds a
line. ``matches`` links each copy to the story's first article; the members of
stories of 20+ articles get real signatures (``wiredup show`` reads them). The
clusters' summary columns are filled in bulk SQL, as ``refresh_cluster`` would.

Then each ``wiredup.store.queries`` call the CLI makes is timed ``--repeat`` times in
this process (the first run included: max is the cold run) and each CLI command
once per repeat in a fresh process, as a user runs it (``wiredup clusters DB
--json --limit 20``, ``wiredup search DB WORD --json``; a command the CLI does
not have yet is skipped with a note). Search words are chosen from the data by
how many articles hold them: a rare word, the most common word, a word in about
a tenth of the articles, and a two-word phrase. Printed: one row per query with
median and max milliseconds, the rows returned and whether the max is under a
second. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wiredup.store import queries  # noqa: E402
from wiredup.store.schema import open_database  # noqa: E402
from synthetic_text import CORPUS, BigramText  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
DAYS = 365
BATCH = 10_000  # articles per transaction

SITE_WORDS = (["Northern", "Capital", "Coastal", "Daily", "Evening", "Morning", "Global", "Valley", "Harbour", "Metro"],
              ["Herald", "Dispatch", "Tribune", "Courier", "Observer", "Post", "Gazette", "Chronicle", "Times", "Review"])


def story_sizes(articles: int, rng: random.Random) -> list[int]:
    """Story sizes summing to ``articles``: 80 % single articles, 19.5 % 2-10 copies, 0.5 % 20-50."""
    sizes, total = [], 0
    while total < articles:
        roll = rng.random()
        if roll < 0.80:
            size = 1
        elif roll < 0.995:
            size = min(10, 2 + int(rng.expovariate(0.45)))  # mostly 2-4, a tail up to 10
        else:
            size = rng.randrange(20, 51)
        size = min(size, articles - total)
        sizes.append(size)
        total += size
    return sizes


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def build(path: Path, articles: int, seed: int) -> None:
    """Fill an empty database with ``articles`` synthetic articles in stories; print how long it took."""
    from wiredup.group.fingerprint import fingerprints
    from wiredup.settings import GroupingSettings

    started = time.perf_counter()
    rng = random.Random(seed)
    texts = BigramText(CORPUS, seed + 1)
    settings = GroupingSettings()
    scheme = settings.scheme_key()
    sites = [f"The {a} {b}" for a in SITE_WORDS[0] for b in SITE_WORDS[1]]
    rng.shuffle(sites)
    sites = sites[:50]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(sites))]  # a few big sites, a long tail
    slugs = [site.lower().removeprefix("the ").replace(" ", "") for site in sites]
    sizes = story_sizes(articles, rng)
    db = open_database(path)
    now = iso(datetime.now(timezone.utc))
    with db.atomic():
        db.conn.execute("INSERT INTO crawl_runs (id, spider, started, finished, finish_reason) VALUES (1, 'bench', ?, ?, 'finished')",
                        [now, now])
    article_id, generated_s, stored_s, signed_s = 0, 0.0, 0.0, 0.0
    rows, matches, signed, clusters = [], [], [], []

    def flush() -> None:
        nonlocal stored_s, signed_s
        t0 = time.perf_counter()
        fps = fingerprints([text for _, text in signed], settings) if signed else []
        t1 = time.perf_counter()
        with db.atomic():
            db.conn.executemany("INSERT INTO clusters (id, created_run_id, updated) VALUES (?, 1, ?)", [(c, now) for c in clusters])
            db.conn.executemany(
                """INSERT INTO articles (id, url, final_url, source, title, authors, published, language, sitename,
                                         description, text, text_hash, first_seen, last_seen, first_run_id, last_run_id, cluster_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'en', ?, ?, ?, ?, ?, ?, 1, 1, ?)""",
                rows,
            )
            db.conn.executemany(
                """INSERT INTO matches (article_id, other_id, jaccard, containment, shared_passages, method, run_id, matched_at)
                   VALUES (?, ?, ?, ?, ?, ?, 1, ?)""",
                matches,
            )
            db.conn.executemany(
                "INSERT INTO signatures (article_id, scheme, minhash, shingles, passages) VALUES (?, ?, ?, ?, ?)",
                [(i, scheme, *(lambda c: (c["minhash"], c["shingles"], c["passages"]))(fp.to_columns())) for (i, _), fp in zip(signed, fps)],
            )
        signed_s += t1 - t0
        stored_s += time.perf_counter() - t1
        rows.clear(), matches.clear(), signed.clear(), clusters.clear()

    for story, size in enumerate(sizes, start=1):
        t0 = time.perf_counter()
        base_text, base_title = texts.article(), texts.title()
        first_published = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        outlets = rng.choices(range(len(sites)), weights=weights, k=1) if size == 1 else _distinct_sites(rng, weights, size)
        first_id = article_id + 1
        clusters.append(story)
        for member, site in enumerate(outlets):
            article_id += 1
            text, title = base_text, base_title
            if member:
                lines = text.splitlines()
                if rng.random() < 0.6:  # cut the tail
                    lines = lines[: max(2, round(len(lines) * rng.uniform(0.5, 1.0)))]
                if rng.random() < 0.3:  # the site's own line
                    lines.append(texts.title() + ".")
                text = "\n".join(lines)
                if rng.random() < 0.3:
                    title = texts.title()
            published = first_published + timedelta(minutes=rng.randrange(0, 2 * 24 * 60)) * (member > 0)
            seen = published + timedelta(minutes=rng.randrange(5, 180))
            published_value = None if rng.random() < 0.03 else (published.date().isoformat() if rng.random() < 0.1 else iso(published))
            slug = "-".join(re.findall(r"[a-z]+", title.lower())[:8])
            url = f"https://www.{slugs[site]}.example/{published:%Y/%m/%d}/{slug}-{article_id}"
            final_url = url + "?outputType=amp" if rng.random() < 0.1 else url
            rows.append((article_id, url, final_url, slugs[site], title, json.dumps([f"{sites[site][4:]} staff"]),
                         published_value, sites[site], text.split(".")[0][:200], text,
                         hashlib.sha256(text.encode()).hexdigest(), iso(seen), iso(seen), story))
            if member:
                containment = round(rng.uniform(0.5, 1.0), 4)
                matches.append((article_id, first_id, round(containment * rng.uniform(0.4, 1.0), 4), containment,
                                rng.randrange(2, 12), "containment" if containment > 0.7 else "passages", iso(seen)))
            if size >= 20:
                signed.append((article_id, text))
        generated_s += time.perf_counter() - t0
        if len(rows) >= BATCH:
            flush()
    flush()
    t0 = time.perf_counter()
    with db.atomic():
        db.conn.execute("""
            UPDATE clusters SET size = s.size, outlets = s.outlets, first_seen = s.first_seen,
                                first_published = s.first_published
            FROM (SELECT cluster_id, count(*) AS size, count(DISTINCT coalesce(sitename, source)) AS outlets,
                         min(first_seen) AS first_seen, min(published) AS first_published
                  FROM articles GROUP BY cluster_id) AS s
            WHERE clusters.id = s.cluster_id""")
        db.conn.execute("""
            UPDATE clusters SET representative_id = r.id
            FROM (SELECT id, cluster_id, row_number() OVER (
                    PARTITION BY cluster_id ORDER BY published IS NULL, published, first_seen, id) AS place
                  FROM articles) AS r
            WHERE r.place = 1 AND clusters.id = r.cluster_id""")
    summaries_s = time.perf_counter() - t0
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    print(f"built {article_id} articles in {len(sizes)} stories in {time.perf_counter() - started:.0f} s "
          f"(text {generated_s:.0f} s, signatures {signed_s:.0f} s, inserts with FTS {stored_s:.0f} s, "
          f"cluster summaries {summaries_s:.1f} s); {path.stat().st_size / 1e6:.0f} MB")


def _distinct_sites(rng: random.Random, weights: list[float], size: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < size:
        site = rng.choices(range(len(weights)), weights=weights, k=1)[0]
        if site not in chosen:
            chosen.append(site)
    return chosen


def document_count(db, match: str) -> int:
    return db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [match]).fetchone()[0]


def pick_words(db, total: int, rng: random.Random) -> dict[str, tuple[str, int]]:
    """Search terms chosen by how many articles hold them: (term, articles)."""
    (top,) = db.execute("SELECT max(id) FROM articles").fetchone()
    sample = [db.execute("SELECT text FROM articles WHERE id = ?", [rng.randrange(1, top + 1)]).fetchone()[0] for _ in range(3)]
    words = sorted({w for text in sample for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3})
    counted = {w: document_count(db, w) for w in rng.sample(words, min(120, len(words)))}
    counted["the"] = document_count(db, "the")
    rare = min((w for w in counted if counted[w] >= 2), key=lambda w: (counted[w], w))
    very_common = max(counted, key=lambda w: (counted[w], w))
    common = min(counted, key=lambda w: (abs(counted[w] - total / 10), w))
    tokens = re.findall(r"[a-z]+", sample[0].lower())
    pairs = {f'"{a} {b}"' for a, b in zip(tokens, tokens[1:]) if len(a) >= 3 and len(b) >= 3}
    phrases = {p: document_count(db, p) for p in sorted(pairs)[:40]}
    phrase = min(phrases, key=lambda p: (abs(phrases[p] - total / 100), p))
    return {"rare": (rare, counted[rare]), "very common": (very_common, counted[very_common]),
            "common": (common, counted[common]), "phrase": (phrase, phrases[phrase])}


def timed(call, repeat: int) -> tuple[list[float], int]:
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - t0) * 1000)
        rows = len(result) if isinstance(result, list) else int(result is not None)
    return times, rows


def run_cli(wiredup: Path, args: list[str]):
    def call():
        done = subprocess.run([str(wiredup), *args], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError((done.stderr or done.stdout).strip().splitlines()[-1] if (done.stderr or done.stdout).strip() else f"exit {done.returncode}")
        return json.loads(done.stdout)
    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles to build (default 100000)")
    parser.add_argument("--database", type=Path, help="build here, or reuse it if it already holds articles")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--wiredup", type=Path, default=Path(sys.executable).parent / "wiredup", help="the wiredup command to time")
    args = parser.parse_args()

    path = args.database or Path(tempfile.mkdtemp(prefix="wiredup-query-bench-")) / "bench.db"
    t0 = time.perf_counter()
    if path.exists() and open_database(path).execute("SELECT count(*) FROM articles").fetchone()[0]:
        print(f"reusing {path} (opened, migrated to this version's schema, in {time.perf_counter() - t0:.1f} s)")
    else:
        build(path, args.articles, args.seed)

    rng = random.Random(args.seed)
    db = open_database(path)
    (total,) = db.execute("SELECT count(*) FROM articles").fetchone()
    (stories,) = db.execute("SELECT count(*) FROM clusters").fetchone()
    big_id, big_size = db.execute("SELECT id, size FROM clusters ORDER BY size DESC, id LIMIT 1").fetchone()
    site, site_articles = db.execute(
        "SELECT sitename, count(*) FROM articles GROUP BY sitename ORDER BY count(*) DESC LIMIT 1").fetchone()
    (url,) = db.execute("SELECT url FROM articles WHERE cluster_id = ? ORDER BY id DESC LIMIT 1", [big_id]).fetchone()
    (newest,) = db.execute("SELECT max(first_published) FROM clusters").fetchone()
    since = (datetime.fromisoformat(newest[:10]) - timedelta(days=180)).date().isoformat()
    until = (datetime.fromisoformat(since) + timedelta(days=30)).date().isoformat()
    words = pick_words(db, total, rng)
    print(f"{total} articles, {stories} stories, largest story {big_id} ({big_size} articles); "
          f"site {site!r} ({site_articles} articles); since {since} until {until}")
    print("search terms (articles holding them): " + "; ".join(f"{kind} {word} ({count})" for kind, (word, count) in words.items()))

    measured = [
        ("stories newest", lambda: queries.stories(db, limit=20)),
        ("stories largest", lambda: queries.stories(db, limit=20, order="largest")),
        ("stories site=", lambda: queries.stories(db, limit=20, site=site)),
        ("stories since/until (30 days)", lambda: queries.stories(db, limit=20, since=since, until=until)),
        (f"story_members (size {big_size})", lambda: queries.story_members(db, big_id)),
        (f"search rare {words['rare'][0]}", lambda: queries.search(db, words["rare"][0])),
        (f"search very common {words['very common'][0]}", lambda: queries.search(db, words["very common"][0])),
        (f"search common {words['common'][0]} all_copies", lambda: queries.search(db, words["common"][0], all_copies=True)),
        (f"search phrase {words['phrase'][0]}", lambda: queries.search(db, words["phrase"][0])),
        ("article by url", lambda: queries.article(db, url)),
        ("CLI: wiredup clusters --json --limit 20", run_cli(args.wiredup, ["clusters", str(path), "--json", "--limit", "20"])),
        (f"CLI: wiredup search {words['very common'][0]} --json", run_cli(args.wiredup, ["search", str(path), words["very common"][0], "--json"])),
    ]
    print(f"\n{'query':<48} {'median ms':>10} {'max ms':>9} {'rows':>5}  under 1 s")
    notes = []
    for name, call in measured:
        try:
            times, rows = timed(call, args.repeat)
        except RuntimeError as error:
            print(f"{name:<48} {'-':>10} {'-':>9} {'-':>5}  skipped (see below)")
            notes.append(f"{name}: skipped, the command failed: {error}")
            continue
        print(f"{name:<48} {statistics.median(times):>10.1f} {max(times):>9.1f} {rows:>5}  {'yes' if max(times) < 1000 else 'NO'}",
              flush=True)
    for note in notes:
        print(note)
    print(f"\ndatabase {path} ({path.stat().st_size / 1e6:.0f} MB); each query run {args.repeat} times, max includes the first run")


if __name__ == "__main__":
    main()
