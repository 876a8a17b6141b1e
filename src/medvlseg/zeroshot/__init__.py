"""Zero-shot and weakly supervised segmentation (MedCLIP-SAM): saliency from aligned towers,
post-processing, SAM, pseudo-labels. See :mod:`medvlseg.zeroshot.pipeline`."""

from .pipeline import STAGES, ZeroShotConfig, ZeroShotPipeline, ZeroShotResult, pseudo_labels, zeroshot
from .postprocess import binarize, box_prompts, components, keep_largest, point_prompts
from .saliency import SALIENCY_METHODS, gscorecam, m2ib, saliency, similarity

__all__ = [
    "SALIENCY_METHODS", "STAGES", "ZeroShotConfig", "ZeroShotPipeline", "ZeroShotResult", "binarize", "box_prompts",
    "components", "gscorecam", "keep_largest", "m2ib", "point_prompts", "pseudo_labels", "saliency", "similarity",
    "zeroshot",
]
