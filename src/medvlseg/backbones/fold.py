"""Batch norms folded into the convolutions before them, at inference: in the TensorFlow-style
EfficientNets of ``efficientnet_lite_pytorch`` (the ``lite`` image tower) and in conv-BN sequences
such as the decoders'.

In eval mode a batch norm is an affine map per channel, so ``BN(conv(x; W, b))`` equals
``conv(x; W * s, (b - μ) * s + β)`` with ``s = γ / sqrt(σ² + ε)`` (``torch.nn.utils.fusion``). The
folded weights are computed once and cached until a parameter changes (its version counter) or
the batch norm runs in training (which updates its running statistics), and the batch norm then
passes its input through. Folding is used only where it
changes nothing: in eval mode, with running statistics, and not where a gradient must reach the
convolution's or the batch norm's parameters (a stage being fine-tuned); in training, or when a
parameter needs its gradient, both modules run as before.

The package's "SAME" convolution (``Conv2dDynamicSamePadding``) pads a copy of its input before every
convolution. Where the padding is the same on both sides (every stride-1 convolution with an odd
kernel) it is given to the convolution itself instead: the same output without the copy.

Parameters, buffers and ``state_dict`` keys are those of the original modules (the instances are
kept; only their class changes), so checkpoints, freezing and ``.to()`` work as before. ReLU6 runs in
place (its input is always a fresh convolution output). Measured: BENCHMARKS.md, speed.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_weights

__all__ = ["FoldableBatchNorm2d", "FoldingConv2d", "SameConv2d", "fold_efficientnet", "fold_sequential"]


class FoldableBatchNorm2d(nn.BatchNorm2d):
    """A batch norm whose convolution (``FoldingConv2d``) may have folded it in; then it is the identity."""

    _conv: list[FoldingConv2d]  # [the convolution before it]; a list, so it is not a registered submodule

    def folded(self) -> bool:
        if self.training or not self.track_running_stats or self.running_mean is None or not self._conv:
            return False
        if torch.is_grad_enabled():
            conv = self._conv[0]
            params = (conv.weight, conv.bias, self.weight, self.bias)
            if any(p is not None and p.requires_grad for p in params):
                return False
        return True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.folded():
            return x
        if self.training and self._conv:
            # the running statistics are updated in place by the kernel, without a version bump
            self._conv[0]._cache = None
        return super().forward(x)


class FoldingConv2d(nn.Conv2d):
    """A convolution that folds in the batch norm after it when that one says so."""

    _bn: list[FoldableBatchNorm2d]  # [the batch norm after it] or []
    _cache: tuple[tuple, torch.Tensor, torch.Tensor] | None

    def folded_parameters(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(weight, bias) to convolve with: the batch norm's folded in when it is folded."""
        if not (self._bn and self._bn[0].folded()):
            return self.weight, self.bias
        bn = self._bn[0]
        tensors = (self.weight, self.bias, bn.running_mean, bn.running_var, bn.weight, bn.bias)
        # no cache while tracing (the graph computes the fold) or for inference tensors (no version)
        tracing = torch.jit.is_tracing() or torch.compiler.is_compiling()
        uncached = tracing or any(t is not None and t.is_inference() for t in tensors)
        key = None if uncached else tuple((t.data_ptr(), t._version, t.dtype, t.device) if t is not None else None for t in tensors)
        cache = self._cache  # once: a training pass elsewhere may clear it
        if key is not None and cache is not None and cache[0] == key:
            return cache[1], cache[2]
        with torch.inference_mode(False), torch.no_grad():  # normal tensors, usable outside inference mode
            w, b = fuse_conv_bn_weights(self.weight, self.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
            # exactly the weight's strides (channels-last where the tower uses it; a 1x1 kernel's
            # layout cannot be told from its contiguity alone)
            if not tracing:  # (a traced graph has no strides to keep)
                w = torch.empty_strided(self.weight.shape, self.weight.stride(), dtype=w.dtype, device=w.device).copy_(w)
            w, b = w.detach(), b.detach()
        if key is not None:
            self._cache = (key, w, b)
        return w, b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, *self.folded_parameters())


