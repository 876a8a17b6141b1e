"""Prompt attributes on the real masks of ../shared/datasets (skipped when the data is absent).

The number of parts and the grid cell are recomputed here independently of medvlseg.prompts:
parts with scipy.ndimage.label (3x3 structure = 8-connectivity, the default), the centroid with numpy.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from medvlseg.data.dataset import SegmentationDataset
from medvlseg.prompts import PROMPT_TYPES, build_prompts, compute_attributes, generate_records, perturb
from medvlseg.prompts.attributes import MIN_COMPONENT_PIXELS

CELLS = [["top left", "top", "top right"], ["left", "center", "right"], ["bottom left", "bottom", "bottom right"]]
EIGHT = np.ones((3, 3), bool)


def expected_number(mask: np.ndarray, min_pixels: int) -> int:
    labels, n = ndimage.label(mask, structure=EIGHT)
    if n == 0:
        return 0
    areas = np.bincount(labels.ravel())[1:]
    return max(int((areas >= min_pixels).sum()), 1)  # a mask of specks only still has one part


def expected_cell(mask: np.ndarray) -> str:
    rows, cols = np.nonzero(mask)
    h, w = mask.shape
    y = (rows + 0.5).mean() / h  # pixel centres, as a fraction of the image height
    x = (cols + 0.5).mean() / w
    return CELLS[min(int(y * 3), 2)][min(int(x * 3), 2)]


def check_masks(path: Path, every: int = 1, also: tuple[str, ...] = ()) -> dict[str, int]:
    ds = SegmentationDataset.open(path)
    ids = ds.ids()[::every]
    ids += [i for i in also if i not in ids]
    seen = {"empty": 0, "single": 0, "multi": 0}
    for sid in ids:
        sample = ds[sid]
        mask = ds.load_mask(sample)
        a = compute_attributes(mask, target=sample.target)
        raw = compute_attributes(mask, target=sample.target, min_component_pixels=1)
        assert raw.number == expected_number(mask, 1), sid
        assert a.number == expected_number(mask, MIN_COMPONENT_PIXELS), sid
        prompts = build_prompts(a)
        if a.number == 0:
            seen["empty"] += 1
            assert prompts["p5"] == f"no {a.class_name} in the image", sid
            continue
        assert a.mask_location == expected_cell(mask), sid
        labels, n = ndimage.label(mask, structure=EIGHT)
        if n == 1:
            seen["single"] += 1
            assert a.location == expected_cell(mask), sid
            assert prompts["p6"].endswith(f", located in {expected_cell(mask)} of the image"), sid
            assert prompts["p5"].startswith("one "), sid
        else:
            seen["multi"] += 1
            # each counted part's cell is named in the prompt
            areas = np.bincount(labels.ravel())
            for k in range(1, n + 1):
                if areas[k] >= MIN_COMPONENT_PIXELS:
                    assert expected_cell(labels == k) in a.location, sid
    return seen


def test_ph2_every_mask(ph2):
    seen = check_masks(ph2)
    assert sum(seen.values()) == 160


def test_fuseg_sample(fuseg):
    # every 10th image, plus masks known to have several parts and annotation specks
    seen = check_masks(fuseg, every=10, also=("fuseg_0012", "fuseg_0179", "fuseg_0500", "fuseg_0838"))
    assert seen["single"] > 20 and seen["multi"] >= 3


def test_polypgen_sample(polypgen):
    ds = SegmentationDataset.open(polypgen)
    empties = [s.id for s in ds if ds.is_empty(s)][:5]
    seen = check_masks(polypgen, every=15, also=tuple(empties) + ("polypgen_EndoCV2021_001362",))
    assert seen["empty"] >= 5 and seen["single"] > 20 and seen["multi"] >= 1


@pytest.fixture(scope="module")
def ph2_records():
    from conftest import shared_dataset

    ds = SegmentationDataset.open(shared_dataset("ph2"))
    return ds, list(generate_records(ds, perturb="opposite", perturb_type="p6", seed=3))


def test_generate_records_ph2(ph2_records):
    ds, records = ph2_records
    assert len(records) == 160
    assert [r["id"] for r in records] == ds.ids()
    colours, shapes = set(), set()
    for r, sample in zip(records, ds):
        assert set(PROMPT_TYPES) <= set(r) and {"id", "dataset", "split", "target", "attributes"} <= set(r)
        assert r["dataset"] == "ph2" and r["split"] == sample.split and r["target"] == "skin lesion"
        attrs = r["attributes"]
        diagnosis = sample.meta["diagnosis"]
        assert attrs["fields"]["diagnosis"] == diagnosis
        assert all(diagnosis in p for p in r["p9"])  # the diagnosis reaches the description prompts
        assert r["p1"] == "skin lesion" and r["p0"] == ""
        assert r["p6"].startswith(r["p5"]) and r["p5"].endswith(r["p4"])
        colours.add(attrs["color"])
        shapes.add(attrs["shape"])
        assert r["perturbation"]["kind"] == "opposite" and r["perturbation"]["prompt"] != r["p6"]
    # dermoscopy lesions are brownish; a palette that names them all alike would be useless
    assert len(colours) >= 3 and len(shapes) >= 2
    assert colours & {"brown", "dark brown", "light brown"}


def test_generate_records_perturbation_is_seeded_by_id(ph2_records):
    ds, records = ph2_records
    val = ds.split("val")
    again = {r["id"]: r["perturbation"] for r in generate_records(val, perturb="opposite", perturb_type="p6", seed=3)}
    for r in records:
        if r["id"] in again:
            assert again[r["id"]] == r["perturbation"]  # same result whether or not the split was filtered
    other = [r["perturbation"] for r in generate_records(val, perturb="opposite", perturb_type="p6", seed=4)]
    assert other != list(again.values())


def test_perturb_a_real_record(ph2_records):
    _, records = ph2_records
    r = records[0]
    rng = random.Random(0)
    p = perturb(r, "drop", "p6", rng, attribute="location")
    assert p == r["p5"]
