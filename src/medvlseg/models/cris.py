"""CRIS: multi-scale visual features fused with the sentence, a vision-language transformer decoder,
and a text-to-pixel contrastive head (the sentence turned into a per-sample 3x3 convolution).

Wang et al., "CRIS: CLIP-Driven Referring Image Segmentation", CVPR 2022, arXiv:2111.15174.

The original runs on CLIP ResNet-50 (stages at strides 8/16/32) and CLIP's text transformer, and
fine-tunes both. Here any backbone works, frozen by default (``finetune_backbone=True`` trains it):

- CNN image tower: the stages whose ``vision_strides`` are 8, 16 and 32, used directly.
- ViT image tower: the tokens of three blocks (a third, two thirds and all the way deep) are
  layer-normed, reshaped to the patch grid and resampled to strides 8, 16 and 32 with the "simple
  feature pyramid" of ViTDet (Li et al., "Exploring Plain Vision Transformer Backbones for Object
  Detection", ECCV 2022, arXiv:2203.16527): transposed convolutions to go finer, identity, max
  pooling to go coarser. ViTDet builds all levels from the last block; here the finer levels come
  from shallower blocks, as CRIS takes its levels from shallower ResNet stages.

Widths follow CRIS (decoder width 512 = CLIP's text width, FPN widths 256/512/1024, FFN 2048) when
the backbone's text width is 512; otherwise the decoder width is the text width clamped to
[64, 512], or ``COMPACT_DIM`` (128) on a compact backbone (``lite``: 2.4x faster on a CPU, see
BENCHMARKS.md); ``dim`` overrides both, and the other widths scale with it.

Avoided from public VLSM code (REFERENCE §5): every attention is ``batch_first`` and masks the
padding of the text, so a sample's output never depends on the other images or prompts of its batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import Backbone
from ..errors import ConfigError
from .base import SegmentationModel, SegmentationOutput, register_model, resize_logits

__all__ = [
    "CRIS",
    "CRISDecoder",
    "CRISDecoderLayer",
    "CRISNeck",
    "CoordConv",
    "TextToPixelHead",
    "ViTPyramid",
    "build_cris",
    "coord_channels",
    "sine_pos_1d",
    "sine_pos_2d",
]

PYRAMID_STRIDES = (8, 16, 32)


# ------------------------------------------------------------------------------------ small parts


def conv_bn_relu(c_in: int, c_out: int, k: int = 1) -> nn.Sequential:
    """``k x k`` convolution (same padding, no bias), batch norm, ReLU."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


def coord_channels(x: torch.Tensor) -> torch.Tensor:
    """The (x, y) coordinate channels in [-1, 1] for a map ``x`` (B, C, h, w): returns (B, 2, h, w)."""
    b, _, h, w = x.shape
    xs = torch.linspace(-1.0, 1.0, w, device=x.device, dtype=x.dtype).view(1, 1, 1, w).expand(b, 1, h, w)
    ys = torch.linspace(-1.0, 1.0, h, device=x.device, dtype=x.dtype).view(1, 1, h, 1).expand(b, 1, h, w)
    return torch.cat([xs, ys], dim=1)


COMPACT_DIM = 128  # neck/decoder width on compact backbones (lite): cost falls with dim^2

