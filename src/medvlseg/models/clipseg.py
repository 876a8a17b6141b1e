"""CLIPSeg, BiomedCLIPSeg and BiomedCLIPSeg-D: a light FiLM-conditioned transformer decoder on the
activations of a frozen image-text backbone.

Lüddecke & Ecker, "Image Segmentation Using Text and Image Prompts", CVPR 2022, arXiv:2112.10003.
BiomedCLIPSeg(-D): Poudel et al., "Exploring Transfer Learning in Medical Image Segmentation using
Vision-Language Models", MIDL 2024, arXiv:2308.07706 (the decoder on BiomedCLIP's encoders, trained
from scratch, or started from CLIPSeg's pretrained decoder: "-D").

The decoder keeps the module names of Hugging Face's ``CLIPSegDecoder`` (``film_mul``, ``film_add``,
``reduces``, ``layers``, ``transposed_convolution``) and uses its decoder layer class, so the
weights of a CLIPSeg checkpoint (``CIDAS/clipseg-rd64-refined``) load unchanged. Unlike that code it
handles non-square patch grids and convolutional image towers (stage maps resampled to a common
stride-16 grid, with a global token in front), so the same decoder runs on every backbone here.

Avoided from the reference code (REFERENCE §1): taps are block indices 3/6/9 of 12 as in the
paper (not off by one); a frozen encoder runs under ``torch.no_grad`` (not ``inference_mode``),
so training in full precision works.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import Backbone
from ..errors import ConfigError
from .base import SegmentationModel, SegmentationOutput, register_model, resize_logits

CLIPSEG_CHECKPOINT = "CIDAS/clipseg-rd64-refined"


def default_taps(num_blocks: int) -> list[int]:
    """Block indices a quarter, half and three quarters deep: (3, 6, 9) for 12 blocks."""
    return [round(num_blocks * k / 4) for k in (1, 2, 3)]


class CLIPSegDecoder(nn.Module):
    """FiLM conditioning of the deepest reduced activation, then one transformer layer per tap,
    deepest first, each adding the next shallower reduced activation; transposed convolutions back
    to pixels. ``tap_widths`` are listed deepest first, matching the order of ``reduces``."""

    def __init__(
        self,
        tap_widths: Sequence[int],
        cond_dim: int,
        *,
        reduce_dim: int = 64,
        num_heads: int = 4,
        intermediate_size: int = 2048,
        patch_size: int = 16,
        complex_transposed: bool | None = None,
        conditional_layer: int = 0,
    ) -> None:
        super().__init__()
        from transformers.models.clipseg.configuration_clipseg import CLIPSegVisionConfig
        from transformers.models.clipseg.modeling_clipseg import CLIPSegDecoderLayer

        self.conditional_layer = conditional_layer
        self.patch_size = patch_size
        self.film_mul = nn.Linear(cond_dim, reduce_dim)
        self.film_add = nn.Linear(cond_dim, reduce_dim)
        # CLIPSeg's "refined" two-step upsampling multiplies by (patch/4)^2: only exact for 16 px patches
        if complex_transposed is None:
            complex_transposed = patch_size == 16
        if complex_transposed:
            k = patch_size // 4
            self.transposed_convolution = nn.Sequential(
                nn.Conv2d(reduce_dim, reduce_dim, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.ConvTranspose2d(reduce_dim, reduce_dim // 2, kernel_size=k, stride=k),
                nn.ReLU(),
                nn.ConvTranspose2d(reduce_dim // 2, 1, kernel_size=k, stride=k),
            )
        else:
            self.transposed_convolution = nn.ConvTranspose2d(reduce_dim, 1, patch_size, stride=patch_size)
        self.reduces = nn.ModuleList([nn.Linear(w, reduce_dim) for w in tap_widths])
        cfg = CLIPSegVisionConfig(
            hidden_size=reduce_dim, num_attention_heads=num_heads, intermediate_size=intermediate_size,
            hidden_act="relu", attention_dropout=0.0,
        )
        cfg._attn_implementation = "sdpa"
        self.layers = nn.ModuleList([CLIPSegDecoderLayer(cfg) for _ in tap_widths])

    def forward(
        self, activations: Sequence[torch.Tensor], cond: torch.Tensor, grid: tuple[int, int], num_prefix: int = 1
    ) -> torch.Tensor:
        """
        activations: deepest first, each (B, P + h*w, D_i) with P = ``num_prefix`` leading tokens
        cond:        (B, cond_dim) conditional (text) embedding
        returns:     logits (B, 1, h * s, w * s), s = the upsampling of ``transposed_convolution``
        """
        out = None
        for i, (act, layer, reduce) in enumerate(zip(activations, self.layers, self.reduces)):
            out = reduce(act) if out is None else reduce(act) + out  # (B, P+N, R)
            if i == self.conditional_layer:
                out = self.film_mul(cond)[:, None] * out + self.film_add(cond)[:, None]
            o = layer(out, attention_mask=None)
            out = o[0] if isinstance(o, tuple) else o
        b, _, r = out.shape
        h, w = grid
        maps = out[:, num_prefix:].transpose(1, 2).reshape(b, r, h, w)  # (B, R, h, w)
        return self.transposed_convolution(maps)  # (B, 1, h*s, w*s)


class CLIPSeg(SegmentationModel):
    """A frozen backbone, taps at three depths, the CLIPSeg decoder conditioned on the prompt."""

    def __init__(
        self,
        backbone: Backbone,
        *,
        extract_layers: Sequence[int] | None = None,
        reduce_dim: int = 64,
        decoder_heads: int = 4,
        decoder_intermediate_size: int = 2048,
        image_size: int | None = None,
        finetune_backbone: bool = False,
        complex_transposed: bool | None = None,
        conditional_layer: int = 0,
    ) -> None:
        super().__init__()
        self.backbone = backbone.freeze(not finetune_backbone)
        self._image_size = image_size
        if backbone.vision_type == "vit":
            self.extract_layers = list(extract_layers) if extract_layers is not None else default_taps(backbone.num_vision_blocks)
            self.grid_stride = backbone.vision_strides[0]
        else:  # CNN: the stages at strides 8, 16, 32 (or the three deepest), resampled to stride 16
            strides = backbone.vision_strides
            if extract_layers is None:
                picks = [strides.index(s) for s in (8, 16, 32) if s in strides]
                extract_layers = picks if len(picks) == 3 else list(range(len(strides)))[-3:]
            self.extract_layers = list(extract_layers)
            self.grid_stride = 16 if 16 in strides else strides[self.extract_layers[1]]
        for i in self.extract_layers:
            if not 0 <= i < backbone.num_vision_blocks:
                raise ConfigError(f"extract_layers: block {i} does not exist; {backbone.name!r} has {backbone.num_vision_blocks} blocks")
        widths = [backbone.vision_widths[i] for i in self.extract_layers]
        self.decoder = CLIPSegDecoder(
            widths[::-1], backbone.embed_dim, reduce_dim=reduce_dim, num_heads=decoder_heads,
            intermediate_size=decoder_intermediate_size, patch_size=self.grid_stride,
            complex_transposed=complex_transposed, conditional_layer=conditional_layer,
        )

    def forward(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:
        """
        images:  (B, 3, H, W) normalised for the backbone
        prompts: B strings
        returns: logits (B, 1, H, W); aux: text_embeds (B, E), image_embeds (B, E)
        """
        self.check_inputs(images, prompts)
        text, vis = self.encode(images, prompts, self.extract_layers)  # pooled (B, E); taps per block
        return self._decode(vis.hidden_states, vis.pooled, text.pooled, tuple(images.shape[-2:]))

    def _decode(self, hidden: Sequence[torch.Tensor], image_pooled: torch.Tensor, text_pooled: torch.Tensor,
                image_hw: tuple[int, int]) -> SegmentationOutput:
        acts, grid, prefix = self._tokens(list(hidden), image_hw)
        logits = self.decoder(acts[::-1], text_pooled, grid, prefix)  # (B, 1, h*s, w*s)
        return SegmentationOutput(
            logits=resize_logits(logits, image_hw),
            aux={"text_embeds": text_pooled, "image_embeds": image_pooled},
        )

    def frozen_features(self, images: torch.Tensor) -> tuple[torch.Tensor, ...] | None:
        """A frozen image tower is all prefix: its taps and pooled embedding (cacheable); None when
        the backbone is fine-tuned."""
        if not self.backbone.frozen:
            return None
        with torch.no_grad():
            vis = self.backbone.encode_image(images, return_blocks=self.extract_layers)
        return (*vis.hidden_states, vis.pooled)

    def forward_features(self, features: Sequence[torch.Tensor], prompts: Sequence[str], image_hw: tuple[int, int]) -> SegmentationOutput:
        return self._decode(features[:-1], features[-1], self._frozen_text(prompts), tuple(image_hw))

    def _frozen_text(self, prompts: Sequence[str]) -> torch.Tensor:
        """Pooled embeddings (B, E) of prompts through the frozen text tower, memoised by prompt: with
        the image tower cached, re-encoding the same few prompts every step costs a tenth of a step.
        The memo is dropped whenever weights may change (mode switch, device move, state-dict load)."""
        if not self.backbone.frozen:
            return self.backbone.encode_text(list(prompts)).pooled
        memo: dict[str, torch.Tensor] = self.__dict__.setdefault("_text_memo", {})
        missing = list(dict.fromkeys(p for p in prompts if p not in memo))
        if missing:
            if len(memo) + len(missing) > 4096:  # e.g. random-word perturbations: bounded
                memo.clear()
            with torch.no_grad():
                memo.update(zip(missing, self.backbone.encode_text(missing).pooled))  # (M, E)
        return torch.stack([memo[p] for p in prompts])

    def _drop_text_memo(self) -> None:
        self.__dict__.pop("_text_memo", None)

    def train(self, mode: bool = True) -> CLIPSeg:
        self._drop_text_memo()
        return super().train(mode)

    def _apply(self, fn, recurse: bool = True):  # .to(), .cuda(), .half() ...
        self._drop_text_memo()
        return super()._apply(fn, recurse)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        self._drop_text_memo()
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    def _tokens(self, hidden: list[torch.Tensor], image_hw: tuple[int, int]) -> tuple[list[torch.Tensor], tuple[int, int], int]:
        bb = self.backbone
        if bb.vision_type == "vit":
            s = bb.vision_strides[0]
            return hidden, (image_hw[0] // s, image_hw[1] // s), bb.num_prefix_tokens
        # CNN stage maps (B, C_i, h_i, w_i) -> tokens on the common grid, a global token in front
        h, w = math.ceil(image_hw[0] / self.grid_stride), math.ceil(image_hw[1] / self.grid_stride)
        acts = []
        for fmap in hidden:
            fmap = F.adaptive_avg_pool2d(fmap, (h, w)) if fmap.shape[-2] > h else F.interpolate(fmap, size=(h, w), mode="bilinear", align_corners=False)
            tokens = fmap.flatten(2).transpose(1, 2)  # (B, h*w, C_i)
            acts.append(torch.cat([tokens.mean(dim=1, keepdim=True), tokens], dim=1))  # (B, 1+h*w, C_i)
        return acts, (h, w), 1


def read_hf_clipseg(name_or_path: str | Path):
    """A Hugging Face ``CLIPSegForImageSegmentation`` (hub id or ``save_pretrained`` folder), read
    from safetensors unless pickles are trusted (:mod:`medvlseg.weights`)."""
    from transformers import CLIPSegForImageSegmentation

    from ..errors import DataError
    from ..weights import hf_use_safetensors

    local = Path(name_or_path).is_dir()
    try:
        return CLIPSegForImageSegmentation.from_pretrained(str(name_or_path), use_safetensors=hf_use_safetensors()).eval()
    except (OSError, ValueError) as exc:
        hint = "" if local else " (offline? download it once, or pass a local folder written by save_pretrained)"
        raise DataError(f"{name_or_path}: cannot load Hugging Face CLIPSeg checkpoint{hint}: {str(exc).splitlines()[0]}") from None


def hf_clipseg_settings(config) -> dict:
    """The decoder settings of a Hugging Face CLIPSeg config as :class:`CLIPSeg` arguments."""
    return dict(
        extract_layers=list(config.extract_layers), reduce_dim=int(config.reduce_dim),
        decoder_heads=int(config.decoder_num_attention_heads), decoder_intermediate_size=int(config.decoder_intermediate_size),
        complex_transposed=bool(config.use_complex_transposed_convolution), conditional_layer=int(config.conditional_layer),
    )


def load_clipseg_checkpoint(model: CLIPSeg, name_or_path: str | Path, *, encoders: bool, src=None) -> CLIPSeg:
    """Load a Hugging Face CLIPSeg checkpoint (hub name or local folder; ``src``: already read): its
    decoder always, its CLIP encoders too when ``encoders`` (only for a ``clip`` backbone of the same size)."""
    src = src if src is not None else read_hf_clipseg(name_or_path)
    missing, unexpected = model.decoder.load_state_dict(src.decoder.state_dict(), strict=False)
    if missing or unexpected:
        raise ConfigError(f"{name_or_path}: CLIPSeg decoder does not fit: missing {missing[:4]}, unexpected {unexpected[:4]}")
    if encoders:
        target = getattr(model.backbone, "model", None)
        try:
            target.load_state_dict(src.clip.state_dict(), strict=True)
        except (AttributeError, RuntimeError) as exc:
            raise ConfigError(f"{name_or_path}: CLIPSeg encoders need a 'clip' backbone of the same size ({exc})") from None
        model.backbone.weight_source = str(name_or_path)
    if model.extract_layers != list(src.config.extract_layers):
        raise ConfigError(f"{name_or_path}: checkpoint taps {src.config.extract_layers}, model taps {model.extract_layers}")
    return model


@register_model("clipseg", default_backbone="clip", backbones=("vit", "cnn"), paper="arXiv:2112.10003")
def build_clipseg(backbone: Backbone, *, clipseg_checkpoint: str | None = None, **kwargs) -> CLIPSeg:
    """CLIPSeg: FiLM + transformer decoder on CLIP activations (layers 3/6/9). ``clipseg_checkpoint``
    (e.g. CIDAS/clipseg-rd64-refined or a local folder) loads the authors' decoder and encoders, the
    decoder built with the checkpoint's settings unless given (with ``backbone_kwargs:
    {clipseg_checkpoint: ...}`` the ``clip`` backbone is the checkpoint's own CLIP, of any size)."""
    if not clipseg_checkpoint:
        return CLIPSeg(backbone, **kwargs)
    src = read_hf_clipseg(clipseg_checkpoint)
    for key, value in hf_clipseg_settings(src.config).items():
        kwargs.setdefault(key, value)
    return load_clipseg_checkpoint(CLIPSeg(backbone, **kwargs), clipseg_checkpoint, encoders=True, src=src)


