"""The prompt must matter: label-map datasets give one sample per (image, target); negative prompts
(a target the image does not hold, or nonsense) train "nothing here"; the soft patch-contrastive
term gets a gradient; a tiny model learns different masks for two prompts on the same images."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from medvlseg.data import SegmentationDataset
from medvlseg.data.labels import parse_label_map
from medvlseg.errors import DataError
from medvlseg.prompts.negatives import NONSENSE_WORDS, NegativeSampler

from conftest import shared_dataset


def make_two_target_dataset(root: Path, n: int = 24, size: int = 48, seed: int = 0, labels_file: str = "labels.json",
                            missing_disk: int = 0) -> Path:
    """Dark noise with a red square (label 1, "square") and a blue disk (label 2, "disk") at random
    places in every image: only the prompt says which one to segment. The last
    ``missing_disk`` images have no disk."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    yy, xx = np.mgrid[:size, :size]
    for k in range(n):
        lab = np.zeros((size, size), np.uint8)
        sy, sx = rng.integers(2, size // 2 - 10, 2)
        lab[sy:sy + 10, sx:sx + 10] = 1  # square in the upper-left quadrant area
        if k < n - missing_disk:
            cy, cx = rng.integers(size // 2 + 6, size - 6, 2)
            lab[(yy - cy) ** 2 + (xx - cx) ** 2 <= 25] = 2
        img = rng.integers(0, 50, (size, size, 3)).astype(np.uint8)
        img[lab == 1] = (230, 40, 40)  # a red square
        img[lab == 2] = (40, 60, 230)  # a blue disk: the frozen random towers see colour at once
        Image.fromarray(img).save(root / "images" / f"im{k:02d}.png")
        Image.fromarray(lab).save(root / "masks" / f"im{k:02d}.png")
    if labels_file == "labels.json":
        (root / "labels.json").write_text(json.dumps({"1": "square", "2": "disk"}))
    else:  # nnU-Net v2
        (root / "dataset.json").write_text(json.dumps({"labels": {"background": 0, "square": 1, "disk": 2}}))
    return root


# ---------------------------------------------------------------------------------------- label maps


@pytest.mark.parametrize("labels_file", ["labels.json", "dataset.json"])
def test_label_map_folder_gives_one_sample_per_image_and_target(tmp_path, labels_file):
    root = make_two_target_dataset(tmp_path / "two", n=10, labels_file=labels_file, missing_disk=1)
    ds = SegmentationDataset.open(root)
    assert len(ds) == 20 and ds.targets() == ["disk", "square"]
    assert {s.id for s in ds if s.meta.get("image_id") == "im00"} == {"im00__square", "im00__disk"}
    for stem in {s.meta["image_id"] for s in ds}:  # both samples of an image in one split
        assert len({s.split for s in ds if s.meta["image_id"] == stem}) == 1
    lab = np.array(Image.open(root / "masks" / "im03.png"))
    np.testing.assert_array_equal(ds.load_mask("im03__square"), lab == 1)
    np.testing.assert_array_equal(ds.load_mask("im03__disk"), lab == 2)
    assert not ds.load_mask("im09__disk").any()  # an image without the label: an empty mask, a true "not here"
    only = ds.with_targets(["disk"])
    assert len(only) == 10 and only.targets() == ["disk"]
    with pytest.raises(DataError, match="unknown target.*square"):
        ds.with_targets(["lung"])
    single = SegmentationDataset.open(root, target="square")
    assert len(single) == 10 and single.targets() == ["square"]


@pytest.mark.parametrize("raw,expected", [
    ({"1": "liver", "2": "tumour"}, {1: "liver", 2: "tumour"}),
    ({"liver": 1, "background": 0}, {1: "liver"}),
    ({"labels": {"background": 0, "liver": 1}}, {1: "liver"}),  # nnU-Net v2
    ({"labels": {"0": "background", "1": "liver"}}, {1: "liver"}),  # nnU-Net v1
])
def test_label_map_layouts(raw, expected):
    assert parse_label_map(raw) == expected


@pytest.mark.parametrize("raw,match", [
    ({"labels": {"background": 0, "tumour": [1, 2]}}, "regions"),
    ({"1": "liver", "x": "y"}, "cannot read entry"),
    ({"0": "background"}, "no target"),
    ([1, 2], "JSON object"),
])
def test_bad_label_maps_name_the_problem(raw, match):
    with pytest.raises(DataError, match=match):
        parse_label_map(raw, source="labels.json")


def test_jsrt_label_maps_match_the_per_structure_masks(tmp_path):
    """jsrt's labelmaps/ + labels.json as a user's label-map dataset: five samples per radiograph,
    each label's pixels inside that structure's own mask (a later structure wins where they overlap)."""
    jsrt = shared_dataset("jsrt")
    root = tmp_path / "jsrt_lm"
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    stems = ["jsrt_JPCLN001", "jsrt_JPCLN002"]
    for stem in stems:
        shutil.copy(jsrt / "images" / f"{stem}.jpg", root / "images" / f"{stem}.jpg")
        shutil.copy(jsrt / "labelmaps" / f"{stem}.png", root / "masks" / f"{stem}.png")
    shutil.copy(jsrt / "labels.json", root / "labels.json")
    ds = SegmentationDataset.open(root)
    assert ds.targets() == sorted(["right lung", "left lung", "heart", "right clavicle", "left clavicle"])
    assert len(ds) == 10
    ref = SegmentationDataset.open(jsrt)
    for s in ds:
        stem = s.meta["image_id"]
        truth = ref.load_mask(f"{stem}__{s.target.replace(' ', '_')}")
        got = ds.load_mask(s)
        assert got.any() and not (got & ~truth).any(), s.id
        assert got.sum() >= 0.5 * truth.sum(), s.id


# ------------------------------------------------------------------------------------------ negatives


def test_negative_sampler_never_names_a_target_of_the_image():
    sampler = NegativeSampler(["polyp", "foot ulcer", "heart", "left lung"], {"img1": {"heart", "left lung"}}, nonsense=0.3)
    rng = np.random.default_rng(0)
    draws = [sampler.draw("img1", rng) for _ in range(2000)]
    assert not {"heart", "left lung"} & set(draws)
    names = [d for d in draws if d in ("polyp", "foot ulcer")]
    assert 0.62 < len(names) / len(draws) < 0.78  # 70 % named targets, 30 % nonsense
    nonsense = [d for d in draws if d not in ("polyp", "foot ulcer")]
    assert all(d.replace(" ", "").isalpha() for d in nonsense)
    assert any(w in NONSENSE_WORDS for d in nonsense for w in d.split())
    # deterministic for a given generator state
    again = [sampler.draw("img1", np.random.default_rng(0)) for _ in range(3)]
    assert again == [sampler.draw("img1", np.random.default_rng(0)) for _ in range(3)]


def _datamodule(root: Path, tmp_path: Path, *extra: str):
    pytest.importorskip("lightning")
    from medvlseg.config import RunConfig, apply_overrides
    from medvlseg.engine.data import SegDataModule

    raw = {"name": "t", "out_dir": str(tmp_path), "model": {"name": "medclipseg", "backbone": "tiny"},
           "data": {"path": str(root), "image_size": 64}, "optim": {"batch_size": 8}}
    cfg = RunConfig.from_dict(apply_overrides(raw, list(extra)))
    return cfg, SegDataModule(cfg, size=64, mean=(0.5,) * 3, std=(0.5,) * 3, uses_text=True)


def test_training_samples_get_negative_prompts_with_empty_masks(tmp_path):
    root = make_two_target_dataset(tmp_path / "two", n=30)
    _, dm = _datamodule(root, tmp_path, "data.negative_fraction=0.4")
    ds = dm.train_set
    items = [ds[i] for i in range(len(ds))]
    neg = [it for it in items if it["negative"]]
    assert 0.25 < len(neg) / len(items) < 0.55
    assert all(it["mask"].sum() == 0 for it in neg)
    assert all(it["prompt"] not in ("square", "disk") for it in neg)
    assert all(it["mask"].sum() > 0 for it in items if not it["negative"])
    # the same sample in the same epoch draws the same negative (resume-exact)
    assert [ds[i]["prompt"] for i in range(5)] == [it["prompt"] for it in items[:5]]
    assert not any(dm.val_set[i]["negative"] for i in range(len(dm.val_set)))  # validation is untouched


def test_constant_prompts_are_warned_about_by_name(tmp_path):
    from medvlseg.engine.data import constant_prompt_warning

    root = make_two_target_dataset(tmp_path / "two", n=8)
    cfg, dm = _datamodule(root, tmp_path, "loss.contrastive=0.1", "data.targets=[square]")
    assert "loss.contrastive" in constant_prompt_warning(cfg, dm.train_ds)
    cfg, dm = _datamodule(root, tmp_path, "loss.contrastive=0.1", "data.targets=[square]", "data.negative_fraction=0.25")
    assert constant_prompt_warning(cfg, dm.train_ds) is None
    cfg, dm = _datamodule(root, tmp_path, "loss.contrastive=0.1")  # two targets: prompts differ
    assert constant_prompt_warning(cfg, dm.train_ds) is None


def test_shipped_contrastive_recipes_are_not_constant():
    """Every recipe with a contrastive term trains on varied prompts (negatives, several targets)."""
    from medvlseg.config import RunConfig

    repo = Path(__file__).resolve().parents[1]
    recipes = [p for p in sorted((repo / "configs").glob("*.yaml")) if RunConfig.from_yaml(p).loss.contrastive > 0]
    assert recipes
    for path in recipes:
        cfg = RunConfig.from_yaml(path)
        assert cfg.data.negative_fraction > 0 or cfg.data.prompt_type not in ("p0", "p1") or len(cfg.data.paths) > 1, path.name


def test_contrastive_term_has_a_gradient_with_negatives(tmp_path):
    """With one prompt per batch the soft targets are uniform and the gradient vanishes; with negative
    prompts in the batch it does not."""
    from medvlseg.engine.data import collate
    from medvlseg.engine.module import SegModule
    from medvlseg.models.base import build_model

    root = make_two_target_dataset(tmp_path / "two", n=16)
    grads = {}
    for frac in (0.0, 0.5):
        cfg, dm = _datamodule(root, tmp_path, "loss.contrastive=0.1", "data.targets=[square]", f"data.negative_fraction={frac}")
        torch.manual_seed(0)
        model = build_model("medclipseg", backbone="tiny")
        module = SegModule(model, cfg, dm.dataset_names)
        batch = collate([dm.train_set[i] for i in range(8)])
        model.train()
        out = module.forward_batch(batch)
        c = module._contrastive(out, batch["mask"])
        params = [p for p in model.parameters() if p.requires_grad]
        g = torch.autograd.grad(c, params, allow_unused=True)
        grads[frac] = sum(float(x.abs().sum()) for x in g if x is not None)
    # zero up to rounding (MedCLIPSeg's adapters let each image colour its copy of the text a little)
    assert grads[0.0] < 1e-6 * grads[0.5]
    assert grads[0.5] > 1.0


def test_tiny_model_learns_different_masks_for_two_prompts(tmp_path):
    """Trained a few epochs on images holding both a square and a disk, the model segments the one
    the prompt names."""
    pytest.importorskip("lightning")
    from medvlseg.config import RunConfig
    from medvlseg.engine.train import train
    from medvlseg.segmenter import Segmenter
    from medvlseg.checkpoints import resolve_model

    root = make_two_target_dataset(tmp_path / "two", n=40)
    cfg = RunConfig.from_dict({
        "name": "two", "out_dir": str(tmp_path / "runs"), "seed": 0,
        "model": {"name": "clipseg", "backbone": "tiny"},
        "data": {"path": str(root), "image_size": 64},
        "optim": {"epochs": 30, "batch_size": 8, "lr": 3e-3},
        "trainer": {"accelerator": "cpu"},
    })
    run = train(cfg, progress=False)
    model, _ = resolve_model(run)
    seg = Segmenter(model, presence_threshold=0.0)
    ds = SegmentationDataset.open(root).split("val")
    dice = {("square", "square"): [], ("square", "disk"): [], ("disk", "disk"): [], ("disk", "square"): []}
    for stem in sorted({s.meta["image_id"] for s in ds}):
        image = ds.load_image(f"{stem}__square")
        truth = {t: ds.load_mask(f"{stem}__{t}") for t in ("square", "disk")}
        for prompt in ("square", "disk"):
            mask = seg.segment(image, prompt).mask
            for t in ("square", "disk"):
                inter = (mask & truth[t]).sum()
                dice[(prompt, t)].append(2 * inter / max(1, mask.sum() + truth[t].sum()))
    mean = {k: float(np.mean(v)) for k, v in dice.items()}
    assert mean[("square", "square")] > 0.7 and mean[("square", "disk")] < 0.2, mean
    assert mean[("disk", "disk")] > 0.7 and mean[("disk", "square")] < 0.2, mean


def test_named_levels_name_the_target_and_negatives_take_the_same_form(tmp_path):
    from medvlseg.prompts.templates import NAMED_LEVELS, resolve_prompt_type

    assert {resolve_prompt_type("named", np.random.default_rng(i)) for i in range(200)} == set(NAMED_LEVELS)
    root = make_two_target_dataset(tmp_path / "two", n=30)
    _, dm = _datamodule(root, tmp_path, "data.negative_fraction=0.4", "data.prompt_type=named", "data.negative_nonsense=0")
    ds = dm.train_set
    items = [ds[i] for i in range(len(ds))]
    pos = [it for it in items if not it["negative"]]
    neg = [it for it in items if it["negative"]]
    assert all(it["prompt"] for it in pos)  # never the empty p0
    assert len({it["prompt"] for it in pos}) > 10  # levels and attribute words vary
    target_of = {s.id: s.target for s in ds.ds}
    for it in neg:
        assert target_of[it["id"]] not in it["prompt"].split()  # another target's name, never its own
        assert it["mask"].sum() == 0
    # negatives come in sentences as long as the positives, not only as bare names
    assert max(len(it["prompt"].split()) for it in neg) >= 4
    # an image without its target is asked for it by name, never "no disk in the image", and answered empty
    root2 = make_two_target_dataset(tmp_path / "missing", n=12, missing_disk=6)
    _, dm = _datamodule(root2, tmp_path, "data.prompt_type=named", "data.negative_fraction=0")
    for epoch in range(3):
        dm.train_set.set_epoch(epoch)
        items = [dm.train_set[i] for i in range(len(dm.train_set))]
        free = [it for it in items if it["mask"].sum() == 0]
        assert free and all(it["prompt"] == "disk" for it in free)


def test_render_other_target_keeps_the_form():
    from medvlseg.prompts import compute_attributes
    from medvlseg.prompts.templates import build_prompts, render_other_target

    m = np.zeros((60, 60), bool)
    m[10:25, 10:25] = True
    img = np.full((60, 60, 3), 128, np.uint8)
    img[m] = (230, 20, 20)
    a = compute_attributes(m, img, target="polyp")
    p5 = build_prompts(a)["p5"]
    assert render_other_target(a, "p5", "foot ulcer") == p5.replace("polyp", "foot ulcer")
    assert render_other_target(a, "p1", "heart") == "heart"
    assert render_other_target(a, "p7", "heart", descriptions=["the organ that pumps blood"]) == ["heart which is the organ that pumps blood"]
    assert render_other_target(a, "p8", "heart") == [p5.replace("polyp", "heart")]  # no description: the clause is dropped


# ------------------------------------------------------------------- prompts follow flips and turns

GRID_CENTRES = {"top left": (8, 8), "top": (8, 24), "top right": (8, 40), "left": (24, 8), "center": (24, 24),
                "right": (24, 40), "bottom left": (40, 8), "bottom": (40, 24), "bottom right": (40, 40)}


@pytest.mark.parametrize("k", range(4))
@pytest.mark.parametrize("h", [False, True])
@pytest.mark.parametrize("v", [False, True])
def test_side_words_move_with_the_pixels(k, h, v):
    """Every grid cell's words, moved by orient_prompt, name the cell the prompt generator's own
    location attribute finds the moved blob in (an independent reading of the same pixels)."""
    from medvlseg.engine.data import dihedral, dihedral_name, orient_prompt
    from medvlseg.prompts import compute_attributes

    name = dihedral_name(k, h, v)
    for cell, (r, c) in GRID_CENTRES.items():
        mask = torch.zeros(48, 48)
        mask[r - 3:r + 3, c - 3:c + 3] = 1
        moved = dihedral(mask, name).numpy().astype(np.uint8)
        assert orient_prompt(f"a polyp in the {cell} of the image", name) == \
            f"a polyp in the {compute_attributes(moved).mask_location} of the image", (name, cell)


def test_orient_prompt_keeps_case_and_other_words():
    from medvlseg.engine.data import IDENTITY, dihedral_name, orient_prompt

    mirror = dihedral_name(0, True, False)
    assert orient_prompt("Left lung", mirror) == "Right lung"
    assert orient_prompt("the patient's right side; bright, lefty", mirror) == "the patient's left side; bright, lefty"
    assert orient_prompt("left lung", IDENTITY) == "left lung"
    assert orient_prompt("left lung", dihedral_name(0, False, True)) == "left lung"  # upside down: sides kept


def test_sided_images_are_not_mirrored_unless_asked_and_then_follow_the_prompt(tmp_path):
    """An image whose structure is named by the patient's side is left as it is by default; with
    augment.mirror_sided it is mirrored and asked for the other side (that is where the structure now
    lies), and never turned a quarter. An image without such a target keeps all eight transforms."""
    from medvlseg.engine.data import side_map

    root = make_two_target_dataset(tmp_path / "two", n=16, missing_disk=0)
    (root / "labels.json").write_text(json.dumps({"1": "left square", "2": "disk"}))
    other = make_two_target_dataset(tmp_path / "plain", n=16, seed=1)
    paths = f"data.path=[{root},{other}]"
    flips = ("augment.hflip=true", "augment.vflip=true", "augment.rot90=true", "data.select_fraction=0.2")

    def seen_transforms(dm, check=None) -> dict[str, set[str]]:
        seen: dict[str, set[str]] = {"two": set(), "plain": set()}
        for epoch in range(6):
            dm.train_set.set_epoch(epoch)
            for i in range(len(dm.train_set)):
                it = dm.train_set[i]
                seen[it["dataset"]].add(it["transform"])
                if check is not None:
                    check(it)
        return seen

    _, dm = _datamodule(root, tmp_path, paths, *flips)
    seen = seen_transforms(dm)
    assert seen["two"] == {"d000"} and len(seen["plain"]) == 8  # default: sided images untouched

    def follows(it):
        if it["dataset"] == "two" and not it["negative"] and "square" in it["prompt"]:
            mirrored = side_map(it["transform"])["left"] == "right"
            assert it["prompt"] == ("right square" if mirrored else "left square"), it["transform"]

    _, dm = _datamodule(root, tmp_path, paths, *flips, "augment.mirror_sided=true")
    seen = seen_transforms(dm, follows)
    assert all(int(t[1]) % 2 == 0 for t in seen["two"])  # half turns and flips only
    assert {"d000", "d010", "d200", "d210"} <= seen["two"]
    # mirroring a sided image without moving its prompt is refused
    from medvlseg.errors import ConfigError

    with pytest.raises(ConfigError, match="mirror_sided needs prompt_follows_transform"):
        _datamodule(root, tmp_path, paths, "augment.mirror_sided=true", "augment.prompt_follows_transform=false")


def test_heldout_paraphrases_are_in_no_training_text():
    """The benchmark's held-out paraphrases must be phrases no training prompt holds: every P1-P9 text
    is the catalogue's name, aliases, descriptions or field words with attribute words around them.
    The synonyms are left out of the comparison: only the prompt resolver reads them, and how many
    held-out phrases they happen to hold is part of what the benchmark reports. Both lists are
    checked: the first (2026-11) and the fourteen written blind, without reading the catalogue (2026-12).
    The thirteenth and fourteenth also ask for some targets by their name or an alias as it stands ("right lung",
    "diabetic foot ulcer"); those are training text by design and are left out here."""
    from importlib import resources

    import yaml

    root = Path(__file__).resolve().parents[1]
    catalog = yaml.safe_load(resources.files("medvlseg.prompts").joinpath("targets.yaml").read_text(encoding="utf-8"))
    names = set()
    for key, info in catalog["targets"].items():
        assert info.pop("synonyms", None) is not None
        names |= {key, info["class"], *info.get("aliases", [])}
    training_text = yaml.safe_dump(catalog, width=10**6).lower()
    assert "adenoma" not in training_text and "polyp" in training_text  # a synonym, a name
    for name in ("heldout-paraphrases.yaml", *(f"heldout-paraphrases-{n}.yaml" for n in range(2, 19))):
        spec = yaml.safe_load((root / "benchmarks/prompts" / name).read_text())
        phrases = [p for ps in spec["targets"].values() for p in ps if p.lower() not in names]
        assert len(phrases) >= 8
        seen = [p for p in phrases if re.search(rf"\b{re.escape(p.lower())}\b", training_text)]  # whole words
        assert seen == [], name
