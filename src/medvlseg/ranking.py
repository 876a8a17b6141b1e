"""Which image should be annotated next: unlabelled images ranked by how unsure the model is of them.

The loop of MONAI Label's active learning ("score the pool, annotate the top ones, fine-tune,
re-score") with the signals this toolkit already computes, per image and prompt:

- ``mutual_information``: the mean epistemic uncertainty (Monte-Carlo mutual information of a
  stochastic model such as MedCLIPSeg; 0 for a deterministic one) inside and around the predicted
  region (the pixels with a mean probability >= 0.05, grown by 4 pixels at the model's size; the
  whole image when there are none);
- ``entropy``: the mean predictive entropy there;
- ``tta_disagreement``: the mean standard deviation there of the probabilities of the 4 mirrored
  copies (MONAI Label's TTA strategy; any model);
- ``presence_uncertainty``: 1 when the presence score sits on its threshold, 0 when it is as far
  from it as it can be: an unsure "is it there at all" (for a target without a presence rule, the
  peak against the pixel threshold: the pixels alone make the call).

``score``, the order: the mean over images of the percentile ranks of mutual information, TTA
disagreement and presence uncertainty (each column counts equally whatever its scale; a column that
is constant, such as the mutual information of a deterministic model, adds nothing). With
``diversity`` > 0 the order is chosen greedily: each next image maximises its score minus
``diversity`` times its largest cosine similarity to the images already chosen (image features of
the frozen tower, computed only with this option: one more pass of the image tower), so the top k
are not near-duplicates.

Scores are cached per (model file, image pixels, prompt, settings) in a JSON-lines file: ranking a
pool again after adding images computes only the new ones.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .decision import presence_off, presence_score
from .errors import ConfigError

__all__ = ["RankedImage", "rank", "rank_images", "rank_loaded", "write_ranking"]

ROI_MIN_PROBABILITY = 0.05
ROI_GROW_PX = 4
SIGNALS = ("mutual_information", "tta_disagreement", "presence_uncertainty")


@dataclass
class RankedImage:
    image: str
    rank: int = 0
    score: float = 0.0
    mutual_information: float = 0.0
    entropy: float = 0.0
    tta_disagreement: float = 0.0
    presence: float = 0.0
    presence_threshold: float = 0.5
    presence_uncertainty: float = 0.0
    cached: bool = False
    features: list[float] = field(default_factory=list, repr=False)

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("features")
        return out


def _binary_entropy(p: torch.Tensor) -> torch.Tensor:
    p = p.clamp(1e-6, 1 - 1e-6)
    return -(p * p.log() + (1 - p) * (1 - p).log())


@torch.inference_mode()
def _signals(seg: Any, image: np.ndarray, prompt: str, samples: int, features: bool = True) -> dict[str, Any]:
    from .segmenter import TTA_TRANSFORMS, dihedral_transform, inverse_dihedral_transform

    model = seg.model
    x = seg.preprocess(image)  # (1, 3, s, s)
    text = seg.choose(x, [prompt])[0]  # a prompt left to the image: the target the model finds there
    flips = TTA_TRANSFORMS["flip"]
    xt = torch.cat([dihedral_transform(x, *t) for t in flips])  # (4, 3, s, s)
    probs = model.predict(xt, [text] * len(flips)).float()  # (4, 1, s, s)
    copies = torch.stack([inverse_dihedral_transform(p, *t) for p, t in zip(probs, flips)])  # (4, 1, s, s)
    if hasattr(model, "sample_probabilities"):
        mc = model.sample_probabilities(x, [text], samples=samples).float()[:, 0]  # (S, 1, s, s)
        mean = mc.mean(0)  # (1, s, s)
        entropy = _binary_entropy(mean)
        mi = (entropy - _binary_entropy(mc).mean(0)).clamp_min(0)
    else:
        mean = copies[0]
        entropy = _binary_entropy(mean)
        mi = torch.zeros_like(mean)
    roi = (mean >= ROI_MIN_PROBABILITY).float()[None]  # (1, 1, s, s)
    roi = F.max_pool2d(roi, 2 * ROI_GROW_PX + 1, stride=1, padding=ROI_GROW_PX)[0] > 0  # grown by ROI_GROW_PX
    if not roi.any():
        roi = torch.ones_like(roi)
    present = float(presence_score(copies[:1], seg.presence_rule)[0])  # of the plain copy, by the record's rule
    thr = float(seg.presence_threshold_for(prompt, text))
    # how close the call "is it there" is: the score against its threshold; where the target has no
    # presence rule (0 under top1pct) the pixels alone make the call: the peak against the pixel threshold
    called_by, against = present, thr
    if thr <= presence_off(seg.presence_rule, seg.threshold):
        called_by, against = float(copies[0].max()), seg.threshold
    far = max(against, 1.0 - against)
    feats: list[float] = []
    bb = getattr(model, "backbone", None)
    if features and bb is not None:  # one more pass of the image tower: only for the diversity option
        try:
            feats = [round(float(v), 5) for v in bb.image_features(x)[0].float()]
        except ConfigError:  # a backbone without pooled image features: diversity falls back to none
            feats = []
    return {
        "mutual_information": float(mi[roi].mean()), "entropy": float(entropy[roi].mean()),
        "tta_disagreement": float(copies.std(0)[roi].mean()), "presence": present, "presence_threshold": thr,
        "presence_uncertainty": max(0.0, 1.0 - abs(called_by - against) / far), "features": feats, "with_features": features,
    }


def _percentile_ranks(values: Sequence[float]) -> np.ndarray:
    """Average ranks scaled to [0, 1] (ties share their rank; a constant column is all 0.5)."""
    a = np.asarray(values, dtype=float)
    if len(a) < 2 or np.ptp(a) == 0:
        return np.full(len(a), 0.5)
    order = a.argsort(kind="stable")
    ranks = np.empty(len(a))
    ranks[order] = np.arange(len(a), dtype=float)
    for v in np.unique(a):  # ties: their mean rank
        m = a == v
        ranks[m] = ranks[m].mean()
    return ranks / (len(a) - 1)


def _order(items: list[RankedImage], diversity: float) -> list[RankedImage]:
    scores = np.mean([_percentile_ranks([getattr(r, s) for r in items]) for s in SIGNALS], axis=0) if items else np.zeros(0)
    for r, s in zip(items, scores):
        r.score = round(float(s), 6)
    if diversity <= 0 or not items or not all(r.features for r in items):
        chosen = sorted(items, key=lambda r: (-r.score, r.image))
    else:
        feats = F.normalize(torch.tensor([r.features for r in items], dtype=torch.float32), dim=-1)
        left = list(range(len(items)))
        nearest = np.full(len(items), -1.0)  # largest similarity to an image already chosen
        chosen = []
        while left:
            k = max(left, key=lambda i: (items[i].score - diversity * max(nearest[i], 0.0), -i))
            chosen.append(items[k])
            left.remove(k)
            nearest = np.maximum(nearest, (feats @ feats[k]).numpy())
    for i, r in enumerate(chosen, start=1):
        r.rank = i
    return chosen


def _pool(inputs: Sequence[str | os.PathLike], split: str | None) -> list[tuple[str, Any]]:
    """``(name, loader)`` for every image: a dataset folder's split (one per image, however many
    targets it has), or image files and folders."""
    from .data import SegmentationDataset, io
    from .predict import collect_inputs

    one = len(inputs) == 1
    if one and (split is not None or (Path(inputs[0]) / "manifest.csv").is_file()):  # a dataset folder
        ds = SegmentationDataset.open(inputs[0]).split(split)
        seen: dict[str, Any] = {}
        for s in ds:
            seen.setdefault(s.group, s)
        return [(str(s.image), (lambda s=s: ds.load_image(s))) for s in seen.values()]
    out = []
    for path, kind in collect_inputs(inputs):
        if kind != "image":
            raise ConfigError(f"{path}: rank takes 2-D images (a volume: export its slices, or rank a dataset of them)")
        out.append((str(path), (lambda p=path: io.read_image(p))))
    return out


def rank_images(
    model_or_run: Any,
    inputs: Sequence[str | os.PathLike],
    prompt: str,
    *,
    split: str | None = None,
    samples: int = 8,
    diversity: float = 0.0,
    cache: str | os.PathLike | None = None,
    device: str | None = None,
    progress: bool = False,
    console: Any | None = None,
) -> list[RankedImage]:
    """Rank the images of ``inputs`` (a dataset folder, with ``split``, or image files and folders)
    for annotation with ``prompt``; see the module docstring. ``cache``: a JSON-lines file of scores
    (read, then extended)."""
    from .checkpoints import model_and_info
    from .predict import resolve_device
    from .segmenter import Segmenter

    _check(prompt, samples, diversity)
    pool = _pool(inputs, split)
    if not pool:
        raise ConfigError("rank: no images to rank")
    model, info = model_and_info(model_or_run)
    seg = Segmenter(model, device=resolve_device(device))
    return rank_loaded(seg, pool, prompt, samples=samples, diversity=diversity, cache=cache,
                       model_key=info.sha256 or info.source, progress=progress, console=console)


def _check(prompt: str, samples: int, diversity: float) -> None:
    from .prompts.check import check_prompt

    check_prompt(prompt)
    if samples < 2:
        raise ConfigError(f"samples: need at least 2 Monte-Carlo passes, got {samples}")
    if diversity < 0:
        raise ConfigError(f"diversity: must be >= 0, got {diversity}")


def rank_loaded(
    seg: Any,
    pool: Sequence[tuple[str, Any]],
    prompt: str,
    *,
    samples: int = 8,
    diversity: float = 0.0,
    cache: str | os.PathLike | None = None,
    model_key: str = "",
    progress: bool = False,
    console: Any | None = None,
) -> list[RankedImage]:
    """:func:`rank_images` for a loaded :class:`~medvlseg.Segmenter` and ``pool``, ``(name, load)``
    pairs (``load()`` gives the RGB image; the service reads uploads so). ``model_key`` names the
    model in ``cache`` keys (required with a cache)."""
    from .data.io import pixel_sha256
    from .utils import atomic_write_jsonl

    _check(prompt, samples, diversity)
    if cache is not None and not model_key:
        raise ConfigError("rank: a cache needs the model's key (its file's sha256)")
    settings = f"{model_key}|{prompt}|{samples}|v1"
    cache_path = Path(cache) if cache is not None else None
    known = _read_cache(cache_path)
    items: list[RankedImage] = []
    from rich.progress import Progress

    with Progress(console=console, disable=not progress, transient=True) as bar:
        task = bar.add_task("ranking", total=len(pool))
        for name, load in pool:
            image = load()
            key = f"{settings}|{pixel_sha256(image)}"
            # a cached score without image features serves a ranking without the diversity option only
            hit = key in known and (diversity <= 0 or known[key].get("with_features", True))
            sig = known[key] if hit else _signals(seg, image, prompt, samples, features=diversity > 0)
            known[key] = sig
            items.append(RankedImage(image=name, cached=hit, **{k: v for k, v in sig.items() if k != "with_features"}))
            bar.advance(task)
    if cache_path is not None:
        with _locked(cache_path):  # another process ranking into the same cache meanwhile keeps its entries
            known = {**_read_cache(cache_path), **known}
            atomic_write_jsonl(cache_path, ({"key": k, "signals": v} for k, v in known.items()))
    return _order(items, diversity)


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` + ``.lock`` while held (POSIX; elsewhere no lock)."""
    try:
        import fcntl
    except ImportError:  # Windows: a lost entry is only computed again
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_cache(path: Path | None) -> dict[str, dict[str, Any]]:
    known: dict[str, dict[str, Any]] = {}
    if path is not None and path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
                known[rec["key"]] = rec["signals"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a damaged line is computed again, not trusted
    return known


def write_ranking(ranked: Sequence[RankedImage], path: str | os.PathLike) -> Path:
    from .utils import atomic_write_csv

    return atomic_write_csv(path, [r.row() for r in ranked])


rank = rank_images  # medvlseg.rank(...)
