"""Prompt attributes, templates P0-P9, perturbations and prompt files (REFERENCE §2).

Expected strings are written out from the templates in REFERENCE §2, not taken from the code's output.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from skimage.draw import disk, ellipse, polygon

from medvlseg.errors import ConfigError, DataError
from medvlseg.prompts import (
    PERTURBATIONS,
    PROMPT_TYPES,
    Attributes,
    build_prompts,
    choose_prompt,
    compute_attributes,
    load_prompts_jsonl,
    perturb,
    perturb_prompt,
    write_prompts_jsonl,
)
from medvlseg.prompts.perturb import RANDOM_WORDS

DESC = ["a growth protruding from the colon lining", "a lump of tissue in the bowel"]


def hand_attrs(**kw) -> Attributes:
    base = dict(
        target="polyp", class_name="polyp", class_plural="polyps", number=1, number_word="one",
        size="small", location="right", mask_location="right", shape="circle", color="pink",
        descriptions=list(DESC),
    )
    base.update(kw)
    return Attributes(**base)


def disk_mask(shape=(300, 300), centers=((150, 150),), r=20) -> np.ndarray:
    m = np.zeros(shape, bool)
    for c in centers:
        m[disk(c, r, shape=shape)] = True
    return m


# ------------------------------------------------------------------------------------------ templates


def test_templates_exact_strings_reference_example():
    p = build_prompts(hand_attrs())
    assert p["p0"] == ""
    assert p["p1"] == "polyp"
    assert p["p2"] == "circle polyp"
    assert p["p3"] == "pink circle polyp"
    assert p["p4"] == "small pink circle polyp"
    assert p["p5"] == "one small pink circle polyp"
    assert p["p6"] == "one small pink circle polyp, located in right of the image"  # REFERENCE §2 example
    assert p["p7"] == [
        "polyp which is a growth protruding from the colon lining",
        "polyp which is a lump of tissue in the bowel",
    ]
    assert p["p8"] == [
        "one small pink circle polyp which is a growth protruding from the colon lining",
        "one small pink circle polyp which is a lump of tissue in the bowel",
    ]
    assert p["p9"] == [
        "one small pink circle polyp which is a growth protruding from the colon lining located in right of the image",
        "one small pink circle polyp which is a lump of tissue in the bowel located in right of the image",
    ]
    assert list(p) == list(PROMPT_TYPES)


def test_templates_nest():
    p = build_prompts(hand_attrs(size="large", color="dark red", shape="irregular", location="top left"))
    assert p["p3"].endswith(p["p2"]) and p["p2"].endswith(p["p1"])
    assert p["p4"].endswith(p["p3"]) and p["p5"].endswith(p["p4"])
    assert p["p6"].startswith(p["p5"] + ", located in top left")
    for p7, p8, p9 in zip(p["p7"], p["p8"], p["p9"]):
        assert p7.startswith(p["p1"] + " which is ")
        assert p8.startswith(p["p5"] + " which is ")
        assert p9.startswith(p8) and p9.endswith(" located in top left of the image")


def test_templates_plural_for_several_parts():
    p = build_prompts(hand_attrs(number=2, number_word="two"))
    assert p["p5"] == "two small pink circle polyps"
    assert p["p1"] == "polyps"
    assert p["p6"] == "two small pink circle polyps, located in right of the image"
    assert p["p7"][0] == "polyp which is a growth protruding from the colon lining"  # class definition: singular
    lesion = build_prompts(hand_attrs(number=3, number_word="three", class_name="skin lesion", class_plural="skin lesions"))
    assert lesion["p5"] == "three small pink circle skin lesions"


def test_templates_leave_out_unknown_words():
    p = build_prompts(hand_attrs(color=None))
    assert p["p3"] == "circle polyp"
    assert p["p5"] == "one small circle polyp"
    assert "None" not in json.dumps(p)


def test_negative_prompt_for_empty_mask():
    a = compute_attributes(np.zeros((64, 64), bool), np.zeros((64, 64, 3), np.uint8), target="polyp")
    assert a.number == 0 and a.empty and a.size is None and a.location is None
    p = build_prompts(a)
    assert p["p0"] == ""
    assert p["p1"] == "polyp"  # the question asked of any image; its answer here is an empty mask
    for level in PROMPT_TYPES[2:]:
        assert p[level] == "no polyp in the image"
    assert build_prompts(compute_attributes(np.zeros((8, 8)), target="skin lesion"))["p9"] == "no skin lesion in the image"


def test_choose_prompt_levels_lists_and_seed():
    rec = {"id": "x", **build_prompts(hand_attrs())}
    assert choose_prompt(rec, "p6", random.Random(0)) == rec["p6"]
    assert choose_prompt(rec, "p8", random.Random(0)) in rec["p8"]
    drawn = {choose_prompt(rec, "p7", random.Random(s)) for s in range(20)}
    assert drawn == set(rec["p7"])  # one description variant drawn per call, both occur
    rng1, rng2 = random.Random(7), random.Random(7)
    seq1 = [choose_prompt(rec, "random", rng1) for _ in range(30)]
    seq2 = [choose_prompt(rec, "random", rng2) for _ in range(30)]
    assert seq1 == seq2
    assert len(set(seq1)) >= 5  # random levels really vary
    g = np.random.default_rng(3)
    assert choose_prompt(rec, "random", g) in [v for vals in rec.values() for v in (vals if isinstance(vals, list) else [vals])]


def test_choose_prompt_invalid_type_lists_valid_values():
    rec = build_prompts(hand_attrs())
    with pytest.raises(ConfigError) as exc:
        choose_prompt(rec, "p10", random.Random(0))
    assert "p0" in str(exc.value) and "p9" in str(exc.value) and "random" in str(exc.value)


# ---------------------------------------------------------------------------------------- attributes


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_number_of_disks(k):
    centers = [(60, 60), (60, 240), (240, 60), (240, 240)][:k]
    a = compute_attributes(disk_mask(centers=centers))
    assert a.number == k
    assert a.number_word == ["one", "two", "three", "four"][k - 1]
    assert len(a.components) == k


def test_many_parts_say_several_but_keep_count():
    centers = [(30 + 60 * i, 30 + 60 * j) for i in range(2) for j in range(4)]  # 8 disks
    a = compute_attributes(disk_mask(centers=centers, r=10))
    assert a.number == 8 and a.number_word == "several"


def test_connectivity_diagonal_touch():
    m = np.zeros((40, 40), bool)
    m[5:15, 5:15] = True
    m[15:25, 15:25] = True  # touches the first square at one corner only
    assert compute_attributes(m).number == 1  # default 8-connectivity
    assert compute_attributes(m, connectivity=1).number == 2
    with pytest.raises(ConfigError):
        compute_attributes(m, connectivity=3)


def test_specks_are_not_counted_but_a_speck_alone_is_not_empty():
    m = disk_mask()
    m[2, 2] = True  # one-pixel annotation speck
    assert compute_attributes(m).number == 1
    assert compute_attributes(m, min_component_pixels=1).number == 2
    speck = np.zeros((100, 100), bool)
    speck[50, 50:53] = True
    a = compute_attributes(speck, target="polyp")
    assert a.number == 1 and build_prompts(a)["p1"] == "polyp"


GRID = [["top left", "top", "top right"], ["left", "center", "right"], ["bottom left", "bottom", "bottom right"]]


@pytest.mark.parametrize("shape", [(300, 300), (90, 450)])
def test_location_of_a_disk_in_each_cell(shape):
    h, w = shape
    for i in range(3):
        for j in range(3):
            c = (int(h * (2 * i + 1) / 6), int(w * (2 * j + 1) / 6))
            a = compute_attributes(disk_mask(shape, [c], r=10))
            assert a.location == GRID[i][j], (c, a.location)
            assert a.mask_location == GRID[i][j]
            assert build_prompts(a)["p6"].endswith(f", located in {GRID[i][j]} of the image")


def test_location_of_several_parts_lists_each_cell_once():
    # four separate disks: two in the top-left cell, one top right, one bottom
    a = compute_attributes(disk_mask(centers=[(50, 50), (40, 240), (250, 150), (80, 70)], r=8))
    assert a.number == 4
    assert set(a.locations) == {"top left", "top right", "bottom"} and len(a.locations) == 4
    stated = a.location.replace(", ", " and ").split(" and ")
    assert sorted(stated) == ["bottom", "top left", "top right"]  # each cell once
    assert a.mask_location in {c for row in GRID for c in row}


def _block(n: int, shape=(100, 100)) -> np.ndarray:
    m = np.zeros(shape[0] * shape[1], bool)
    m[:n] = True  # whole rows then a partial row: one connected part of exactly n pixels
    return m.reshape(shape)


@pytest.mark.parametrize(
    "pixels,expected",
    [(3001, "large"), (3000, "medium"), (801, "medium"), (800, "small"), (10, "small"), (9, "tiny"), (1, "tiny")],
)
def test_size_class_boundaries(pixels, expected):
    # 100 x 100 image: > 30 % large, > 8 % medium, < 0.1 % tiny, else small (REFERENCE §2)
    a = compute_attributes(_block(pixels))
    assert a.number == 1
    assert a.size == expected
    assert a.components[0].area == pixels


def test_size_of_several_parts():
    m = np.zeros((200, 200), bool)
    m[:130, :130] = True  # 42 %: large
    m[190:195, 190:195] = True  # 25 px = 0.0625 %: tiny
    a = compute_attributes(m)
    assert a.sizes == ["large", "tiny"]
    assert a.size == "large and tiny"


def _star(points: int, inner: float, shape=(200, 200), radius=80) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 2 * points, endpoint=False)
    r = np.where(np.arange(2 * points) % 2 == 0, radius, radius * inner)
    m = np.zeros(shape, bool)
    m[polygon(shape[0] / 2 + r * np.sin(t), shape[1] / 2 + r * np.cos(t), shape=shape)] = True
    return m


def _ellipse(a: int, b: int, rot: float = 0.3) -> np.ndarray:
    m = np.zeros((250, 250), bool)
    m[ellipse(125, 125, a, b, shape=m.shape, rotation=rot)] = True
    return m


def test_shapes_circle_oval_elongated_irregular():
    assert compute_attributes(disk_mask(r=60)).shape == "circle"
    assert compute_attributes(disk_mask(r=6)).shape == "circle"
    assert compute_attributes(_ellipse(80, 55)).shape == "oval"
    assert compute_attributes(_ellipse(100, 20)).shape == "elongated"
    assert compute_attributes(_star(5, 0.45)).shape == "irregular"
    assert compute_attributes(_star(8, 0.6)).shape == "irregular"


def _coloured(rgb, background=(128, 160, 128)) -> tuple[np.ndarray, np.ndarray]:
    m = disk_mask((100, 100), [(50, 50)], r=25)
    img = np.empty((100, 100, 3), np.uint8)
    img[:] = background
    img[m] = rgb
    return m, img


@pytest.mark.parametrize(
    "rgb,name",
    [
        ((230, 20, 20), "red"),
        ((255, 182, 193), "pink"),  # CSS lightpink
        ((139, 69, 19), "brown"),  # CSS saddlebrown
        ((10, 10, 10), "black"),
        ((250, 250, 250), "white"),
        ((255, 215, 0), "yellow"),  # CSS gold
        ((128, 0, 128), "purple"),
    ],
)
def test_colour_names(rgb, name):
    m, img = _coloured(rgb)
    a = compute_attributes(m, img, target="polyp")
    assert a.color == name
    assert build_prompts(a)["p3"] == f"{name} circle polyp"


def test_colour_uses_only_mask_pixels():
    m, img = _coloured((230, 20, 20), background=(250, 250, 250))
    assert compute_attributes(m, img).color == "red"
    assert compute_attributes(~m, img).color == "white"


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_grey_images_named_relative_to_surroundings(dtype):
    m = disk_mask((100, 100), [(50, 50)], r=20)
    scale = {np.uint8: 1, np.uint16: 200, np.float32: 0.01}[dtype]
    bright = np.full((100, 100), 60, np.float64)
    bright[m] = 200
    dark = 200 - bright + 60
    same = np.full((100, 100), 120.0)
    same[::2] = 125  # texture, no contrast
    for img, word in [(bright, "bright"), (dark, "dark"), (same, "grey")]:
        a = compute_attributes(m, (img * scale).astype(dtype))
        assert a.color == word
    rgb_grey = np.repeat((bright).astype(np.uint8)[..., None], 3, axis=2)  # grey stored as RGB
    assert compute_attributes(m, rgb_grey).color == "bright"


def test_image_and_mask_size_must_match():
    with pytest.raises(DataError, match="does not match"):
        compute_attributes(np.ones((10, 10)), np.zeros((12, 10, 3), np.uint8))


def test_target_names_descriptions_and_fields():
    m = disk_mask()
    polyp = compute_attributes(m, target="polyp")
    assert polyp.class_name == "polyp" and polyp.class_plural == "polyps"
    assert len(polyp.descriptions) >= 3 and all(d and d[0].islower() for d in polyp.descriptions)
    assert compute_attributes(m, target="foot ulcer").class_plural == "foot ulcers"
    by_dataset = compute_attributes(m, target="target", dataset="ph2")  # folder layout: target unknown
    assert by_dataset.class_name == "skin lesion"
    generic = compute_attributes(m, target="kidney stone")
    assert generic.class_name == "kidney stone" and generic.class_plural == "kidney stones" and generic.descriptions
    mel = compute_attributes(m, target="skin lesion", extra={"diagnosis": "melanoma"})
    assert mel.fields == {"diagnosis": "melanoma"}
    assert mel.descriptions and all("melanoma" in d for d in mel.descriptions)
    assert all("melanoma" in p for p in build_prompts(mel)["p8"])
    assert build_prompts(mel)["p1"] == "skin lesion"  # diagnosis is not the class (no label needed at test time)
    other = compute_attributes(m, target="skin lesion", extra={"diagnosis": "seborrheic keratosis"})
    assert any("seborrheic keratosis" in d for d in other.descriptions)
    own = compute_attributes(m, target="polyp", description="my own words")
    assert build_prompts(own)["p7"] == ["polyp which is my own words"]


def test_user_targets_file(tmp_path):
    f = tmp_path / "targets.yaml"
    f.write_text(
        "targets:\n  kidney cyst:\n    class: cyst\n    plural: cysts\n    aliases: [mykidneys]\n"
        "    descriptions: [\"a fluid-filled sac in the kidney\"]\n",
        encoding="utf-8",
    )
    a = compute_attributes(disk_mask(), target="target", dataset="mykidneys", targets=f)
    assert build_prompts(a)["p7"] == ["cyst which is a fluid-filled sac in the kidney"]
    assert compute_attributes(disk_mask(), target="polyp", targets=f).class_name == "polyp"  # packaged ones kept
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets:\n  x:\n    class: x\n", encoding="utf-8")
    with pytest.raises(DataError, match="descriptions"):
        compute_attributes(disk_mask(), targets=bad)
    bad.write_text("targets:\n  x:\n    descriptions: [a thing]\n    synonyms: [ok, 3]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.yaml: targets.x.synonyms"):
        compute_attributes(disk_mask(), targets=bad)


def test_synonyms_are_never_training_text(tmp_path):
    """Synonyms are for the prompt resolver only: no P0-P9 prompt holds one, and a manifest target
    string equal to a synonym is not taken to that target (a user's "adenoma" set stays "adenoma")."""
    f = tmp_path / "targets.yaml"
    f.write_text(
        "targets:\n  kidney cyst:\n    class: cyst\n    synonyms: [zqrenalbubble, Xqcystoid Sac]\n"
        "    descriptions: [\"a fluid-filled sac in the kidney\"]\n",
        encoding="utf-8",
    )
    from medvlseg.prompts.attributes import load_targets

    info = load_targets(f).resolve("kidney cyst")
    assert info.synonyms == ("zqrenalbubble", "xqcystoid sac")
    assert load_targets(f).resolve("zqrenalbubble").class_name == "zqrenalbubble"  # not an alias
    m, img = _coloured((230, 20, 20))
    a = compute_attributes(m, img, target="kidney cyst", targets=f)
    texts = json.dumps(build_prompts(a)).lower()
    assert "cyst" in texts and "zqrenalbubble" not in texts and "xqcystoid" not in texts
    packaged = load_targets()
    assert "adenoma" in packaged.resolve("polyp").synonyms and "adenoma" not in packaged.aliases


def test_attributes_dict_round_trip():
    m, img = _coloured((230, 20, 20))
    a = compute_attributes(m, img, target="polyp", extra={"diagnosis": "x"})
    d = json.loads(json.dumps(a.to_dict()))
    b = Attributes.from_dict(d)
    assert build_prompts(b) == build_prompts(a)
    assert d["number"] == 1 and d["components"][0]["size"] == a.size


# ------------------------------------------------------------------------------------- perturbations


def _left_disk_attrs() -> Attributes:
    m = disk_mask((100, 100), [(50, 16)], r=12)  # centre column 16 of 100: the left cell
    img = np.full((100, 100, 3), 128, np.uint8)
    img[m] = (230, 20, 20)
    return compute_attributes(m, img, target="polyp")


def test_opposite_left_gives_right():
    a = _left_disk_attrs()
    assert a.location == "left"
    assert perturb(a, "opposite", "p6", random.Random(0), attribute="location") == (
        build_prompts(a)["p5"] + ", located in right of the image"
    )


def test_opposite_size_shape_and_number():
    a = hand_attrs(size="large", shape="circle")
    assert perturb(a, "opposite", "p4", 0, attribute="size") == "small pink circle polyp"
    assert perturb(a, "opposite", "p2", 0, attribute="shape") == "irregular polyp"
    assert perturb(a, "opposite", "p5", 0, attribute="number") == "several large pink circle polyps"
    top = hand_attrs(location="top")
    assert perturb(top, "opposite", "p6", 0, attribute="location").endswith("located in bottom of the image")


def test_opposite_changes_a_word_whatever_attribute_is_drawn():
    a = hand_attrs(size="large")
    clean = build_prompts(a)["p6"]
    for seed in range(10):
        p = perturb_prompt(a, "opposite", "p6", seed)
        assert p.attribute in {"number", "size", "color", "shape", "location"}
        assert p.prompt != clean and p.replacement != p.original


def test_random_word_replaces_one_word_and_is_seeded():
    a = hand_attrs()
    clean = build_prompts(a)["p5"].split()
    outs = [perturb(a, "random-word", "p5", random.Random(s)) for s in range(12)]
    for out in outs:
        words = out.split()
        diff = [(x, y) for x, y in zip(clean, words) if x != y]
        assert len(words) == len(clean) and len(diff) == 1
        assert diff[0][1] in RANDOM_WORDS
        assert diff[0][0] != "polyp"  # mask-derived words are perturbed, not the class
    assert outs == [perturb(a, "random-word", "p5", random.Random(s)) for s in range(12)]  # deterministic
    assert len(set(outs)) > 3  # and not constant across seeds


def test_random_word_on_list_levels_and_class_only_levels():
    a = hand_attrs()
    p8 = perturb(a, "random-word", "p8", 1)
    assert isinstance(p8, list) and len(p8) == len(DESC)
    p1 = perturb(a, "random-word", "p1", 1)
    assert p1 in RANDOM_WORDS


def test_drop_rebuilds_without_the_attribute():
    a = hand_attrs()
    assert perturb(a, "drop", "p6", 0, attribute="location") == "one small pink circle polyp"
    assert perturb(a, "drop", "p3", 0, attribute="shape") == "pink polyp"
    assert perturb(a, "drop", "p9", 0, attribute="location") == build_prompts(a)["p8"]
    dropped = perturb(a, "drop", "p6", random.Random(3))
    assert len(dropped) < len(build_prompts(a)["p6"])


def test_empty_and_unknown_perturbation():
    a = hand_attrs()
    assert perturb(a, "empty", "p9", 0) == ""
    with pytest.raises(ConfigError) as exc:
        perturb(a, "antonym", "p6", 0)
    for kind in PERTURBATIONS:
        assert kind in str(exc.value)
    with pytest.raises(ConfigError, match="p0"):
        perturb(a, "drop", "p11", 0)
    with pytest.raises(ConfigError, match="location"):
        perturb(a, "drop", "p3", 0, attribute="location")  # p3 has no location


def test_perturb_on_a_record_and_on_an_empty_mask():
    a = hand_attrs()
    rec = {"id": "x", "attributes": a.to_dict(), **build_prompts(a)}
    assert perturb(rec, "opposite", "p6", 4) == perturb(a, "opposite", "p6", 4)
    empty = compute_attributes(np.zeros((20, 20)), target="polyp")
    assert perturb(empty, "opposite", "p6", 0) == "no polyp in the image"
    word = perturb(empty, "random-word", "p6", 0)
    assert word.startswith("no ") and word.endswith(" in the image") and word != "no polyp in the image"


# ------------------------------------------------------------------------------------------ files


def test_prompt_file_round_trip_and_errors(tmp_path):
    a = hand_attrs()
    recs = [{"id": f"s{k}", "attributes": a.to_dict(), **build_prompts(a)} for k in range(3)]
    path = write_prompts_jsonl(recs, tmp_path / "p.jsonl")
    loaded = load_prompts_jsonl(path)
    assert list(loaded) == ["s0", "s1", "s2"] and loaded["s1"]["p6"] == recs[1]["p6"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(recs[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:2: malformed JSON"):
        load_prompts_jsonl(bad)
    missing = {k: v for k, v in recs[0].items() if k != "p4"}
    bad.write_text(json.dumps(missing) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:1: missing key\(s\) p4"):
        load_prompts_jsonl(bad)
    bad.write_text(json.dumps(recs[0]) + "\n" + json.dumps(recs[0]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="duplicate id"):
        load_prompts_jsonl(bad)
    bad.write_text(json.dumps({**recs[0], "p3": 5}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="p3"):
        load_prompts_jsonl(bad)
    with pytest.raises(DataError, match="not found"):
        load_prompts_jsonl(tmp_path / "nope.jsonl")


def test_opposite_of_a_sided_class_name_is_the_other_side():
    from medvlseg.prompts import compute_attributes

    m = disk_mask((100, 100), [(50, 30)], r=12)
    img = np.full((100, 100, 3), 128, np.uint8)
    left = compute_attributes(m, img, target="left lung")
    p = perturb_prompt(left, "opposite", "p1", 0)
    assert (p.prompt, p.attribute, p.original, p.replacement) == ("right lung", "class", "left lung", "right lung")
    assert perturb(compute_attributes(m, img, target="right clavicle"), "opposite", "p1", 0) == "left clavicle"
    polyp = compute_attributes(m, img, target="polyp")
    assert perturb_prompt(polyp, "opposite", "p1", 0).attribute is None  # nothing to flip: unchanged
    assert perturb(polyp, "opposite", "p1", 0) == "polyp"
