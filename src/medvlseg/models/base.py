"""What every segmentation model shares: the output type, input checks, inference, a registry,
and saving / loading with safetensors.

Every model takes ``(images, prompts)``: ``images`` a float tensor ``(B, 3, H, W)`` already
normalised for its backbone, ``prompts`` a list of ``B`` strings; and returns
:class:`SegmentationOutput` whose ``logits`` are ``(B, 1, H, W)`` at the input resolution.
Image-only models (``unet``) accept and ignore the prompts, so every model is called the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import IMAGENET_MEAN, IMAGENET_STD, Backbone, TextFeatures, VisionFeatures
from ..errors import ConfigError, DataError


@dataclass
class SegmentationOutput:
    logits: torch.Tensor  # (B, 1, H, W) at the input resolution
    aux: dict[str, torch.Tensor] = field(default_factory=dict)  # e.g. patch / text embeddings for losses


class SegmentationModel(nn.Module):
    """Base class. ``name`` and ``build_kwargs`` are set by :func:`build_model` so that a saved model
    can be rebuilt; ``backbone`` is ``None`` for image-only models."""

    name: str = "model"
    uses_text: bool = True
    backbone: Backbone | None

    def __init__(self) -> None:
        super().__init__()
        self.backbone = None  # replaced by a Backbone module in vision-language models
        self.build_kwargs: dict[str, Any] = {}

    # ---- preprocessing contract ----------------------------------------------------------------

    @property
    def image_size(self) -> int:
        return self.backbone.image_size if self.backbone is not None else 256

    @property
    def image_mean(self) -> tuple[float, float, float]:
        return self.backbone.image_mean if self.backbone is not None else IMAGENET_MEAN

    @property
    def image_std(self) -> tuple[float, float, float]:
        return self.backbone.image_std if self.backbone is not None else IMAGENET_STD

    # ---- calling ---------------------------------------------------------------------------------

    def check_inputs(self, images: torch.Tensor, prompts: Sequence[str]) -> None:
        if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 3:
            shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
            raise ConfigError(
                f"{self.name}: images must be a float tensor (B, 3, H, W), got {shape}; "
                "grey images: repeat the channel; use medvlseg.Segmenter to handle files and arrays"
            )
        if not images.is_floating_point():
            raise ConfigError(f"{self.name}: images must be float and normalised (mean {self.image_mean}, std {self.image_std}), got {images.dtype}")
        if isinstance(prompts, str) or len(prompts) != images.shape[0]:
            raise ConfigError(f"{self.name}: need one prompt per image: {images.shape[0]} image(s), prompts={prompts!r}")

    def encode(self, images: torch.Tensor, prompts: Sequence[str], blocks: Sequence[int]) -> tuple[TextFeatures, VisionFeatures]:
        """Run both towers of the backbone: text features and the outputs of vision ``blocks``.

        A frozen backbone runs under ``torch.no_grad`` (not ``inference_mode``, whose tensors would
        break a later backward pass): nothing upstream needs its gradients, and it saves memory.
        """
        bb = self.backbone
        with torch.set_grad_enabled(torch.is_grad_enabled() and not bb.frozen):
            return bb.encode_text(prompts), bb.encode_image(images, return_blocks=blocks)

    # ---- feature cache contract (the training engine's cache uses it) ------------------------------

    def frozen_features(self, images: torch.Tensor) -> tuple[torch.Tensor, ...] | None:
        """The deterministic output of the model's frozen, non-adapted prefix for ``images``
        (B, 3, H, W), computed without gradients: a tuple of tensors with the batch first, which
        :meth:`forward_features` continues from. ``None`` (the default): no such prefix, nothing to
        cache (e.g. a model that fine-tunes its whole encoder)."""
        return None

    def forward_features(
        self, features: Sequence[torch.Tensor], prompts: Sequence[str], image_hw: tuple[int, int]
    ) -> SegmentationOutput:
        """``forward(images, prompts)`` given ``features = frozen_features(images)``."""
        raise NotImplementedError(f"{self.name} has no cacheable frozen prefix (frozen_features returns None)")

    def __call__(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:  # typing only
        return super().__call__(images, prompts)

    @torch.inference_mode()
    def predict(self, images: torch.Tensor, prompts: Sequence[str]) -> torch.Tensor:
        """Probabilities ``(B, 1, H, W)`` in eval mode, without gradients."""
        was_training = self.training
        self.eval()
        try:
            return torch.sigmoid(self(images, prompts).logits.float())
        finally:
            self.train(was_training)

    # ---- weights ---------------------------------------------------------------------------------

    def trainable_state_dict(self) -> dict[str, torch.Tensor]:
        """Every tensor except those of a frozen backbone, which is rebuilt from its source on loading."""
        frozen_prefix = "backbone." if self.backbone is not None and self.backbone.frozen else None
        return {
            k: v for k, v in self.state_dict().items() if frozen_prefix is None or not k.startswith(frozen_prefix)
        }

    def num_parameters(self, trainable: bool = False) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable)


def resize_logits(logits: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of ``(B, 1, h, w)`` logits to ``size``; a no-op when it already matches."""
    if tuple(logits.shape[-2:]) == tuple(size):
        return logits
    return F.interpolate(logits, size=size, mode="bilinear", align_corners=False)


# --------------------------------------------------------------------------------------- registry

