"""MedCLIPSeg's probabilistic cross-attention, gate and PVL adapter against transcriptions (REFERENCE §3)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from medvlseg.models.pvl import Gate, PVLAdapter, ProbabilisticCrossAttention


def _randomise(module: torch.nn.Module, seed: int = 0) -> None:
    """Non-trivial LayerNorm affine parameters and non-zero up-projections, so tests see every path."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.5)


@torch.no_grad()
def _reference_pca(m: ProbabilisticCrossAttention, x, y, pad=None, eps=None):
    """Direct transcription, one batch item and one head at a time, float64. Returns (scores, out_mean,
    v_std) so the stochastic output is out_mean-with-V_μ + weights·(v_std·ε)."""
    b, lq, d = x.shape
    lk = y.shape[1]
    h, c = m.heads, m.head_dim
    scores = torch.zeros(b, h, lq, lk, dtype=x.dtype)
    outs = torch.zeros(b, lq, d, dtype=x.dtype)
    weights_all = torch.zeros(b, h, lq, lk, dtype=x.dtype)
    for bi in range(b):
        q = x[bi] @ m.q.weight.T + m.q.bias
        k_mu = F.layer_norm(y[bi] @ m.k_mean.weight.T + m.k_mean.bias, (d,), m.k_norm.weight, m.k_norm.bias)
        k_var = F.softplus(y[bi] @ m.k_var.weight.T + m.k_var.bias) + 1e-6
        v_mu = F.layer_norm(y[bi] @ m.v_mean.weight.T + m.v_mean.bias, (d,), m.v_norm.weight, m.v_norm.bias)
        v = v_mu if eps is None else v_mu + torch.sqrt(F.softplus(y[bi] @ m.v_var.weight.T + m.v_var.bias) + 1e-6) * eps[bi]
        heads_out = []
        for hi in range(h):
            sl = slice(hi * c, (hi + 1) * c)
            for i in range(lq):
                for j in range(lk):
                    mean = float(q[i, sl] @ k_mu[j, sl]) / math.sqrt(c)
                    var = float((q[i, sl] ** 2) @ k_var[j, sl]) / c
                    scores[bi, hi, i, j] = mean - m.beta * math.sqrt(var)
            s = scores[bi, hi].clone()
            if pad is not None:
                s[:, pad[bi]] = float("-inf")
            w = torch.softmax(s, dim=-1)
            weights_all[bi, hi] = w
            heads_out.append(w @ v[:, sl])
        outs[bi] = torch.cat(heads_out, dim=-1) @ m.out.weight.T + m.out.bias
    return scores, outs, weights_all


@pytest.mark.parametrize("heads", [1, 2])
def test_scores_and_output_match_transcription(heads: int) -> None:
    torch.manual_seed(0)
    m = ProbabilisticCrossAttention(8, heads=heads, beta=2.35).double()
    _randomise(m, 1)
    x, y = torch.randn(2, 3, 8, dtype=torch.float64), torch.randn(2, 5, 8, dtype=torch.float64)
    ref_s, ref_out, ref_w = _reference_pca(m, x, y)
    assert torch.allclose(m.scores(x, y), ref_s, atol=1e-10)
    out, w = m(x, y, stochastic=False, return_weights=True)
    assert torch.allclose(out, ref_out, atol=1e-10)
    assert torch.allclose(w, ref_w, atol=1e-12)


def test_stochastic_output_matches_transcription_with_same_noise() -> None:
    m = ProbabilisticCrossAttention(6, heads=2, beta=1.0).double()
    _randomise(m, 2)
    x, y = torch.randn(2, 4, 6, dtype=torch.float64), torch.randn(2, 3, 6, dtype=torch.float64)
    torch.manual_seed(123)
    out = m(x, y, stochastic=True)
    torch.manual_seed(123)
    eps = torch.randn(2, 3, 6, dtype=torch.float64)  # the same draw randn_like makes
    _, ref_out, _ = _reference_pca(m, x, y, eps=eps)
    assert torch.allclose(out, ref_out, atol=1e-10)


