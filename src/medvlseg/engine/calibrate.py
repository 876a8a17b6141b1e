"""Presence threshold calibrated on the selection split (``val``, or with ``data.select_fraction`` a
held-out part of ``train``).

A :class:`~medvlseg.Segmenter` returns an empty mask when an image's presence score (read by the
model's presence rule, :mod:`medvlseg.decision`: its largest probability, or the mean of its largest
1 %) is below ``presence_threshold``. Under ``peak`` a threshold at the pixel threshold (0.5) is no
extra rule (a pixel needs a probability of at least 0.5 to be target anyway); under ``top1pct`` 0
is. Raising it makes the model say "nothing here" on images where it is only faintly confident,
which matters on data with target-free images (polypgen val: 12 of 150). The threshold is chosen,
after training, on the selection images with the best weights, by the mean per-image score over
*all* of them (read with the one-standard-error rule, below): Dice on an image with a target (0 if
suppressed), 1 or 0 on an image without one (predicted empty or not). Without both kinds of images
there is nothing to trade off and it stays at "no rule".

The objective is read with the one-standard-error rule (Breiman et al. 1984; Hastie, Tibshirani
and Friedman, *Elements of Statistical Learning*, 7.10): of the thresholds whose mean score is
within ``tolerance_se`` standard errors of the best one's (the standard error of the per-item
differences from it), the smallest. The selection split is small and its target-free images few
(fuseg: 6 of 65), and the plain maximum chases them: on fuseg it put the threshold at a peak
probability of 0.9999992, where the held-out images' peaks had drifted below it, and emptied
enough true val masks to lose 10 Dice points (BENCHMARKS, "The presence calibration"). A
threshold the data do not clearly prefer stays at "no rule". ``tolerance_se=0`` is the plain
maximum.

That objective weighs the two kinds of images as the calibration items happen to mix them (for a
universal model, mostly other datasets' images asked for the target). ``min_specificity`` sets the
operating point instead, as a clinical test is set to a specificity: the smallest threshold that
calls at least that share of the items without the target absent, which keeps the most Dice on the
items with it (Dice there only falls as the threshold rises).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np
import torch

from ..decision import binarize, presence_off, presence_score


class PresenceScores(NamedTuple):
    """Per calibration item: presence score, empty ground truth, Dice of the thresholded mask, and
    whether that mask is blank (no pixel at or above the pixel threshold: empty under any rule)."""

    presence: np.ndarray
    empty: np.ndarray
    dice: np.ndarray
    blank: np.ndarray


def _blank(presence: np.ndarray, threshold: float, blank: np.ndarray | None, rule: str) -> np.ndarray:
    """Which masks have no pixel at or above the pixel threshold: given, or (only when the score is
    the largest probability) the scores below the pixel threshold."""
    if blank is not None:
        return np.asarray(blank, bool)
    if rule != "peak":
        raise ValueError(f"presence rule {rule!r}: the calibration needs which masks are blank")
    return np.asarray(presence) < threshold


def presence_item_scores(presence: np.ndarray, empty: np.ndarray, dice: np.ndarray, t: float, threshold: float = 0.5,
                         blank: np.ndarray | None = None) -> np.ndarray:
    """(N,) per-image score when masks of images with presence below ``t`` are emptied: Dice (0 if
    emptied) on an image with a target, 1 if predicted empty else 0 on one without.

    presence (N,) presence score per image; empty (N,) bool, the ground truth has no target;
    dice (N,) Dice of the thresholded mask on images with a target (ignored on the others);
    blank (N,) bool, the thresholded mask has no pixel (default: ``presence < threshold``, which is
    what a blank mask means when the score is the largest probability).
    """
    presence, empty, dice = np.asarray(presence, float), np.asarray(empty, bool), np.asarray(dice, float)
    blank = _blank(presence, threshold, blank, "peak")
    predicted_empty = (presence < t) | blank
    return np.where(empty, predicted_empty.astype(float), np.where(predicted_empty, 0.0, dice))


def presence_objective(presence: np.ndarray, empty: np.ndarray, dice: np.ndarray, t: float, threshold: float = 0.5,
                       blank: np.ndarray | None = None) -> float:
    """Mean per-image score (:func:`presence_item_scores`) when masks of images with presence below
    ``t`` are emptied."""
    return float(presence_item_scores(presence, empty, dice, t, threshold, blank).mean())


def check_tolerance_se(value: float, name: str = "tolerance_se") -> float:
    from ..errors import ConfigError

    if not (np.isfinite(float(value)) and float(value) >= 0):
        raise ConfigError(f"{name}: expected a number of standard errors >= 0, got {value!r}")
    return float(value)


def check_min_specificity(value: float | None, name: str = "min_specificity") -> float | None:
    from ..errors import ConfigError

    if value is not None and not 0.0 < float(value) <= 1.0:
        raise ConfigError(f"{name}: expected a share in (0, 1], got {value!r}")
    return None if value is None else float(value)


def choose_presence_threshold(presence: np.ndarray, empty: np.ndarray, dice: np.ndarray, blank: np.ndarray | None = None,
                              *, threshold: float = 0.5, rule: str = "peak",
                              min_specificity: float | None = None,
                              tolerance_se: float = 1.0) -> tuple[float, dict[str, Any]]:
    """The smallest presence threshold whose :func:`presence_objective` is within ``tolerance_se``
    standard errors of the best one's (module docstring; 0: the maximum, smallest on ties), or with
    ``min_specificity`` the smallest one calling at least that share of the items without a target
    absent (the most specific one, smallest on ties, where none reaches it); and a record of the
    choice for the run's metadata. ``rule``: the presence rule ``presence`` was read with; any rule
    but ``peak`` needs ``blank``."""
    min_specificity = check_min_specificity(min_specificity)
    tolerance_se = check_tolerance_se(tolerance_se)
    presence, empty, dice = np.asarray(presence, float), np.asarray(empty, bool), np.asarray(dice, float)
    blank = _blank(presence, threshold, blank, rule)
    off = presence_off(rule, threshold)
    objective = ((f"smallest threshold within {tolerance_se:g} standard errors of the best mean per-image score, "
                  "empty images 1 if predicted empty" if tolerance_se else
                  "mean per-image score, empty images 1 if predicted empty") if min_specificity is None else
                 f"smallest threshold calling at least {min_specificity:g} of the empty images empty")
    info: dict[str, Any] = {"n_images": int(len(presence)), "n_empty": int(empty.sum()), "rule": rule, "objective": objective}
    if not empty.any() or empty.all():
        info.update(chosen=off, reason="val needs images with and without a target to calibrate")
        return off, info
    # candidates: no rule, and for each presence score of a non-blank mask the threshold suppressing
    # that image and every less confident one. Any value between that score and the next one up scores
    # the same on val; the midpoint keeps the widest margin on both sides, so that the small
    # differences between the validation pipeline and inference (resizing, TTA, another machine) do
    # not flip the decision for an image that sat just under the threshold
    above = np.unique(presence[~blank & (presence >= off)])
    upper = np.append(above[1:], 1.0)
    candidates = [off] + [float((p + q) / 2) for p, q in zip(above, upper)]
    items = np.stack([presence_item_scores(presence, empty, dice, t, threshold, blank) for t in candidates])  # (T, N)
    scores = [float(v) for v in items.mean(1)]
    if min_specificity is None:
        top = int(np.argmax(scores))  # argmax takes the first, i.e. the smallest threshold, on ties
        # paired differences from the best threshold, item by item: their mean is the score given up,
        # their standard error how well the items pin that down
        diff = items[top] - items  # (T, N)
        se = diff.std(1, ddof=1) / np.sqrt(len(presence)) if len(presence) > 1 else np.zeros(len(candidates))
        best = int(np.flatnonzero(diff.mean(1) <= tolerance_se * se + 1e-12)[0])
        info.update(tolerance_se=tolerance_se, best=candidates[top], score_at_best=scores[top],
                    standard_error_at_chosen=float(se[best]))
    else:
        specificity = [float(((presence[empty] < t) | blank[empty]).mean()) for t in candidates]
        reached = [i for i, v in enumerate(specificity) if v >= min_specificity - 1e-12]
        best = reached[0] if reached else int(np.argmax(specificity))
        info.update(min_specificity=min_specificity, specificity_at_chosen=specificity[best], reached=bool(reached))
    info.update(chosen=candidates[best], score_at_chosen=scores[best], score_at_default=scores[0])
    return candidates[best], info


def choose_presence_thresholds(
    presence: np.ndarray, empty: np.ndarray, dice: np.ndarray, keys: list[str], *, threshold: float = 0.5,
    blank: np.ndarray | None = None, rule: str = "peak", min_specificity: float | None = None, tolerance_se: float = 1.0,
) -> tuple[float, dict[str, float], dict[str, Any]]:
    """The global presence threshold (over every item) and one per target ``key`` (over the items
    whose prompt names it: its positives, its target-free images, the negatives naming it) where
    that target has items with and without a target to trade off; and the record of the choices."""
    presence, empty, dice = np.asarray(presence, float), np.asarray(empty, bool), np.asarray(dice, float)
    blank = _blank(presence, threshold, blank, rule)
    keys_arr = np.asarray(keys, dtype=object)
    chosen, info = choose_presence_threshold(presence, empty, dice, blank, threshold=threshold, rule=rule,
                                             min_specificity=min_specificity, tolerance_se=tolerance_se)
    per: dict[str, float] = {}
    per_info: dict[str, Any] = {}
    for key in sorted({k for k in keys if k}):
        sel = keys_arr == key
        if empty[sel].any() and (~empty[sel]).any():
            per[key], per_info[key] = choose_presence_threshold(presence[sel], empty[sel], dice[sel], blank[sel],
                                                                threshold=threshold, rule=rule, min_specificity=min_specificity,
                                                                tolerance_se=tolerance_se)
    if per_info:
        info["per_target"] = per_info
    return chosen, per, info


@torch.no_grad()
def val_presence(
    model: torch.nn.Module, batches: Iterable[dict[str, Any]], device: torch.device, threshold: float = 0.5,
    forward: Callable[[dict[str, Any]], torch.Tensor] | None = None,
    keys: list[str] | None = None,
    rule: str = "peak",
) -> PresenceScores:
    """Per validation item at the model's resolution: presence score (under ``rule``), empty ground
    truth, Dice, blank mask (``keys``, a list, receives each item's ``key``).
    ``forward(batch) -> logits`` replaces ``model(images, prompts).logits`` (the engine passes its
    feature-cache path, so the frozen prefix does not run again)."""
    from .module import per_image_dice

    was_training = model.training
    model.eval()
    presence, empty, dice, blank = [], [], [], []
    try:
        for batch in batches:
            batch = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
            logits = forward(batch) if forward is not None else model(batch["image"], list(batch["prompt"])).logits
            probs = torch.sigmoid(logits.float())  # (B, 1, S, S)
            mask = binarize(probs, threshold)
            d, e = per_image_dice(mask, batch["mask"] > 0.5)
            presence.append(presence_score(probs, rule).cpu())
            blank.append(~mask.flatten(1).any(1).cpu())
            if keys is not None:  # filled with each item's target key, when the batches carry one
                keys.extend(batch.get("key", [""] * len(batch["prompt"])))
            empty.append(e.cpu())
            dice.append(d.cpu())
    finally:
        model.train(was_training)
    return PresenceScores(*(torch.cat(v).numpy() for v in (presence, empty, dice, blank)))


def calibrate_presence(
    model: torch.nn.Module, batches: Iterable[dict[str, Any]], device: torch.device, *, rule: str = "peak",
    forward: Callable[[dict[str, Any]], torch.Tensor] | None = None, min_specificity: float | None = None,
    tolerance_se: float = 1.0,
) -> tuple[float, dict[str, float], dict[str, Any]]:
    """The presence thresholds of ``model`` on the calibration ``batches`` under ``rule``: the global
    one, one per target, and the record of the choices (``calibration`` in the run's metadata).
    Training calls it after its last epoch, ``medvlseg calibrate`` on a finished run."""
    keys: list[str] = []
    threshold = model.record.threshold
    s = val_presence(model, batches, device, threshold=threshold, forward=forward, keys=keys, rule=rule)
    return choose_presence_thresholds(s.presence, s.empty, s.dice, keys, threshold=threshold, blank=s.blank, rule=rule,
                                      min_specificity=min_specificity, tolerance_se=tolerance_se)


NO_OPERATING_POINT = "none"  # recalibrate_run(min_specificity=...): drop the run's operating point


def recalibrate_run(
    run: str | os.PathLike, out: str | os.PathLike, *, rule: str | None = None, device: str | None = None,
    min_specificity: float | str | None = None, tolerance_se: float | None = None,
) -> dict[str, Any]:
    """A copy of the finished ``run`` in the new folder ``out`` whose presence thresholds are chosen
    again, under ``rule`` (default: the run's), on the calibration items today's code builds from the
    run's selection split (the data its config names; a manifest that changed since training is
    named in a warning and in the record of the calibration). The weights are unchanged; the model's
    record, ``config.yaml`` (``model.presence_rule``) and ``metadata.json`` (with the earlier
    calibration under ``recalibrations``) agree with the new thresholds; the resume state is not
    copied. ``min_specificity`` (default: the run's ``model.presence_min_specificity``) sets the
    operating point (:data:`NO_OPERATING_POINT`, ``"none"``: none, even where the run had one; the
    thresholds are then read by ``tolerance_se``), ``tolerance_se`` (default: the run's ``model.presence_tolerance_se``) how far
    below the best mean score a smaller threshold may be (module docstring). The copy is built in a hidden folder beside ``out`` and renamed to ``out`` when complete,
    so an interrupted calibration leaves no folder that looks finished. Returns the new calibration."""
    import datetime
    import logging
    import shutil
    from pathlib import Path

    from .. import __version__
    from ..checkpoints import resolve_model, write_run_metadata
    from ..config import RunConfig
    from ..decision import check_presence_rule
    from ..errors import ConfigError, DataError
    from ..models.base import save_model
    from ..predict import resolve_device
    from ..utils import sha256_file
    from .data import SegDataModule

    src, dst = Path(run), Path(out)
    if not (src / "metadata.json").is_file() or not (src / "config.yaml").is_file():
        raise DataError(f"{src}: not a run folder (needs metadata.json and config.yaml); calibrate works on `medvlseg train` runs")
    if rule is not None:
        check_presence_rule(rule, "--presence-rule")
    if dst.exists():
        raise ConfigError(f"--out {dst}: exists; give a new folder")
    meta = json.loads((src / "metadata.json").read_text(encoding="utf-8"))
    if meta.get("status") != "finished":
        raise DataError(f"{src}: the run is {meta.get('status')!r}, not finished; calibrate a finished run (training calibrates at its end)")
    model, info = resolve_model(src)  # sha256 checked against metadata.json
    cfg = RunConfig.from_yaml(src / "config.yaml")
    before = {"presence_rule": info.record.get("presence_rule", "peak"), "presence_threshold": info.presence_threshold,
              "presence_thresholds": dict(info.presence_thresholds), "sha256": info.sha256}
    rule = rule or before["presence_rule"]
    if min_specificity is None:
        min_specificity = cfg.model.presence_min_specificity
    elif isinstance(min_specificity, str):
        if min_specificity.strip().lower() == NO_OPERATING_POINT:
            min_specificity = None
        else:
            try:
                min_specificity = float(min_specificity)
            except ValueError:
                raise ConfigError(f"--min-specificity: expected a share in (0, 1] or 'none', got {min_specificity!r}") from None
    min_specificity = check_min_specificity(min_specificity, "--min-specificity")
    tolerance_se = check_tolerance_se(cfg.model.presence_tolerance_se if tolerance_se is None else tolerance_se, "--tolerance-se")
    changed = [d["path"] for d in meta.get("data") or [] if d.get("manifest_sha256") and (Path(d["path"]) / "manifest.csv").is_file()
               and sha256_file(Path(d["path"]) / "manifest.csv") != d["manifest_sha256"]]
    if changed:
        logging.getLogger(__name__).warning("%s: the manifest changed since the run was trained: %s", src, ", ".join(changed))
    dev = torch.device(resolve_device(device))
    dm = SegDataModule(cfg, size=model.image_size, mean=model.image_mean, std=model.image_std,
                       uses_text=getattr(model, "uses_text", True))
    glob, per_target, calibration = calibrate_presence(model.to(dev), dm.calibration_dataloader(), dev, rule=rule,
                                                       min_specificity=min_specificity, tolerance_se=tolerance_se)
    calibration.update(split=(meta.get("selection") or {}).get("split"), data_changed_since_training=changed)

    tmp = dst.parent / f".{dst.name}.calibrating-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("last", "logs", ".*.tmp"))
        save_model(model.cpu(), tmp / "model.safetensors", include_frozen=bool(info.record.get("include_frozen")),
                   presence_threshold=glob, presence_thresholds=per_target, presence_rule=rule,
                   # (a run trained before the record held them, or whose data now says more, gets its data's)
                   modalities=dm.target_modalities())
        raw = cfg.to_dict()
        RunConfig.from_dict({**raw, "model": {**raw["model"], "presence_rule": rule,
                                              "presence_min_specificity": min_specificity,
                                              "presence_tolerance_se": tolerance_se}}).to_yaml(tmp / "config.yaml")
        history = [*(meta.get("recalibrations") or []), {
            "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "medvlseg_version": __version__, "source": str(src.resolve()), "rule": rule, "min_specificity": min_specificity,
            "tolerance_se": tolerance_se, "before": before, "before_calibration": meta.get("presence_calibration")}]
        write_run_metadata(tmp, {**meta, "presence_calibration": calibration, "recalibrations": history})
        os.rename(tmp, dst)  # last: the folder appears complete or not at all
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"run": str(dst), "rule": rule, "min_specificity": min_specificity, "tolerance_se": tolerance_se, "presence_threshold": glob, "presence_thresholds": per_target,
            "before": before, "calibration": calibration}
