"""The one threshold convention, from a probability to a decision.

- A pixel is foreground when its probability is **at or above** the pixel threshold
  (``p >= threshold``), a threshold in the open interval (0, 1).
- An image's **presence score** is its largest probability; when it is below the presence
  threshold (in [0, 1]; 0 turns the rule off) the mask is empty: the named target is called absent.
  A presence threshold at or below the pixel threshold changes nothing (an image with no pixel at
  or above the pixel threshold has an empty mask anyway).

Training's validation Dice, presence calibration, :class:`medvlseg.Segmenter`, ``evaluate``,
``predict`` and the metrics all use these functions.
"""

from __future__ import annotations

from typing import TypeVar

from .errors import ConfigError

__all__ = ["PIXEL_RULE", "binarize", "check_pixel_threshold", "check_presence_threshold", "is_present"]

PIXEL_RULE = "foreground where probability >= threshold"

T = TypeVar("T")


def binarize(probability: T, threshold: float) -> T:
    """Boolean mask of a probability map (numpy array or tensor): ``probability >= threshold``."""
    return probability >= threshold  # type: ignore[operator,return-value]


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
