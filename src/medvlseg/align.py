"""``medvlseg align``: contrastive alignment of a backbone's image and text towers, with DHN-NCE
(or, for zero-shot saliency that localises, a class-labelled sigmoid loss on patch-pooled scores).

Koleilat et al., "MedCLIP-SAM: Bridging Text and Image Towards Universal Medical Image
Segmentation", MICCAI 2024, arXiv:2403.20253 (REFERENCE §4): decoupled hard-negative NCE on
image-text pairs. The ``lite`` pair (EfficientNet-Lite0 + MiniLM) was trained as two separate
models, so its joint space is ours to learn: alignment trains the two projections on pairs that
need no mask beyond what the prompts are computed from: each image with its target's name, the
attribute prompts P1-P9 of every target annotated on it (number, size, colour, shape, location,
descriptions, PH2's diagnosis), over any number of datasets. The negatives of a pair are the batch's
other pairs: other datasets' and other targets' images and texts.

The towers stay frozen, so their pooled features are computed once (images and every distinct
text) and the projections train on those in seconds. Because ``image_proj`` is a linear map of the
last stage's channels, the same map at every location gives patch embeddings in the joint space
whose mean is the image embedding: the patch tokens come out aligned too (the zero-shot saliency
reads them).

Alignment that localises (``pooling: lse``). Trained on the pooled embedding, the projections
learn what tells a dataset's images apart (a foot, a radiograph), and the patch maps cover the
whole foot rather than the ulcer (BENCHMARKS, zero-shot). With ``lse`` an image scores a caption
by the log-sum-exp of its patch cosines (:func:`~medvlseg.losses.lse_pool`, multiple-instance
learning): the best-matching patches carry the score, so what must match the caption is a part of
the image, and the patch features (N x P x C) are what is kept. ``loss: sigmoid``
(SigLIP's pairwise loss, Zhai et al., ICCV 2023, labelled here by class) scores every image
against every caption of the batch, positive when the image holds the caption's class: images
with several targets (jsrt), target-free images (all negatives: a foot without an ulcer is the
hard negative that teaches "ulcer", not "foot") and nonsense captions all fit, where DHN-NCE
needs one positive caption per image. ``texts: names`` takes captions from the target catalog
(name, plural, descriptions) instead of the attribute prompts P2-P9, which are computed from the
masks: with it, alignment reads which targets an image holds and nothing else.

Retrieval on ``val``, before and after (:func:`retrieval_metrics`):

- dataset level: each val image against the names of all targets (image->text top-1 / top-5: a
  name of a target the image holds ranks first / in the first five); each name against all images
  (text->image precision at 1 and 5: the share of the best-ranked images that hold it);
- attribute level: within each dataset, each image's own P2-P9 prompt against the other images'
  (text->image top-1 / top-5: its own image ranks first / in the first five).

The run folder (``--out``): ``backbone.safetensors`` (the aligned projections, the backbone's name
and arguments in its header), ``align.json`` (settings, metrics before and after, the loss per
epoch), ``retrieval.md``, ``metadata.json`` (versions, sha256). A segmentation recipe starts from it
with ``model.init_from: RUN``; the trained model then carries the aligned projections itself.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ConfigError, DataError
from .utils import atomic_write_bytes, atomic_write_json, atomic_write_text, sha256_file

__all__ = ["AlignConfig", "align", "load_aligned_projections", "presence_calibration", "presence_threshold", "retrieval_metrics"]

BACKBONE_FILE = "backbone.safetensors"
HEADER_KEY = "medvlseg-align"
ATTRIBUTE_LEVELS = ("p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9")


class AlignConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: list[str] = Field(min_length=1)
    backbone: str = "lite"
    backbone_kwargs: dict[str, Any] = Field(default_factory=dict)
    image_size: int | None = Field(None, ge=8)  # None: the backbone's
    train_split: str = "train"
    val_split: str = "val"
    # dhn_nce / info_nce: one caption per image, the batch's other captions are its negatives;
    # sigmoid: every image against every caption of the batch, labelled by the classes the image
    # holds (several targets per image, target-free images and nonsense captions all fit)
    loss: Literal["dhn_nce", "info_nce", "sigmoid"] = "dhn_nce"
    temperature: float = Field(0.6, gt=0)  # MedCLIP-SAM's τ for DHN-NCE
    beta1: float = Field(0.15, ge=0)
    beta2: float = Field(0.15, ge=0)
    # how an image scores a caption: mean = the cosine of the mean patch embedding (MedCLIP-SAM);
    # lse = the log-sum-exp (sharpness lse_r) of the patch cosines, so the patches that hold the
    # target carry the score (multiple-instance learning: the patch maps localise)
    pooling: Literal["mean", "lse"] = "mean"
    lse_r: float = Field(10.0, gt=0)
    # prompts: the attribute prompts at `levels` (P2-P9 describe the mask: size, colour, place);
    # names: each class's name, plural and descriptions from the target catalog, no mask read
    texts: Literal["prompts", "names"] = "prompts"
    levels: list[str] = Field(default_factory=lambda: [f"p{k}" for k in range(1, 10)])  # texts a pair may use
    nonsense_per_batch: int = Field(8, ge=0)  # sigmoid: captions that name nothing, per batch
    # sigmoid: weight of the hard negatives, an image of a dataset whose images hold the caption's
    # class that does not hold it (a foot without an ulcer against "foot ulcer"). The easy
    # negatives (another dataset's images) are told apart by the clinic's look; only these pairs
    # make the target itself the cue, and a dataset has few of them (fuseg: 19 of 700)
    hard_negative_weight: float = Field(1.0, ge=0)
    epochs: int = Field(60, ge=1)
    batch_size: int = Field(64, ge=2)
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    seed: int = 0

    @model_validator(mode="after")
    def _names_need_class_labels(self) -> AlignConfig:
        # a class's few catalog captions recur across a batch; DHN-NCE / InfoNCE would push each one
        # away from the other images of its own class (one positive per row): only sigmoid's
        # class labels say those pairs match
        if self.texts == "names" and self.loss != "sigmoid":
            raise ValueError(f"texts: names needs loss: sigmoid (got loss: {self.loss}); with one caption per class, "
                             "the pair losses take images of the same class as negatives")
        if self.hard_negative_weight != 1.0 and self.loss != "sigmoid":
            raise ValueError(f"hard_negative_weight weighs the pairs of the sigmoid loss (got loss: {self.loss})")
        return self


# ----------------------------------------------------------------------------------------- data


def class_names_texts(info) -> list[str]:
    """Captions that need no mask: a target's class name, its plural, and its name with each of its
    catalog descriptions (:class:`~medvlseg.prompts.attributes.TargetInfo`)."""
    return [info.class_name, info.plural] + [f"{info.class_name}: {d}" for d in info.descriptions]


def _images_and_texts(paths: Sequence[str], split: str, seed: int, levels: Sequence[str] = (),
                      names: bool = False) -> list[dict[str, Any]]:
    """One entry per image of ``split``: its dataset, the class names of the targets it holds, its
    texts by prompt level (every target annotated on it contributes; a target-free image's prompts
    say "no ... in the image"), and ``class_texts``: for each class it holds, the captions a pair
    may use (its prompts at ``levels``, or with ``names`` :func:`class_names_texts`)."""
    from .data import SegmentationDataset
    from .prompts import generate_records, load_targets

    catalog = load_targets()
    out: dict[str, dict[str, Any]] = {}
    for p in paths:
        ds = SegmentationDataset.open(p).split(split)
        for rec, sample in zip(generate_records(ds, seed=seed), ds):
            key = f"{sample.dataset}:{sample.group}"
            entry = out.setdefault(key, {"key": key, "dataset": sample.dataset, "sample": sample, "ds": ds,
                                         "classes": set(), "texts": {}, "class_texts": {}})
            info = catalog.resolve(sample.target, sample.dataset)
            held = rec["attributes"]["number"] > 0  # a target-free image does not hold its dataset's target
            if held:
                entry["classes"].add(info.class_name)
            for level in (f"p{k}" for k in range(0, 10)):
                value = rec.get(level)
                texts = [t for t in (value if isinstance(value, list) else [value]) if t]
                entry["texts"].setdefault(level, []).extend(texts)
                if held and level in levels:
                    entry["class_texts"].setdefault(info.class_name, []).extend(texts)
            if held and names:
                entry["class_texts"][info.class_name] = class_names_texts(info)
    if not out:
        raise DataError(f"align: no images in split {split!r} of {', '.join(paths)}")
    return [out[k] for k in sorted(out)]


@torch.no_grad()
def _image_features(backbone, entries: list[dict[str, Any]], size: int, batch: int = 16, patches: bool = False) -> torch.Tensor:
    from .preprocess import preprocess_image

    feats = []
    for start in range(0, len(entries), batch):
        chunk = entries[start : start + batch]
        x = torch.stack([preprocess_image(e["ds"].load_image(e["sample"]), size, backbone.image_mean, backbone.image_std)
                         for e in chunk])
        feats.append(backbone.image_features(x, patches=patches).float())
    return torch.cat(feats)  # (N, C), patches: (N, P, C)


def sigmoid_labels(image_classes: Sequence[set[str]], caption_classes: Sequence[str | None]) -> torch.Tensor:
    """(B, T) targets of the sigmoid loss: 1 where image b holds the class caption t names (None:
    a caption that names nothing, 0 for every image; a target-free image: a row of 0)."""
    return torch.tensor([[c is not None and c in held for c in caption_classes] for held in image_classes], dtype=torch.float32)


def sigmoid_weights(labels: torch.Tensor, image_datasets: Sequence[str], caption_classes: Sequence[str | None],
                    dataset_classes: dict[str, set[str]], hard_negative_weight: float) -> torch.Tensor:
    """(B, T) weights of the sigmoid loss: ``hard_negative_weight`` where image b is a negative
    (``labels`` 0) for a class its dataset holds elsewhere (``dataset_classes``: dataset -> the
    classes any of its images holds), 1 everywhere else."""
    hard = torch.tensor([[c is not None and c in dataset_classes.get(d, ()) for c in caption_classes] for d in image_datasets],
                        dtype=torch.bool) & (labels == 0)
    return torch.where(hard, torch.tensor(float(hard_negative_weight)), torch.tensor(1.0))


def image_text_scores(img: torch.Tensor, text: torch.Tensor, lse_r: float | None = None, chunk: int = 256) -> torch.Tensor:
    """How well each image matches each caption. ``img`` (N, E) pooled embeddings: their cosine;
    (N, P, E) patch embeddings: :func:`~medvlseg.losses.lse_pool` (sharpness ``lse_r``) of the P
    patch cosines. ``text`` (T, E) -> (N, T)."""
    from .losses import lse_pool

    t = F.normalize(text, dim=-1)
    if img.ndim == 2:
        return F.normalize(img, dim=-1) @ t.T
    if lse_r is None:
        raise ValueError("image_text_scores: patch embeddings (N, P, E) need lse_r")
    return torch.cat([lse_pool(F.normalize(c, dim=-1) @ t.T, lse_r, dim=1) for c in img.split(chunk)])  # (n, P, T) -> (n, T)


@torch.no_grad()
def _text_features(backbone, texts: list[str], batch: int = 128) -> torch.Tensor:
    return torch.cat([backbone.text_features(texts[i : i + batch]).float() for i in range(0, len(texts), batch)])  # (T, D)


# ----------------------------------------------------------------------------------------- metrics


def _topk_hit(scores: torch.Tensor, correct: torch.Tensor, k: int) -> float:
    """Mean over rows of whether one of the ``k`` best-scored columns is correct. scores, correct: (Q, N)."""
    k = min(k, scores.shape[1])
    idx = scores.topk(k, dim=1).indices  # (Q, k)
    return float(correct.gather(1, idx).any(dim=1).float().mean())


def _precision_at(scores: torch.Tensor, correct: torch.Tensor, k: int) -> float:
    k = min(k, scores.shape[1])
    idx = scores.topk(k, dim=1).indices
    return float(correct.gather(1, idx).float().mean())


def retrieval_metrics(img: torch.Tensor, entries: list[dict[str, Any]], text_emb: dict[str, torch.Tensor],
                      lse_r: float | None = None) -> dict[str, Any]:
    """Retrieval on joint-space embeddings (module docstring). ``img`` (N, E) image embeddings of
    ``entries``, or (N, P, E) patch embeddings scored by :func:`image_text_scores` with ``lse_r``;
    ``text_emb`` maps a text to its (E,) embedding (every class name and P2-P9 text)."""
    names = sorted({c for e in entries for c in e["classes"]})
    out: dict[str, Any] = {"n_images": len(entries), "class_names": names}
    if names:
        t = torch.stack([text_emb[n] for n in names])  # (K, E)
        holds = torch.tensor([[n in e["classes"] for n in names] for e in entries])  # (N, K)
        sim = image_text_scores(img, t, lse_r)  # (N, K)
        has = holds.any(dim=1)
        out["dataset_level"] = {
            "image_to_text_top1": _topk_hit(sim[has], holds[has], 1),
            "image_to_text_top5": _topk_hit(sim[has], holds[has], 5),
            "text_to_image_precision1": _precision_at(sim.T, holds.T, 1),
            "text_to_image_precision5": _precision_at(sim.T, holds.T, 5),
        }
    per_dataset: dict[str, Any] = {}
    for ds_name in sorted({e["dataset"] for e in entries}):
        idx = [i for i, e in enumerate(entries) if e["dataset"] == ds_name]
        if len(idx) < 2:
            continue
        block: dict[str, list[float]] = {"top1": [], "top5": []}
        for level in ATTRIBUTE_LEVELS:
            texts = [entries[i]["texts"].get(level, [None])[0] for i in idx]
            if any(t is None for t in texts):
                continue
            q = torch.stack([text_emb[t] for t in texts])  # (n, E)
            sim = image_text_scores(img[idx], q, lse_r).T  # (n, n): own image on the diagonal
            eye = torch.eye(len(idx), dtype=torch.bool)
            block["top1"].append(_topk_hit(sim, eye, 1))
            block["top5"].append(_topk_hit(sim, eye, 5))
        if block["top1"]:
            per_dataset[ds_name] = {"n_images": len(idx), "text_to_image_top1": float(np.mean(block["top1"])),
                                    "text_to_image_top5": float(np.mean(block["top5"])), "chance_top1": 1.0 / len(idx)}
    out["attribute_level"] = per_dataset
    return out


def _best_threshold(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """The cut that maximises balanced accuracy (TPR + TNR) / 2 of ``score >= cut``; the midpoint
    between the two scores it falls between. O(n log n): one sort, then counts below each cut."""
    scores = torch.cat([pos, neg]).double()
    is_pos = torch.cat([torch.ones(len(pos)), torch.zeros(len(neg))]).double()
    order = scores.argsort()
    s, lab = scores[order], is_pos[order]
    n = len(s)
    pos_below = torch.cat([torch.zeros(1, dtype=torch.float64), lab.cumsum(0)])  # (n + 1,): positives under cut k
    neg_below = torch.arange(n + 1, dtype=torch.float64) - pos_below
    balanced = (1 - pos_below / max(len(pos), 1)) + neg_below / max(len(neg), 1)
    valid = torch.ones(n + 1, dtype=torch.bool)
    valid[1:n] = s[1:] > s[:-1]  # a cut between two equal scores does not exist
    k = int(torch.argmax(torch.where(valid, balanced, torch.tensor(-1.0, dtype=torch.float64))))
    if k == 0:
        return float(s[0] - 1e-6)
    if k == n:
        return float(s[-1] + 1e-6)
    return float((s[k - 1] + s[k]) / 2)


def presence_calibration(
    img: torch.Tensor, entries: list[dict[str, Any]], text_emb: dict[str, torch.Tensor], *, threshold: float | None = None,
    lse_r: float | None = None, nonsense: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The rule "the prompt names something in this image" as ``score(image, prompt) >= threshold``,
    the score of :func:`image_text_scores` (the cosine, or with patch embeddings and ``lse_r`` the
    pooled patch cosines; the key ``cosine_threshold`` holds it either way).

    Positives: each image with the name of every target it holds. Negatives: each image with the
    name of every other target of the pool (a target-free image: all of them) and with each of
    ``nonsense`` (default :data:`~medvlseg.prompts.negatives.NONSENSE_WORDS`). ``threshold`` None:
    chosen here (balanced accuracy); else scored. Image-level labels only: no mask. ``text_emb``
    must hold every name and nonsense word."""
    from .prompts.negatives import NONSENSE_WORDS

    names = sorted({c for e in entries for c in e["classes"]})
    words = [w for w in (NONSENSE_WORDS if nonsense is None else nonsense) if w not in names]
    sim = image_text_scores(img, torch.stack([text_emb[n] for n in names + words]), lse_r)  # (N, K + M)
    holds = torch.tensor([[n in e["classes"] for n in names] + [False] * len(words) for e in entries])
    named = torch.zeros_like(holds)
    named[:, : len(names)] = True
    pos, wrong, nonsense = sim[holds], sim[named & ~holds], sim[:, len(names):].reshape(-1)
    neg = torch.cat([wrong, nonsense])
    if threshold is None:
        threshold = _best_threshold(pos, neg)
    return {
        "cosine_threshold": threshold, "n_images": len(entries),
        "own_target_called_present": float((pos >= threshold).float().mean()) if len(pos) else None,
        "other_target_called_absent": float((wrong < threshold).float().mean()) if len(wrong) else None,
        "nonsense_called_absent": float((nonsense < threshold).float().mean()),
    }


