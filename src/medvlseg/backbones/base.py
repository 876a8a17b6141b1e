"""One interface for every image-text backbone: CLIP (Hugging Face), BiomedCLIP and other open_clip
models, the offline ``lite`` pair (EfficientNet-Lite + MiniLM), and ``tiny`` random versions of each.

Both towers are exposed **step by step** (embed -> blocks -> head) so that a model can tap the
output of any block (CLIPSeg's layers 3/6/9, CRIS's strides 8/16/32) or insert an adapter between
blocks and let image and text tokens talk to each other (MedCLIPSeg's PVL adapters), without
copying any encoder's code. :meth:`Backbone.encode_image` and :meth:`Backbone.encode_text` run the
whole tower for models that need no more.

Layouts
-------
ViT image tower (``vision_type == "vit"``): tokens ``(B, P + N, D)`` with ``P =
num_prefix_tokens`` class tokens first and ``N = h * w`` patch tokens in row-major order.
CNN image tower (``vision_type == "cnn"``): feature maps ``(B, C_i, H / s_i, W / s_i)``; block ``i``
is stage ``i`` with stride ``vision_strides[i]`` and ``vision_widths[i]`` channels.
Text tower: tokens ``(B, L, D_t)`` with ``attention_mask`` ``(B, L)`` (1 = real token).
Pooled embeddings of both towers are in the joint space ``(B, embed_dim)``, not normalised.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from ..errors import ConfigError

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass
class TextTokens:
    """Tokenised prompts. ``cache`` holds per-backbone derived tensors (e.g. the 4-D attention mask)
    so that stepwise calls do not rebuild them at every block."""

    input_ids: torch.Tensor  # (B, L) int64
    attention_mask: torch.Tensor  # (B, L) int64, 1 = real token
    cache: dict[str, Any] = field(default_factory=dict)

    def to(self, device: torch.device | str) -> TextTokens:
        return TextTokens(self.input_ids.to(device), self.attention_mask.to(device))

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])

    def distinct(self) -> tuple[TextTokens, torch.Tensor | None]:
        """``(tokens of each distinct row, inverse)``, ``distinct[inverse]`` row by row being ``self``;
        ``(self, None)`` when every row differs, or inside a traced graph (an exported graph stays a
        plain function of its inputs)."""
        ids = self.input_ids  # (B, L)
        if len(ids) < 2 or torch.jit.is_tracing() or torch.compiler.is_compiling():
            return self, None
        rows = torch.cat([ids, self.attention_mask.to(ids.dtype)], 1)  # (B, 2L)
        uniq, inverse = torch.unique(rows, dim=0, return_inverse=True)  # (U, 2L), (B,)
        if len(uniq) == len(ids):
            return self, None
        first = torch.full((len(uniq),), len(ids), dtype=torch.long, device=ids.device).scatter_reduce_(
            0, inverse, torch.arange(len(ids), device=ids.device), "amin")  # (U,) a row of each
        return TextTokens(ids[first], self.attention_mask[first]), inverse


@dataclass
class VisionFeatures:
    hidden_states: list[torch.Tensor]  # outputs of the requested blocks, in the order asked
    last: torch.Tensor  # output of the last block (ViT tokens (B, P+N, D) or CNN map (B, C, h, w))
    pooled: torch.Tensor  # (B, embed_dim)
    grid: tuple[int, int]  # ViT: patch grid (h, w); CNN: spatial size of ``last``


@dataclass
class TextFeatures:
    tokens: torch.Tensor  # (B, L, D_t) after the final norm
    attention_mask: torch.Tensor  # (B, L)
    pooled: torch.Tensor  # (B, embed_dim)


class Backbone(nn.Module, ABC):
    """Base class. Subclasses set the attributes below in ``__init__`` and implement the steps."""

    name: str = "backbone"
    vision_type: Literal["vit", "cnn"] = "vit"
    image_size: int = 224  # native input size (square)
    image_mean: tuple[float, float, float] = CLIP_MEAN
    image_std: tuple[float, float, float] = CLIP_STD
    embed_dim: int = 512  # joint image-text space
    vision_widths: list[int]  # output width of each vision block
    vision_strides: list[int]  # stride of each block's output w.r.t. the input image
    num_prefix_tokens: int = 1  # ViT class tokens before the patch tokens
    text_width: int = 512
    num_text_blocks: int = 0
    context_length: int = 77
    weight_source: str = "random"  # hub name, local path, package name, or "random"
    # A backbone made for laptop CPUs: models built on it take their compact defaults (narrower
    # necks and decoders), so the whole model keeps the backbone's speed. See BENCHMARKS.md.
    compact: bool = False
    # True when the image tower takes its native size only (a ViT with fixed position embeddings)
    fixed_image_size: bool = False
    # (registry name, keyword arguments) it was built with, set by build_backbone: a model's record
    # rebuilds the backbone from it
    build_args: tuple[str, dict[str, Any]] | None = None
    # tensors (names in this module) a frozen backbone's model saves all the same, because its source
    # does not rebuild them: the projections aligned by medvlseg align, a last stage trained with
    # MedCLIPSeg's tune_last_stage
    carried: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._frozen = False

    def last_stage_modules(self) -> dict[str, nn.Module]:
        """The image tower's last stage, by name in this module: what ``tune_last_stage`` trains
        while the rest stays frozen. Backbones that support it override this."""
        raise ConfigError(f"model.kwargs.tune_last_stage: backbone {self.name!r} does not support fine-tuning its last "
                          "image stage (the lite towers do)")

    def carry_modules(self, modules: dict[str, nn.Module]) -> None:
        """Add every tensor of ``modules`` (by name in this module) to :attr:`carried`, once each."""
        names = [f"{m}.{k}" for m, module in modules.items() for k in module.state_dict()]
        self.carried = tuple(dict.fromkeys([*self.carried, *names]))

    # ---- tokenizer ------------------------------------------------------------------------------

    @abstractmethod
    def tokenize(self, prompts: Sequence[str]) -> TextTokens:
        """Prompts -> token ids on this backbone's device, padded to the longest prompt."""

    # ---- image tower, step by step --------------------------------------------------------------

    @property
    def num_vision_blocks(self) -> int:
        return len(self.vision_widths)

    @abstractmethod
    def vision_embed(self, images: torch.Tensor) -> torch.Tensor:
        """``images`` (B, 3, H, W), normalised -> input of block 0 (tokens or a feature map)."""

    @abstractmethod
    def vision_block(self, index: int, x: torch.Tensor) -> torch.Tensor:
        """Run vision block ``index`` (0-based)."""

    @abstractmethod
    def vision_head(self, x: torch.Tensor) -> torch.Tensor:
        """Output of the last block -> pooled image embedding (B, embed_dim)."""

    @abstractmethod
    def image_tower(self) -> nn.Module:
        """The module holding the image tower's embedding and blocks (not the projection into the
        joint space): what an image-only model fine-tunes."""

    def vision_parameters(self) -> list[nn.Parameter]:
        return list(self.image_tower().parameters())

    def vision_grid(self, images: torch.Tensor) -> tuple[int, int]:
        """Patch grid (ViT) or the last stage's spatial size (CNN) for ``images`` (B, 3, H, W)."""
        s = self.vision_strides[-1]
        return images.shape[-2] // s, images.shape[-1] // s

    # ---- text tower, step by step ---------------------------------------------------------------

    @abstractmethod
    def text_embed(self, tokens: TextTokens) -> torch.Tensor:
        """Token ids -> input of text block 0, (B, L, D_t)."""

    @abstractmethod
    def text_block(self, index: int, x: torch.Tensor, tokens: TextTokens) -> torch.Tensor:
        """Run text block ``index`` (0-based); ``tokens`` carries the attention mask."""

    @abstractmethod
    def text_head(self, x: torch.Tensor, tokens: TextTokens) -> tuple[torch.Tensor, torch.Tensor]:
        """Output of the last block -> (final-normed tokens (B, L, D_t), pooled (B, embed_dim))."""

    # ---- whole towers ---------------------------------------------------------------------------

    def encode_image(
        self,
        images: torch.Tensor,
        return_blocks: Sequence[int] = (),
        adapter: Callable[[int, torch.Tensor], torch.Tensor] | None = None,
    ) -> VisionFeatures:
        """Run the image tower. ``return_blocks``: indices of blocks whose outputs to return
        (negative indices count from the end). ``adapter(i, x)``, if given, runs after block ``i``."""
        n = self.num_vision_blocks
        wanted = {b % n: k for k, b in enumerate(return_blocks)}
        hidden: list[torch.Tensor | None] = [None] * len(return_blocks)
        x = self.vision_embed(images)
        for i in range(n):
            x = self.vision_block(i, x)
            if adapter is not None:
                x = adapter(i, x)
            for b, k in wanted.items():
                if b == i:
                    hidden[k] = x
        return VisionFeatures(hidden_states=hidden, last=x, pooled=self.vision_head(x), grid=self.vision_grid(images))  # type: ignore[arg-type]

    def encode_text(self, prompts: Sequence[str] | TextTokens) -> TextFeatures:
        """Run the text tower. A list of prompts is encoded once per distinct prompt (a batch
        usually repeats one prompt) and expanded back to one row per prompt."""
        if not isinstance(prompts, TextTokens):
            position = {p: k for k, p in enumerate(dict.fromkeys(prompts))}
            if len(position) < len(prompts):
                feats = self.encode_text(self.tokenize(list(position)))
                index = torch.tensor([position[p] for p in prompts], device=feats.pooled.device)
                return TextFeatures(feats.tokens[index], feats.attention_mask[index], feats.pooled[index])
        tokens = prompts if isinstance(prompts, TextTokens) else self.tokenize(prompts)
        x = self.text_embed(tokens)
        for i in range(self.num_text_blocks):
            x = self.text_block(i, x, tokens)
        out, pooled = self.text_head(x, tokens)
        return TextFeatures(tokens=out, attention_mask=tokens.attention_mask, pooled=pooled)

    # ---- alignment (medvlseg.align) ----------------------------------------------------------------

    def alignable(self) -> dict[str, nn.Module]:
        """The modules :mod:`medvlseg.align` trains (named), for backbones whose joint space is
        learned here; others are aligned already (CLIP, BiomedCLIP) and say so."""
        raise ConfigError(f"backbone {self.name!r}: its image and text towers come aligned; "
                          "medvlseg align trains backbones with learned projections (lite, tiny-lite)")

    def image_features(self, images: torch.Tensor, *, patches: bool = False) -> torch.Tensor:
        """(B, 3, H, W) -> (B, C): the image tower's pooled output before its projection; with
        ``patches``, (B, N, C): every location's, whose projections are the patch embeddings."""
        raise ConfigError(f"backbone {self.name!r} does not expose features before its projection")

    def patch_embeddings(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, h, w, E): each location's embedding in the joint space (the zero-shot
        patch-similarity saliency reads them)."""
        raise ConfigError(f"backbone {self.name!r}: its patch tokens are not in the joint space; "
                          "use saliency gscorecam or m2ib (patch needs a backbone aligned by medvlseg align: lite)")

    def text_features(self, prompts: Sequence[str]) -> torch.Tensor:
        """B prompts -> (B, D_t): the text tower's pooled output before its projection."""
        raise ConfigError(f"backbone {self.name!r} does not expose features before its projection")

    # ---- freezing -------------------------------------------------------------------------------

    def freeze(self, frozen: bool = True) -> Backbone:
        """Freeze every weight. A frozen backbone stays in eval mode (no dropout, fixed batch-norm
        statistics) even when the model around it is put in training mode. Gradients still flow
        *through* it, to adapters inserted between its blocks."""
        self._frozen = frozen
        for p in self.parameters():
            p.requires_grad_(not frozen)
        if frozen:
            super().train(False)
        return self

    @property
    def frozen(self) -> bool:
        return self._frozen

    def train(self, mode: bool = True) -> Backbone:
        return super().train(mode and not self._frozen)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name, "vision_type": self.vision_type, "image_size": self.image_size,
            "embed_dim": self.embed_dim, "vision_widths": list(self.vision_widths),
            "vision_strides": list(self.vision_strides), "text_width": self.text_width,
            "num_text_blocks": self.num_text_blocks, "weight_source": self.weight_source,
            "parameters": sum(p.numel() for p in self.parameters()),
        }


