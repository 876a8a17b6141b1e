"""Image-only U-Net baselines: ``unet`` (a backbone's CNN image tower + the U-Net decoder of
segmentation_models_pytorch) and ``unet-eca`` (the small U-Net with efficient channel attention of
VLSM-Ensemble). Both ignore the prompt (``uses_text = False``) and are called like every model.

Ronneberger et al., "U-Net: Convolutional Networks for Biomedical Image Segmentation", MICCAI 2015,
arXiv:1505.04597.
Wang et al., "ECA-Net: Efficient Channel Attention for Deep Convolutional Neural Networks", CVPR
2020, arXiv:1910.03151.
Dietlmeier et al., "VLSM-Ensemble: Ensembling CLIP-based Vision-Language Models for Enhanced
Medical Image Segmentation", MIDL 2025 short paper, arXiv:2509.05154 (the ``unet-eca`` design,
REFERENCE §5).

``unet``: the baseline of TARGETS.md, an ImageNet EfficientNet-Lite0 encoder (backbone ``lite``,
from its PyPI wheel) and "a plain 4-step decoder": smp's ``UnetDecoder`` with one step per CNN
stage (for strides 4/8/16/32: up to 16, 8, 4, then 2) and smp's ``SegmentationHead``; the logits
are upsampled bilinearly to the input. Unlike the vision-language models, the encoder is trained
by default (``finetune_backbone=True``), as in that baseline; ``finetune_backbone=False`` freezes it.
Only the image stages run and train; the text tower and the image tower's pooling head stay frozen
(and out of the saved file).

``unet-eca``: no backbone. Four 2x down-sampling steps, widths 64 -> 128 -> 256 -> 512 with a
512-wide bottleneck at stride 16 (the "bilinear" U-Net layout), each double convolution followed
by ECA and dropout 0.1; bilinear up-sampling in the decoder, so any input size works (skips are
matched by size, not by a factor of two). Native size 256 px, ImageNet mean/std.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import Backbone
from ..errors import ConfigError
from .base import SegmentationModel, SegmentationOutput, register_model, resize_logits

__all__ = ["ECA", "DoubleConvECA", "UNet", "UNetECA", "build_unet", "build_unet_eca", "eca_kernel_size"]

DEFAULT_DECODER_CHANNELS = (256, 128, 64, 32, 16)
COMPACT_DECODER_CHANNELS = (128, 64, 32, 16, 8)  # on compact backbones (lite): half the widths


# ------------------------------------------------------------------------------------ unet (smp)


class UNet(SegmentationModel):
    """A backbone's CNN stages -> smp ``UnetDecoder`` (one step per stage) -> ``SegmentationHead``."""

    uses_text = False

    def __init__(
        self,
        backbone: Backbone,
        *,
        decoder_channels: Sequence[int] | None = None,
        finetune_backbone: bool = True,
    ) -> None:
        super().__init__()
        from segmentation_models_pytorch.base import SegmentationHead
        from segmentation_models_pytorch.decoders.unet.decoder import UnetDecoder

        if backbone.vision_type != "cnn":
            raise ConfigError(f"unet: needs a backbone with a CNN image tower; {backbone.name!r} is a {backbone.vision_type}")
        self.backbone = backbone.freeze(not finetune_backbone)
        if finetune_backbone:  # train the image stages only: the text tower (and image head) stay frozen
            used = {id(p) for p in backbone.vision_parameters()}
            for p in backbone.parameters():
                p.requires_grad_(id(p) in used)
        strides = list(backbone.vision_strides)
        n = len(strides)
        channels = list(decoder_channels) if decoder_channels is not None else list((COMPACT_DECODER_CHANNELS if backbone.compact else DEFAULT_DECODER_CHANNELS)[:n])
        if len(channels) != n:
            raise ConfigError(f"unet: decoder_channels needs {n} values (one per stage of {backbone.name!r}), got {channels}")
        # the last decoder step goes one factor of 2 finer than the first stage (stride 4 -> 2)
        self.final_stride = max(1, strides[0] // 2)
        # smp's decoder drops encoder_channels[0] (its "identity" input) and only reads the size of
        # features[0]; here that slot is a zero-channel map at ``final_stride``.
        self.decoder = UnetDecoder(encoder_channels=[0, *backbone.vision_widths], decoder_channels=channels, n_blocks=n)
        self.head = SegmentationHead(channels[-1], 1, kernel_size=3)

    def trainable_state_dict(self) -> dict[str, torch.Tensor]:
        """Decoder, head and the fine-tuned image stages; not the unused text tower."""
        fixed = {f"backbone.{k}" for k, p in self.backbone.named_parameters() if not p.requires_grad}
        return {k: v for k, v in super().trainable_state_dict().items() if k not in fixed}

    def forward(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:
        """
        images:  (B, 3, H, W) normalised for the backbone
        prompts: B strings, ignored
        returns: logits (B, 1, H, W); aux: image_embeds (B, E)
        """
        self.check_inputs(images, prompts)
        return self.forward_tokens(images, None)

    def forward_tokens(self, images: torch.Tensor, tokens: object = None) -> SegmentationOutput:
        """:meth:`forward` without the prompts it ignores (the tensor path :mod:`medvlseg.export` traces)."""
        bb = self.backbone
        with torch.set_grad_enabled(torch.is_grad_enabled() and not bb.frozen):
            vis = bb.encode_image(images, return_blocks=range(bb.num_vision_blocks))  # (B, C_i, H/s_i, W/s_i)
        b, _, h, w = images.shape
        s = self.final_stride
        anchor = images.new_zeros(b, 0, math.ceil(h / s), math.ceil(w / s))  # (B, 0, H/s, W/s): size only
        x = self.decoder([anchor, *vis.hidden_states])  # (B, c_last, H/s, W/s)
        logits = self.head(x)  # (B, 1, H/s, W/s)
        return SegmentationOutput(logits=resize_logits(logits, (h, w)), aux={"image_embeds": vis.pooled})


@register_model("unet", default_backbone="lite", backbones=("cnn",), paper="arXiv:1505.04597")
def build_unet(backbone: Backbone, **kwargs) -> UNet:
    """Image-only U-Net: a backbone's CNN stages (trained by default) + smp's U-Net decoder.
    Options: ``decoder_channels`` (one per stage; default 256/128/64/32), ``finetune_backbone`` (True)."""
    return UNet(backbone, **kwargs)


# ----------------------------------------------------------------------------------- unet-eca


def eca_kernel_size(channels: int, gamma: float = 2.0, b: float = 1.0) -> int:
    """ECA's adaptive kernel size: the odd number nearest above ``|log2(C) + b| / gamma``."""
    t = int(abs((math.log2(channels) + b) / gamma))
    return t if t % 2 else t + 1


class ECA(nn.Module):
    """Efficient channel attention: global average pool -> 1-D convolution across the channels
    (kernel ``k``, no bias) -> sigmoid -> channel scaling."""

    def __init__(self, channels: int, kernel_size: int | None = None) -> None:
        super().__init__()
        k = kernel_size or eca_kernel_size(channels)
        self.conv = nn.Conv1d(1, 1, kernel_size=k, padding=(k - 1) // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, h, w) -> (B, C, h, w)"""
        y = x.mean(dim=(-2, -1))[:, None]  # (B, 1, C)
        y = torch.sigmoid(self.conv(y))[:, 0]  # (B, C)
        return x * y[:, :, None, None]


class DoubleConvECA(nn.Sequential):
    """(3x3 conv, batch norm, ReLU) x 2, then ECA and dropout."""

    def __init__(self, c_in: int, c_out: int, dropout: float = 0.1) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
            ECA(c_out), nn.Dropout(dropout),
        )


class UNetECA(SegmentationModel):
    """The small U-Net of VLSM-Ensemble. ``widths``: the encoder levels (64, 128, 256, 512); the
    bottleneck after the last down-sampling keeps the last width. Split into :meth:`encode` and
    :meth:`decode` so that an ensemble can add features to the bottleneck."""

    uses_text = False

    def __init__(self, *, widths: Sequence[int] = (64, 128, 256, 512), dropout: float = 0.1, image_size: int = 256) -> None:
        super().__init__()
        widths = [int(w) for w in widths]
        if len(widths) < 1 or min(widths) < 1:
            raise ConfigError(f"unet-eca: widths must be positive channel counts, got {widths}")
        self.widths = widths
        self._image_size = int(image_size)
        self.encoders = nn.ModuleList(
            [DoubleConvECA(c_in, c_out, dropout) for c_in, c_out in zip([3, *widths[:-1]], widths)]
        )
        self.bottleneck = DoubleConvECA(widths[-1], widths[-1], dropout)
        # decoder step i: up-sampled (previous) + skip (widths[-1 - i]) -> widths[-2 - i] (widths[0] last)
        outs = [*widths[-2::-1], widths[0]]
        ins = [widths[-1], *outs[:-1]]
        self.decoders = nn.ModuleList(
            [DoubleConvECA(c_prev + c_skip, c_out, dropout) for c_prev, c_skip, c_out in zip(ins, widths[::-1], outs)]
        )
        self.out = nn.Conv2d(widths[0], 1, 1)
        # channels-last: this CPU-bound net of full-resolution 3x3 convolutions runs ~2x faster
        # with oneDNN's NHWC kernels (benchmarks/throughput.py); the arithmetic is unchanged
        self.to(memory_format=torch.channels_last)

    @property
    def bottleneck_width(self) -> int:
        return self.widths[-1]

    def encode(self, images: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """images (B, 3, H, W) -> skips [(B, widths[i], H/2^i, W/2^i)], bottleneck (B, widths[-1], H/2^n, W/2^n)"""
        skips, x = [], images.contiguous(memory_format=torch.channels_last)
        for i, enc in enumerate(self.encoders):
            x = enc(x if i == 0 else F.max_pool2d(x, 2))  # (B, widths[i], H/2^i, W/2^i)
            skips.append(x)
        return skips, self.bottleneck(F.max_pool2d(x, 2))

    def decode(self, skips: Sequence[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """skips and bottleneck from :meth:`encode` -> logits (B, 1, H, W)"""
        for dec, skip in zip(self.decoders, reversed(skips)):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)  # (B, c_prev, h_skip, w_skip)
            x = dec(torch.cat([x, skip], dim=1))  # (B, c_out, h_skip, w_skip)
        return self.out(x)  # (B, 1, H, W)

    def forward(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:
        """
        images:  (B, 3, H, W) normalised with ImageNet mean/std; any H, W >= 2^len(widths)
        prompts: B strings, ignored
        returns: logits (B, 1, H, W)
        """
        self.check_inputs(images, prompts)
        skips, x = self.encode(images)
        return SegmentationOutput(logits=self.decode(skips, x))


@register_model("unet-eca", default_backbone=None, backbones=(), paper="arXiv:2509.05154")
def build_unet_eca(backbone: None = None, **kwargs) -> UNetECA:
    """VLSM-Ensemble's small U-Net: 64 -> 512 channels, ECA after each double conv, dropout 0.1,
    no backbone. Options: ``widths`` (64, 128, 256, 512), ``dropout`` (0.1), ``image_size`` (256)."""
    if backbone is not None:
        raise ConfigError(f"unet-eca: has no backbone (it is a plain CNN); got backbone={backbone!r}")
    return UNetECA(**kwargs)
