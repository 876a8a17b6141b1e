"""VLSM-Ensemble: a vision-language segmentation model (BiomedCLIPSeg or CLIPSeg) and a small CNN
(``unet-eca``) trained together end to end, their logits fused by a learned 1x1 convolution.

Dietlmeier et al., "VLSM-Ensemble: Ensembling CLIP-based Vision-Language Models for Enhanced
Medical Image Segmentation", MIDL 2025 short paper, arXiv:2509.05154 (REFERENCE §5).

- The VLSM is built with :func:`~medvlseg.models.base.build_model` on the backbone given to the
  ensemble (frozen unless ``finetune_backbone``); the CNN is :class:`~medvlseg.models.unet.UNetECA`.
- Both see the same normalised image tensor. The CNN is fully convolutional and trained from
  scratch with the VLSM, so by default it runs at the input's resolution (half of it, and an eighth
  of the widths, on compact backbones such as ``lite``); ``cnn_size`` resizes its
  input to that size inside (and its logits back).
- Fusion: ``fuse`` = ``Conv2d(2, 1, 1)`` over ``cat([vlsm_logits, cnn_logits])``, initialised to
  their average (weights 0.5, 0.5, bias 0).
- ``inject_text=True``: the text-conditioned VLSM features (the CLIPSeg decoder's output map just
  before its transposed convolutions: FiLM-modulated by the prompt and passed through the decoder
  layers, (B, reduce_dim, h, w) on the patch grid) are resampled to the CNN's bottleneck, projected
  by a 1x1 convolution and added to it. The projection starts at zero, so the ensemble starts as
  the plain ensemble and learns how much text to let into the CNN.
- ``aux`` returns both branches' logits (``vlsm_logits``, ``cnn_logits``, (B, 1, H, W)) so that a
  loss can supervise them too, and the VLSM's own ``aux`` (text / image embeddings).

Avoided from the public code (REFERENCE §5): no layer attends across the batch (each sample's
output depends only on its own image and prompt), and the prompt is tokenised once, by the
backbone whose text encoder reads it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.base import Backbone
from ..errors import ConfigError
from .base import SegmentationModel, SegmentationOutput, build_model, register_model, resize_logits
from .clipseg import CLIPSeg
from .unet import UNetECA

__all__ = ["VLSM_CHOICES", "VLSMEnsemble", "build_ensemble"]

VLSM_CHOICES = ("biomedclipseg", "biomedclipseg-d", "clipseg")


PAPER_CNN_WIDTHS = (64, 128, 256, 512)
# compact backbones: an eighth of the widths at half the input size (the CNN branch was the ensemble's
# whole cost on `lite`: 4.6x the reference's speed at 16..128 wide and full size, 16x like this;
# BENCHMARKS.md). cnn_size=None / cnn_widths=PAPER_CNN_WIDTHS give the paper's branch back.
COMPACT_CNN_WIDTHS = (8, 16, 32, 64)
COMPACT_CNN_SIZE_RATIO = 2  # CNN input = backbone input / 2 on compact backbones

class VLSMEnsemble(SegmentationModel):
    """A VLSM and ``unet-eca`` side by side, logits fused by a learned 1x1 convolution."""

    def __init__(
        self,
        backbone: Backbone,
        *,
        vlsm: str = "biomedclipseg",
        vlsm_kwargs: dict | None = None,
        cnn_widths: Sequence[int] | None = None,
        cnn_dropout: float = 0.1,
        cnn_size: int | None | str = "auto",
        inject_text: bool = False,
        finetune_backbone: bool = False,
    ) -> None:
        super().__init__()
        if vlsm not in VLSM_CHOICES:
            raise ConfigError(f"ensemble: vlsm: unknown value {vlsm!r}; expected one of: {', '.join(VLSM_CHOICES)}")
        kwargs = dict(vlsm_kwargs or {})
        if "finetune_backbone" in kwargs:
            raise ConfigError("ensemble: set finetune_backbone on the ensemble, not in vlsm_kwargs")
        vlsm_model = build_model(vlsm, backbone=backbone, finetune_backbone=finetune_backbone, **kwargs)
        if not isinstance(vlsm_model, CLIPSeg):
            raise ConfigError(f"ensemble: vlsm {vlsm!r} is not a CLIPSeg-family model")
        # One backbone, registered once, here: its weights are named backbone.* (left out of the
        # saved file when frozen, like every model's). The VLSM keeps a plain reference to it.
        self.backbone = vlsm_model.backbone
        del vlsm_model._modules["backbone"]
        object.__setattr__(vlsm_model, "backbone", self.backbone)
        self.vlsm = vlsm_model
        if cnn_widths is None:  # the paper's 64 -> 512; an eighth of the widths on compact backbones
            cnn_widths = COMPACT_CNN_WIDTHS if backbone.compact else PAPER_CNN_WIDTHS
        if cnn_size == "auto":  # full input size (the paper), half on compact backbones
            cnn_size = backbone.image_size // COMPACT_CNN_SIZE_RATIO if backbone.compact else None
        elif cnn_size is not None and not isinstance(cnn_size, int):
            raise ConfigError(f"ensemble: cnn_size: expected an int, None or 'auto', got {cnn_size!r}")
        self.cnn = UNetECA(widths=cnn_widths, dropout=cnn_dropout, image_size=cnn_size or backbone.image_size)
        self.cnn_size = cnn_size
        self.fuse = nn.Conv2d(2, 1, kernel_size=1)
        with torch.no_grad():
            self.fuse.weight.fill_(0.5)
            self.fuse.bias.zero_()
        self.inject_text = inject_text
        self._captured: torch.Tensor | None = None
        if inject_text:
            reduce_dim = self.vlsm.decoder.film_mul.out_features
            self.inject = nn.Conv2d(reduce_dim, self.cnn.bottleneck_width, kernel_size=1)
            nn.init.zeros_(self.inject.weight)
            nn.init.zeros_(self.inject.bias)
            # the decoder's text-conditioned map is the input of its transposed convolutions
            self.vlsm.decoder.transposed_convolution.register_forward_pre_hook(self._capture)

    def _capture(self, module: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
        self._captured = args[0]  # (B, reduce_dim, h, w)

    @property
    def native_image_size(self) -> int:
        return self.vlsm.image_size

    def forward(self, images: torch.Tensor, prompts: Sequence[str]) -> SegmentationOutput:
        """
        images:  (B, 3, H, W) normalised for the backbone
        prompts: B strings
        returns: logits (B, 1, H, W) = fuse(cat[vlsm_logits, cnn_logits]);
                 aux: vlsm_logits (B, 1, H, W), cnn_logits (B, 1, H, W), and the VLSM's aux
        """
        self.check_inputs(images, prompts)
        size = images.shape[-2:]
        self._captured = None
        v = self.vlsm(images, prompts)  # logits (B, 1, H, W)
        features, self._captured = self._captured, None  # (B, R, h, w) when inject_text
        x = images
        if self.cnn_size is not None and tuple(size) != (self.cnn_size, self.cnn_size):
            x = F.interpolate(images, size=(self.cnn_size, self.cnn_size), mode="bilinear", align_corners=False)
        skips, bottleneck = self.cnn.encode(x)  # bottleneck (B, C_b, h_b, w_b)
        if self.inject_text:
            if features is None:
                raise RuntimeError("ensemble: the VLSM decoder's features were not captured")
            features = F.interpolate(features, size=bottleneck.shape[-2:], mode="bilinear", align_corners=False)  # (B, R, h_b, w_b)
            bottleneck = bottleneck + self.inject(features)  # (B, C_b, h_b, w_b)
        c = resize_logits(self.cnn.decode(skips, bottleneck), size)  # (B, 1, H, W)
        logits = self.fuse(torch.cat([v.logits, c], dim=1))  # (B, 2, H, W) -> (B, 1, H, W)
        return SegmentationOutput(logits=logits, aux={**v.aux, "vlsm_logits": v.logits, "cnn_logits": c})


@register_model("ensemble", default_backbone="biomedclip", backbones=("vit", "cnn"), paper="arXiv:2509.05154")
def build_ensemble(backbone: Backbone, **kwargs) -> VLSMEnsemble:
    """VLSM-Ensemble: BiomedCLIPSeg (or CLIPSeg) + the small ECA U-Net, logits fused by a 1x1 conv.
    Options: ``vlsm`` (biomedclipseg, biomedclipseg-d, clipseg), ``vlsm_kwargs``, ``cnn_widths``,
    ``cnn_dropout``, ``cnn_size`` ("auto": full size, half on compact backbones), ``inject_text`` (False), ``finetune_backbone`` (False)."""
    return VLSMEnsemble(backbone, **kwargs)
