"""Segmentation losses: Dice + binary cross-entropy, both on logits; and a boundary-aware term.

Used by every supervised model here (MedCLIPSeg: 0.5·Dice + 0.5·BCE, REFERENCE §3). The reference
VLSM code (medvlsm, REFERENCE §1) fed sigmoid *outputs* to a BCE-with-logits term, so its BCE was
silently wrong and training was effectively Dice only; here both terms take raw logits.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
from monai.losses import DiceLoss, HausdorffDTLoss

__all__ = ["DiceBCELoss", "DiceBCEOutput", "HausdorffBoundaryLoss", "dice_bce_loss"]


@dataclass
class DiceBCEOutput:
    loss: torch.Tensor  # scalar: dice_weight * dice + bce_weight * bce
    dice: torch.Tensor  # scalar soft Dice loss
    bce: torch.Tensor  # scalar BCE-with-logits


class DiceBCELoss(nn.Module):
    """``dice_weight · Dice(σ(logits), target) + bce_weight · BCEWithLogits(logits, target)``.

    Dice is MONAI's ``DiceLoss(sigmoid=True)`` (per sample and channel, averaged):
    ``1 − (2 Σ σ(x)·y + 1e-5) / (Σ σ(x) + Σ y + 1e-5)``; BCE is ``torch.nn.BCEWithLogitsLoss`` (mean).

    Shapes: ``logits`` (B, 1, H, W) raw scores (NOT probabilities); ``target`` (B, 1, H, W) or
    (B, H, W) in {0, 1} (soft targets in [0, 1] are accepted). Returns a scalar.
    """

    def __init__(self, dice_weight: float = 0.5, bce_weight: float = 0.5, *, soft_label: bool = False) -> None:
        super().__init__()
        if dice_weight < 0 or bce_weight < 0 or dice_weight + bce_weight == 0:
            raise ValueError(
                f"dice_weight and bce_weight must be >= 0 and not both 0; got {dice_weight}, {bce_weight}"
            )
        self.dice_weight = float(dice_weight)
        self.bce_weight = float(bce_weight)
        # soft_label: MONAI's Dice for soft targets (the intersection as (|p| + |y| - |p - y|) / 2),
        # the same as the plain one on binary targets and minimised at p = y on soft ones
        self.dice = DiceLoss(sigmoid=True, soft_label=soft_label)
        self.bce = nn.BCEWithLogitsLoss()

    @staticmethod
    def _align(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if logits.ndim != 4:
            raise ValueError(f"logits must be (B, C, H, W), got {tuple(logits.shape)}")
        if target.ndim == 3:
            target = target.unsqueeze(1)  # (B, H, W) -> (B, 1, H, W)
        if target.shape != logits.shape:
            raise ValueError(
                f"target {tuple(target.shape)} does not match logits {tuple(logits.shape)}; resize the mask "
                "to the logits' size (or the logits to the mask's) first"
            )
        return target.to(logits.dtype)

    def components(self, logits: torch.Tensor, target: torch.Tensor) -> DiceBCEOutput:
        """The weighted total and both terms separately (for logging)."""
        target = self._align(logits, target)
        dice = self.dice(logits, target)
        bce = self.bce(logits, target)
        return DiceBCEOutput(self.dice_weight * dice + self.bce_weight * bce, dice, bce)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.components(logits, target).loss


def dice_bce_loss(
    logits: torch.Tensor, target: torch.Tensor, dice_weight: float = 0.5, bce_weight: float = 0.5
) -> torch.Tensor:
    """Functional form of :class:`DiceBCELoss`: logits (B, 1, H, W), target (B, 1, H, W) or (B, H, W)."""
    return DiceBCELoss(dice_weight, bce_weight)(logits, target)


class HausdorffBoundaryLoss(nn.Module):
    """Boundary-aware term: the distance-transform Hausdorff loss of Karimi & Salcudean, "Reducing the
    Hausdorff Distance in Medical Image Segmentation with Convolutional Neural Networks" (IEEE TMI
    2020), as MONAI's ``HausdorffDTLoss(sigmoid=True)``, with distances in units of the image side:

        mean over images and pixels of (σ(x) − y)² · ((d_p / S)^α + (d_y / S)^α)

    where d_p, d_y are each pixel's Euclidean distance to the boundary of the thresholded
    prediction (σ(x) > 0.5) and of the target (0 where the mask is empty or full), S = sqrt(H·W).
    An error far from either boundary weighs more than one on it, which is what pulls in stray
    blobs and holes. Dividing by S^α (= H·W at α = 2) makes the weight of the term independent of
    the input size; MONAI's distances are in pixels.

    Shapes: ``logits`` (B, 1, H, W) raw scores; ``target`` (B, 1, H, W) or (B, H, W) in {0, 1}.
    The distance transforms run on the CPU (SciPy) without gradient, as in MONAI.
    """

    def __init__(self, alpha: float = 2.0) -> None:
        super().__init__()
        self.alpha = float(alpha)
        # one channel: the channel is the target, not a background to skip
        self.hd = HausdorffDTLoss(alpha=self.alpha, sigmoid=True, include_background=True)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        target = DiceBCELoss._align(logits, target)
        h, w = logits.shape[-2:]
        return self.hd(logits, target) / float(h * w) ** (self.alpha / 2)