def test_key_padding_mask_matches_transcription_and_ignores_padded_keys() -> None:
    m = ProbabilisticCrossAttention(8, heads=2).double()
    _randomise(m, 3)
    x, y = torch.randn(2, 3, 8, dtype=torch.float64), torch.randn(2, 5, 8, dtype=torch.float64)
    pad = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    out, w = m(x, y, key_padding_mask=pad, stochastic=False, return_weights=True)
    _, ref_out, ref_w = _reference_pca(m, x, y, pad=pad)
    assert torch.allclose(out, ref_out, atol=1e-10)
    assert (w[0, :, :, 3:] == 0).all()
    y2 = y.clone()
    y2[0, 3:] = torch.randn(2, 8, dtype=torch.float64) * 50  # padded keys' content does not matter
    assert torch.allclose(m(x, y2, key_padding_mask=pad, stochastic=False), out, atol=1e-12)
    all_pad = torch.ones(2, 5, dtype=torch.bool)
    assert torch.isfinite(m(x, y, key_padding_mask=all_pad, stochastic=False)).all()


@pytest.mark.parametrize("heads", [1, 4])
def test_zero_variance_beta_zero_is_scaled_dot_product_attention(heads: int) -> None:
    m = ProbabilisticCrossAttention(8, heads=heads, beta=0.0).double()
    _randomise(m, 4)
    m.variance_override = 0.0
    x, y = torch.randn(3, 4, 8, dtype=torch.float64), torch.randn(3, 6, 8, dtype=torch.float64)
    b, c = 3, 8 // heads
    split = lambda t: t.view(b, -1, heads, c).transpose(1, 2)  # noqa: E731
    q = split(m.q(x))
    k = split(m.k_norm(m.k_mean(y)))
    v = split(m.v_norm(m.v_mean(y)))
    sdpa = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, 4, 8)
    ref = m.out(sdpa)
    # zero variance: even the stochastic mode has no noise left
    assert torch.allclose(m(x, y, stochastic=True), ref, atol=1e-10)
    assert torch.allclose(m(x, y, stochastic=False), ref, atol=1e-10)


def test_uncertain_keys_get_less_attention() -> None:
    m = ProbabilisticCrossAttention(4, beta=2.35).double()
    with torch.no_grad():
        m.k_var.weight.zero_()
        m.k_var.bias.copy_(torch.tensor([-20.0, -20.0, -20.0, -20.0]))
    x, y = torch.randn(1, 2, 4, dtype=torch.float64), torch.randn(1, 3, 4, dtype=torch.float64)
    low = m.scores(x, y)
    with torch.no_grad():
        m.k_var.bias.fill_(3.0)
    assert (m.scores(x, y) < low).all()


def test_gate_starts_at_half_and_mixes() -> None:
    g = Gate()
    assert g.value.item() == pytest.approx(0.5)
    a, q = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    assert torch.allclose(g(a, q), 0.5 * a + 0.5 * q)
    with torch.no_grad():
        g.g.fill_(2.0)
    s = 1 / (1 + math.exp(-2.0))
    assert torch.allclose(g(a, q), s * a + (1 - s) * q, atol=1e-6)  # sigmoid in float32, s in float64
    adapter = PVLAdapter(8, 6, hidden=4)
    assert adapter.gate_img.value.item() == 0.5 and adapter.gate_txt.value.item() == 0.5


def test_deterministic_repeatable_stochastic_differs() -> None:
    m = ProbabilisticCrossAttention(8, heads=2)
    x, y = torch.randn(2, 3, 8), torch.randn(2, 5, 8)
    m.stochastic = False
    assert torch.equal(m(x, y), m(x, y))
    m.stochastic = True
    assert not torch.allclose(m(x, y), m(x, y))
    assert torch.equal(m(x, y, stochastic=False), m(x, y, stochastic=False))  # per-call override

    adapter = PVLAdapter(8, 6, hidden=4, heads=2)
    _randomise(adapter, 5)
    xi, xt = torch.randn(2, 5, 8), torch.randn(2, 3, 6)
    adapter.set_stochastic(False)
    a1, a2 = adapter(xi, xt), adapter(xi, xt)
    assert torch.equal(a1[0], a2[0]) and torch.equal(a1[1], a2[1])
    adapter.set_stochastic(True)
    b1, b2 = adapter(xi, xt), adapter(xi, xt)
    assert not torch.allclose(b1[0], b2[0]) and not torch.allclose(b1[1], b2[1])


