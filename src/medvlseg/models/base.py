"""What every segmentation model shares: the output type, input checks, inference, a registry,
and saving / loading with safetensors.

Every model takes ``(images, prompts)``: ``images`` a float tensor ``(B, 3, H, W)`` already
normalised for its backbone, ``prompts`` a list of ``B`` strings; and returns
:class:`SegmentationOutput` whose ``logits`` are ``(B, 1, H, W)`` at the input resolution.
Image-only models (``unet``) accept and ignore the prompts, so every model is called the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import IMAGENET_MEAN, IMAGENET_STD, Backbone, TextFeatures, TextTokens, VisionFeatures
from ..errors import ConfigError, DataError
from .record import HEADER_KEY, ModelRecord


@dataclass
class SegmentationOutput:
    logits: torch.Tensor  # (B, 1, H, W) at the input resolution
    aux: dict[str, Any] = field(default_factory=dict)  # e.g. patch / text embeddings, side logits, for losses


class SegmentationModel(nn.Module):
    """Base class. ``name`` and ``record`` (:class:`~medvlseg.models.record.ModelRecord`) are set by
    :func:`build_model`, so that a saved model rebuilds itself; ``backbone`` is ``None`` for
    image-only models."""

    name: str = "model"
    uses_text: bool = True
    backbone: Backbone | None

    def __init__(self) -> None:
        super().__init__()
        self.backbone = None  # replaced by a Backbone module in vision-language models
        self._image_size: int | None = None  # the size it is trained and used at; None: native
        self.record: ModelRecord | None = None

    # ---- preprocessing contract ----------------------------------------------------------------

    @property
    def image_size(self) -> int:
        """The square input size the model is trained and used at (its record's)."""
        return self._image_size or self.native_image_size

    @property
    def native_image_size(self) -> int:
        """The size it takes when none is given: the backbone's."""
        return self.backbone.image_size if self.backbone is not None else 256

    def set_image_size(self, size: int | None) -> None:
        self._image_size = int(size) if size else None

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

    def forward_tokens(self, images: torch.Tensor, tokens: TextTokens) -> SegmentationOutput:
        """``forward`` with the prompts already tokenized by ``self.backbone.tokenize``: the pure tensor
        path an exported graph (:mod:`medvlseg.export`) is traced from."""
        raise NotImplementedError(f"{self.name}: no tokens path (forward_tokens); it cannot be exported")

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
        """Every tensor except those of a frozen backbone, which is rebuilt from its source on loading;
        but what a frozen backbone carries (aligned projections, ``init_from``; a last stage trained
        with ``tune_last_stage``) travels with the model."""
        frozen_prefix = "backbone." if self.backbone is not None and self.backbone.frozen else None
        carried = {f"backbone.{k}" for k in getattr(self.backbone, "carried", ())}
        return {
            k: v for k, v in self.state_dict().items()
            if frozen_prefix is None or not k.startswith(frozen_prefix) or k in carried
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


def model_kwargs_accepted(name: str) -> set[str] | None:
    """The keyword arguments a registered model's factory takes (its own and, through ``**kwargs``,
    those of the class it returns, read from the return annotation); None when that cannot be
    known (a ``**kwargs`` that goes nowhere named)."""
    import inspect

    _import_all()
    _check_model_name(name)
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    fn = _MODELS[name]
    params = inspect.signature(fn).parameters
    accepted = {p for p, v in params.items() if v.kind in named} - {"backbone"}
    if any(v.kind == inspect.Parameter.VAR_KEYWORD for v in params.values()):
        ret = fn.__annotations__.get("return")
        cls = fn.__globals__.get(ret) if isinstance(ret, str) else ret
        if not inspect.isclass(cls):
            return None
        cparams = inspect.signature(cls.__init__).parameters
        if any(v.kind == inspect.Parameter.VAR_KEYWORD for v in cparams.values()):
            return None
        accepted |= {p for p, v in cparams.items() if v.kind in named} - {"self", "backbone"}
    return accepted


def check_model_kwargs(name: str, kwargs: dict[str, Any], where: str = "model.kwargs") -> None:
    """A :class:`ConfigError` naming every argument ``name`` does not take (a misspelt key), before
    anything is built."""
    accepted = model_kwargs_accepted(name)
    unknown = sorted(set(kwargs) - accepted) if accepted is not None else []
    if unknown:
        raise ConfigError(f"{where}: model {name!r} takes no argument {', '.join(map(repr, unknown))}; "
                          f"it takes: {', '.join(sorted(accepted)) or 'none'}")


def build_model(
    name: str,
    backbone: str | Backbone | None = None,
    *,
    backbone_kwargs: dict[str, Any] | None = None,
    image_size: int | None = None,
    init_from: str | None = None,
    **kwargs: Any,
) -> SegmentationModel:
    """Build a registered model. ``backbone``: a registry name (``"tiny"``, ``"lite"``, ``"clip"``,
    ``"biomedclip"``, ``"open_clip:<name or file>"``) or a built :class:`Backbone`; default: the
    model's own. ``backbone_kwargs`` go to the backbone's builder, ``image_size`` (default: the
    backbone's) is the size the model is trained and used at, other keyword arguments go to the
    model's factory. The model's ``record`` says how to rebuild exactly this network."""
    from ..backbones.base import build_backbone

    _import_all()
    _check_model_name(name)
    check_model_kwargs(name, kwargs, where=f"build_model({name!r})")
    info = _MODEL_INFO[name]
    backbone_kwargs = dict(backbone_kwargs or {})
    if image_size is not None and int(image_size) < 8:
        raise ConfigError(f"image_size: must be >= 8, got {image_size}")
    provenance = None
    if init_from is not None and not (info["backbone_types"] and isinstance(backbone or info["default_backbone"], str)):
        raise ConfigError(f"model {name!r}: init_from needs a vision-language backbone given by name, to align")
    if info["backbone_types"]:
        if backbone is None:
            backbone = info["default_backbone"]
        if isinstance(backbone, str):
            bb = build_backbone(backbone, **backbone_kwargs)
            if init_from is not None:  # projections aligned by medvlseg align, before the model is built on them
                from ..align import load_aligned_projections

                provenance = load_aligned_projections(bb, init_from)
        else:
            bb = backbone
            if backbone_kwargs:
                raise ConfigError(f"model {name!r}: backbone_kwargs given with an already built backbone")
        if bb.vision_type not in info["backbone_types"]:
            raise ConfigError(
                f"model {name!r} needs a backbone with a {' or '.join(info['backbone_types'])} image tower; "
                f"{bb.name!r} has a {bb.vision_type} one"
            )
        if image_size is not None and bb.fixed_image_size and int(image_size) != bb.image_size:
            raise ConfigError(f"image_size: backbone {bb.name!r} takes {bb.image_size} px images only, got {image_size}")
        model = _MODELS[name](bb, **kwargs)
        backbone_name, backbone_kwargs = bb.build_args if bb.build_args is not None else (bb.name, {})
    else:
        model = _MODELS[name](backbone=backbone, **kwargs)  # image-only: the factory ignores or uses it
        backbone_name = backbone if isinstance(backbone, str) else None
    model.name = name
    if image_size is not None:
        model.set_image_size(int(image_size))
    model.record = ModelRecord(
        model=name, backbone=backbone_name, backbone_kwargs=backbone_kwargs, model_kwargs=dict(kwargs),
        image_size=model.image_size, image_mean=tuple(model.image_mean), image_std=tuple(model.image_std),
        init_from=provenance,
    )
    # a backbone built outside build_backbone cannot be rebuilt from its name: such a model runs, but
    # save_model refuses it rather than write a record that would rebuild another backbone
    model._rebuildable = not info["backbone_types"] or isinstance(backbone, str) or bb.build_args is not None
    return model


def build_from_record(record: ModelRecord, *, source: str = "model record") -> SegmentationModel:
    """Rebuild the network a record describes (random or source weights; the caller loads the
    trained ones). The normalisation is checked against the record: a backbone whose code changed
    its statistics would silently shift every input."""
    model = build_model(record.model, **record.build_args())
    if record.init_from is not None and model.backbone is not None:
        # the aligned projections are in the model's file, not read from the align run again
        model.backbone.carry_modules(model.backbone.alignable())
    for what, ours, theirs in (("image_mean", model.image_mean, record.image_mean), ("image_std", model.image_std, record.image_std)):
        if any(abs(float(a) - float(b)) > 1e-6 for a, b in zip(ours, theirs)):
            raise DataError(f"{source}: the rebuilt model's {what} {tuple(ours)} differs from the record's {tuple(theirs)}")
    model.record = record.model_copy(deep=True)
    return model


# ------------------------------------------------------------------------------------ save / load


def save_model(model: SegmentationModel, path: str | Path, *, include_frozen: bool = False, **record_updates: Any) -> Path:
    """Write the model's weights as safetensors (atomically), with its record in the file's header.
    By default a frozen backbone is left out (it is rebuilt from its source). ``record_updates``
    (``threshold=``, ``presence_threshold=``, ``targets=``, ``data=``) are stored in the record."""
    from safetensors.torch import save

    from ..utils import atomic_write_bytes

    if model.record is None or not getattr(model, "_rebuildable", True):
        raise ConfigError(f"{type(model).__name__}: its record cannot rebuild it (no record, or a backbone built outside "
                          "build_backbone); build it with medvlseg.build_model(name, backbone='<registry name>', backbone_kwargs=...)")
    record = model.record.model_copy(update={"include_frozen": include_frozen, **record_updates})
    record = ModelRecord.from_dict(record.model_dump(), source=f"{path}")  # validates the updates
    state = model.state_dict() if include_frozen else model.trainable_state_dict()
    state = {k: v.detach().contiguous().cpu() for k, v in state.items()}
    data = save(state, metadata={HEADER_KEY: record.to_header()})
    model.record = record
    return atomic_write_bytes(path, data)


def load_model(path: str | Path, *, trust_pickle: bool = False) -> SegmentationModel:
    """The model saved at ``path`` (a run directory, a ``.safetensors`` file, a Hugging Face
    CLIPSeg checkpoint): :func:`medvlseg.checkpoints.resolve_model` without the source's details."""
    from ..checkpoints import resolve_model

    return resolve_model(path, trust_pickle=trust_pickle)[0]


def load_weights_into(model: SegmentationModel, state: dict[str, torch.Tensor], *, source: str) -> SegmentationModel:
    """Load ``state`` (trainable weights, or all of them) into ``model``; anything else missing or
    unexpected is an error naming ``source``."""
    missing, unexpected = model.load_state_dict(state, strict=False)
    frozen = set(model.state_dict()) - set(model.trainable_state_dict())
    missing = [k for k in missing if k not in frozen]
    if missing or unexpected:
        raise DataError(f"{source}: weights do not match model {model.name!r}: missing {missing[:5]}, unexpected {list(unexpected)[:5]}")
    return model
