"""Grouping does not depend on the order pages arrive in: every order of the five seeds."""

from __future__ import annotations

import itertools

from conftest import Pipelines, expected_partition, fixture_item, load_manifest, partition


def test_seed_groups_are_the_same_for_all_120_arrival_orders(tmp_path):
    pages = [page["file"] for page in load_manifest()["article"]]
    outcomes = {}
    for number, order in enumerate(itertools.permutations(pages)):
        db_path = tmp_path / f"order-{number}.db"
        pipelines = Pipelines(db_path)
        for page in order:
            assert not isinstance(pipelines.process(fixture_item(page)), str), page
        pipelines.close()
        outcomes[order] = partition(db_path)
    wrong = {order: groups for order, groups in outcomes.items() if groups != expected_partition()}
    assert not wrong, f"{len(wrong)} of 120 orders grouped differently, e.g. {next(iter(wrong.items()))}"
