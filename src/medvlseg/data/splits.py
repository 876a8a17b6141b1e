"""Deterministic splits and nested, stratified annotation fractions.

Order is decided by a hash of ``(seed, key)``, never by a random shuffle inside a constructor, so
the same ids and seed always give the same split on any machine and in any process, whatever the
order in which files were listed.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence

from ..errors import ConfigError


def hash_order(keys: Iterable[str], seed: int = 0) -> list[str]:
    """``keys`` sorted by SHA-256 of ``"{seed}:{key}"``: a stable pseudo-random order."""
    return sorted(set(keys), key=lambda k: hashlib.sha256(f"{seed}:{k}".encode()).hexdigest())


def assign_splits(
    ids: Sequence[str],
    fractions: Mapping[str, float] | None = None,
    *,
    groups: Sequence[str] | None = None,
    seed: int = 0,
) -> dict[str, str]:
    """Map each id to a split name.

    ``fractions`` (default train 0.8, val 0.2) must sum to 1. ``groups`` (for example the volume
    each slice comes from, or the patient) keeps every member of a group in the same split, so
    slices of one scan never leak between train and validation.
    """
    fractions = dict(fractions or {"train": 0.8, "val": 0.2})
    if any(f < 0 for f in fractions.values()) or not math.isclose(sum(fractions.values()), 1.0, abs_tol=1e-6):
        raise ConfigError(f"split fractions must be non-negative and sum to 1, got {fractions}")
    groups = list(groups) if groups is not None else list(ids)
    if len(groups) != len(ids):
        raise ConfigError("groups must have one entry per id")
    order = hash_order(groups, seed)
    n = len(order)
    bounds, acc = [], 0.0
    for name, frac in fractions.items():
        acc += frac
        bounds.append((name, round(acc * n)))
    group_split: dict[str, str] = {}
    start = 0
    for name, end in bounds:
        for g in order[start:end]:
            group_split[g] = name
        start = end
    return {i: group_split[g] for i, g in zip(ids, groups)}


ANNOTATION_FRACTIONS = (0.1, 0.25, 0.5, 1.0)


def annotation_subset(
    ids: Sequence[str],
    fraction: float,
    *,
    empty: Sequence[bool] | None = None,
    seed: int = 0,
) -> list[str]:
    """The ids kept when only ``fraction`` of the training annotations are used.

    Nested: for one seed, the 10 % subset lies inside the 25 % subset, which lies inside the 50 %
    one (each is a prefix of the same hash order). Stratified by ``empty`` (whether the mask is
    empty) so that the share of empty masks stays the same. At least one id per non-empty stratum is
    kept. Returned in the input order.
    """
    if not 0 < fraction <= 1:
        raise ConfigError(f"annotation fraction must be in (0, 1], got {fraction}")
    empty = list(empty) if empty is not None else [False] * len(ids)
    if len(empty) != len(ids):
        raise ConfigError("empty must have one entry per id")
    keep: set[str] = set()
    for stratum in (False, True):
        members = [i for i, e in zip(ids, empty) if bool(e) == stratum]
        if not members:
            continue
        k = max(1, math.ceil(fraction * len(members) - 1e-9))
        keep.update(hash_order(members, seed)[:k])
    return [i for i in ids if i in keep]


def held_out_ids(ids: Sequence[str], fraction: float, *, groups: Sequence[str] | None = None, seed: int = 0) -> list[str]:
    """The ids of a held-out part of a split (``data.select_fraction``): whole groups, at least
    one, chosen by a hash of ``("select", seed, group)``, so the same ids and seed always hold out
    the same images, independent of the annotation-fraction order. Returned in the input order."""
    if not 0 < fraction < 1:
        raise ConfigError(f"select fraction must be in (0, 1), got {fraction}")
    groups = list(groups) if groups is not None else list(ids)
    if len(groups) != len(ids):
        raise ConfigError("groups must have one entry per id")
    order = sorted(set(groups), key=lambda g: hashlib.sha256(f"select:{seed}:{g}".encode()).hexdigest())
    if len(order) < 2:
        raise ConfigError(f"select fraction: need at least 2 groups to hold one out, got {len(order)}")
    keep = set(order[: min(len(order) - 1, max(1, round(fraction * len(order))))])
    return [i for i, g in zip(ids, groups) if g in keep]
