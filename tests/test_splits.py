"""Deterministic splits and nested, stratified annotation fractions."""

from __future__ import annotations

import math

import pytest

from medvlseg.data.splits import annotation_subset, assign_splits, hash_order
from medvlseg.errors import ConfigError

IDS = [f"img{k:04d}" for k in range(503)]


def test_hash_order_is_deterministic_and_independent_of_input_order():
    assert hash_order(IDS, 3) == hash_order(list(reversed(IDS)), 3)
    assert hash_order(IDS, 3) != hash_order(IDS, 4)
    assert sorted(hash_order(IDS, 0)) == sorted(IDS)


@pytest.mark.parametrize("fractions", [{"train": 0.8, "val": 0.2}, {"train": 0.7, "val": 0.15, "test": 0.15}])
def test_assign_splits_sizes_and_determinism(fractions):
    a = assign_splits(IDS, fractions, seed=1)
    assert a == assign_splits(list(reversed(IDS)), fractions, seed=1)
    for name, frac in fractions.items():
        assert abs(sum(v == name for v in a.values()) - frac * len(IDS)) <= 1
    assert set(a) == set(IDS)


def test_groups_never_straddle_splits():
    groups = [f"vol{k // 10}" for k in range(len(IDS))]  # 10 slices per volume
    a = assign_splits(IDS, seed=0, groups=groups)
    by_group: dict[str, set[str]] = {}
    for i, g in zip(IDS, groups):
        by_group.setdefault(g, set()).add(a[i])
    assert all(len(s) == 1 for s in by_group.values())
    assert {v for v in a.values()} == {"train", "val"}


def test_bad_fractions_are_rejected():
    with pytest.raises(ConfigError, match="sum to 1"):
        assign_splits(IDS, {"train": 0.8, "val": 0.3})
    with pytest.raises(ConfigError, match=r"\(0, 1\]"):
        annotation_subset(IDS, 0.0)


def test_annotation_fractions_are_nested_and_stratified():
    empty = [k % 7 == 0 for k in range(len(IDS))]  # 72 empty, 431 non-empty
    subsets = {f: set(annotation_subset(IDS, f, empty=empty, seed=5)) for f in (0.1, 0.25, 0.5, 1.0)}
    assert subsets[0.1] < subsets[0.25] < subsets[0.5] < subsets[1.0] == set(IDS)
    n_empty, n_full = sum(empty), len(IDS) - sum(empty)
    for f, sub in subsets.items():
        e = sum(1 for i, is_e in zip(IDS, empty) if is_e and i in sub)
        assert e == math.ceil(f * n_empty - 1e-9)
        assert len(sub) - e == math.ceil(f * n_full - 1e-9)
    # another seed gives another subset; the same seed the same one
    assert set(annotation_subset(IDS, 0.1, empty=empty, seed=6)) != subsets[0.1]
    assert set(annotation_subset(IDS, 0.1, empty=empty, seed=5)) == subsets[0.1]


def test_real_dataset_fractions(polypgen):
    from medvlseg.data.dataset import SegmentationDataset

    train = SegmentationDataset.open(polypgen).split("train")
    ten = train.annotation_fraction(0.1)
    quarter = train.annotation_fraction(0.25)
    assert set(ten.ids()) < set(quarter.ids())
    share = lambda ds: sum(ds.is_empty(s) for s in ds) / len(ds)  # noqa: E731
    assert abs(share(ten) - share(train)) < 0.02
