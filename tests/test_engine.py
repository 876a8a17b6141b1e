"""Training engine: a short run writes the full run directory; the saved model reproduces the module;
leaked val images are dropped; the feature cache skips the frozen prefix for seen (id, transform) pairs."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import medvlseg
from medvlseg.config import RunConfig, apply_overrides
from medvlseg.utils import sha256_file

pytest.importorskip("lightning")


def make_dataset(root: Path, n_train: int = 8, n_val: int = 4, size: int = 32, seed: int = 0, *,
                 prefix: str = "s", split: str | None = None, target: str = "target", empty_val: int = 0) -> Path:
    """A tiny manifest-layout dataset: random-coloured disks on noise, one disk per image; ids
    ``<prefix>00``...; every sample in ``split`` when given, else train then val; the last
    ``empty_val`` images have no disk (an empty mask)."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rows = ["id,image,mask,split,target"]
    yy, xx = np.mgrid[:size, :size]
    for k in range(n_train + n_val):
        cy, cx = rng.integers(size // 4, 3 * size // 4, 2)
        r = rng.integers(size // 8, size // 4)
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        if k >= n_train + n_val - empty_val:
            mask[:] = False
        img = rng.integers(0, 60, (size, size, 3)).astype(np.uint8)
        img[mask] = rng.integers(150, 255, 3)
        sid = f"{prefix}{k:02d}"
        Image.fromarray(img).save(root / "images" / f"{sid}.png")
        Image.fromarray(mask.astype(np.uint8) * 255).save(root / "masks" / f"{sid}.png")
        rows.append(f"{sid},images/{sid}.png,masks/{sid}.png,{split or ('train' if k < n_train else 'val')},{target}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


def make_config(data: Path | list[Path], out: Path, *extra: str) -> RunConfig:
    paths = [str(p) for p in data] if isinstance(data, list) else str(data)
    raw = {
        "name": "t", "out_dir": str(out), "seed": 0,
        "model": {"name": "unet", "backbone": "tiny-lite"},
        "data": {"path": paths, "image_size": 32},
        "optim": {"epochs": 2, "batch_size": 4, "lr": 3e-3},
        "trainer": {"accelerator": "cpu", "log_every_n_steps": 1},
    }
    return RunConfig.from_dict(apply_overrides(raw, list(extra)))


def read_metrics(run: Path) -> list[dict[str, str]]:
    with open(run / "metrics.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_two_epoch_run_writes_run_dir(tmp_path):
    from medvlseg.engine.data import TorchSegDataset, collate, open_datasets
    from medvlseg.engine.train import train

    data = make_dataset(tmp_path / "ds")
    cfg = make_config(data, tmp_path / "runs", "augment.hflip=true", "augment.color_jitter=0.1")
    run = train(cfg, progress=False)
    assert run == tmp_path / "runs" / "t"
    for name in ("config.yaml", "model.safetensors", "metadata.json", "metrics.csv", "last/state.json"):
        assert (run / name).is_file(), name
    assert (run / "logs" / "csv").is_dir() and (run / "logs" / "tb").is_dir()
    rows = read_metrics(run)
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert all(float(r["epoch_time_s"]) > 0 and r["val_dice"] != "" for r in rows)
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["sha256"]["model.safetensors"] == sha256_file(run / "model.safetensors")
    assert meta["status"] == "finished" and meta["epochs_completed"] == 2 and meta["threshold"] == 0.5
    assert meta["presence_threshold"] == 0.5 and meta["presence_calibration"]["n_empty"] == 0  # nothing to calibrate
    assert meta["data"][0]["manifest_sha256"] == sha256_file(data / "manifest.csv")
    assert meta["backbone"] == "tiny-lite" and meta["weight_source"]
    best = meta["best_epoch"]
    assert float(rows[best - 1]["val_dice"]) == pytest.approx(meta["best_metrics"]["val_dice"])
    assert RunConfig.from_yaml(run / "config.yaml") == cfg

    # the saved model, rebuilt from the file alone, gives the validation Dice recorded for its epoch
    model = medvlseg.load_model(run / "model.safetensors").eval()
    train_ds, val_ds, _, _ = open_datasets(cfg)
    ds = TorchSegDataset(val_ds, size=32, mean=model.image_mean, std=model.image_std, cfg=cfg, train=False, uses_text=False)
    batch = collate([ds[i] for i in range(len(ds))])
    with torch.no_grad():
        pred = torch.sigmoid(model(batch["image"], batch["prompt"]).logits) > 0.5
    gt = batch["mask"] > 0.5
    dice = (2 * (pred & gt).flatten(1).sum(1) / (pred.flatten(1).sum(1) + gt.flatten(1).sum(1)).clamp_min(1)).double()
    assert float(dice.mean()) == pytest.approx(meta["best_metrics"]["val_dice"], abs=1e-6)

    # a second run with the same name is refused, naming the folder
    with pytest.raises(medvlseg.ConfigError, match="already exists"):
        train(cfg, progress=False)


def test_leaked_val_images_dropped(tmp_path):
    from medvlseg.engine.data import open_datasets

    data = make_dataset(tmp_path / "ds")
    shutil.copy(data / "images" / "s00.png", data / "images" / "s08.png")  # val s08 := train s00, byte for byte
    train_ds, val_ds, dropped, _ = open_datasets(make_config(data, tmp_path / "runs"))
    assert dropped == ["s08"]
    assert "s08" not in val_ds.ids() and len(val_ds) == 3 and len(train_ds) == 8


def test_pooled_run_has_per_dataset_metrics(tmp_path):
    from medvlseg.engine.train import train

    a = make_dataset(tmp_path / "alpha", n_train=4, n_val=2, seed=1)
    b = make_dataset(tmp_path / "beta", n_train=4, n_val=2, seed=2)
    run = train(make_config([a, b], tmp_path / "runs", "optim.epochs=1"), progress=False)
    row = read_metrics(run)[0]
    assert {"val_dice/alpha", "val_dice/beta"} <= set(row)
    assert int(float(row["val_n"])) == 4


# ----------------------------------------------------------------------------------------- feature cache

PREFIX_CALLS: list[int] = []  # images that went through the fake model's frozen prefix


def _register_fake() -> str:
    from torch import nn

    from medvlseg.models.base import _MODELS, SegmentationModel, SegmentationOutput, register_model

    name = "test-fake-cached"
    if name in _MODELS:
        return name

    class FakeCached(SegmentationModel):
        """A frozen conv 'backbone' (cacheable) + a trainable 1x1 head."""

        uses_text = False

        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.prefix = nn.Conv2d(3, 4, 3, padding=1).requires_grad_(False)
            self.head = nn.Conv2d(4, 1, 1)

        @property
        def image_size(self) -> int:
            return 32

        def frozen_features(self, images: torch.Tensor) -> tuple[torch.Tensor, ...]:
            PREFIX_CALLS.append(images.shape[0])
            with torch.no_grad():
                return (torch.tanh(self.prefix(images)),)  # (B, 4, H, W)

        def forward_features(self, features, prompts, image_hw):
            return SegmentationOutput(logits=self.head(features[0]))  # (B, 1, H, W)

        def forward(self, images, prompts):
            return self.forward_features(self.frozen_features(images), prompts, tuple(images.shape[-2:]))

    register_model(name, default_backbone=None)(lambda backbone=None: FakeCached())
    return name


def test_feature_cache_skips_seen_pairs_and_matches_uncached(tmp_path):
    from medvlseg.engine.cache import FeatureCache
    from medvlseg.engine.train import train

    name = _register_fake()
    data = make_dataset(tmp_path / "ds")
    PREFIX_CALLS.clear()
    cfg = make_config(data, tmp_path / "runs", f"model.name={name}", "cache.enabled=true", "optim.epochs=3",
                      f"cache.dir={tmp_path / 'fcache'}")
    run = train(cfg, progress=False)
    rows = read_metrics(run)
    computed = [int(r["cache_computed"]) for r in rows]
    assert computed[0] == 12  # epoch 1: every train and val image once (identity transform)
    assert computed[1] == computed[2] == 12  # no augmentation: epochs 2-3 never run the frozen prefix
    assert sum(PREFIX_CALLS) == 12
    assert int(rows[-1]["cache_hits"]) == 24

    # with flips: the prefix runs exactly once per distinct (id, transform) pair ever drawn
    PREFIX_CALLS.clear()
    cfg2 = make_config(data, tmp_path / "runs", f"model.name={name}", "cache.enabled=true", "optim.epochs=3",
                       "augment.hflip=true", "augment.vflip=true", "name=t2")
    rows = read_metrics(train(cfg2, progress=False))
    assert sum(PREFIX_CALLS) == int(rows[-1]["cache_computed"]) < 3 * 8 + 4
    assert int(rows[-1]["cache_hits"]) > 0

    # the disk cache of the first run serves a new run entirely (the prefix never runs)
    PREFIX_CALLS.clear()
    train(make_config(data, tmp_path / "runs", f"model.name={name}", "cache.enabled=true", "optim.epochs=1", "name=t3",
                      f"cache.dir={tmp_path / 'fcache'}"), progress=False)
    assert sum(PREFIX_CALLS) == 0

    # cached path == uncached path (up to the float16 storage)
    model = medvlseg.build_model(name)
    images = torch.randn(3, 3, 32, 32)
    cache = FeatureCache("fp")
    feats = cache.features(["a", "b", "c"], ["d000"] * 3, images, model.frozen_features)
    cached = model.forward_features(feats, [""] * 3, (32, 32)).logits
    again = model.forward_features(cache.features(["a", "b", "c"], ["d000"] * 3, images, model.frozen_features), [""] * 3, (32, 32)).logits
    assert cache.computed == 3 and cache.hits == 3
    torch.testing.assert_close(cached, again)
    torch.testing.assert_close(cached, model(images, [""] * 3).logits, atol=2e-3, rtol=1e-3)


def test_cache_rejected_with_geometric_augmentation(tmp_path):
    with pytest.raises(medvlseg.ConfigError, match="cache"):
        make_config(tmp_path, tmp_path, "cache.enabled=true", "augment.scale=[0.8, 1.2]")


def test_dihedral_names_are_canonical():
    """16 (rot90, hflip, vflip) draws are 8 distinct transforms; each gets one name (the cache key)."""
    import itertools

    from medvlseg.engine.data import dihedral, dihedral_name

    x = torch.arange(20.0).view(1, 4, 5)
    names = set()
    for k, h, v in itertools.product(range(4), (False, True), (False, True)):
        name = dihedral_name(k, h, v)
        names.add(name)
        torch.testing.assert_close(dihedral(x, name), dihedral(x, f"d{k}{int(h)}{int(v)}"), atol=0, rtol=0)
    assert len(names) == 8