def test_adapter_is_identity_at_init_and_trainable() -> None:
    adapter = PVLAdapter(12, 10, hidden=8, heads=2)
    xi, xt = torch.randn(2, 7, 12), torch.randn(2, 4, 10)
    pad = torch.tensor([[False, False, True, True], [False] * 4])
    oi, ot = adapter(xi, xt, text_padding_mask=pad)  # stochastic by default: still the identity
    assert torch.equal(oi, xi) and torch.equal(ot, xt)
    (oi.sum() + ot.sum()).backward()
    assert adapter.up_img.weight.grad.abs().sum() > 0 and adapter.up_txt.weight.grad.abs().sum() > 0


def test_adapter_matches_composition() -> None:
    adapter = PVLAdapter(12, 10, hidden=8, heads=2).double()
    _randomise(adapter, 6)
    xi, xt = torch.randn(2, 7, 12, dtype=torch.float64), torch.randn(2, 4, 10, dtype=torch.float64)
    pad = torch.tensor([[False, False, True, True], [False] * 4])
    hi, ht = adapter.down_img(xi), adapter.down_txt(xt)
    a = torch.sigmoid(adapter.gate_img.g)
    hi = a * adapter.img_to_txt(hi, ht, pad, stochastic=False) + (1 - a) * hi
    a = torch.sigmoid(adapter.gate_txt.g)
    ht = a * adapter.txt_to_img(ht, hi, stochastic=False) + (1 - a) * ht
    oi, ot = adapter(xi, xt, text_padding_mask=pad, stochastic=False)
    assert torch.allclose(oi, xi + adapter.up_img(hi), atol=1e-12)
    assert torch.allclose(ot, xt + adapter.up_txt(ht), atol=1e-12)
    assert oi.shape == xi.shape and ot.shape == xt.shape


def test_no_attention_across_the_batch() -> None:
    adapter = PVLAdapter(12, 10, hidden=8, heads=2).double()
    _randomise(adapter, 7)
    adapter.set_stochastic(False)
    xi, xt = torch.randn(3, 7, 12, dtype=torch.float64), torch.randn(3, 4, 10, dtype=torch.float64)
    oi, ot = adapter(xi, xt)
    xi2, xt2 = xi.clone(), xt.clone()
    xi2[1:] = torch.randn(2, 7, 12, dtype=torch.float64)
    xt2[1:] = torch.randn(2, 4, 10, dtype=torch.float64)
    oi2, ot2 = adapter(xi2, xt2)
    assert torch.allclose(oi[0], oi2[0], atol=1e-12) and torch.allclose(ot[0], ot2[0], atol=1e-12)
    single_i, single_t = adapter(xi[:1], xt[:1])
    assert torch.allclose(oi[:1], single_i, atol=1e-12) and torch.allclose(ot[:1], single_t, atol=1e-12)


def test_gradients_finite_including_zero_query() -> None:
    m = ProbabilisticCrossAttention(4, beta=2.35)
    with torch.no_grad():
        m.q.bias.zero_()
    x = torch.zeros(1, 2, 4, requires_grad=True)  # Q = 0: sqrt(0) in the variance term
    y = torch.randn(1, 3, 4)
    m(x, y).sum().backward()
    assert torch.isfinite(x.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in m.parameters() if p.grad is not None)


def test_bad_input_rejected() -> None:
    with pytest.raises(ValueError, match="divisible"):
        ProbabilisticCrossAttention(10, heads=3)
    m = ProbabilisticCrossAttention(4)
    with pytest.raises(ValueError, match="share B"):
        m(torch.randn(2, 3, 4), torch.randn(3, 3, 4))
    with pytest.raises(ValueError, match="key_padding_mask"):
        m(torch.randn(2, 3, 4), torch.randn(2, 3, 4), key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="same batch"):
        PVLAdapter(4, 4, hidden=4)(torch.randn(2, 3, 4), torch.randn(1, 3, 4))