def presence_threshold(run: str | os.PathLike) -> float:
    """The cosine threshold an align run calibrated (:func:`presence_calibration`)."""
    path = Path(run) / "align.json"
    try:
        return float(json.loads(path.read_text(encoding="utf-8"))["presence"]["train"]["cosine_threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        raise DataError(f"{path}: no presence calibration (made by an older medvlseg align); run medvlseg align again") from None


# ------------------------------------------------------------------------------------------ align


def align(cfg: AlignConfig, out_dir: str | os.PathLike, *, console: Any | None = None) -> dict[str, Any]:
    """Align ``cfg.backbone``'s projections on ``cfg.data`` (module docstring); returns ``align.json``."""
    from safetensors.torch import save

    from . import __version__
    from .backbones.base import build_backbone
    from .losses import dhn_nce_similarity, info_nce_similarity

    t0 = time.perf_counter()
    torch.manual_seed(cfg.seed)
    backbone = build_backbone(cfg.backbone, **cfg.backbone_kwargs).eval()
    modules = backbone.alignable()  # raises for backbones that come aligned
    size = cfg.image_size or backbone.image_size
    say = (lambda msg: console.print(msg, highlight=False)) if console is not None else (lambda msg: None)

    names_only = cfg.texts == "names"
    train, val = (_images_and_texts(cfg.data, split, cfg.seed, cfg.levels, names_only) for split in (cfg.train_split, cfg.val_split))
    say(f"align: {len(train)} train / {len(val)} val images from {', '.join(Path(p).name for p in cfg.data)}")
    lse_r = cfg.lse_r if cfg.pooling == "lse" else None
    patches = lse_r is not None
    img_train, img_val = (_image_features(backbone, e, size, patches=patches) for e in (train, val))
    from .prompts.negatives import NONSENSE_WORDS, nonsense_prompt

    rng = np.random.default_rng(cfg.seed)
    sigmoid = cfg.loss == "sigmoid"
    # sigmoid trains on captions that name nothing: letter strings and phrases of every other
    # nonsense word, drawn once (their features are computed with the rest); the presence rule is
    # fitted and scored on the other half of the words, which training never saw
    held_out = list(NONSENSE_WORDS[1::2]) if sigmoid else list(NONSENSE_WORDS)
    nonsense = sorted({nonsense_prompt(rng, NONSENSE_WORDS[::2]) for _ in range(200)}) if sigmoid else []
    texts = sorted({t for e in train + val for ts in e["texts"].values() for t in ts}
                   | {t for e in train + val for ts in e["class_texts"].values() for t in ts}
                   | {c for e in train + val for c in e["classes"]} | set(held_out) | set(nonsense))
    index = {t: i for i, t in enumerate(texts)}
    txt = _text_features(backbone, texts)  # (T, D)
    t_features = time.perf_counter() - t0
    say(f"align: features of {len(train) + len(val)} images and {len(texts)} texts in {t_features:.0f}s")

    img_proj, txt_proj = modules["image_proj"], modules["text_proj"]
    # learnt scale and bias of the sigmoid loss's logits (SigLIP's parametrisation); kept in align.json
    log_scale, bias = torch.nn.Parameter(torch.tensor(math.log(10.0))), torch.nn.Parameter(torch.tensor(0.0))

    def embed_texts() -> dict[str, torch.Tensor]:
        with torch.no_grad():
            e = txt_proj(txt)
        return {t: e[i] for t, i in index.items()}

    def embed_images(feats: torch.Tensor) -> torch.Tensor:
        # (N, C) -> (N, E); patches (N, P, C) -> (N, P, E), in chunks (a whole split's patches in one
        # matmul would hold a second copy of them)
        return torch.cat([img_proj(c) for c in feats.split(512)])

    def metrics() -> dict[str, Any]:
        with torch.no_grad():
            return retrieval_metrics(embed_images(img_val), val, embed_texts(), lse_r)

    before = metrics()
    params = [p for m in modules.values() for p in m.parameters()]
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(params + ([log_scale, bias] if sigmoid else []), lr=cfg.lr, weight_decay=cfg.weight_decay)
    if sigmoid:
        # (caption, its class) for every class an image holds; target-free images have none
        pools = [[(t, c) for c, ts in sorted(e["class_texts"].items()) for t in ts] for e in train]
        dataset_classes: dict[str, set[str]] = {}
        for e in train:
            dataset_classes.setdefault(e["dataset"], set()).update(e["classes"])
    else:  # MedCLIP-SAM's pairs: any prompt of the image, a target-free image's "no ..." included
        pools = [[(t, None) for lvl in cfg.levels for t in e["texts"].get(lvl, [])] or [(c, c) for c in e["classes"]] for e in train]
    usable = np.array([i for i, pool in enumerate(pools) if pool or sigmoid])
    if len(usable) < 2:
        raise DataError(f"align: fewer than two training images with a caption in {', '.join(cfg.data)}")
    steps_per_epoch = max(1, math.ceil(len(usable) / cfg.batch_size))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs * steps_per_epoch)
    history = []
    for epoch in range(cfg.epochs):
        order = usable[rng.permutation(len(usable))]
        total, n = 0.0, 0
        for start in range(0, len(order), cfg.batch_size):
            b = order[start : start + cfg.batch_size]
            if len(b) < 2:
                continue
            v = embed_images(img_train[torch.as_tensor(b)])  # (B, E) or (B, P, E)
            if sigmoid:
                drawn = [pools[i][int(rng.integers(len(pools[i])))] for i in b if pools[i]]
                drawn += [(nonsense[int(j)], None) for j in rng.choice(len(nonsense), min(cfg.nonsense_per_batch, len(nonsense)), replace=False)]
                if not drawn:  # target-free images only, and no nonsense asked for: nothing to score
                    continue
                t = txt_proj(txt[torch.tensor([index[c] for c, _ in drawn], dtype=torch.long)])  # (T, E)
                labels = sigmoid_labels([train[i]["classes"] for i in b], [cls for _, cls in drawn])  # (B, T)
                logits = image_text_scores(v, t, lse_r) * log_scale.exp() + bias  # (B, T)
                weight = sigmoid_weights(labels, [train[i]["dataset"] for i in b], [cls for _, cls in drawn],
                                         dataset_classes, cfg.hard_negative_weight)
                loss = (F.binary_cross_entropy_with_logits(logits, labels, reduction="none") * weight).sum() / weight.sum()
            else:
                chosen = [pools[i][int(rng.integers(len(pools[i])))][0] for i in b]  # one text per image
                t = txt_proj(txt[torch.as_tensor([index[c] for c in chosen])])  # (B, E)
                sim = image_text_scores(v, t, lse_r)  # (B, B): the positives on the diagonal
                if cfg.loss == "dhn_nce":
                    loss = dhn_nce_similarity(sim, temperature=cfg.temperature, beta1=cfg.beta1, beta2=cfg.beta2)
                else:
                    loss = info_nce_similarity(sim, temperature=cfg.temperature)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(b)
            n += len(b)
        history.append({"epoch": epoch + 1, "loss": total / max(1, n)})
    for p in params:
        p.requires_grad_(False)
    after = metrics()
    with torch.no_grad():
        emb = embed_texts()
        fit = presence_calibration(embed_images(img_train), train, emb, lse_r=lse_r, nonsense=held_out)
        presence = {"train": fit, "val": presence_calibration(embed_images(img_val), val, emb, threshold=fit["cosine_threshold"],
                                                              lse_r=lse_r, nonsense=held_out),
                    "nonsense_words": held_out}

    out = Path(out_dir)
    state = {f"{name}.{k}": v.detach().contiguous().cpu() for name, m in modules.items() for k, v in m.state_dict().items()}
    header = {"backbone": cfg.backbone, "backbone_kwargs": cfg.backbone_kwargs, "modules": sorted(modules)}
    atomic_write_bytes(out / BACKBONE_FILE, save(state, metadata={HEADER_KEY: json.dumps(header)}))
    result = {
        "config": cfg.model_dump(mode="json"), "n_train_images": len(train), "n_val_images": len(val),
        "n_texts": len(texts), "before": before, "after": after, "presence": presence, "history": history,
        "sigmoid": {"scale": float(log_scale.detach().exp()), "bias": float(bias.detach())} if sigmoid else None,
        "image_size": size,  # the size used (the config's may be None: the backbone's)
        "time_s": {"features": t_features, "total": time.perf_counter() - t0},
        "medvlseg_version": __version__, "torch": torch.__version__,
    }
    atomic_write_json(out / "align.json", result)
    atomic_write_text(out / "retrieval.md", _markdown(result))
    atomic_write_json(out / "metadata.json", {"kind": "align", "sha256": {BACKBONE_FILE: sha256_file(out / BACKBONE_FILE)},
                                             "medvlseg_version": __version__})
    return result


def load_aligned_projections(backbone, run: str | os.PathLike) -> dict[str, Any]:
    """Load an align run's projections into ``backbone`` (its sha256 checked, its backbone name and
    arguments compared); returns a provenance record ``{"path", "sha256"}``."""
    from safetensors import safe_open

    from .weights import read_weights

    run = Path(run)
    path = run / BACKBONE_FILE
    meta_path = run / "metadata.json"
    if not path.is_file() or not meta_path.is_file():
        raise DataError(f"{run}: not an align run ({BACKBONE_FILE} + metadata.json); make one with medvlseg align")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        expected = meta["sha256"][BACKBONE_FILE]
    except (OSError, ValueError, KeyError, TypeError):
        raise DataError(f"{meta_path}: no sha256 for {BACKBONE_FILE}; refusing to load") from None
    sha = sha256_file(path)
    if sha != expected:
        raise DataError(f"{path}: sha256 does not match {meta_path.name}; refusing to load")
    with safe_open(str(path), framework="pt") as fh:
        header = json.loads((fh.metadata() or {}).get(HEADER_KEY, "{}"))
    name = backbone.build_args[0] if backbone.build_args else backbone.name
    if header.get("backbone") != name:
        raise ConfigError(f"{run}: aligned for backbone {header.get('backbone')!r}, not {name!r}")
    state = read_weights(path)
    modules = backbone.alignable()
    for name, module in modules.items():
        sub = {k[len(name) + 1:]: v for k, v in state.items() if k.startswith(name + ".")}
        try:
            module.load_state_dict(sub, strict=True)
        except RuntimeError as exc:
            raise DataError(f"{path}: {name} does not fit the backbone ({str(exc).splitlines()[0]})") from None
    backbone.carry_modules(modules)
    return {"path": str(run.resolve()), "sha256": sha}


def _markdown(result: dict[str, Any]) -> str:
    def row(label: str, b: float | None, a: float | None) -> str:
        f = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731
        return f"| {label} | {f(b)} | {f(a)} |"

    b, a = result["before"], result["after"]
    c = result["config"]
    pooled = c.get("pooling", "mean") == "lse"
    score = f"LSE(r={c['lse_r']:g}) of the patch cosines with the prompt" if pooled else "cos(image, prompt)"
    lines = [f"# Alignment ({c['loss']}, {c['epochs']} epochs, {'patch-level, ' + score if pooled else 'pooled image embedding'}, "
             f"captions: {c.get('texts', 'prompts')})", "",
             "| retrieval on val | before | after |", "|---|---|---|"]
    for key in ("image_to_text_top1", "image_to_text_top5", "text_to_image_precision1", "text_to_image_precision5"):
        lines.append(row(f"dataset level, {key.replace('_', ' ')}", b.get("dataset_level", {}).get(key),
                         a.get("dataset_level", {}).get(key)))
    for ds_name, blk in a["attribute_level"].items():
        bb = b["attribute_level"].get(ds_name, {})
        lines.append(row(f"{ds_name}: own P2-P9 prompt -> image, top-1 (chance {blk['chance_top1']:.3f})",
                         bb.get("text_to_image_top1"), blk["text_to_image_top1"]))
        lines.append(row(f"{ds_name}: own P2-P9 prompt -> image, top-5", bb.get("text_to_image_top5"), blk["text_to_image_top5"]))
    presence = result.get("presence")
    if presence:
        f = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731
        lines += ["", f"Presence rule: {score} >= {presence['train']['cosine_threshold']:.4f} "
                  "(chosen on train, image-level labels only)", "",
                  "| split | own target called present | other target called absent | nonsense called absent |", "|---|---|---|---|"]
        for split in ("train", "val"):
            p = presence[split]
            lines.append(f"| {split} | {f(p['own_target_called_present'])} | {f(p['other_target_called_absent'])} | {f(p['nonsense_called_absent'])} |")
    return "\n".join(lines) + "\n"
