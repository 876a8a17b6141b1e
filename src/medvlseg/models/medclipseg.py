"""MedCLIPSeg: probabilistic vision-language (PVL) adapters between the blocks of a frozen image-text
backbone, and a light text-kernel decoder.

"MedCLIPSeg: Probabilistic Vision-Language Adaptation for Data-Efficient and Generalizable Medical
Image Segmentation", CVPR 2026 (REFERENCE §3).

Design (see REFERENCE §3 for the paper's choices):

- The backbone is frozen; only the adapters and the decoder train. Gradients flow *through* the
  frozen blocks that follow the first adapter; everything before the first adapter runs without
  gradients (nothing trainable is upstream of it), so it can be computed once and cached
  (:meth:`MedCLIPSeg.frozen_features`, used by the training engine's feature cache).
- Both towers run step by step, together. ``adapter_blocks`` lists the vision blocks *after* which
  a :class:`~medvlseg.models.pvl.PVLAdapter` runs. Default on a ViT: blocks ``0 .. n-3`` (the paper's
  "before blocks 1-10" of a 12-block ViT-B, scaled to ``n`` blocks); on a CNN: every stage but the
  first (strides 8, 16, 32 on EfficientNet-Lite0: the stride-4 stage has 16x more tokens than the
  next for little semantic content). A CNN stage map ``(B, C_i, h, w)`` is flattened to tokens
  ``(B, h*w, C_i)``, adapted and reshaped back. Vision block ``i`` is paired with text block
  ``j(i) = clamp(round_half_up(i * num_text_blocks / num_vision_blocks), 0, num_text_blocks - 1)``:
  before the adapter after vision block ``i`` runs, the text stream is advanced through block ``j(i)``.
- ViT: the adapter sees only the ``N`` patch tokens; the ``P`` prefix (class) tokens pass through
  untouched (the decoder reads patch tokens only, and the pooled image embedding is not used).
- Decoder, ViT (the paper's): an MLP turns the pooled text embedding ``(B, embed_dim)`` into a kernel
  ``(B, D_dec)``; the last vision output's patch features are layer-normed, projected to ``D_dec``,
  upsampled x4 by two ConvTranspose2d+BN+ReLU blocks (14 -> 56 for ViT-B/16 at 224 px), and the
  logits are ``scale * <feature, kernel> / sqrt(D_dec) + bias`` per pixel, resized to the input.
- Decoder, CNN (ours: a stride-32 map alone is too coarse for small lesions): the stages before the
  last are fused top-down into one stride-4 map, U-Net style (1x1 laterals, upsample, concatenate,
  two 3x3 conv-BN-ReLU per step); the last stage (after the last adapter) is embedded on its own.
  The text kernel is dotted with both and the last stage's score map is upsampled and added. That
  last term is linear, so Monte-Carlo samples that differ only in the last stage reuse the fused map.
- Stochasticity: the adapters sample their values when ``self.stochastic`` is True; when it is
  ``None`` (default) they follow the training mode (train: stochastic as in the paper; eval:
  deterministic, means only, so evaluation, saving and loading are reproducible).
- Cheap uncertainty (:meth:`MedCLIPSeg.sample_probabilities`): the stochastic part is confined to
  the last adapter by default (``stochastic_adapters="last"``; the earlier ones use their means),
  everything before it is computed once, and only the rest runs on ``S`` copies of it, batched. On
  a CNN the last adapter follows the last stage, so a sample costs one adapter on the stride-32
  tokens, the text head, the last stage's decoder embedding and two dot products. ``stochastic_adapters="all"`` samples every
  adapter, as the paper's 30 full passes do (still reusing the part before the first adapter).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import Backbone, TextTokens
from ..backbones.fold import fold_sequential
from ..errors import ConfigError
from .base import SegmentationModel, SegmentationOutput, register_model, resize_logits
from .pvl import PVLAdapter

COMPACT_HIDDEN = 64  # adapter width on compact backbones (paper: 256)
COMPACT_DECODER_DIM = 64  # decoder width on compact backbones


def default_adapter_blocks(num_blocks: int, vision_type: str) -> list[int]:
    """Vision blocks after which an adapter runs. ViT: ``0 .. n-3`` (paper: before blocks 1-10 of 12,
    i.e. after blocks 0-9); CNN: every stage but the first. At least one block."""
    if vision_type == "vit":
        return list(range(max(1, num_blocks - 2)))
    return list(range(1, num_blocks)) if num_blocks > 1 else [0]


def paired_text_block(i: int, num_vision_blocks: int, num_text_blocks: int) -> int:
    """Text block paired with vision block ``i``: proportional depth, rounded half up, clamped."""
    j = math.floor(i * num_text_blocks / num_vision_blocks + 0.5)
    return min(max(j, 0), num_text_blocks - 1)


class _Up(nn.Sequential):
    """x2 learned upsampling: (B, D, h, w) -> (B, D, 2h, 2w)."""

    def __init__(self, dim: int) -> None:
        super().__init__(nn.ConvTranspose2d(dim, dim, 2, stride=2), nn.BatchNorm2d(dim), nn.ReLU(inplace=True))


class TextKernelDecoder(nn.Module):
    """Text MLP kernel · upsampled patch features (REFERENCE §3 decoder), for ViT towers."""

    def __init__(self, vision_width: int, embed_dim: int, dim: int) -> None:
        super().__init__()
        self.dim = dim
        self.patch_norm = nn.LayerNorm(vision_width)
        self.patch_proj = nn.Linear(vision_width, dim)
        self.text_mlp = nn.Sequential(nn.Linear(embed_dim, dim), nn.ReLU(inplace=True), nn.Linear(dim, dim))
        self.up = nn.Sequential(_Up(dim), _Up(dim))
        self.scale = nn.Parameter(torch.tensor(1.0))  # 0-dim: keeps bf16 logits bf16 under autocast
        self.bias = nn.Parameter(torch.tensor(0.0))

    def forward(self, patches: torch.Tensor, grid: tuple[int, int], text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """
        patches: (B, N, D_v) patch features, N = h * w in row-major order
        grid:    (h, w)
        text:    (B, embed_dim) pooled text embedding
        returns: logits (B, 1, 4h, 4w), patch embeddings (B, N, D_dec), text kernel (B, D_dec)
        """
        b, n, _ = patches.shape
        h, w = grid
        if n != h * w:
            raise ValueError(f"{n} patch tokens do not fill a {h}x{w} grid")
        emb = self.patch_proj(self.patch_norm(patches))  # (B, N, D)
        kernel = self.text_mlp(text)  # (B, D)
        fmap = self.up(emb.transpose(1, 2).reshape(b, self.dim, h, w))  # (B, D, 4h, 4w)
        logits = torch.einsum("bdhw,bd->bhw", fmap, kernel.to(fmap.dtype))[:, None] / math.sqrt(self.dim)
        return logits * self.scale + self.bias, emb, kernel


def _conv_bn_relu(c_in: int, c_out: int, k: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class MultiScaleTextKernelDecoder(nn.Module):
    """Text-kernel decoder over every stage of a CNN tower (see the module docstring)::

        F    = top-down U-Net fusion of stages 0 .. L-2      (B, D, h_0, w_0)   stride 4 on lite
        E    = embedding of the last stage (stride 32)         (B, D, h_L, w_L)
        k    = MLP(pooled text)                                (B, D)
        logits = a_0 <F, k> / sqrt(D) + up(a_1 <E, k> / sqrt(D)) + b

    The last stage comes after the last adapter; it enters through a linear term, so Monte-Carlo
    samples that differ only there reuse ``F`` and cost one small embedding and two dot products.
    """

    def __init__(self, stage_widths: Sequence[int], embed_dim: int, dim: int) -> None:
        super().__init__()
        self.dim = dim
        widths = list(stage_widths)
        self.lateral = nn.ModuleList(nn.Sequential(*_conv_bn_relu(c, dim, 1)) for c in widths[:-1])
        # fuse[l]: cat(up(F_{l+1}), lateral_l) -> F_l, for l = L-3 .. 0
        self.fuse = nn.ModuleList(
            nn.Sequential(*_conv_bn_relu(2 * dim, dim, 3), *_conv_bn_relu(dim, dim, 3)) for _ in widths[:-2]
        )
        self.last = nn.Sequential(*_conv_bn_relu(widths[-1], dim, 1), nn.Conv2d(dim, dim, 3, padding=1))
        self.text_mlp = nn.Sequential(nn.Linear(embed_dim, dim), nn.ReLU(inplace=True), nn.Linear(dim, dim))
        self.scales = nn.Parameter(torch.ones(2))
        self.bias = nn.Parameter(torch.tensor(0.0))
        fold_sequential(self)  # batch norms folded into the convolutions at inference (backbones/fold.py)

    def kernel(self, text: torch.Tensor) -> torch.Tensor:
        """text (B, embed_dim) -> kernel (B, D)."""
        return self.text_mlp(text)

    def fine_map(self, stages: Sequence[torch.Tensor], levels: list[torch.Tensor] | None = None) -> torch.Tensor | None:
        """Stages 0 .. L-2, each (B, C_l, h_l, w_l), finest first -> F (B, D, h_0, w_0); None for a
        one-stage tower. ``levels``, a list, receives the coarser fused maps on the way (coarsest
        first, F itself not included), for deep supervision."""
        if not stages:
            return None
        x = self.lateral[-1](stages[-1])  # (B, D, h_{L-2}, w_{L-2})
        for lvl in range(len(stages) - 2, -1, -1):
            if levels is not None:
                levels.append(x)
            lat = self.lateral[lvl](stages[lvl])  # (B, D, h_l, w_l)
            up = F.interpolate(x, size=lat.shape[-2:], mode="bilinear", align_corners=False)
            x = self.fuse[lvl](torch.cat([up, lat], dim=1))  # (B, D, h_l, w_l)
        return x

    def level_logits(self, levels: Sequence[torch.Tensor], last: torch.Tensor, kernel: torch.Tensor) -> list[torch.Tensor]:
        """Deep supervision's side outputs, each scored on its own with the text kernel as the
        output is: the last stage ``a_1 <E, k> / sqrt(D) + b`` (B, 1, h_L, w_L) and each coarser fused
        map ``a_0 <F_l, k> / sqrt(D) + b`` (B, 1, h_l, w_l), coarsest first."""
        k = kernel.to(last.dtype)
        return [self._score(last, k, 1) + self.bias, *(self._score(x, k, 0) + self.bias for x in levels)]

    def _score(self, fmap: torch.Tensor, kernel: torch.Tensor, scale: int) -> torch.Tensor:
        """``scales[scale] * <fmap, kernel> / sqrt(D)``: (B, D, h, w), (B, D) -> (B, 1, h, w)."""
        return torch.einsum("bdhw,bd->bhw", fmap, kernel)[:, None] * (self.scales[scale] / math.sqrt(self.dim))

    def last_map(self, stage: torch.Tensor) -> torch.Tensor:
        """The last stage (B, C_L, h_L, w_L) -> E (B, D, h_L, w_L)."""
        return self.last(stage)

    def scores(self, fine: torch.Tensor | None, last: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """
        fine:   (B', D, h_0, w_0) or None; B' = B, or the B images that ``kernel``'s R samples share
        last:   (B, D, h_L, w_L)
        kernel: (B, D), B = R * B' (sample-major)
        returns logits (B, 1, h_0, w_0) (h_L, w_L for a one-stage tower)
        """
        d = math.sqrt(self.dim)
        k = kernel.to(last.dtype)
        out = self._score(last, k, 1)  # (B, 1, h_L, w_L)
        if fine is not None:
            r = kernel.shape[0] // fine.shape[0]
            f = torch.einsum("bdhw,rbd->rbhw", fine, k.view(r, fine.shape[0], self.dim))  # (R, B', h_0, w_0)
            out = resize_logits(out, tuple(fine.shape[-2:])) + f.reshape(kernel.shape[0], 1, *fine.shape[-2:]) * (self.scales[0] / d)
        return out + self.bias

    def forward(
        self, stages: Sequence[torch.Tensor], text: torch.Tensor, side: list[torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """
        stages:  one (B, C_l, h_l, w_l) map per stage, finest first
        text:    (B, embed_dim) pooled text embedding
        side:    a list that receives :meth:`level_logits` (deep supervision), when given
        returns: logits (B, 1, h_0, w_0), last-stage embeddings (B, h_L*w_L, D), text kernel (B, D)
        """
        last = self.last_map(stages[-1])
        kernel = self.kernel(text)
        levels: list[torch.Tensor] | None = [] if side is not None else None
        logits = self.scores(self.fine_map(stages[:-1], levels), last, kernel)
        if side is not None:
            side.extend(self.level_logits(levels or [], last, kernel))
        return logits, last.flatten(2).transpose(1, 2), kernel


@dataclass
class _Stream:
    """Where a pass through both towers has got to: vision activation ``x`` after vision block ``vi``
    (its adapter applied if it has one), text tokens ``t`` after text block ``tj``, and the decoder's
    inputs gathered so far (CNN: per-stage outputs or their embeddings)."""

    x: torch.Tensor
    t: torch.Tensor
    vi: int
    tj: int
    stages: list[torch.Tensor]


class MedCLIPSeg(SegmentationModel):
    """A frozen backbone with PVL adapters between its blocks and a text-kernel decoder.

    Args:
        backbone: any backbone (ViT or CNN image tower); frozen.
        adapter_blocks: vision blocks after which an adapter runs (see the module docstring).
        hidden: adapter width (paper: 256; compact backbones: 64).
        heads: heads of the adapters' cross-attention.
        beta: uncertainty penalty β of the probabilistic attention (paper: 2.35).
        decoder_dim: decoder width D_dec (default 256; compact backbones: 64).
        stochastic: ``None`` (follow train/eval mode), True or False (force).
        image_size: input size to preprocess to (default: the backbone's).
        tune_last_stage: also train the image tower's last stage (lite towers), the rest frozen.
    """

    def __init__(
        self,
        backbone: Backbone,
        *,
        adapter_blocks: Sequence[int] | None = None,
        hidden: int | None = None,
        heads: int = 1,
        beta: float = 2.35,
        decoder_dim: int | None = None,
        stochastic: bool | None = None,
        image_size: int | None = None,
        tune_last_stage: bool = False,
    ) -> None:
        super().__init__()
        self.backbone = backbone.freeze(True)
        if tune_last_stage:
            # the image tower's last stage trains with the adapters (its batch norms keep their
            # statistics: a frozen backbone stays in eval mode); its weights travel in the model's file
            first = list(adapter_blocks)[0] if adapter_blocks is not None else default_adapter_blocks(
                backbone.num_vision_blocks, backbone.vision_type)[0]
            if first >= backbone.num_vision_blocks - 1:
                raise ConfigError("model.kwargs.tune_last_stage: the last image stage must come after the first adapter "
                                  f"(adapter_blocks[0] = {first} < {backbone.num_vision_blocks - 1}); what runs before "
                                  "it is computed without gradients (and cached)")
            stage = backbone.last_stage_modules()
            for module in stage.values():
                module.requires_grad_(True)
            backbone.carry_modules(stage)
        self._image_size = image_size
        n, t = backbone.num_vision_blocks, backbone.num_text_blocks
        if t < 1:
            raise ConfigError(f"medclipseg: backbone {backbone.name!r} has no text blocks to adapt")
        blocks = list(adapter_blocks) if adapter_blocks is not None else default_adapter_blocks(n, backbone.vision_type)
        if not blocks or sorted(set(blocks)) != blocks or not all(0 <= i < n for i in blocks):
            raise ConfigError(f"adapter_blocks: need increasing block indices in [0, {n - 1}], got {blocks}")
        self.adapter_blocks = blocks
        self.text_pairs = [paired_text_block(i, n, t) for i in blocks]
        hidden = hidden or (COMPACT_HIDDEN if backbone.compact else 256)
        decoder_dim = decoder_dim or (COMPACT_DECODER_DIM if backbone.compact else 256)
        self.adapters = nn.ModuleList(
            PVLAdapter(backbone.vision_widths[i], backbone.text_width, hidden, heads, beta) for i in blocks
        )
        self.cnn = backbone.vision_type != "vit"
        if self.cnn:
            self.decoder = MultiScaleTextKernelDecoder(backbone.vision_widths, backbone.embed_dim, decoder_dim)
        else:
            self.decoder = TextKernelDecoder(backbone.vision_widths[-1], backbone.embed_dim, decoder_dim)
        self.stochastic = stochastic
        # set by the training module when loss.deep_supervision > 0: the decoder's coarser levels are
        # scored too (aux side_logits), in training only; not part of the model's record
        self.side_outputs = False

    @property
    def supports_side_outputs(self) -> bool:
        return self.cnn

    def _is_stochastic(self) -> bool:
        return self.training if self.stochastic is None else bool(self.stochastic)

    # ---- the pieces of a pass ----------------------------------------------------------------------

    def _vision_to(self, s: _Stream, i: int) -> None:
        """Advance the vision stream through block ``i`` (no adapter), keeping CNN stage outputs."""
        while s.vi < i:
            s.vi += 1
            s.x = self.backbone.vision_block(s.vi, s.x)
            if self.cnn and s.vi not in self.adapter_blocks:
                s.stages.append(s.x)

    def _text_to(self, s: _Stream, j: int, tokens: TextTokens) -> None:
        while s.tj < j:
            s.tj += 1
            s.t = self.backbone.text_block(s.tj, s.t, tokens)

    def _adapt(self, k: int, s: _Stream, pad: torch.Tensor, stochastic: bool) -> None:
        """Adapter ``k`` on the current streams (vision must be at ``adapter_blocks[k]``)."""
        adapter = self.adapters[k]
        if not self.cnn:
            p = self.backbone.num_prefix_tokens
            patches, s.t = adapter(s.x[:, p:], s.t, pad, stochastic)  # prefix tokens untouched
            s.x = torch.cat([s.x[:, :p], patches], dim=1)
            return
        b, c, h, w = s.x.shape
        tokens, s.t = adapter(s.x.flatten(2).transpose(1, 2), s.t, pad, stochastic)  # (B, h*w, C)
        s.x = tokens.transpose(1, 2).reshape(b, c, h, w)
        s.stages.append(s.x)

    def frozen_features(self, images: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The frozen, deterministic image part before the first adapter, computed without gradients:
        the vision activation after block ``adapter_blocks[0]`` and (CNN) the earlier stage outputs
        the decoder reads. A tuple of tensors with the batch first; cacheable across epochs."""
        bb = self.backbone
        with torch.no_grad():
            x = bb.vision_embed(images)
            stages = []
            for i in range(self.adapter_blocks[0] + 1):
                x = bb.vision_block(i, x)
                if self.cnn and i < self.adapter_blocks[0]:
                    stages.append(x)
        return (*stages, x)

    def _start(self, features: Sequence[torch.Tensor], tokens: TextTokens) -> _Stream:
        """A stream positioned just before the first adapter: vision from ``features`` (see
        :meth:`frozen_features`), text through the first adapter's paired block (frozen, no grad)."""
        bb = self.backbone
        # the text tower up to the first adapter sees only the prompt: each distinct prompt runs once
        # (a batch usually asks one question of every image); not for a text tower in training,
        # where each row keeps its own dropout
        head, inverse = tokens.distinct() if bb.frozen or not bb.training else (tokens, None)
        with torch.set_grad_enabled(torch.is_grad_enabled() and not bb.frozen):
            t = bb.text_embed(head)  # (U or B, L, D_t)
            for j in range(self.text_pairs[0] + 1):
                t = bb.text_block(j, t, head)
        if inverse is not None:
            t = t[inverse]  # (B, L, D_t)
        return _Stream(x=features[-1], t=t, vi=self.adapter_blocks[0], tj=self.text_pairs[0], stages=list(features[:-1]))

    def _run(self, s: _Stream, tokens: TextTokens, first: int, last: int, stochastic: Sequence[bool]) -> None:
        """Adapters ``first .. last - 1`` with the frozen blocks between them; adapter ``k`` samples when
        ``stochastic[k]``."""
        pad = tokens.attention_mask == 0  # (B, L) True = padding
        for k in range(first, last):
            self._vision_to(s, self.adapter_blocks[k])
            self._text_to(s, self.text_pairs[k], tokens)
            self._adapt(k, s, pad, stochastic[k])

    def _finish(self, s: _Stream, tokens: TextTokens, images_hw: tuple[int, int], fine: torch.Tensor | None = None) -> SegmentationOutput:
        """The rest of both towers after the last adapter, then the decoder. ``fine``: the CNN
        decoder's fused map of the stages before the last, when it was computed once before sampling."""
        bb = self.backbone
        self._vision_to(s, bb.num_vision_blocks - 1)
        self._text_to(s, bb.num_text_blocks - 1, tokens)
        _, text_pooled = bb.text_head(s.t, tokens)  # (B, embed_dim)
        side: list[torch.Tensor] | None = [] if self.side_outputs and self.cnn and self.training and fine is None else None
        if self.cnn:
            dec = self.decoder
            if fine is None:
                logits, patch_embeds, text_embeds = dec(s.stages, text_pooled, side)  # (B, 1, h_0, w_0), ...
            else:  # the stages before the last were fused once, before sampling
                last = dec.last_map(s.stages[-1])  # (B, D, h_L, w_L)
                text_embeds = dec.kernel(text_pooled)  # (B, D)
                logits = dec.scores(fine, last, text_embeds)
                patch_embeds = last.flatten(2).transpose(1, 2)  # (B, h_L*w_L, D)
        else:
            sv = bb.vision_strides[-1]
            grid = (images_hw[0] // sv, images_hw[1] // sv)
            patches = s.x[:, bb.num_prefix_tokens:]  # (B, N, D_v)
            logits, patch_embeds, text_embeds = self.decoder(patches, grid, text_pooled)
        aux = {"patch_embeds": patch_embeds, "text_embeds": text_embeds}
        if side:  # in training, CNN decoder: side outputs at strides 32, 16, 8 (loss.deep_supervision)
            aux["side_logits"] = side
        return SegmentationOutput(logits=resize_logits(logits, images_hw), aux=aux)

    # ---- public API ----------------------------------------------------------------------------------

    def forward(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:
        """
        images:  (B, 3, H, W) normalised for the backbone
        prompts: B strings
        returns: logits (B, 1, H, W); aux: patch_embeds (B, N, D_dec) (N = h*w of the last vision
                 output), text_embeds (B, D_dec) (the decoder's text kernel), for the soft patch
                 contrastive loss; in training on a CNN tower with ``side_outputs`` set, side_logits:
                 a list of (B, 1, h_l, w_l) logits of the decoder's coarser levels (deep supervision)
        """
        self.check_inputs(images, prompts)
        return self.forward_features(self.frozen_features(images), prompts, tuple(images.shape[-2:]))

    def forward_features(
        self, features: Sequence[torch.Tensor], prompts: Sequence[str], image_hw: tuple[int, int]
    ) -> SegmentationOutput:
        """:meth:`forward` from :meth:`frozen_features` (possibly cached): same output."""
        if len(prompts) != features[-1].shape[0]:
            raise ConfigError(f"{self.name}: need one prompt per image: {features[-1].shape[0]} image(s), {len(prompts)} prompt(s)")
        return self._from_features(features, self.backbone.tokenize(list(prompts)), tuple(image_hw))

    def forward_tokens(self, images: torch.Tensor, tokens: TextTokens) -> SegmentationOutput:
        """
        images: (B, 3, H, W) normalised for the backbone
        tokens: input_ids and attention_mask (B, L) from ``self.backbone.tokenize``
        returns: as :meth:`forward`
        """
        return self._from_features(self.frozen_features(images), tokens, tuple(images.shape[-2:]))

    def _from_features(self, features: Sequence[torch.Tensor], tokens: TextTokens, image_hw: tuple[int, int]) -> SegmentationOutput:
        s = self._start(features, tokens)
        n = len(self.adapter_blocks)
        self._run(s, tokens, 0, n, [self._is_stochastic()] * n)
        return self._finish(s, tokens, image_hw)

    @torch.inference_mode()
    def sample_probabilities(
        self,
        images: torch.Tensor,
        prompts: Sequence[str],
        samples: int = 30,
        *,
        stochastic: bool = True,
        stochastic_adapters: str = "last",
        chunk: int = 32,
    ) -> torch.Tensor:
        """Monte-Carlo probabilities ``(S, B, 1, H, W)`` for ``images`` (B, 3, H, W) and B prompts.

        Runs in eval mode (fixed batch-norm statistics). ``stochastic_adapters="last"`` samples only
        the last adapter (the others use their means); ``"all"`` samples every adapter. The
        deterministic part before the first sampled adapter is computed once (on a CNN whose stages
        but the last are all fixed by then, with the decoder's fused map of them); its activations are repeated ``chunk`` times
        along the batch (``chunk * B`` rows per pass) and only the rest runs, ``S`` times.
        ``stochastic=False`` gives S copies of :meth:`predict`.
        """
        self.check_inputs(images, prompts)
        if samples < 1 or chunk < 1:
            raise ConfigError(f"samples and chunk must be >= 1, got samples={samples}, chunk={chunk}")
        if stochastic_adapters not in ("last", "all"):
            raise ConfigError(f"stochastic_adapters: expected 'last' or 'all', got {stochastic_adapters!r}")
        was_training = self.training
        self.eval()
        try:
            n = len(self.adapter_blocks)
            first = n - 1 if stochastic_adapters == "last" else 0
            hw = tuple(images.shape[-2:])
            b = images.shape[0]
            tokens = self.backbone.tokenize(list(prompts))
            s = self._start(self.frozen_features(images), tokens)
            self._run(s, tokens, 0, first, [False] * n)
            self._vision_to(s, self.adapter_blocks[first])  # frozen blocks up to the sampled adapter
            self._text_to(s, self.text_pairs[first], tokens)
            fine = None
            if self.cnn and len(s.stages) == self.backbone.num_vision_blocks - 1:
                # every stage but the last is fixed across samples: fuse them once
                fine = self.decoder.fine_map(s.stages)
            out = []
            done = 0
            while done < samples:
                c = min(chunk, samples - done)
                rep = (c,) + (1,) * (s.x.ndim - 1)
                toks = TextTokens(tokens.input_ids.repeat(c, 1), tokens.attention_mask.repeat(c, 1))
                # stages fixed before the sampled part keep B rows (the fused map broadcasts over the
                # samples); stage outputs inside the sampled part come out with c * B rows
                stages = [f.repeat((c,) + (1,) * (f.ndim - 1)) for f in s.stages] if fine is None else list(s.stages)
                sc = _Stream(x=s.x.repeat(rep), t=s.t.repeat(c, 1, 1), vi=s.vi, tj=s.tj, stages=stages)
                self._run(sc, toks, first, n, [stochastic] * n)
                logits = self._finish(sc, toks, hw, fine=fine).logits  # (c*B, 1, H, W), sample-major
                out.append(torch.sigmoid(logits.float()).view(c, b, *logits.shape[1:]))
                done += c
            return torch.cat(out, dim=0)
        finally:
            self.train(was_training)


@register_model("medclipseg", default_backbone="lite", backbones=("vit", "cnn"), paper="CVPR 2026")
def build_medclipseg(backbone: Backbone, **kwargs) -> MedCLIPSeg:
    """MedCLIPSeg: probabilistic vision-language adapters in a frozen backbone, text-kernel decoder,
    Monte-Carlo uncertainty."""
    return MedCLIPSeg(backbone, **kwargs)
