"""Segmentation models, one file each, built by name through a registry."""

from .base import (
    SegmentationModel,
    SegmentationOutput,
    build_model,
    list_models,
    load_model,
    model_info,
    register_model,
    save_model,
)

__all__ = [
    "SegmentationModel",
    "SegmentationOutput",
    "build_model",
    "list_models",
    "load_model",
    "model_info",
    "register_model",
    "save_model",
]
