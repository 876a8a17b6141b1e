"""Feature cache: run a model's frozen prefix (e.g. a frozen backbone) once per image and transform.

A model opts in with two methods (models/base.py)::

    model.frozen_features(images (B, 3, H, W)) -> tuple[Tensor, ...] | None   # None: nothing to cache
    model.forward_features(features, prompts, image_hw) -> SegmentationOutput  # == model(images, prompts)

Features are kept per ``(sample id, dihedral transform)`` in RAM as float16 and, when a folder is
given, on disk as safetensors named by the sha256 of everything that determines them (backbone and
its weight source, model name and options, image file sha256, transform, image size), so runs with
the same frozen prefix share them. Every batch goes through the float16 copy, also the first time a
variant is seen, so results do not depend on whether a feature was a hit or a miss.

Only augmentations that can be applied to the image *before* the frozen prefix and enumerated can be
cached: the dihedral group (hflip / vflip / rot90). Each variant is computed lazily the first time
it is drawn. :class:`medvlseg.config.RunConfig` rejects other augmentations with the cache on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from ..utils import atomic_write_bytes

Features = tuple[torch.Tensor, ...]


def model_fingerprint(model: torch.nn.Module, image_size: int) -> str:
    """What, besides the image and the transform, determines the frozen features."""
    bb = getattr(model, "backbone", None)
    info = {
        "model": getattr(model, "name", type(model).__name__),
        # how the network was built (not the thresholds or training data, which do not change features)
        "record": {k: v for k, v in record.model_dump(mode="json").items()
                   if k in ("model", "backbone", "backbone_kwargs", "model_kwargs", "image_mean", "image_std")}
        if (record := getattr(model, "record", None)) is not None else None,
        "backbone": getattr(bb, "name", None),
        "weight_source": str(getattr(bb, "weight_source", None)),
        "image_size": image_size,
    }
    return json.dumps(info, sort_keys=True, default=str)


class FeatureCache:
    """RAM (+ optional disk) cache of frozen features. ``computed`` counts images that went through the
    frozen prefix, ``hits`` those served from the cache (for tests and logs)."""

    def __init__(self, fingerprint: str, directory: str | Path | None = None) -> None:
        self.fingerprint = fingerprint
        self.dir = Path(directory) if directory else None
        self.ram: dict[str, Features] = {}
        self.computed = 0
        self.hits = 0
        self.disk_hits = 0

    def __len__(self) -> int:
        return len(self.ram)

    def disk_key(self, image_sha256: str, transform: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}|{image_sha256}|{transform}".encode()).hexdigest()

    def _disk_path(self, key: str) -> Path:
        assert self.dir is not None
        return self.dir / key[:2] / f"{key}.safetensors"

    def _load_disk(self, key: str) -> Features | None:
        path = self._disk_path(key)
        if not path.is_file():
            return None
        from safetensors.torch import load_file

        try:
            d = load_file(str(path))
            return tuple(d[str(i)] for i in range(len(d)))
        except Exception:  # a corrupt cache entry is recomputed, never trusted
            return None

    def _save_disk(self, key: str, feats: Features) -> None:
        from safetensors.torch import save

        atomic_write_bytes(self._disk_path(key), save({str(i): t.contiguous() for i, t in enumerate(feats)}))

    def features(
        self,
        ids: Sequence[str],
        transforms: Sequence[str],
        images: torch.Tensor,
        compute: Callable[[torch.Tensor], Features | None],
        image_sha256: Sequence[str] | None = None,
    ) -> Features | None:
        """Features for a batch: ``images`` (B, 3, H, W) already transformed; ``compute`` runs the frozen
        prefix on the misses. Returns float32 tensors on ``images.device`` with the batch dim first,
        or None if the model has nothing to cache."""
        keys = [f"{i}|{t}" for i, t in zip(ids, transforms)]
        miss: list[int] = []
        for j, key in enumerate(keys):
            if key in self.ram:
                self.hits += 1
                continue
            if self.dir is not None and image_sha256 is not None:
                feats = self._load_disk(self.disk_key(image_sha256[j], transforms[j]))
                if feats is not None:
                    self.ram[key] = feats
                    self.disk_hits += 1
                    continue
            miss.append(j)
        if miss:
            with torch.no_grad():
                out = compute(images[miss])
            if out is None:
                return None
            self.computed += len(miss)
            for n, j in enumerate(miss):
                feats = tuple(t[n].detach().to("cpu", torch.float16).clone() for t in out)
                self.ram[keys[j]] = feats
                if self.dir is not None and image_sha256 is not None:
                    self._save_disk(self.disk_key(image_sha256[j], transforms[j]), feats)
        n_t = len(self.ram[keys[0]])
        return tuple(
            torch.stack([self.ram[k][t] for k in keys]).to(images.device, torch.float32) for t in range(n_t)
        )


def supports_cache(model: Any) -> bool:
    return callable(getattr(model, "frozen_features", None)) and callable(getattr(model, "forward_features", None))
