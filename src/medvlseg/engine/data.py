"""Training data: SegmentationDataset -> tensors, augmentation, prompts, and the LightningDataModule.

Randomness (augmentation, the prompt level under ``prompt_type: random``) is drawn from a generator
seeded by ``(seed, epoch, sample index)``, not from the global RNG: a resumed run sees exactly the
augmentations the uninterrupted run would have seen, whatever the number of dataloader workers.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..config import RunConfig
from ..data.dataset import Sample, SegmentationDataset
from ..errors import DataError
from ..preprocess import normalise, preprocess_mask, resize_rgb
from ..prompts.negatives import NegativeSampler
from ..segmenter import dihedral_transform

log = logging.getLogger(__name__)

IDENTITY = "d000"  # name of the identity element of the dihedral group (rot90 k=0, no flips)


def dihedral_name(k: int, h: bool, v: bool) -> str:
    """The canonical name of "rot90 k times, then hflip if h, then vflip if v": a vertical flip is a
    horizontal flip after a half turn, so every one of the 8 elements of the group gets exactly one
    name (``d<k><h>0``) and the feature cache fills in 8 variants per image, not 16."""
    if v:
        k, h = (k + 2) % 4, not h
    return f"d{k % 4}{int(h)}0"


def dihedral(x: torch.Tensor, name: str) -> torch.Tensor:
    """Apply the dihedral transform ``d<k><h><v>`` (rot90 k times, then hflip if h, then vflip if v) to
    ``(..., H, W)``. Names are stable: they key the feature cache."""
    return dihedral_transform(x, int(name[1]), name[2] == "1", name[3] == "1")


#: Image sides as the prompts name them (the 3x3 location grid of ``prompts.attributes`` and the
#: patient's sides of ``targets.yaml``), with the grid cell (row-major) each one names.
SIDE_CELLS = {"top": 1, "left": 3, "right": 5, "bottom": 7}
_SIDE_RE = re.compile(r"\b(top|bottom|left|right)\b", re.IGNORECASE)
_CORNER_RE = re.compile(r"\b(left|right) (top|bottom)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def side_map(name: str) -> dict[str, str]:
    """Where each side of the image lands under the dihedral transform ``name``: ``{"left": "right",
    "right": "left"}`` for a horizontal flip, ``{"top": "left", ...}`` for a quarter turn. Read off
    by moving a 3x3 grid with :func:`dihedral` itself, so it cannot disagree with the pixels."""
    moved = dihedral(torch.arange(9).reshape(3, 3), name).flatten().tolist()
    word_at = {cell: word for word, cell in SIDE_CELLS.items()}
    return {word: word_at[moved.index(cell)] for word, cell in SIDE_CELLS.items()}


def orient_prompt(prompt: str, name: str) -> str:
    """A prompt with its side words moved as the image was (:func:`side_map`): "left lung" on a
    mirrored radiograph is "right lung", since that is the structure that now lies where a right
    lung does; "a polyp in the top left" turned a quarter is "a polyp in the bottom left". Grid
    corners keep the vertical word first, as the prompt generator writes them."""
    mapping = side_map(name)
    if all(k == v for k, v in mapping.items()):
        return prompt

    def swap(m: re.Match[str]) -> str:
        word = mapping[m.group(1).lower()]
        return word.capitalize() if m.group(1)[0].isupper() else word

    return _CORNER_RE.sub(lambda m: f"{m.group(2)} {m.group(1)}", _SIDE_RE.sub(swap, prompt))


def names_a_side(class_name: str) -> bool:
    """Whether a target's name says a side of the patient ("left lung", the words the opposite
    perturbation swaps)."""
    from ..prompts.perturb import SIDES

    return any(w in SIDES for w in class_name.lower().split())


def sample_rng(seed: int, epoch: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, epoch, index])


class TorchSegDataset(torch.utils.data.Dataset):
    """Samples of one split as dicts ``{image (3,S,S) normalised, mask (1,S,S), prompt, id, dataset,
    transform, image_sha256}``. Prompts come from :func:`medvlseg.prompts.generate_records`, computed
    the first time a sample is seen and kept in memory."""

    def __init__(
        self,
        ds: SegmentationDataset,
        *,
        size: int,
        mean: Sequence[float],
        std: Sequence[float],
        cfg: RunConfig,
        train: bool,
        uses_text: bool,
        with_sha: bool = False,
        negatives: NegativeSampler | None = None,
    ) -> None:
        self.ds = ds
        self.negatives = negatives if train and uses_text and cfg.data.negative_fraction > 0 else None
        self.size = size
        self.mean, self.std = tuple(mean), tuple(std)
        self.cfg = cfg
        self.train = train
        self.uses_text = uses_text
        self.with_sha = with_sha
        self.epoch = 0
        self._prompts: dict[str, dict[str, Any]] = {}
        self._memo: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        self._extra = self._extra_transform() if train else None
        # prompts that name their sides follow the flips. An image whose structures are named by the
        # patient's side ("left lung") is not flipped or turned at all (a mirrored radiograph shows
        # situs inversus; measured, it cost the sided structures 30-40 Dice points), unless
        # augment.mirror_sided: then it is mirrored with "left" and "right" swapped in its prompt, and
        # turned by half turns only (a quarter turn has no side to name)
        a = cfg.augment
        self.orient = train and uses_text and a.prompt_follows_transform
        self._sided = (
            {s.group for s in ds if names_a_side(class_name(s))} if train and (a.hflip or a.vflip or a.rot90) else set()
        )

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.ds)

    def _extra_transform(self):
        """The non-dihedral augmentations (torchvision v2 on Image + Mask together), or None."""
        a = self.cfg.augment
        if not a.non_dihedral:
            return None
        from torchvision import tv_tensors
        from torchvision.transforms import v2

        ops: list = []
        if a.rotate_deg or a.scale is not None:
            ops.append(v2.RandomAffine(degrees=a.rotate_deg, scale=tuple(a.scale) if a.scale else None))
        if a.color_jitter:
            j = a.color_jitter
            ops.append(v2.ColorJitter(brightness=j, contrast=j, saturation=j, hue=min(0.5, j / 2)))
        if a.blur:
            ops.append(v2.RandomApply([v2.GaussianBlur(5, sigma=(0.1, 2.0))], p=a.blur))  # the image only
        if a.jpeg:
            # JPEG codes 8-bit images: the image goes to uint8 and back, the mask is left as it is
            to8 = v2.ToDtype({tv_tensors.Image: torch.uint8, "others": None}, scale=True)
            back = v2.ToDtype({tv_tensors.Image: torch.float32, "others": None}, scale=True)
            ops.append(v2.RandomApply([to8, v2.JPEG((30, 95)), back], p=a.jpeg))
        return v2.Compose(ops)

    def _record(self, sample: Sample) -> dict[str, Any]:
        from ..prompts import generate_records

        rec = self._prompts.get(sample.id)
        if rec is None:
            rec = next(generate_records(self.ds.subset([sample.id]), seed=self.cfg.seed))
            self._prompts[sample.id] = rec
        return rec

    def _prompt(self, sample: Sample, rng: np.random.Generator) -> tuple[str, str | None]:
        """``(prompt, level)`` of a sample: the level drawn for ``random`` / ``named``, one prompt
        drawn from a list level (the first outside training)."""
        if not self.uses_text:
            return "", None  # image-only models ignore the prompt: skip computing it
        from ..prompts.templates import resolve_prompt_type

        level = resolve_prompt_type(self.cfg.data.prompt_type, rng)
        record = self._record(sample)
        if self.cfg.data.prompt_type == "named" and record["attributes"].get("empty"):
            level = "p1"  # a target-free image has no parts to describe: asked for by its name, answered empty
        value = record[level]
        if isinstance(value, list):
            value = value[int(rng.integers(len(value)))] if (value and self.train) else (value[0] if value else "")
        return value, level

    def _negative(self, sample: Sample, level: str | None, rng: np.random.Generator) -> str:
        """A negative prompt in the form of the sample's positive: at p1 (and p0) the other target's
        name or a nonsense phrase; at p2-p9 this image's attribute words around it, the other
        target's descriptions at p7-p9 (:func:`~medvlseg.prompts.templates.render_other_target`)."""
        text, name = self.negatives.draw_named(sample.group, rng)
        if level in (None, "p0", "p1"):
            return text
        from ..prompts import load_targets
        from ..prompts.attributes import Attributes
        from ..prompts.templates import render_other_target

        info = load_targets().resolve(name) if name else None
        known = info is not None and info.class_name.lower() == name.lower()
        value = render_other_target(
            Attributes.from_dict(self._record(sample)["attributes"]), level, text,
            plural=info.plural if known else None, descriptions=info.descriptions if known else (),
        )
        if isinstance(value, list):
            value = value[int(rng.integers(len(value)))] if value else text
        return value

    def _resized(self, sample: Sample) -> tuple[torch.Tensor, torch.Tensor]:
        """Decoded and resized once per sample (:func:`~medvlseg.preprocess.resize_rgb`, as at
        inference), kept in float16 (6 bytes a pixel at model size: 310 MB for 800 images at 256 px):
        decoding a large JPEG every epoch costs more than a cached step. The one difference from
        inference: training sees the pixels rounded to float16 (a relative error under 5e-4)."""
        hit = self._memo.get(sample.id)
        if hit is None:
            loaded = self.ds.load(sample)
            if loaded.mask is None:
                raise DataError(f"{sample.image}: sample {sample.id!r} has no mask; training needs one")
            image = resize_rgb(loaded.image, self.size)
            mask = preprocess_mask(loaded.mask, self.size)
            hit = (image.half(), mask.to(torch.bool))
            self._memo[sample.id] = hit
        return hit[0].float(), hit[1].float()

    def image_sha256(self, sample: Sample) -> str:
        """The disk cache's key for a sample's image: its pixel hash ("the same image" everywhere)."""
        return self.ds.image_sha256(sample)

    def __getitem__(self, index: int) -> dict[str, Any]:
        sample = self.ds[index]
        rng = sample_rng(self.cfg.seed, self.epoch if self.train else 0, index)
        image, mask = self._resized(sample)  # (3, S, S) in [0, 1], (1, S, S) in {0, 1}
        transform = IDENTITY
        if self.train:
            a = self.cfg.augment
            k = int(rng.integers(4)) if a.rot90 else 0
            h = bool(rng.random() < 0.5) if a.hflip else False
            v = bool(rng.random() < 0.5) if a.vflip else False
            if sample.group in self._sided:
                k, h, v = (k - k % 2, h, v) if a.mirror_sided else (0, False, False)
            transform = dihedral_name(k, h, v)
            image, mask = dihedral(image, transform), dihedral(mask, transform)
            if self._extra is not None:
                from torchvision import tv_tensors

                with torch.random.fork_rng(devices=[]):
                    # a stream of its own: turning an augmentation on leaves the prompt draws alone
                    torch.manual_seed(int(sample_rng(self.cfg.seed, 2_000_003 + self.epoch, index).integers(2**31)))
                    image, mask = self._extra(tv_tensors.Image(image), tv_tensors.Mask(mask))
                image, mask = image.as_subclass(torch.Tensor).clamp(0, 1), mask.as_subclass(torch.Tensor)
        prompt, level = self._prompt(sample, rng)
        negative = self.negatives is not None and bool(rng.random() < self.cfg.data.negative_fraction)
        if negative:  # a target the image does not hold: nothing to segment
            prompt = self._negative(sample, level, rng)
            mask = torch.zeros_like(mask)
        if self.orient:
            prompt = orient_prompt(prompt, transform)
        out = {
            "image": normalise(image.contiguous(), self.mean, self.std),
            "mask": (mask > 0.5).float().contiguous(),
            "prompt": prompt,
            "negative": negative,
            "id": sample.id,
            "dataset": sample.dataset,
            "transform": transform,
        }
        if self.with_sha:
            out["image_sha256"] = self.image_sha256(sample)
        return out


