"""The compact candidate index proposes exactly the candidates datasketch's MinHashLSH does."""

from __future__ import annotations

import json

import pytest
from datasketch import MinHashLSH

import wiredup.group.candidate_index as candidate_index
from conftest import SHARED
from wiredup.group.candidate_index import CandidateIndex, lsh_bands, ordered
from wiredup.group.fingerprint import fingerprints
from wiredup.settings import GroupingSettings

BENCHMARK = SHARED / "benchmarks" / "syndication-dev.jsonl"


@pytest.fixture(scope="module")
def benchmark_fps():
    if not BENCHMARK.is_file():
        pytest.skip(f"benchmark not found at {BENCHMARK} (../shared is not checked out next to the repo)")
    docs = [json.loads(line) for line in BENCHMARK.read_text(encoding="utf-8").splitlines() if line.strip()]
    return dict(zip((doc["id"] for doc in docs), fingerprints([doc["text"] for doc in docs], GroupingSettings())))


def same_candidates(index: CandidateIndex, lsh: MinHashLSH, fps) -> int:
    """Assert both give the same candidates for every fingerprint; return how many candidate pairs there were."""
    pairs = 0
    for key, fp in fps.items():
        expected = ordered(lsh.query(fp.minhash)) if len(fp.shingles) else []
        assert index.candidates(fp) == expected, key
        pairs += len(expected)
    return pairs


@pytest.mark.parametrize("threshold", [0.02, 0.3])  # one value per band (uint32 keys), and hashed wider bands
def test_same_candidates_as_minhashlsh_through_merges_and_removals(benchmark_fps, threshold, monkeypatch):
    monkeypatch.setattr(candidate_index, "RECENT_CAPACITY", 50)  # many merges of the recent table
    settings = GroupingSettings(lsh_threshold=threshold)
    lsh = MinHashLSH(num_perm=settings.num_perm, params=lsh_bands(threshold, settings.num_perm))
    index = CandidateIndex(settings)
    assert (index.bands, index.rows) == (lsh.b, lsh.r)
    keys = list(benchmark_fps)
    bulk, one_by_one = keys[:400], keys[400:]
    index.add_many((key, benchmark_fps[key]) for key in bulk)  # as at open: one sort per band
    for key in bulk:
        lsh.insert(key, benchmark_fps[key].minhash)
    for key in one_by_one:  # as during a crawl
        index.add(key, benchmark_fps[key])
        lsh.insert(key, benchmark_fps[key].minhash)
    assert len(index) == len(keys)
    assert same_candidates(index, lsh, benchmark_fps) > 2 * len(keys)  # pairs beyond each text itself

    removed = keys[::7]
    for key in removed:
        index.remove(key)
        lsh.remove(key)
    assert all(key not in index for key in removed) and len(index) == len(keys) - len(removed)
    same_candidates(index, lsh, benchmark_fps)
    for key in removed[::2]:  # changed articles come back
        index.add(key, benchmark_fps[key])
        lsh.insert(key, benchmark_fps[key].minhash)
    index.add_many([(f"again-{key}", benchmark_fps[key]) for key in keys[:60]])
    for key in keys[:60]:
        lsh.insert(f"again-{key}", benchmark_fps[key].minhash)
    same_candidates(index, lsh, benchmark_fps)


def test_a_key_is_indexed_once(benchmark_fps):
    index = CandidateIndex(GroupingSettings())
    key, fp = next(iter(benchmark_fps.items()))
    index.add(key, fp)
    with pytest.raises(ValueError, match="already indexed"):
        index.add(key, fp)


def test_index_tables_stay_under_a_kilobyte_per_article(benchmark_fps):
    index = CandidateIndex(GroupingSettings())
    index.add_many(benchmark_fps.items())
    fixed = CandidateIndex(GroupingSettings()).nbytes()  # the recent table, allocated once
    assert 0 < (index.nbytes() - fixed) / len(index) < 1024
