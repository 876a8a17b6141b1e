"""Losses: Dice + BCE on logits (MONAI), MedCLIPSeg's soft patch contrastive loss, DHN-NCE and the
InfoNCE baseline."""

from .contrastive import dhn_nce, info_nce, soft_patch_contrastive, soft_text_targets
from .segmentation import DiceBCELoss, DiceBCEOutput, dice_bce_loss

__all__ = [
    "DiceBCELoss",
    "DiceBCEOutput",
    "dhn_nce",
    "dice_bce_loss",
    "info_nce",
    "soft_patch_contrastive",
    "soft_text_targets",
]