def open_datasets(cfg: RunConfig) -> tuple[SegmentationDataset, SegmentationDataset, list[str], dict[str, Any]]:
    """(train, selection, dropped selection ids, selection record) for the config: pooled over every
    ``data.path``; with ``data.select_fraction`` a held-out part of train (by group) is the
    selection set, else ``data.val_split``; train reduced to ``data.fraction`` (nested,
    stratified); the selection set cleaned of images identical to a train image."""
    from ..data.splits import held_out_ids

    sets = [SegmentationDataset.open(p, allow_outside=cfg.data.allow_outside_paths) for p in cfg.data.paths]
    names = [d.name for d in sets]
    if len(set(names)) != len(names):
        raise DataError(f"data.path: two datasets share the folder name {names}; per-dataset metrics need distinct names")
    full = sets[0] if len(sets) == 1 else SegmentationDataset.pool(sets)
    if cfg.data.targets is not None:
        full = full.with_targets(cfg.data.targets)
    all_train = full.split(cfg.data.train_split)
    if len(all_train) == 0:
        raise DataError(f"data.path: no samples in split {cfg.data.train_split!r} of {', '.join(cfg.data.paths)}")
    d = cfg.data
    annotated = None  # the fraction's samples left to train on, when selection was held out of them
    if d.select_fraction > 0:
        within = d.select_within_fraction and d.fraction < 1
        pool = all_train.annotation_fraction(d.fraction, seed=cfg.seed) if within else all_train
        held = set(held_out_ids(pool.ids(), d.select_fraction, groups=[s.group for s in pool], seed=cfg.seed))
        val = pool.subset([i for i in pool.ids() if i in held])
        all_train = all_train.subset([i for i in all_train.ids() if i not in held])
        if within:
            annotated = pool.subset([i for i in pool.ids() if i not in held])
        of = f" of the {d.fraction:g} annotated" if within else ""
        selection = {"split": f"{d.train_split}[held out {d.select_fraction:g}{of}, seed {cfg.seed}]", "n": len(val),
                     "untouched": [d.val_split], "chooses": ["best epoch", "presence threshold"]}
    else:
        val = full.split(d.val_split)
        selection = {"split": d.val_split, "n": len(val), "untouched": [],
                     "chooses": ["best epoch", "presence threshold"]}
    if d.train_ids is not None:
        held_now = set(d.train_ids) - set(all_train.ids())
        if held_now:
            raise DataError(f"data.train_ids: not in the training samples{' (some are held out by data.select_fraction)' if d.select_fraction else ''}: "
                            f"{', '.join(sorted(held_now)[:5])}")
        train = all_train.subset(list(dict.fromkeys(d.train_ids)))
    else:
        train = annotated if annotated is not None else all_train.annotation_fraction(d.fraction, seed=cfg.seed)
    if len(val) == 0:
        raise DataError(f"data.path: no samples in split {d.val_split!r} of {', '.join(cfg.data.paths)}")
    # against the whole train split, so that every annotation fraction is validated on the same images
    val, dropped = val.without_copies_of(all_train)
    return train, val, dropped, selection