_MODELS: dict[str, Callable[..., SegmentationModel]] = {}
_MODEL_INFO: dict[str, dict[str, Any]] = {}


def register_model(
    name: str, *, default_backbone: str | None, backbones: Sequence[str] = (), paper: str = ""
) -> Callable[[Callable[..., SegmentationModel]], Callable[..., SegmentationModel]]:
    """Register a model factory. ``backbones``: backbone kinds its design allows (``"vit"``,
    ``"cnn"``), or empty for an image-only model without a vision-language backbone."""

    def deco(fn: Callable[..., SegmentationModel]) -> Callable[..., SegmentationModel]:
        if name in _MODELS:
            raise ValueError(f"model {name!r} registered twice")
        _MODELS[name] = fn
        _MODEL_INFO[name] = {"default_backbone": default_backbone, "backbone_types": tuple(backbones), "paper": paper,
                             "summary": (fn.__doc__ or "").strip().split(". ")[0].split(":")[-1].strip().rstrip(".")}
        return fn

    return deco


def _import_all() -> None:
    import importlib

    for mod in ("clipseg", "cris", "unet", "ensemble", "medclipseg"):
        try:
            importlib.import_module(f"{__package__}.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{mod}":
                continue  # not written yet
            raise


def list_models(filter: str = "") -> list[str]:
    """Registered model names, optionally only those containing ``filter``."""
    _import_all()
    return sorted(n for n in _MODELS if filter in n)


def model_info(name: str) -> dict[str, Any]:
    _import_all()
    _check_model_name(name)
    return dict(_MODEL_INFO[name])


def _check_model_name(name: str) -> None:
    if name not in _MODELS:
        raise ConfigError(f"model: unknown value {name!r}; expected one of: {', '.join(sorted(_MODELS))}")


def build_model(name: str, backbone: str | Backbone | None = None, **kwargs: Any) -> SegmentationModel:
    """Build a registered model. ``backbone``: a registry name (``"tiny"``, ``"lite"``, ``"clip"``,
    ``"biomedclip"``, ``"open_clip:<name or file>"``) or a built :class:`Backbone`; default: the
    model's own. Other keyword arguments go to the model's factory."""
    from ..backbones.base import build_backbone

    _import_all()
    _check_model_name(name)
    info = _MODEL_INFO[name]
    backbone_name = backbone if isinstance(backbone, str) or backbone is None else backbone.name
    if info["backbone_types"]:
        if backbone is None:
            backbone = info["default_backbone"]
        bb = build_backbone(backbone, **kwargs.pop("backbone_kwargs", {})) if isinstance(backbone, str) else backbone
        if bb.vision_type not in info["backbone_types"]:
            raise ConfigError(
                f"model {name!r} needs a backbone with a {' or '.join(info['backbone_types'])} image tower; "
                f"{bb.name!r} has a {bb.vision_type} one"
            )
        model = _MODELS[name](bb, **kwargs)
        backbone_name = backbone if isinstance(backbone, str) else bb.name
    else:
        model = _MODELS[name](backbone=backbone, **kwargs)
    model.name = name
    model.build_kwargs = {"backbone": backbone_name, **kwargs}
    return model


# ------------------------------------------------------------------------------------ save / load

METADATA_KEY = "medvlseg"


def save_model(model: SegmentationModel, path: str | Path, *, include_frozen: bool = False, extra: dict | None = None) -> Path:
    """Write the model's weights as safetensors (atomically), with what is needed to rebuild it in
    the file's metadata. By default a frozen backbone is left out (it is rebuilt from its source)."""
    from safetensors.torch import save

    from ..utils import atomic_write_bytes

    state = model.state_dict() if include_frozen else model.trainable_state_dict()
    state = {k: v.detach().contiguous().cpu() for k, v in state.items()}
    meta = {"model": model.name, "build_kwargs": model.build_kwargs, "include_frozen": include_frozen, **(extra or {})}
    try:
        header = json.dumps(meta)
    except TypeError as exc:
        raise ConfigError(f"{model.name}: build arguments must be JSON-serialisable to save the model ({exc})") from None
    return atomic_write_bytes(path, save(state, metadata={METADATA_KEY: header}))


def load_model(path: str | Path, **override: Any) -> SegmentationModel:
    """Rebuild a model saved by :func:`save_model` and load its weights (no pickle involved)."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: model file not found")
    if path.suffix != ".safetensors":
        raise DataError(f"{path}: expected a .safetensors file (pickle checkpoints are not loaded)")
    try:
        with safe_open(str(path), framework="pt") as fh:
            meta = json.loads((fh.metadata() or {})[METADATA_KEY])
        state = load_file(str(path))
    except (KeyError, json.JSONDecodeError):
        raise DataError(f"{path}: no medvlseg metadata; was it written by medvlseg.save_model?") from None
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise DataError(f"{path}: cannot read safetensors file ({exc})") from None
    kwargs = {**meta["build_kwargs"], **override}
    model = build_model(meta["model"], **kwargs)
    missing, unexpected = model.load_state_dict(state, strict=False)
    frozen = set(model.state_dict()) - set(model.trainable_state_dict())
    missing = [k for k in missing if k not in frozen]
    if missing or unexpected:
        raise DataError(f"{path}: weights do not match model {meta['model']!r}: missing {missing[:5]}, unexpected {list(unexpected)[:5]}")
    return model