# --------------------------------------------------------------------------------------- registry

_BACKBONES: dict[str, Callable[..., Backbone]] = {}
_BACKBONE_HELP: dict[str, str] = {}


def register_backbone(name: str, help: str = "") -> Callable[[Callable[..., Backbone]], Callable[..., Backbone]]:
    def deco(fn: Callable[..., Backbone]) -> Callable[..., Backbone]:
        if name in _BACKBONES:
            raise ValueError(f"backbone {name!r} registered twice")
        _BACKBONES[name] = fn
        _BACKBONE_HELP[name] = help or (fn.__doc__ or "").strip().splitlines()[0]
        return fn

    return deco


def list_backbones() -> list[str]:
    _import_all()
    return sorted(_BACKBONES)


def backbone_help() -> dict[str, str]:
    _import_all()
    return dict(sorted(_BACKBONE_HELP.items()))


def build_backbone(name: str, **kwargs: Any) -> Backbone:
    """Build a backbone by registry name, or ``open_clip:<model name or local checkpoint>``."""
    _import_all()
    if name.startswith("open_clip:"):
        bb = _BACKBONES["open_clip"](name.split(":", 1)[1], **kwargs)
    elif name not in _BACKBONES:
        raise ConfigError(f"backbone: unknown value {name!r}; expected one of: {', '.join(sorted(_BACKBONES))}, or open_clip:<name or file>")
    else:
        bb = _BACKBONES[name](**kwargs)
    bb.build_args = (name, dict(kwargs))
    return bb


def _import_all() -> None:
    # Importing the modules registers their backbones. Heavy libraries are imported lazily inside.
    from . import hf_clip  # noqa: F401

    for mod in ("lite", "openclip"):
        try:
            __import__(f"{__package__}.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"{__package__}.{mod}"):
                continue  # not written yet
            raise