class SameConv2d(FoldingConv2d):
    """TensorFlow "SAME" convolution: ``Conv2dDynamicSamePadding``'s output for any input size."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (B, C_in, H, W) -> (B, C_out, ceil(H / s), ceil(W / s))
        w, b = self.folded_parameters()
        ih, iw = x.shape[-2:]
        kh, kw = self.weight.shape[-2:]
        sh, sw = self.stride
        dh, dw = self.dilation
        pad_h = max((math.ceil(ih / sh) - 1) * sh + (kh - 1) * dh + 1 - ih, 0)
        pad_w = max((math.ceil(iw / sw) - 1) * sw + (kw - 1) * dw + 1 - iw, 0)
        if pad_h % 2 == 0 and pad_w % 2 == 0:  # symmetric: the convolution pads, no copy of x
            return F.conv2d(x, w, b, self.stride, (pad_h // 2, pad_w // 2), self.dilation, self.groups)
        x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])  # TF: the extra row/column after
        return F.conv2d(x, w, b, self.stride, 0, self.dilation, self.groups)


def _link(conv: nn.Conv2d, bn: nn.BatchNorm2d, conv_class: type[FoldingConv2d]) -> None:
    conv.__class__, bn.__class__ = conv_class, FoldableBatchNorm2d  # same instances: parameters, hooks, keys kept
    conv._bn, conv._cache, bn._conv = [bn], None, [conv]


def fold_sequential(module: nn.Module) -> nn.Module:
    """Every ``nn.Conv2d`` directly followed by an ``nn.BatchNorm2d`` in an ``nn.Sequential`` inside
    ``module`` folds it at inference (e.g. a decoder's conv-BN-ReLU); in place, returns ``module``."""
    for seq in [m for m in module.modules() if isinstance(m, nn.Sequential)]:
        children = list(seq)
        for conv, bn in zip(children, children[1:]):
            if type(conv) is nn.Conv2d and type(bn) is nn.BatchNorm2d and conv.out_channels == bn.num_features:
                _link(conv, bn, FoldingConv2d)
    return module


def _conv_bn_pairs(net: nn.Module) -> list[tuple[nn.Module, str, str]]:
    """(owner, convolution attribute, batch-norm attribute) of every convolution followed by a batch
    norm in an ``efficientnet_lite_pytorch.EfficientNet`` (stem, each MBConv block, head)."""
    pairs = [(net, "_conv_stem", "_bn0"), (net, "_conv_head", "_bn1")]
    for block in net._blocks:
        if hasattr(block, "_expand_conv"):  # blocks with expand ratio 1 have none
            pairs.append((block, "_expand_conv", "_bn0"))
        pairs += [(block, "_depthwise_conv", "_bn1"), (block, "_project_conv", "_bn2")]
    return pairs


def fold_efficientnet(net: nn.Module) -> nn.Module:
    """Make ``net`` (an ``efficientnet_lite_pytorch.EfficientNet``, any weights) fold its batch norms
    at inference and pad symmetrically inside its convolutions; in place, returns ``net``."""
    for owner, conv_name, bn_name in _conv_bn_pairs(net):
        conv, bn = getattr(owner, conv_name), getattr(owner, bn_name)
        if type(conv).__name__ != "Conv2dDynamicSamePadding" or type(bn) is not nn.BatchNorm2d:
            raise TypeError(f"fold_efficientnet: {conv_name}/{bn_name} are {type(conv).__name__}/{type(bn).__name__}, "
                            "expected Conv2dDynamicSamePadding/BatchNorm2d (efficientnet_lite_pytorch with image_size=None)")
        _link(conv, bn, SameConv2d)
        conv.stride, conv.dilation = tuple(conv.stride), tuple(conv.dilation)
    for m in net.modules():
        if isinstance(m, nn.ReLU6):
            m.inplace = True  # after a convolution (or a batch norm in training): a fresh tensor
    return net