def class_name(sample: Sample) -> str:
    """The class name a sample's target resolves to (``targets.yaml``; aliases such as ``fuseg``
    or ``wound`` give ``foot ulcer``): the name a negative prompt or a presence threshold uses."""
    from ..prompts import load_targets

    return load_targets().resolve(sample.target, sample.dataset).class_name


def negative_sampler(cfg: RunConfig, train: SegmentationDataset, *others: SegmentationDataset) -> NegativeSampler:
    """Negatives for a training set: any known target (the pool's, the packaged catalogue's,
    ``data.negative_targets``) that an image is not annotated with, and nonsense phrases.
    ``others``: more datasets (the selection split) whose images the sampler also serves."""
    from ..prompts import load_targets

    catalog = load_targets()
    image_targets: dict[str, set[str]] = {}
    for ds in (train, *others):
        for s in ds:
            image_targets.setdefault(s.group, set()).add(class_name(s))
    candidates = {class_name(s) for s in train} | {t.class_name for t in catalog.targets.values()} | set(cfg.data.negative_targets)
    return NegativeSampler(candidates, image_targets, nonsense=cfg.data.negative_nonsense)


class CalibrationSet(torch.utils.data.Dataset):
    """What the presence thresholds are calibrated on: the selection samples with their own
    prompts and, when the run trains with negatives, each once more with a negative prompt and an
    empty mask. Every item carries ``key``: the lower-case class name its prompt names ("" for
    nonsense), so that a threshold can be chosen per target."""

    def __init__(self, base: TorchSegDataset, negatives: NegativeSampler | None, seed: int) -> None:
        self.base, self.negatives, self.seed = base, negatives, seed

    def __len__(self) -> int:
        return len(self.base) * (2 if self.negatives is not None else 1)

    def __getitem__(self, index: int) -> dict[str, Any]:
        n = len(self.base)
        item = dict(self.base[index % n])
        sample = self.base.ds[index % n]
        if index < n:
            item["key"] = class_name(sample).lower()
            return item
        prompt, target = self.negatives.draw_named(sample.group, sample_rng(self.seed, 1_000_003, index))  # a stream of its own
        item.update(prompt=prompt, mask=torch.zeros_like(item["mask"]), negative=True, key=(target or "").lower())
        return item


