"""MedCLIPSeg: probabilistic vision-language (PVL) adapters between the blocks of a frozen image-text
backbone, and a light text-kernel decoder.

"MedCLIPSeg: Probabilistic Vision-Language Adaptation for Data-Efficient and Generalizable Medical
Image Segmentation", CVPR 2026 (REFERENCE §3).

Design (see REFERENCE §3 for the paper's choices):

- The backbone is frozen; only the adapters and the decoder train. Gradients flow *through* the
  frozen blocks that follow the first adapter; everything before the first adapter runs without
  gradients (nothing trainable is upstream of it).
- Both towers run step by step, together. ``adapter_blocks`` lists the vision blocks *after* which
  a :class:`~medvlseg.models.pvl.PVLAdapter` runs. Default on a ViT: blocks ``0 .. n-3`` (the paper's
  "before blocks 1-10" of a 12-block ViT-B, scaled to ``n`` blocks); on a CNN: after every stage but
  the last (the stage map ``(B, C_i, h, w)`` is flattened to tokens ``(B, h*w, C_i)``, adapted and
  reshaped back). Vision block ``i`` is paired with text block
  ``j(i) = clamp(round_half_up(i * num_text_blocks / num_vision_blocks), 0, num_text_blocks - 1)``:
  before the adapter after vision block ``i`` runs, the text stream is advanced through block ``j(i)``.
- ViT: the adapter sees only the ``N`` patch tokens; the ``P`` prefix (class) tokens pass through
  untouched (the decoder reads patch tokens only, and the pooled image embedding is not used).
- Decoder: an MLP turns the pooled text embedding ``(B, embed_dim)`` into a kernel ``(B, D_dec)``; the
  last vision output's patch features (ViT patch tokens, CNN last stage map) are layer-normed,
  projected to ``D_dec``, upsampled x4 by two ConvTranspose2d+BN+ReLU blocks (14 -> 56 for ViT-B/16
  at 224 px), and the logits are ``scale * <feature, kernel> / sqrt(D_dec) + bias`` per pixel,
  bilinearly resized to the input.
- Stochasticity: the adapters sample their values when ``self.stochastic`` is True; when it is
  ``None`` (default) they follow the training mode (train: stochastic as in the paper; eval:
  deterministic, means only, so evaluation, saving and loading are reproducible).
- Cheap uncertainty (:meth:`MedCLIPSeg.sample_probabilities`): the deterministic part before the
  first adapter is computed once, and only the rest is run on ``S`` copies of it, batched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import Backbone, TextTokens
from ..errors import ConfigError
from .base import SegmentationModel, SegmentationOutput, register_model, resize_logits
from .pvl import PVLAdapter

COMPACT_HIDDEN = 64  # adapter width on compact backbones (paper: 256)
COMPACT_DECODER_DIM = 64  # decoder width on compact backbones


def default_adapter_blocks(num_blocks: int, vision_type: str) -> list[int]:
    """Vision blocks after which an adapter runs. ViT: ``0 .. n-3`` (paper: before blocks 1-10 of 12,
    i.e. after blocks 0-9); CNN: every stage but the last. At least one block."""
    last = num_blocks - 2 if vision_type == "vit" else num_blocks - 1
    return list(range(max(1, last)))


def paired_text_block(i: int, num_vision_blocks: int, num_text_blocks: int) -> int:
    """Text block paired with vision block ``i``: proportional depth, rounded half up, clamped."""
    j = math.floor(i * num_text_blocks / num_vision_blocks + 0.5)
    return min(max(j, 0), num_text_blocks - 1)


class _Up(nn.Sequential):
    """x2 learned upsampling: (B, D, h, w) -> (B, D, 2h, 2w)."""

    def __init__(self, dim: int) -> None:
        super().__init__(nn.ConvTranspose2d(dim, dim, 2, stride=2), nn.BatchNorm2d(dim), nn.ReLU(inplace=True))


class TextKernelDecoder(nn.Module):
    """Text MLP kernel · upsampled patch features (REFERENCE §3 decoder)."""

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
    ) -> None:
        super().__init__()
        self.backbone = backbone.freeze(True)
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
        self.decoder = TextKernelDecoder(backbone.vision_widths[-1], backbone.embed_dim, decoder_dim)
        self.stochastic = stochastic

    @property
    def image_size(self) -> int:
        return self._image_size or self.backbone.image_size

    def _is_stochastic(self) -> bool:
        return self.training if self.stochastic is None else bool(self.stochastic)

    # ---- the two halves of a pass -----------------------------------------------------------------

    def _before_adapters(self, images: torch.Tensor, tokens: TextTokens) -> tuple[torch.Tensor, torch.Tensor]:
        """Frozen, deterministic part: vision through block ``adapter_blocks[0]``, text through its
        paired block. Returns (vision activation, text tokens (B, L, D_t))."""
        bb = self.backbone
        with torch.set_grad_enabled(torch.is_grad_enabled() and not bb.frozen):
            x = bb.vision_embed(images)
            for i in range(self.adapter_blocks[0] + 1):
                x = bb.vision_block(i, x)
            t = bb.text_embed(tokens)
            for j in range(self.text_pairs[0] + 1):
                t = bb.text_block(j, t, tokens)
        return x, t

    def _adapt(self, k: int, x: torch.Tensor, t: torch.Tensor, pad: torch.Tensor, stochastic: bool) -> tuple[torch.Tensor, torch.Tensor]:
        adapter = self.adapters[k]
        if self.backbone.vision_type == "vit":
            p = self.backbone.num_prefix_tokens
            patches, t = adapter(x[:, p:], t, pad, stochastic)  # prefix tokens untouched
            return torch.cat([x[:, :p], patches], dim=1), t
        b, c, h, w = x.shape
        tokens, t = adapter(x.flatten(2).transpose(1, 2), t, pad, stochastic)  # (B, h*w, C)
        return tokens.transpose(1, 2).reshape(b, c, h, w), t

    def _after_adapters(
        self, x: torch.Tensor, t: torch.Tensor, tokens: TextTokens, images_hw: tuple[int, int], stochastic: bool
    ) -> SegmentationOutput:
        """Adapters and the rest of both towers (gradients flow through the frozen blocks), then the
        decoder. ``x``/``t`` come from :meth:`_before_adapters` (possibly repeated along the batch)."""
        bb = self.backbone
        pad = tokens.attention_mask == 0  # (B, L) True = padding
        vi, tj = self.adapter_blocks[0], self.text_pairs[0]
        for k, (i, j) in enumerate(zip(self.adapter_blocks, self.text_pairs)):
            while vi < i:
                vi += 1
                x = bb.vision_block(vi, x)
            while tj < j:
                tj += 1
                t = bb.text_block(tj, t, tokens)
            x, t = self._adapt(k, x, t, pad, stochastic)
        for i in range(vi + 1, bb.num_vision_blocks):
            x = bb.vision_block(i, x)
        for j in range(tj + 1, bb.num_text_blocks):
            t = bb.text_block(j, t, tokens)
        _, text_pooled = bb.text_head(t, tokens)  # (B, embed_dim)
        if bb.vision_type == "vit":
            s = bb.vision_strides[-1]
            grid = (images_hw[0] // s, images_hw[1] // s)
            patches = x[:, bb.num_prefix_tokens:]  # (B, N, D_v)
        else:
            grid = tuple(x.shape[-2:])
            patches = x.flatten(2).transpose(1, 2)  # (B, h*w, C)
        logits, patch_embeds, text_embeds = self.decoder(patches, grid, text_pooled)
        return SegmentationOutput(
            logits=resize_logits(logits, images_hw),
            aux={"patch_embeds": patch_embeds, "text_embeds": text_embeds},
        )

    # ---- public API ----------------------------------------------------------------------------------

    def forward(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:
        """
        images:  (B, 3, H, W) normalised for the backbone
        prompts: B strings
        returns: logits (B, 1, H, W); aux: patch_embeds (B, N, D_dec) (N = h*w of the last vision
                 output), text_embeds (B, D_dec) (the decoder's text kernel), for the soft patch
                 contrastive loss
        """
        self.check_inputs(images, prompts)
        tokens = self.backbone.tokenize(list(prompts))
        x, t = self._before_adapters(images, tokens)
        return self._after_adapters(x, t, tokens, tuple(images.shape[-2:]), self._is_stochastic())

    @torch.inference_mode()
    def sample_probabilities(
        self,
        images: torch.Tensor,
        prompts: Sequence[str],
        samples: int = 30,
        *,
        stochastic: bool = True,
        chunk: int = 8,
    ) -> torch.Tensor:
        """Monte-Carlo probabilities ``(S, B, 1, H, W)`` for ``images`` (B, 3, H, W) and B prompts.

        Runs in eval mode (fixed batch-norm statistics). The part before the first adapter is
        deterministic, so it is computed once; its activations are repeated ``chunk`` times along
        the batch (``chunk * B`` rows per pass) and only the adapters onwards run, stochastically
        (``stochastic=False``: deterministically, giving S copies of :meth:`predict`).
        """
        self.check_inputs(images, prompts)
        if samples < 1 or chunk < 1:
            raise ConfigError(f"samples and chunk must be >= 1, got samples={samples}, chunk={chunk}")
        was_training = self.training
        self.eval()
        try:
            b = images.shape[0]
            tokens = self.backbone.tokenize(list(prompts))
            x, t = self._before_adapters(images, tokens)
            out = []
            done = 0
            while done < samples:
                c = min(chunk, samples - done)
                rep = (c,) + (1,) * (x.ndim - 1)
                toks = TextTokens(tokens.input_ids.repeat(c, 1), tokens.attention_mask.repeat(c, 1))
                logits = self._after_adapters(
                    x.repeat(rep), t.repeat(c, 1, 1), toks, tuple(images.shape[-2:]), stochastic
                ).logits  # (c*B, 1, H, W), sample-major
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
