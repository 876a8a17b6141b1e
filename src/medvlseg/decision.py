"""The one threshold convention, from a probability to a decision.

- A pixel is foreground when its probability is **at or above** the pixel threshold
  (``p >= threshold``), a threshold in the open interval (0, 1).
- An image's **presence score** is read from its probabilities at the model's size by the model's
  **presence rule** (:data:`PRESENCE_RULES`, :func:`presence_score`): ``peak``, its largest
  probability (every record written before the rule was recorded used it), or ``top1pct``, the mean
  of its largest 1 % (a few confident pixels on a target-free image then count for little, a
  target's body for much). When the score is below the presence threshold (in [0, 1]; 0 turns the
  rule off) the mask is empty: the named target is called absent. Under ``peak`` a presence
  threshold at or below the pixel threshold changes nothing (an image with no pixel at or above the
  pixel threshold has an empty mask anyway); under ``top1pct`` only 0 is no rule.

Training's validation Dice, presence calibration, :class:`medvlseg.Segmenter`, ``evaluate``,
``predict`` and the metrics all use these functions.
"""

from __future__ import annotations

import math
from typing import Any, Literal, TypeVar

from .errors import ConfigError

__all__ = ["PIXEL_RULE", "PRESENCE_RULES", "PresenceRule", "binarize", "check_pixel_threshold", "check_presence_rule",
           "check_presence_threshold", "is_present", "presence_off", "presence_score"]

PIXEL_RULE = "foreground where probability >= threshold"

PresenceRule = Literal["peak", "top1pct"]
PRESENCE_RULES: dict[str, str] = {
    "peak": "the largest probability",
    "top1pct": "the mean of the largest 1 % of the probabilities (at least one pixel)",
}
TOP_SHARE = 0.01  # top1pct's share of the pixels

T = TypeVar("T")


def binarize(probability: T, threshold: float) -> T:
    """Boolean mask of a probability map (numpy array or tensor): ``probability >= threshold``."""
    return probability >= threshold  # type: ignore[operator,return-value]


def check_presence_rule(rule: str, name: str = "presence_rule") -> str:
    if rule not in PRESENCE_RULES:
        raise ConfigError(f"{name}: {rule!r} is not one of {', '.join(PRESENCE_RULES)}")
    return rule


def presence_score(probability: Any, rule: str = "peak") -> Any:
    """Each image's presence score (B,) from its probabilities (B, ...), a tensor, under ``rule``."""
    flat = probability.flatten(1).float()  # (B, N)
    if check_presence_rule(rule) == "peak":
        return flat.amax(1)
    k = max(1, math.ceil(TOP_SHARE * flat.shape[1]))
    return flat.topk(k, dim=1).values.mean(1)


def presence_off(rule: str, threshold: float) -> float:
    """The presence threshold that adds no rule to the pixel ``threshold``: the pixel threshold
    itself under ``peak`` (an image whose peak is below it has an empty mask anyway), else 0."""
    return threshold if check_presence_rule(rule) == "peak" else 0.0


def is_present(presence: float, presence_threshold: float) -> bool:
    """Whether the target is called present: ``presence >= presence_threshold``."""
    return presence >= presence_threshold


def check_pixel_threshold(value: float, name: str = "threshold") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < float(value) < 1.0:
        raise ConfigError(f"{name}: must be a probability strictly between 0 and 1, got {value!r}")
    return float(value)


def check_presence_threshold(value: float, name: str = "presence_threshold") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"{name}: must be a probability in [0, 1] (0 turns the presence rule off), got {value!r}")
    return float(value)
