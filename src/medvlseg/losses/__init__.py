"""Losses: Dice + BCE on logits (MONAI), a boundary-aware Hausdorff term (MONAI), MedCLIPSeg's soft patch contrastive loss, DHN-NCE and the
InfoNCE baseline."""

from .contrastive import dhn_nce, dhn_nce_similarity, info_nce, info_nce_similarity, lse_pool, soft_patch_contrastive, soft_text_targets
from .segmentation import DiceBCELoss, DiceBCEOutput, HausdorffBoundaryLoss, dice_bce_loss

__all__ = [
    "DiceBCELoss",
    "DiceBCEOutput",
    "HausdorffBoundaryLoss",
    "dhn_nce",
    "dhn_nce_similarity",
    "dice_bce_loss",
    "info_nce",
    "info_nce_similarity",
    "lse_pool",
    "soft_patch_contrastive",
    "soft_text_targets",
]