class CoordConv(nn.Module):
    """CoordConv (Liu et al., arXiv:1807.03247): two coordinate channels appended, then conv-BN-ReLU."""

    def __init__(self, c_in: int, c_out: int, k: int = 3) -> None:
        super().__init__()
        self.conv = conv_bn_relu(c_in + 2, c_out, k)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C_in, h, w) -> (B, C_out, h, w)"""
        return self.conv(torch.cat([x, coord_channels(x)], dim=1))  # (B, C_in + 2, h, w) -> conv


def _sine_table(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """Transformer sine table: positions (n,) -> (n, dim), channels interleaved sin, cos."""
    freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32, device=positions.device) * (-math.log(10000.0) / dim))
    angles = positions.float()[:, None] * freq[None]  # (n, dim/2)
    return torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(1)  # (n, dim)


def sine_pos_1d(length: int, dim: int, device: torch.device | None = None) -> torch.Tensor:
    """1-D sine positional encoding (L, dim) for the word tokens; ``dim`` even."""
    return _sine_table(torch.arange(length, device=device), dim)


def sine_pos_2d(h: int, w: int, dim: int, device: torch.device | None = None) -> torch.Tensor:
    """2-D sine positional encoding (h * w, dim), row-major: the first half of the channels encodes
    the column (x), the second half the row (y), as in CRIS; ``dim`` a multiple of 4."""
    half = dim // 2
    pe_x = _sine_table(torch.arange(w, device=device), half)  # (w, dim/2)
    pe_y = _sine_table(torch.arange(h, device=device), half)  # (h, dim/2)
    grid = torch.cat([pe_x[None].expand(h, w, half), pe_y[:, None].expand(h, w, half)], dim=-1)  # (h, w, dim)
    return grid.reshape(h * w, dim)


class LayerNorm2d(nn.Module):
    """Layer norm over the channels of a (B, C, h, w) map, as ViTDet's simple feature pyramid uses."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # (B, h, w, C) normed -> (B, C, h, w)


# --------------------------------------------------------------------------- ViT feature pyramid


