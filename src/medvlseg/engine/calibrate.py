"""Presence threshold calibrated on the selection split (``val``, or with ``data.select_fraction`` a
held-out part of ``train``).

A :class:`~medvlseg.Segmenter` returns an empty mask when an image's presence score (its largest
probability) is below ``presence_threshold``. At the default, 0.5, that is no extra rule (a pixel
needs a probability of at least 0.5 to be target anyway). Raising it makes the model say "nothing here"
on images where it is only faintly confident, which matters on data with target-free images
(polypgen val: 12 of 150). The threshold is chosen, after training, on the selection images with
the best weights, to maximise the mean per-image score over *all* of them: Dice on an image with a
target (0 if suppressed), 1 or 0 on an image without one (predicted empty or not). Without both
kinds of images there is nothing to trade off and it stays at the pixel threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch


def presence_objective(presence: np.ndarray, empty: np.ndarray, dice: np.ndarray, t: float, threshold: float = 0.5) -> float:
    """Mean per-image score when masks of images with presence below ``t`` are emptied.

    presence (N,) largest probability per image; empty (N,) bool, the ground truth has no target;
    dice (N,) Dice of the thresholded mask on images with a target (ignored on the others).
    """
    predicted_empty = (presence < t) | (presence < threshold)  # no pixel at or above the pixel threshold
    score = np.where(empty, predicted_empty.astype(float), np.where(predicted_empty, 0.0, dice))
    return float(score.mean())


def choose_presence_threshold(presence: np.ndarray, empty: np.ndarray, dice: np.ndarray, *, threshold: float = 0.5) -> tuple[float, dict[str, Any]]:
    """The presence threshold maximising :func:`presence_objective` (the smallest on ties), and a
    record of the choice for the run's metadata."""
    presence, empty, dice = np.asarray(presence, float), np.asarray(empty, bool), np.asarray(dice, float)
    info: dict[str, Any] = {"n_images": int(len(presence)), "n_empty": int(empty.sum()), "objective": "mean per-image score, empty images 1 if predicted empty"}
    if not empty.any() or empty.all():
        info.update(chosen=threshold, reason="val needs images with and without a target to calibrate")
        return threshold, info
    # candidates: the pixel threshold, and for each presence score over it the threshold suppressing
    # that image and every less confident one. Any value between that score and the next one up scores
    # the same on val; the midpoint keeps the widest margin on both sides, so that the small
    # differences between the validation pipeline and inference (resizing, TTA, another machine) do
    # not flip the decision for an image that sat just under the threshold
    above = np.unique(presence[presence >= threshold])
    upper = np.append(above[1:], 1.0)
    candidates = [threshold] + [float((p + q) / 2) for p, q in zip(above, upper)]
    scores = [presence_objective(presence, empty, dice, t, threshold) for t in candidates]
    best = int(np.argmax(scores))  # argmax takes the first, i.e. the smallest threshold, on ties
    info.update(chosen=candidates[best], score_at_chosen=scores[best], score_at_default=scores[0])
    return candidates[best], info


def choose_presence_thresholds(
    presence: np.ndarray, empty: np.ndarray, dice: np.ndarray, keys: list[str], *, threshold: float = 0.5,
) -> tuple[float, dict[str, float], dict[str, Any]]:
    """The global presence threshold (over every item) and one per target ``key`` (over the items
    whose prompt names it: its positives, its target-free images, the negatives naming it) where
    that target has items with and without a target to trade off; and the record of the choices."""
    presence, empty, dice = np.asarray(presence, float), np.asarray(empty, bool), np.asarray(dice, float)
    keys_arr = np.asarray(keys, dtype=object)
    chosen, info = choose_presence_threshold(presence, empty, dice, threshold=threshold)
    per: dict[str, float] = {}
    per_info: dict[str, Any] = {}
    for key in sorted({k for k in keys if k}):
        sel = keys_arr == key
        if empty[sel].any() and (~empty[sel]).any():
            per[key], per_info[key] = choose_presence_threshold(presence[sel], empty[sel], dice[sel], threshold=threshold)
    if per_info:
        info["per_target"] = per_info
    return chosen, per, info


@torch.no_grad()
def val_presence(
    model: torch.nn.Module, batches: Iterable[dict[str, Any]], device: torch.device, threshold: float = 0.5,
    forward: Callable[[dict[str, Any]], torch.Tensor] | None = None,
    keys: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per validation item at the model's resolution: presence score, empty ground truth, Dice
    (``keys``, a list, receives each item's ``key``).
    ``forward(batch) -> logits`` replaces ``model(images, prompts).logits`` (the engine passes its
    feature-cache path, so the frozen prefix does not run again)."""
    from ..decision import binarize
    from .module import per_image_dice

    was_training = model.training
    model.eval()
    presence, empty, dice = [], [], []
    try:
        for batch in batches:
            batch = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
            logits = forward(batch) if forward is not None else model(batch["image"], list(batch["prompt"])).logits
            probs = torch.sigmoid(logits.float())  # (B, 1, S, S)
            d, e = per_image_dice(binarize(probs, threshold), batch["mask"] > 0.5)
            presence.append(probs.flatten(1).amax(1).cpu())
            if keys is not None:  # filled with each item's target key, when the batches carry one
                keys.extend(batch.get("key", [""] * len(batch["prompt"])))
            empty.append(e.cpu())
            dice.append(d.cpu())
    finally:
        model.train(was_training)
    return torch.cat(presence).numpy(), torch.cat(empty).numpy(), torch.cat(dice).numpy()