def constant_prompt_warning(cfg: RunConfig, train: SegmentationDataset) -> str | None:
    """Why the soft patch-contrastive term would have exactly zero gradient, or None: with one
    prompt for every sample of a batch its soft targets are uniform."""
    if cfg.loss.contrastive <= 0 or cfg.data.negative_fraction > 0:
        return None
    if cfg.data.prompt_type not in ("p0", "p1") or len({s.target for s in train}) > 1:
        return None
    return (f"loss.contrastive is {cfg.loss.contrastive} but every training sample has the same prompt "
            f"(data.prompt_type {cfg.data.prompt_type}, one target, data.negative_fraction 0): the soft "
            "patch-contrastive term has zero gradient; set data.negative_fraction (e.g. 0.25), "
            "data.prompt_type: random, or loss.contrastive: 0")


class EpochShuffleSampler(torch.utils.data.Sampler[int]):
    """A permutation drawn from ``(seed, epoch)``, not from the global RNG: a resumed run visits the
    samples in the same order as the uninterrupted one. Lightning calls :meth:`set_epoch` before each
    epoch (under DDP it substitutes a ``DistributedSampler``, which is seeded the same way)."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seed, self.epoch = n, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(np.random.default_rng([self.seed, self.epoch, 7]).permutation(self.n).tolist())


def collate(batch: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in batch[0]:
        vals = [b[key] for b in batch]
        out[key] = torch.stack(vals) if isinstance(vals[0], torch.Tensor) else vals
    return out


def _lightning():
    import lightning.pytorch as pl

    return pl


class SegDataModule(_lightning().LightningDataModule):
    """Train / val loaders over :class:`TorchSegDataset`. ``dataset_names`` fixes the order of the
    per-dataset validation metrics."""

    def __init__(self, cfg: RunConfig, *, size: int, mean, std, uses_text: bool, with_sha: bool = False) -> None:
        super().__init__()
        self.cfg = cfg
        self.train_ds, self.val_ds, self.dropped, self.selection = open_datasets(cfg)
        self.dataset_names = sorted({s.dataset for s in self.train_ds} | {s.dataset for s in self.val_ds})
        kw = dict(size=size, mean=mean, std=std, cfg=cfg, uses_text=uses_text, with_sha=with_sha)
        self.negatives = negative_sampler(cfg, self.train_ds) if cfg.data.negative_fraction > 0 and uses_text else None
        self.train_set = TorchSegDataset(self.train_ds, train=True, negatives=self.negatives, **kw)
        self.val_set = TorchSegDataset(self.val_ds, train=False, **kw)

    def calibration_dataloader(self):
        """Batches of :class:`CalibrationSet` over the selection split."""
        negatives = negative_sampler(self.cfg, self.train_ds, self.val_ds) if self.negatives is not None else None
        return torch.utils.data.DataLoader(
            CalibrationSet(self.val_set, negatives, self.cfg.seed), batch_size=self.cfg.optim.batch_size,
            num_workers=self.cfg.data.num_workers, collate_fn=collate,
        )

    def target_modalities(self) -> dict[str, list[str]]:
        """Per target, the kinds of picture it is trained on (the model record's ``modalities``)."""
        from ..data.modality import target_modalities

        return target_modalities(self.train_ds, {Path(p).resolve().name: Path(p) for p in self.cfg.data.paths}, class_name)

    def train_image_hashes(self) -> list[str]:
        """Pixel hashes of the training images (sorted, unique): "the same image" as everywhere."""
        return sorted({self.train_ds.image_sha256(s) for s in self.train_ds})

    def _loader(self, ds: TorchSegDataset, shuffle: bool):
        n = self.cfg.data.num_workers
        sampler = EpochShuffleSampler(len(ds), self.cfg.seed) if shuffle else None
        return torch.utils.data.DataLoader(
            ds, batch_size=self.cfg.optim.batch_size, sampler=sampler, num_workers=n, collate_fn=collate,
            drop_last=False, persistent_workers=False,
        )

    def train_dataloader(self):
        return self._loader(self.train_set, True)

    def val_dataloader(self):
        return self._loader(self.val_set, False)