@register_model("biomedclipseg", default_backbone="biomedclip", backbones=("vit", "cnn"), paper="arXiv:2308.07706")
def build_biomedclipseg(backbone: Backbone, **kwargs) -> CLIPSeg:
    """BiomedCLIPSeg: the CLIPSeg decoder, trained from scratch, on frozen BiomedCLIP encoders."""
    return CLIPSeg(backbone, **kwargs)


@register_model("biomedclipseg-d", default_backbone="biomedclip", backbones=("vit", "cnn"), paper="arXiv:2308.07706")
def build_biomedclipseg_d(backbone: Backbone, *, clipseg_checkpoint: str | None = CLIPSEG_CHECKPOINT, **kwargs) -> CLIPSeg:
    """BiomedCLIPSeg-D: as BiomedCLIPSeg, the decoder initialised from CLIPSeg's pretrained one."""
    from ..errors import DataError

    model = CLIPSeg(backbone, **kwargs)
    if clipseg_checkpoint:
        try:
            load_clipseg_checkpoint(model, clipseg_checkpoint, encoders=False)
        except DataError as exc:  # offline, most often: say which argument to change, and to what
            raise DataError(f"biomedclipseg-d: {str(exc).rstrip('.')}. Set model.kwargs.clipseg_checkpoint to a folder written by "
                            "CLIPSegForImageSegmentation.save_pretrained, or to null for a decoder started from "
                            "scratch (that is biomedclipseg)") from None
    return model