class _Resample(nn.Module):
    """Resample a (B, D, h, w) map by ``ratio`` (a power of two) to (ceil(h * ratio), ceil(w * ratio)):
    ViTDet's transposed convolutions (each halving the width) to go finer, identity, or max pooling
    to go coarser. Any other ratio (a patch size that is not a power of two) falls back to bilinear
    interpolation."""

    def __init__(self, dim: int, ratio: Fraction) -> None:
        super().__init__()
        self.ratio = ratio
        self.interp = False
        layers: list[nn.Module] = []
        width = dim
        if ratio > 1 and ratio.denominator == 1 and (ratio.numerator & (ratio.numerator - 1)) == 0:
            for k in range(int(math.log2(ratio.numerator))):
                if k:
                    layers += [LayerNorm2d(width), nn.GELU()]
                layers.append(nn.ConvTranspose2d(width, width // 2, kernel_size=2, stride=2))
                width //= 2
        elif ratio < 1 and ratio.numerator == 1:
            layers.append(nn.MaxPool2d(kernel_size=ratio.denominator, stride=ratio.denominator, ceil_mode=True))
        elif ratio != 1:
            self.interp = True
        self.layers = nn.Sequential(*layers)
        self.out_width = width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.interp:
            size = (math.ceil(x.shape[-2] * self.ratio), math.ceil(x.shape[-1] * self.ratio))
            return F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        return self.layers(x)


class ViTPyramid(nn.Module):
    """Three ViT blocks' tokens -> maps at strides 8, 16, 32 (ViTDet's simple feature pyramid, one
    block per level). ``out_widths`` gives each level's channels."""

    def __init__(self, width: int, patch: int, num_prefix: int, strides: Sequence[int] = PYRAMID_STRIDES) -> None:
        super().__init__()
        self.num_prefix = num_prefix
        self.norms = nn.ModuleList([nn.LayerNorm(width) for _ in strides])
        self.resamples = nn.ModuleList([_Resample(width, Fraction(patch, s)) for s in strides])
        self.out_widths = [r.out_width for r in self.resamples]

    def forward(self, tokens: Sequence[torch.Tensor], grid: tuple[int, int]) -> list[torch.Tensor]:
        """
        tokens: one per level, each (B, P + h*w, D) with P = ``num_prefix`` class tokens
        grid:   the patch grid (h, w)
        returns: maps (B, out_widths[i], ceil(h * patch / s_i), ceil(w * patch / s_i)) for s_i = 8, 16, 32
        """
        h, w = grid
        maps = []
        for x, norm, resample in zip(tokens, self.norms, self.resamples):
            x = norm(x[:, self.num_prefix:])  # (B, h*w, D)
            x = x.transpose(1, 2).reshape(x.shape[0], -1, h, w)  # (B, D, h, w)
            maps.append(resample(x))
        return maps


# ------------------------------------------------------------------------------------------- neck


class CRISNeck(nn.Module):
    """Sentence-fused top-down FPN of CRIS. Inputs at strides 8/16/32; output at stride 16 with
    ``widths[1]`` channels and coordinate channels mixed in (CoordConv)."""

    def __init__(self, in_widths: Sequence[int], widths: Sequence[int], sentence_dim: int) -> None:
        super().__init__()
        c3, c4, c5 = in_widths
        o3, o4, o5 = widths
        self.txt_proj = nn.Linear(sentence_dim, o5)
        # fusion 1: the deepest map times the sentence vector
        self.f5_proj = nn.Conv2d(c5, o5, 1, bias=False)
        self.f5_norm = nn.Sequential(nn.BatchNorm2d(o5), nn.ReLU(inplace=True))
        # fusion 2: stride 16 with the upsampled fused map
        self.f4_proj = conv_bn_relu(c4, o4, 3)
        self.f4_cat = conv_bn_relu(o5 + o4, o4, 1)
        # fusion 3: stride 8, pooled to stride 16, with the result of fusion 2
        self.f3_proj = conv_bn_relu(c3, o3, 3)
        self.f3_cat = conv_bn_relu(o3 + o4, o4, 1)
        # aggregation of the three fused maps at stride 16
        self.q5 = conv_bn_relu(o5, o4, 3)
        self.q4 = conv_bn_relu(o4, o4, 3)
        self.q3 = conv_bn_relu(o4, o4, 3)
        self.aggr = conv_bn_relu(3 * o4, o4, 1)
        self.coord = nn.Sequential(CoordConv(o4, o4, 3), conv_bn_relu(o4, o4, 3))

    def forward(self, feats: Sequence[torch.Tensor], sentence: torch.Tensor) -> torch.Tensor:
        """
        feats:    v3 (B, c3, h3, w3) stride 8, v4 (B, c4, h4, w4) stride 16, v5 (B, c5, h5, w5) stride 32
        sentence: (B, E) pooled text embedding
        returns:  (B, o4, h4, w4)
        """
        v3, v4, v5 = feats
        size4 = v4.shape[-2:]
        s = self.txt_proj(sentence)[:, :, None, None]  # (B, o5, 1, 1)
        f5 = self.f5_norm(self.f5_proj(v5) * s)  # (B, o5, h5, w5)
        f5_up = F.interpolate(f5, size=size4, mode="bilinear", align_corners=False)  # (B, o5, h4, w4)
        f4 = self.f4_cat(torch.cat([self.f4_proj(v4), f5_up], dim=1))  # (B, o4, h4, w4)
        f3 = F.adaptive_avg_pool2d(self.f3_proj(v3), size4)  # (B, o3, h4, w4)
        f3 = self.f3_cat(torch.cat([f3, f4], dim=1))  # (B, o4, h4, w4)
        q5 = F.interpolate(self.q5(f5), size=size4, mode="bilinear", align_corners=False)  # (B, o4, h4, w4)
        q = self.aggr(torch.cat([self.q3(f3), self.q4(f4), q5], dim=1))  # (B, 3*o4, h4, w4) -> (B, o4, h4, w4)
        return self.coord(q)


# ---------------------------------------------------------------------------------------- decoder


class CRISDecoderLayer(nn.Module):
    """Pre-norm layer: self-attention over pixels, cross-attention to words, FFN; CRIS's extra
    norms after each attention. All attention is batch-first: samples never attend to each other."""

    def __init__(self, dim: int, heads: int, ffn: int, dropout: float) -> None:
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.self_attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.self_attn_norm = nn.LayerNorm(dim)
        self.cross_attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.cross_attn_norm = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(
            nn.Linear(dim, ffn), nn.ReLU(inplace=True), nn.Dropout(dropout), nn.LayerNorm(ffn), nn.Linear(ffn, dim)
        )
        self.drop1, self.drop2, self.drop3 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def forward(
        self, vis: torch.Tensor, txt: torch.Tensor, vis_pos: torch.Tensor, txt_pos: torch.Tensor, pad_mask: torch.Tensor
    ) -> torch.Tensor:
        """
        vis:      (B, N, C) pixel tokens;  vis_pos (N, C)
        txt:      (B, L, C) word tokens;   txt_pos (L, C)
        pad_mask: (B, L) bool, True = padding (ignored)
        returns:  (B, N, C)
        """
        x = self.norm1(vis)
        q = x + vis_pos
        x = self.self_attn(q, q, x, need_weights=False)[0]  # (B, N, C)
        vis = vis + self.drop1(self.self_attn_norm(x))
        x = self.norm2(vis)
        x = self.cross_attn(x + vis_pos, txt + txt_pos, txt, key_padding_mask=pad_mask, need_weights=False)[0]  # (B, N, C)
        vis = vis + self.drop2(self.cross_attn_norm(x))
        return vis + self.drop3(self.ffn(self.norm3(vis)))


class CRISDecoder(nn.Module):
    """``num_layers`` vision-language layers and a final layer norm, on a (B, C, h, w) map."""

    def __init__(self, dim: int, heads: int, ffn: int, num_layers: int, dropout: float) -> None:
        super().__init__()
        self.dim = dim
        self.layers = nn.ModuleList([CRISDecoderLayer(dim, heads, ffn, dropout) for _ in range(num_layers)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, vis: torch.Tensor, words: torch.Tensor, pad_mask: torch.Tensor) -> torch.Tensor:
        """
        vis:      (B, C, h, w) pixel features from the neck
        words:    (B, L, C) word tokens projected to the decoder width
        pad_mask: (B, L) bool, True = padding
        returns:  (B, C, h, w)
        """
        b, c, h, w = vis.shape
        vis_pos = sine_pos_2d(h, w, c, vis.device).to(vis.dtype)  # (h*w, C)
        txt_pos = sine_pos_1d(words.shape[1], c, vis.device).to(vis.dtype)  # (L, C)
        x = vis.flatten(2).transpose(1, 2)  # (B, h*w, C)
        for layer in self.layers:
            x = layer(x, words, vis_pos, txt_pos, pad_mask)
        return self.norm(x).transpose(1, 2).reshape(b, c, h, w)  # (B, C, h, w)


# ------------------------------------------------------------------------------------------- head


class TextToPixelHead(nn.Module):
    """The text-to-pixel contrastive head: the sentence vector becomes a per-sample ``k x k``
    convolution kernel (one output channel) and bias, applied to that sample's pixel features."""

    def __init__(self, channels: int, sentence_dim: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.channels, self.kernel_size = channels, kernel_size
        self.txt = nn.Linear(sentence_dim, channels * kernel_size * kernel_size + 1)

    def kernels(self, sentence: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """sentence (B, E) -> weight (B, C, k, k), bias (B,)"""
        p = self.txt(sentence)  # (B, C*k*k + 1)
        k = self.kernel_size
        return p[:, :-1].reshape(-1, self.channels, k, k), p[:, -1]

    def forward(self, pixels: torch.Tensor, sentence: torch.Tensor) -> torch.Tensor:
        """
        pixels:   (B, C, h, w)
        sentence: (B, E)
        returns:  (B, 1, h, w) logits
        """
        b, c, h, w = pixels.shape
        weight, bias = self.kernels(sentence)  # (B, C, k, k), (B,)
        # one grouped convolution: group i sees only sample i's channels and kernel
        out = F.conv2d(pixels.reshape(1, b * c, h, w), weight, bias, padding=self.kernel_size // 2, groups=b)  # (1, B, h, w)
        return out.transpose(0, 1)  # (B, 1, h, w)


# ------------------------------------------------------------------------------------------ model


class CRIS(SegmentationModel):
    """Backbone features at strides 8/16/32 -> sentence-fused FPN (stride 16) -> vision-language
    decoder -> upsampled to stride 4 -> text-to-pixel head -> logits at the input size."""

    def __init__(
        self,
        backbone: Backbone,
        *,
        dim: int | None = None,
        num_layers: int = 3,
        num_heads: int = 8,
        ffn_dim: int | None = None,
        dropout: float = 0.1,
        kernel_size: int = 3,
        vit_blocks: Sequence[int] | None = None,
        finetune_backbone: bool = False,
    ) -> None:
        super().__init__()
        self.backbone = backbone.freeze(not finetune_backbone)
        if dim is None:  # CRIS's own width for CLIP (512); a narrow neck on a compact backbone (4x faster)
            dim = COMPACT_DIM if backbone.compact else min(512, max(64, backbone.text_width))
        if dim % 4 or dim % num_heads:
            raise ConfigError(f"cris: dim must be a multiple of 4 and of num_heads ({num_heads}), got {dim}")
        if kernel_size % 2 == 0:
            raise ConfigError(f"cris: kernel_size must be odd, got {kernel_size}")
        self.dim = dim
        n = backbone.num_vision_blocks
        if backbone.vision_type == "vit":
            blocks = list(vit_blocks) if vit_blocks is not None else [max(0, round(n * k / 3) - 1) for k in (1, 2, 3)]
            if len(blocks) != 3 or not all(-n <= b < n for b in blocks):
                raise ConfigError(f"cris: vit_blocks must be 3 block indices in [0, {n}), got {blocks}")
            self.blocks = [b % n for b in blocks]
            self.pyramid: ViTPyramid | None = ViTPyramid(backbone.vision_widths[0], backbone.vision_strides[0], backbone.num_prefix_tokens)
            in_widths = self.pyramid.out_widths
        else:
            if vit_blocks is not None:
                raise ConfigError(f"cris: vit_blocks applies to ViT backbones; {backbone.name!r} is a CNN")
            strides = list(backbone.vision_strides)
            missing = [s for s in PYRAMID_STRIDES if s not in strides]
            if missing:
                raise ConfigError(f"cris: needs CNN stages at strides 8, 16 and 32; {backbone.name!r} has strides {strides}")
            self.blocks = [strides.index(s) for s in PYRAMID_STRIDES]
            self.pyramid = None
            in_widths = [backbone.vision_widths[i] for i in self.blocks]
        e = backbone.embed_dim
        self.neck = CRISNeck(in_widths, (dim // 2, dim, 2 * dim), e)
        self.word_proj = nn.Linear(backbone.text_width, dim)
        self.decoder = CRISDecoder(dim, num_heads, ffn_dim or 4 * dim, num_layers, dropout)
        # stride 16 -> 4 (two bilinear x2 steps), width dim -> dim/2
        self.pixel_proj = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            conv_bn_relu(dim, dim, 3),
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            conv_bn_relu(dim, dim // 2, 3),
            nn.Conv2d(dim // 2, dim // 2, 1),
        )
        self.head = TextToPixelHead(dim // 2, e, kernel_size)

    def forward(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:
        """
        images:  (B, 3, H, W) normalised for the backbone
        prompts: B strings
        returns: logits (B, 1, H, W); aux: text_embeds (B, E), image_embeds (B, E)
        """
        self.check_inputs(images, prompts)
        # text: tokens (B, L, D_t), attention_mask (B, L), pooled (B, E); vis: the tapped blocks
        text, vis = self.encode(images, prompts, self.blocks)
        if self.pyramid is not None:  # ViT tokens (B, P + h*w, D) -> maps at strides 8, 16, 32
            feats = self.pyramid(vis.hidden_states, vis.grid)
        else:  # CNN maps (B, C_i, H/s_i, W/s_i), s_i = 8, 16, 32
            feats = vis.hidden_states
        sentence = text.pooled  # (B, E)
        fq = self.neck(feats, sentence)  # (B, dim, H/16, W/16)
        words = self.word_proj(text.tokens)  # (B, L, dim)
        pad_mask = text.attention_mask.to(device=words.device) == 0  # (B, L), True = padding
        fq = self.decoder(fq, words, pad_mask)  # (B, dim, H/16, W/16)
        pixels = self.pixel_proj(fq)  # (B, dim/2, H/4, W/4)
        logits = self.head(pixels, sentence)  # (B, 1, H/4, W/4)
        return SegmentationOutput(
            logits=resize_logits(logits, images.shape[-2:]),  # (B, 1, H, W)
            aux={"text_embeds": text.pooled, "image_embeds": vis.pooled},
        )


@register_model("cris", default_backbone="clip", backbones=("vit", "cnn"), paper="arXiv:2111.15174")
def build_cris(backbone: Backbone, **kwargs) -> CRIS:
    """CRIS: sentence-fused FPN, vision-language decoder and a text-to-pixel dynamic-kernel head.
    Options: ``dim``, ``num_layers`` (3), ``num_heads`` (8), ``ffn_dim`` (4 dim), ``dropout`` (0.1),
    ``kernel_size`` (3), ``vit_blocks`` (three block indices), ``finetune_backbone`` (False)."""
    return CRIS(backbone, **kwargs)
