"""Image-text backbones behind one stepwise interface (see :mod:`.base`)."""

from .base import (
    CLIP_MEAN,
    CLIP_STD,
    IMAGENET_MEAN,
    IMAGENET_STD,
    Backbone,
    TextFeatures,
    TextTokens,
    VisionFeatures,
    backbone_help,
    build_backbone,
    list_backbones,
    register_backbone,
)

__all__ = [
    "CLIP_MEAN",
    "CLIP_STD",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "Backbone",
    "TextFeatures",
    "TextTokens",
    "VisionFeatures",
    "backbone_help",
    "build_backbone",
    "list_backbones",
    "register_backbone",
]
