"""Batch norms folded into convolutions at inference (backbones/fold.py): the same outputs as the
unfolded modules, in every mode where folding is used, and no folding where it would change
training or gradients."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from medvlseg.backbones.fold import FoldableBatchNorm2d, FoldingConv2d, SameConv2d, fold_efficientnet, fold_sequential


def _tf_same_conv(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """TensorFlow "SAME" padding written out: output ceil(i / s), total padding
    max((o - 1) s + (k - 1) d + 1 - i, 0), the odd pixel after."""
    import math

    import torch.nn.functional as F

    (ih, iw), (kh, kw), (sh, sw), (dh, dw) = x.shape[-2:], conv.weight.shape[-2:], conv.stride, conv.dilation
    ph = max((math.ceil(ih / sh) - 1) * sh + (kh - 1) * dh + 1 - ih, 0)
    pw = max((math.ceil(iw / sw) - 1) * sw + (kw - 1) * dw + 1 - iw, 0)
    return F.conv2d(F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2]), conv.weight, conv.bias, conv.stride, 0, conv.dilation, conv.groups)


def _bn_formula(bn: nn.BatchNorm2d, y: torch.Tensor) -> torch.Tensor:
    """Eval-mode batch norm: γ (y - μ) / sqrt(σ² + ε) + β per channel."""
    c = (None, slice(None), None, None)
    return bn.weight[c] * (y - bn.running_mean[c]) / torch.sqrt(bn.running_var[c] + bn.eps) + bn.bias[c]


def _randomise(module: nn.Module, seed: int = 0) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.rand(m.num_features, generator=g) - 0.5)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.num_features, generator=g) - 0.5)
    return module


def _efficientnet() -> nn.Module:
    from medvlseg.backbones.lite import _tiny_efficientnet

    net = _tiny_efficientnet()
    net._fc = nn.Identity()
    return _randomise(net)


@pytest.mark.parametrize("size", [32, 33, 45])
@pytest.mark.parametrize("kernel,stride,groups", [(3, 1, 1), (5, 1, 4), (3, 2, 4), (5, 2, 1), (1, 1, 1), (4, 1, 1)])
def test_same_conv_with_folded_bn_matches_the_formulas(size, kernel, stride, groups):
    torch.manual_seed(0)
    conv = nn.Conv2d(8, 8, kernel, stride=stride, groups=groups, bias=kernel != 5)
    bn = _randomise(nn.BatchNorm2d(8))
    conv_f, bn_f = copy.deepcopy(conv), copy.deepcopy(bn)
    from medvlseg.backbones.fold import _link

    _link(conv_f, bn_f, SameConv2d)
    conv_f.stride, conv_f.dilation, conv_f.padding = tuple(conv.stride), tuple(conv.dilation), (0, 0)
    x = torch.randn(2, 8, size, size)
    for m in (conv, bn, conv_f, bn_f):
        m.eval()
    with torch.no_grad():
        want = _bn_formula(bn, _tf_same_conv(conv, x))
        got = bn_f(conv_f(x))
        assert bn_f.folded()
    assert not bn_f.folded()  # gradients on and trainable parameters: the batch norm runs itself
    assert got.shape == want.shape == (2, 8, -(-size // stride), -(-size // stride))
    assert torch.allclose(got, want, atol=1e-5)


def test_folded_efficientnet_equals_the_package_model_in_eval_and_training():
    ref = _efficientnet()
    net = fold_efficientnet(copy.deepcopy(ref))
    assert sorted(ref.state_dict()) == sorted(net.state_dict())  # checkpoints unchanged
    assert sum(isinstance(m, FoldableBatchNorm2d) for m in net.modules()) == sum(isinstance(m, nn.BatchNorm2d) for m in ref.modules())
    for size in (64, 63, 50):
        x = torch.rand(2, 3, size, size)
        ref.eval(), net.eval()
        with torch.inference_mode():
            assert torch.allclose(net.extract_features(x), ref.extract_features(x), atol=1e-5)
        # training: batch statistics, nothing folded, running statistics updated the same way
        ref.train(), net.train()
        assert not any(m.folded() for m in net.modules() if isinstance(m, FoldableBatchNorm2d))
        torch.manual_seed(size)  # the same drop-connect draws
        y_ref = ref.extract_features(x)
        torch.manual_seed(size)
        assert torch.allclose(net.extract_features(x), y_ref, atol=1e-5)
        assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(net.buffers(), ref.buffers()))


def test_folding_follows_the_weights_and_spares_gradients():
    net = fold_efficientnet(_efficientnet()).eval()
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        before = net.extract_features(x)
        # new weights (as load_state_dict writes them, in place): the cache is rebuilt, not reused
        other = _randomise(_efficientnet(), seed=5)
        net.load_state_dict(other.state_dict())
        after = net.extract_features(x)
        unfolded = fold_efficientnet(_efficientnet()).eval()
        unfolded.load_state_dict(other.state_dict())
        for m in unfolded.modules():
            if isinstance(m, FoldableBatchNorm2d):
                m._conv = []  # never folds
        assert not torch.allclose(before, after)
        assert torch.allclose(after, unfolded.extract_features(x), atol=1e-5)
    # a stage being fine-tuned (eval-mode batch norm, grad on): the gradient reaches every parameter
    for p in net.parameters():
        p.requires_grad_(True)
    assert not net._bn0.folded()
    net.extract_features(x).sum().backward()
    assert net._conv_stem.weight.grad is not None and net._bn0.weight.grad is not None
    # frozen parameters with grad on (saliency needs the input's gradient): folded, and it flows
    for p in net.parameters():
        p.requires_grad_(False)
        p.grad = None
    assert net._bn0.folded()
    xi = x.clone().requires_grad_(True)
    net.extract_features(xi).sum().backward()
    assert xi.grad is not None and xi.grad.abs().sum() > 0


def test_fold_sequential_folds_conv_bn_pairs_only():
    torch.manual_seed(0)
    seq = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.Conv2d(4, 4, 1), nn.ReLU(), nn.BatchNorm2d(4))
    ref = _randomise(copy.deepcopy(seq)).eval()
    fold_sequential(_randomise(seq)).eval()
    assert type(seq[0]) is FoldingConv2d and type(seq[1]) is FoldableBatchNorm2d
    assert type(seq[3]) is nn.Conv2d and type(seq[5]) is nn.BatchNorm2d  # not followed by its batch norm
    x = torch.randn(2, 3, 9, 9)
    with torch.no_grad():
        assert torch.allclose(seq(x), ref(x), atol=1e-5)


def test_fold_efficientnet_refuses_other_modules():
    net = _efficientnet()
    net._conv_stem = nn.Conv2d(3, net._bn0.num_features, 3)
    with pytest.raises(TypeError, match="_conv_stem/_bn0.*expected Conv2dDynamicSamePadding"):
        fold_efficientnet(net)
