"""`medvlseg align`: DHN-NCE (and the InfoNCE baseline) trains a backbone's projections; retrieval
on val improves; a model started from the run (init_from) carries the aligned projections in its
own file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from medvlseg.errors import ConfigError, DataError
from medvlseg.losses import info_nce


def _info_nce_reference(v, t, tau):
    """A direct transcription: (1/2B) Σ_i [-log(e^{s_ii} / Σ_j e^{s_ij}) - log(e^{s_ii} / Σ_j e^{s_ji})]."""
    v, t = F.normalize(v, dim=-1).double(), F.normalize(t, dim=-1).double()
    s = (v @ t.T) / tau
    b = s.shape[0]
    total = 0.0
    for i in range(b):
        total += -torch.log(torch.exp(s[i, i]) / torch.exp(s[i]).sum())
        total += -torch.log(torch.exp(s[i, i]) / torch.exp(s[:, i]).sum())
    return total / (2 * b)


@pytest.mark.parametrize("b,d,tau", [(2, 4, 0.07), (5, 8, 0.5), (16, 3, 1.0)])
def test_info_nce_matches_its_formula(b, d, tau):
    g = torch.Generator().manual_seed(b)
    v, t = torch.randn(b, d, generator=g), torch.randn(b, d, generator=g)
    torch.testing.assert_close(info_nce(v, t, temperature=tau).double(), _info_nce_reference(v, t, tau), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="at least 2"):
        info_nce(v[:1], t[:1])


def _dataset(root: Path, kind: str, n: int = 16, seed: int = 0) -> Path:
    """Red squares (``kind="square"``) or blue disks on a grey background, one per image."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rows = ["id,image,mask,split,target"]
    yy, xx = np.mgrid[:40, :40]
    for k in range(n):
        img = np.full((40, 40, 3), 120, np.uint8) + rng.integers(0, 20, (40, 40, 3)).astype(np.uint8)
        cy, cx = rng.integers(10, 30, 2)
        r = int(rng.integers(4, 9))
        mask = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r) if kind == "square" else (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        img[mask] = (230, 30, 30) if kind == "square" else (20, 40, 200)
        sid = f"{kind}{k:02d}"
        Image.fromarray(img).save(root / "images" / f"{sid}.png")
        Image.fromarray(mask.astype(np.uint8) * 255).save(root / "masks" / f"{sid}.png")
        rows.append(f"{sid},images/{sid}.png,masks/{sid}.png,{'train' if k < n * 3 // 4 else 'val'},{kind}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture(scope="module")
def aligned(tmp_path_factory):
    from medvlseg.align import AlignConfig, align

    root = tmp_path_factory.mktemp("align")
    data = [_dataset(root / "squares", "square", seed=1), _dataset(root / "disks", "disk", seed=2)]
    cfg = AlignConfig(data=[str(p) for p in data], backbone="tiny-lite", image_size=40, epochs=60, batch_size=8, lr=1e-2)
    result = align(cfg, root / "run")
    return root / "run", result


def test_align_improves_retrieval_and_writes_a_run(aligned):
    run, result = aligned
    assert (run / "backbone.safetensors").is_file() and (run / "retrieval.md").is_file()
    before, after = result["before"]["dataset_level"], result["after"]["dataset_level"]
    # random tiny towers start at chance (two names, half the images each)
    assert before["image_to_text_top1"] == 0.5 and after["image_to_text_top1"] >= 0.75
    assert after["text_to_image_precision1"] > before["text_to_image_precision1"]
    assert result["history"][-1]["loss"] < result["history"][0]["loss"]
    assert set(result["after"]["attribute_level"]) == {"squares", "disks"}
    saved = json.loads((run / "align.json").read_text())
    assert saved["config"]["loss"] == "dhn_nce" and saved["n_val_images"] == 8


def test_a_model_started_from_the_run_carries_the_projections(aligned, tmp_path):
    from medvlseg.models.base import build_model, load_model, save_model

    run, _ = aligned
    from safetensors.torch import load_file

    state = load_file(str(run / "backbone.safetensors"))
    model = build_model("medclipseg", backbone="tiny-lite", init_from=str(run))
    torch.testing.assert_close(model.backbone.image_proj.weight, state["image_proj.weight"], rtol=0, atol=0)
    assert model.record.init_from["sha256"] and "backbone.text_proj.weight" in model.trainable_state_dict()
    path = save_model(model, tmp_path / "m.safetensors")
    import shutil

    hidden = tmp_path / "hidden"
    shutil.move(str(run), str(hidden))  # the align run is not needed to load the model
    try:
        loaded = load_model(path)
    finally:
        shutil.move(str(hidden), str(run))
    torch.testing.assert_close(loaded.backbone.text_proj.weight, state["text_proj.weight"], rtol=0, atol=0)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(loaded.eval()(x, ["square"]).logits, model.eval()(x, ["square"]).logits, rtol=0, atol=0)
    again = save_model(loaded, tmp_path / "again.safetensors")  # still carried after a round trip
    assert "backbone.image_proj.weight" in load_file(str(again))


def test_a_tampered_align_run_is_refused(aligned, tmp_path):
    import shutil

    from medvlseg.models.base import build_model

    run, _ = aligned
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    data = bytearray((copy / "backbone.safetensors").read_bytes())
    data[-1] ^= 1
    (copy / "backbone.safetensors").write_bytes(bytes(data))
    with pytest.raises(DataError, match="sha256"):
        build_model("medclipseg", backbone="tiny-lite", init_from=str(copy))
    with pytest.raises(ConfigError, match="aligned for backbone"):
        build_model("clipseg", backbone="tiny", init_from=str(run))


def test_backbones_that_come_aligned_are_not_realigned(tmp_path):
    from medvlseg.align import AlignConfig, align

    data = _dataset(tmp_path / "squares", "square", n=4)
    with pytest.raises(ConfigError, match="come aligned"):
        align(AlignConfig(data=[str(data)], backbone="tiny", epochs=1), tmp_path / "run")


def test_the_presence_cut_maximises_balanced_accuracy():
    from medvlseg.align import _best_threshold

    rng = np.random.default_rng(0)
    pos, neg = torch.tensor(rng.normal(0.5, 0.2, 40)), torch.tensor(rng.normal(0.1, 0.2, 90))

    def balanced(cut):
        return float((pos >= cut).float().mean() + (neg < cut).float().mean()) / 2

    grid = np.linspace(-1, 1.5, 5001)
    cut = _best_threshold(pos, neg)
    assert balanced(cut) >= max(balanced(c) for c in grid) - 1e-9
    assert _best_threshold(torch.tensor([0.9, 0.8]), torch.tensor([0.1, 0.2])) == pytest.approx(0.5)


def test_align_calibrates_the_presence_rule(aligned):
    from medvlseg.align import presence_threshold

    run, result = aligned
    fit, val = result["presence"]["train"], result["presence"]["val"]
    assert fit["cosine_threshold"] == presence_threshold(run) == val["cosine_threshold"]
    # two targets, each image holds one: the rule must beat chance on the images it was chosen on
    assert (fit["own_target_called_present"] + fit["other_target_called_absent"]) / 2 > 0.5
    assert 0 <= val["nonsense_called_absent"] <= 1
    assert "Presence rule" in (run / "retrieval.md").read_text()
    (run / "old").mkdir()
    (run / "old" / "align.json").write_text("{}")
    with pytest.raises(DataError, match="presence"):
        presence_threshold(run / "old")


def test_the_presence_cut_scales_to_many_scores_and_handles_ties():
    from medvlseg.align import _best_threshold

    rng = np.random.default_rng(1)
    pos, neg = torch.tensor(rng.normal(0.5, 0.2, 60_000)), torch.tensor(rng.normal(0.0, 0.2, 140_000))
    assert abs(_best_threshold(pos, neg) - 0.25) < 0.02  # equal spreads: halfway between the means
    ties = torch.tensor([0.3, 0.3, 0.3])
    assert _best_threshold(ties, torch.tensor([0.1, 0.3])) == pytest.approx(0.2)  # never between two 0.3s


# ------------------------------------------------------------------ patch-level alignment (LSE)


def _scenes(root: Path, kind: str, n: int, empty: int, seed: int, size: int = 128) -> Path:
    """``n`` noisy grey scenes with one red square (``kind="square"``) or blue disk anywhere, the
    last ``empty`` of them target-free (an empty mask: the image holds no target)."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rows = ["id,image,mask,split,target"]
    yy, xx = np.mgrid[:size, :size]
    for k in range(n):
        img = rng.integers(90, 150, (size, size, 3)).astype(np.uint8)
        mask = np.zeros((size, size), bool)
        if k < n - empty:
            cy, cx = rng.integers(20, size - 20, 2)
            r = int(rng.integers(12, 18))
            mask = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r) if kind == "square" else (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            img[mask] = (230, 30, 30) if kind == "square" else (20, 40, 200)
        sid = f"{kind}{k:02d}"
        Image.fromarray(img).save(root / "images" / f"{sid}.png")
        Image.fromarray(mask.astype(np.uint8) * 255).save(root / "masks" / f"{sid}.png")
        rows.append(f"{sid},images/{sid}.png,masks/{sid}.png,{'train' if k % 4 else 'val'},{kind}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


def test_lse_pool_matches_its_formula_and_spans_mean_to_max():
    from medvlseg.losses import dhn_nce, dhn_nce_similarity, lse_pool

    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 7, 5, generator=g)
    for r in (0.3, 4.0):
        want = torch.log(torch.exp(r * x.double()).mean(dim=1)) / r  # a direct transcription
        torch.testing.assert_close(lse_pool(x, r, dim=1).double(), want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(lse_pool(x.double(), 1e-3, dim=1), x.double().mean(dim=1), rtol=0, atol=2e-3)  # ~ r var / 2
    torch.testing.assert_close(lse_pool(x, 1e4, dim=1), x.amax(dim=1), rtol=0, atol=1e-3)
    with pytest.raises(ValueError, match="r must be > 0"):
        lse_pool(x, 0.0)
    v, t = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g)
    torch.testing.assert_close(dhn_nce(v, t), dhn_nce_similarity(F.normalize(v, dim=-1) @ F.normalize(t, dim=-1).T))
    with pytest.raises(ValueError, match="square"):
        dhn_nce_similarity(torch.zeros(3, 4))


@pytest.fixture(scope="module")
def lse_aligned(tmp_path_factory):
    from medvlseg.align import AlignConfig, align

    root = tmp_path_factory.mktemp("align-lse")
    data = [_scenes(root / "squares", "square", 48, 8, seed=1), _scenes(root / "disks", "disk", 48, 8, seed=2)]
    cfg = AlignConfig(data=[str(p) for p in data], backbone="tiny-lite", image_size=128, epochs=60, batch_size=16, lr=1e-2,
                      loss="sigmoid", pooling="lse", levels=["p1"], nonsense_per_batch=4)
    return root, align(cfg, root / "run")


def test_patch_level_alignment_localises_and_calls_target_free_images_absent(lse_aligned):
    """Image-level labels only (which class an image holds, none for the target-free ones): the
    LSE-pooled sigmoid alignment makes each patch's cosine with "square" highest on the square."""
    from medvlseg.align import load_aligned_projections
    from medvlseg.backbones.base import build_backbone
    from medvlseg.data import SegmentationDataset
    from medvlseg.preprocess import resize_rgb
    from medvlseg.zeroshot import ZeroShotConfig, ZeroShotPipeline, saliency

    root, result = lse_aligned
    assert result["config"]["pooling"] == "lse" and result["sigmoid"]["scale"] > 0
    assert result["history"][-1]["loss"] < 0.5 * result["history"][0]["loss"]
    assert result["after"]["dataset_level"]["image_to_text_top1"] >= 0.75  # chance: 0.5
    val = result["presence"]["val"]
    assert val["own_target_called_present"] >= 0.8 and val["other_target_called_absent"] >= 0.6
    bb = build_backbone("tiny-lite", image_size=128)
    load_aligned_projections(bb, root / "run")
    inside = []
    for s in SegmentationDataset.open(root / "squares").split("val"):
        loaded = SegmentationDataset.open(root / "squares").load(s)
        if loaded.mask.any():
            sal = saliency(bb.eval(), resize_rgb(loaded.image, 128), "square", "patch").numpy()
            inside.append(sal[loaded.mask > 0].mean() - sal[loaded.mask == 0].mean())
    print("inside - outside:", np.round(inside, 2))
    assert len(inside) == 10 and np.mean(np.array(inside) > 0) >= 0.7 and np.mean(inside) > 0.05
    # the pipeline scores presence the way the run was trained: LSE over the patches
    pipe = ZeroShotPipeline(ZeroShotConfig(backbone="tiny-lite", align=str(root / "run"), saliency="patch", sam=None))
    assert pipe.lse_r == result["config"]["lse_r"] and pipe.size == 128
    empty = SegmentationDataset.open(root / "squares").split("train")
    free = [s for s in empty if not SegmentationDataset.open(root / "squares").load(s).mask.any()]
    calls = [pipe(SegmentationDataset.open(root / "squares").load(s).image, "square").present for s in free]
    print("target-free called present:", calls)
    assert len(calls) == 6 and np.mean(calls) <= 0.5  # target-free scenes: mostly nothing matches


def test_sigmoid_labels_and_scores_match_their_definitions():
    from medvlseg.align import image_text_scores, sigmoid_labels

    # jsrt-like image with two classes, a target-free image, one class; captions incl. nonsense (None)
    images = [{"heart", "left lung"}, set(), {"polyp"}]
    captions = ["heart", None, "polyp", "left lung", "polyp"]
    want = [[1.0 if (c is not None and c in held) else 0.0 for c in captions] for held in images]
    assert sigmoid_labels(images, captions).tolist() == want
    assert sigmoid_labels(images, captions)[1].sum() == 0  # a target-free row holds nothing
    g = torch.Generator().manual_seed(3)
    one = torch.randn(4, 1, 6, generator=g)  # one patch: LSE of one cosine is that cosine, for any r
    t = torch.randn(3, 6, generator=g)
    for r in (0.1, 10.0):
        torch.testing.assert_close(image_text_scores(one, t, r), image_text_scores(one[:, 0], t), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="lse_r"):
        image_text_scores(one, t)


def test_sigmoid_weights_single_out_the_hard_negatives():
    from medvlseg.align import sigmoid_labels, sigmoid_weights

    # a foot with an ulcer, a foot without one, a colonoscopy frame; captions: ulcer, polyp, nonsense
    images, datasets = [{"foot ulcer"}, set(), {"polyp"}], ["fuseg", "fuseg", "polypgen"]
    captions = ["foot ulcer", "polyp", None]
    held = {"fuseg": {"foot ulcer"}, "polypgen": {"polyp"}}
    labels = sigmoid_labels(images, captions)
    w = sigmoid_weights(labels, datasets, captions, held, 8.0)
    # transcription: hard where the image's dataset holds the caption's class and the image does not
    want = [[8.0 if (c is not None and c in held[d] and c not in im) else 1.0 for c in captions]
            for im, d in zip(images, datasets)]
    assert w.tolist() == want
    assert w[1, 0] == 8.0 and w[0, 0] == 1.0 and w[2, 0] == 1.0  # the ulcer-free foot only; other sets stay easy
    assert sigmoid_weights(labels, datasets, captions, held, 1.0).eq(1).all()  # the default changes nothing


def test_info_nce_from_a_similarity_matrix_is_info_nce():
    from medvlseg.losses import info_nce_similarity

    g = torch.Generator().manual_seed(4)
    v, t = torch.randn(5, 8, generator=g), torch.randn(5, 8, generator=g)
    sim = F.normalize(v, dim=-1) @ F.normalize(t, dim=-1).T
    torch.testing.assert_close(info_nce_similarity(sim, 0.3), info_nce(v, t, temperature=0.3))
    with pytest.raises(ValueError, match="square"):
        info_nce_similarity(sim[:, :3])


def test_catalog_captions_need_the_class_labelled_loss():
    from pydantic import ValidationError

    from medvlseg.align import AlignConfig

    with pytest.raises(ValidationError, match="needs loss: sigmoid"):
        AlignConfig(data=["x"], texts="names")
    assert AlignConfig(data=["x"], texts="names", loss="sigmoid").pooling == "mean"


def test_hard_negative_weight_is_refused_outside_the_sigmoid_loss_and_reaches_it(tmp_path):
    """The weight is a sigmoid-loss option (the contrastive losses have no per-pair weights); in a
    run it changes the loss exactly where target-free images meet their dataset's caption."""
    from pydantic import ValidationError

    from medvlseg.align import AlignConfig, align

    for loss in ("dhn_nce", "info_nce"):
        with pytest.raises(ValidationError, match="hard_negative_weight weighs the pairs of the sigmoid loss"):
            AlignConfig(data=["x"], loss=loss, hard_negative_weight=5)

    def run(w, empty):
        root = tmp_path / f"w{w}-e{empty}"
        data = [_scenes(root / "squares", "square", 16, empty, seed=1, size=64),
                _scenes(root / "disks", "disk", 16, empty, seed=2, size=64)]
        cfg = AlignConfig(data=[str(p) for p in data], backbone="tiny-lite", image_size=64, epochs=2, batch_size=8,
                          lr=1e-2, loss="sigmoid", pooling="lse", levels=["p1"], nonsense_per_batch=2,
                          hard_negative_weight=w, seed=0)
        return align(cfg, root / "run")

    weighted, plain = run(20.0, empty=4), run(1.0, empty=4)
    assert weighted["config"]["hard_negative_weight"] == 20.0
    assert [h["loss"] for h in weighted["history"]] != [h["loss"] for h in plain["history"]]
    # no target-free image, no hard negative: the weight changes nothing (same seed, same batches)
    assert [h["loss"] for h in run(20.0, empty=0)["history"]] == [h["loss"] for h in run(1.0, empty=0)["history"]]
