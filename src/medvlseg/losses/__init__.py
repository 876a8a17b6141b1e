"""Losses: Dice + BCE on logits (MONAI), MedCLIPSeg's soft patch contrastive loss, DHN-NCE."""

from .contrastive import dhn_nce, soft_patch_contrastive, soft_text_targets
from .segmentation import DiceBCELoss, DiceBCEOutput, dice_bce_loss

__all__ = [
    "DiceBCELoss",
    "DiceBCEOutput",
    "dhn_nce",
    "dice_bce_loss",
    "soft_patch_contrastive",
    "soft_text_targets",
]
