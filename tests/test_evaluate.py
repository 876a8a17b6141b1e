"""`evaluate`: a model run over a dataset split, scored at original resolution, with reports and figures."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

import medvlseg
from medvlseg.evaluation.evaluate import evaluate
from medvlseg.models.base import SegmentationModel, SegmentationOutput


def write_dataset(root, sizes=((64, 64), (64, 64), (48, 80), (64, 64), (72, 56)), empty=(3,)):
    """manifest.csv + images/ + masks/, every image in split val; the red channel is 255 exactly on
    the mask (so an "oracle" model can read the answer off the image); images in ``empty`` have an
    empty mask."""
    rng = np.random.default_rng(0)
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rows = ["id,image,mask,split"]
    for k, (h, w) in enumerate(sizes):
        mask = np.zeros((h, w), bool)
        if k not in empty:
            r0, c0 = rng.integers(4, h // 2), rng.integers(4, w // 2)
            mask[r0 : r0 + h // 3, c0 : c0 + w // 3] = True
        img = rng.integers(0, 120, (h, w, 3), dtype=np.uint8)
        img[..., 0] = np.where(mask, 255, 0)
        Image.fromarray(img).save(root / "images" / f"case{k}.png")
        Image.fromarray(mask.astype(np.uint8) * 255).save(root / "masks" / f"case{k}.png")
        rows.append(f"case{k},images/case{k}.png,masks/case{k}.png,val")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


class Oracle(SegmentationModel):
    """Returns large logits where the red channel is bright: the ground truth of :func:`write_dataset`."""

    name = "oracle"
    uses_text = False

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor(40.0))

    image_size = 64
    image_mean = (0.0, 0.0, 0.0)
    image_std = (1.0, 1.0, 1.0)

    def forward(self, images, prompts):
        """images (B, 3, H, W) in [0, 1] -> logits (B, 1, H, W)."""
        return SegmentationOutput(logits=(images[:, :1] - 0.5) * self.scale)


@pytest.fixture
def dataset(tmp_path):
    return write_dataset(tmp_path / "ds")


def test_perfect_model_scores_one(dataset, tmp_path):
    out = tmp_path / "eval"
    summary = evaluate(Oracle(), dataset, out_dir=out, split="val", batch_size=2)
    assert summary["n"] == 5 and summary["n_scored"] == 4  # the empty-GT image is reported apart
    assert summary["metrics"]["dice"]["mean"] == pytest.approx(1.0, abs=0.02)
    assert summary["empty_gt"] == {**summary["empty_gt"], "n": 1, "n_pred_empty": 1}
    assert summary["ece"] is not None and summary["ece"] < 0.05
    rows = list(csv.DictReader((out / "per_image.csv").open()))
    assert [r["id"] for r in rows] == [f"case{k}" for k in range(5)]
    # the 64x64 images are not resized by the model path: exactly perfect
    assert float(rows[0]["dice"]) == 1.0


def test_tiny_model_writes_all_outputs(dataset, tmp_path):
    out = tmp_path / "eval"
    model = medvlseg.build_model("clipseg", backbone="tiny")
    summary = evaluate(model, dataset, out_dir=out, split="val", prompt_type="p6", perturb="opposite", uncertainty=True, batch_size=4)
    for name in ("per_image.csv", "summary.json", "report.md", "prompts.jsonl", "figures/reliability.png"):
        assert (out / name).is_file(), name
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["prompt_type"] == "p6" and on_disk["perturbation"] == "opposite" and on_disk["prompt_from_ground_truth"]
    assert on_disk["model"]["model"] == "clipseg" and on_disk["timings"]["inference_s"] > 0
    d = on_disk["metrics"]["dice"]["mean"]
    assert d is None or 0.0 <= d <= 1.0
    assert 0.0 <= on_disk["ece"] <= 1.0 and (on_disk["auroc"] is None or 0.0 <= on_disk["auroc"] <= 1.0)
    rows = list(csv.DictReader((out / "per_image.csv").open()))
    assert len(rows) == 5
    overlays = sorted(p.name for p in (out / "figures").glob("*_overlay.png"))
    assert len(overlays) == 6 and len(list((out / "figures").glob("*_uncertainty.png"))) == 6
    prompts = [json.loads(line) for line in (out / "prompts.jsonl").read_text().splitlines()]
    assert len(prompts) == 5 and all(isinstance(p["prompt"], str) for p in prompts)
    assert "Evaluation: clipseg" in (out / "report.md").read_text()


def test_batched_equals_one_by_one(dataset):
    from medvlseg.predict import segment_batch

    model = medvlseg.build_model("clipseg", backbone="tiny")
    seg = medvlseg.Segmenter(model)
    ds = medvlseg.SegmentationDataset.open(dataset)
    images = [ds.load_image(s) for s in ds]
    batch = segment_batch(seg, images, ["lesion"] * len(images))
    for img, r in zip(images, batch):
        one = seg.segment(img, "lesion")
        np.testing.assert_allclose(r.probability, one.probability, atol=1e-5)
        assert r.probability.shape == img.shape[:2]


def test_limit_and_bad_options(dataset, tmp_path):
    s = evaluate(Oracle(), dataset, out_dir=tmp_path / "o", limit=2, figures=False)
    assert s["n"] == 2
    with pytest.raises(medvlseg.ConfigError, match="prompt_type"):
        evaluate(Oracle(), dataset, out_dir=tmp_path / "o", prompt_type="p11")
    with pytest.raises(medvlseg.ConfigError, match="perturb"):
        evaluate(Oracle(), dataset, out_dir=tmp_path / "o", perturb="shuffle")


def test_presence_threshold_override(dataset, tmp_path):
    oracle = Oracle()
    with torch.no_grad():
        oracle.scale.fill_(4.0)  # the largest probability in every image: sigmoid(2) = 0.88
    s = evaluate(oracle, dataset, out_dir=tmp_path / "a", figures=False, presence_threshold=0.0)
    assert s["presence_threshold"] == 0.0 and s["nonempty_gt"]["n_pred_empty"] == 0
    s = evaluate(oracle, dataset, out_dir=tmp_path / "b", figures=False, presence_threshold=0.9)
    assert s["presence_threshold"] == 0.9 and s["nonempty_gt"]["n_pred_empty"] == 4
    assert s["metrics"]["dice"]["mean"] == 0.0
    with pytest.raises(medvlseg.ConfigError, match="presence_threshold"):
        evaluate(oracle, dataset, out_dir=tmp_path / "c", presence_threshold=1.5)


def test_cli_evaluate_run_and_errors(dataset, tmp_path):
    from medvlseg.cli import app, main
    from tests.test_checkpoints import make_run

    run = tmp_path / "run"
    make_run(run)
    out = tmp_path / "cli_eval"
    result = CliRunner().invoke(app, ["evaluate", str(run), "--data", str(dataset), "--out", str(out), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "Dice" in result.output and (out / "summary.json").is_file()
    result = CliRunner().invoke(app, ["evaluate", str(run), "--data", str(dataset), "--out", str(tmp_path / "cli_p"), "--limit", "2",
                                      "--presence-threshold", "0", "--threshold", "0.4"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "cli_p" / "summary.json").read_text())
    assert summary["presence_threshold"] == 0.0 and summary["threshold"] == 0.4
    for args in (["evaluate", str(tmp_path / "missing"), "--data", str(dataset), "--out", str(out)],
                 ["evaluate", str(run), "--data", str(tmp_path / "nodata"), "--out", str(out)]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 2


def test_default_prompt_level_is_the_runs_own(tmp_path):
    from medvlseg.evaluation.evaluate import run_prompt_type

    run = tmp_path / "run"
    run.mkdir()
    assert run_prompt_type(run) == "p1"  # no config.yaml: the class name
    (run / "config.yaml").write_text("data:\n  path: x\n  prompt_type: p3\n")
    assert run_prompt_type(run) == "p3"
    (run / "config.yaml").write_text("data:\n  path: x\n  prompt_type: random\n")
    assert run_prompt_type(run) == "p1"
    assert run_prompt_type(run / "model.safetensors") == "p1"


def test_several_cross_prompt_lists_are_read_as_one(tmp_path):
    """`medvlseg evaluate --cross-prompts --prompts A --prompts B` scores both lists (a repeated
    option used to keep only the last): each target's paraphrases and the nonsense of all, in order,
    each prompt once."""
    from medvlseg.evaluation.cross_prompts import load_prompt_spec

    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("targets:\n  polyp: [colon polyp, adenoma]\nnonsense: [orchestra]\n")
    b.write_text("targets:\n  polyp: [adenoma, bowel growth]\n  heart: [cardiac silhouette]\nnonsense: [orchestra, violin]\n")
    spec = load_prompt_spec([a, b], ["polyp"])
    assert spec.targets == {"polyp": ["colon polyp", "adenoma", "bowel growth"], "heart": ["cardiac silhouette"]}
    assert spec.nonsense == ["orchestra", "violin"]
    assert load_prompt_spec([a], ["polyp"]) == load_prompt_spec(a, ["polyp"])
