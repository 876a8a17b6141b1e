"""Losses checked against direct transcriptions of their formulas (REFERENCE §3, §4)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import medvlseg

from medvlseg.losses import DiceBCELoss, dhn_nce, dice_bce_loss, soft_patch_contrastive, soft_text_targets


# ----------------------------------------------------------------------------------------- DHN-NCE
def _dhn_nce_reference(v: np.ndarray, t: np.ndarray, tau: float, beta1: float, beta2: float) -> float:
    """Double loop over REFERENCE §4, float64, no log-space tricks."""
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    t = t / np.linalg.norm(t, axis=1, keepdims=True)
    b = v.shape[0]

    def one_direction(a: np.ndarray, c: np.ndarray, beta: float) -> float:
        total = 0.0
        for i in range(b):
            denom_w = sum(math.exp(beta * float(a[i] @ c[k]) / tau) for k in range(b) if k != i)
            inner = 0.0
            for j in range(b):
                if j == i:
                    continue
                w_ij = (b - 1) * math.exp(beta * float(a[i] @ c[j]) / tau) / denom_w
                inner += w_ij * math.exp(float(a[i] @ c[j]) / tau)
            total += -float(a[i] @ c[i]) / tau + math.log(inner)
        return total / b

    return one_direction(v, t, beta1) + one_direction(t, v, beta2)


@pytest.mark.parametrize(
    "b,d,tau,beta1,beta2",
    [(2, 4, 0.6, 0.15, 0.15), (5, 8, 0.6, 0.15, 0.15), (8, 16, 0.07, 0.5, 0.2), (16, 32, 1.0, 0.0, 1.0),
     (3, 3, 0.2, 2.0, 0.0)],
)
def test_dhn_nce_matches_transcription(b: int, d: int, tau: float, beta1: float, beta2: float) -> None:
    g = torch.Generator().manual_seed(b * 100 + d)
    v = torch.randn(b, d, generator=g, dtype=torch.float64)
    t = torch.randn(b, d, generator=g, dtype=torch.float64)
    got = dhn_nce(v, t, temperature=tau, beta1=beta1, beta2=beta2)
    assert got.ndim == 0
    assert got.item() == pytest.approx(_dhn_nce_reference(v.numpy(), t.numpy(), tau, beta1, beta2), rel=1e-9)


def test_dhn_nce_defaults_match_paper_settings() -> None:
    g = torch.Generator().manual_seed(0)
    v, t = torch.randn(6, 10, generator=g, dtype=torch.float64), torch.randn(6, 10, generator=g, dtype=torch.float64)
    assert dhn_nce(v, t).item() == pytest.approx(_dhn_nce_reference(v.numpy(), t.numpy(), 0.6, 0.15, 0.15))


def _decoupled_infonce(v: np.ndarray, t: np.ndarray, tau: float) -> float:
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    t = t / np.linalg.norm(t, axis=1, keepdims=True)
    b = v.shape[0]
    total = 0.0
    for a, c in ((v, t), (t, v)):
        for i in range(b):
            neg = sum(math.exp(float(a[i] @ c[j]) / tau) for j in range(b) if j != i)
            total += (-float(a[i] @ c[i]) / tau + math.log(neg)) / b
    return total


def test_dhn_nce_beta_zero_is_decoupled_infonce() -> None:
    g = torch.Generator().manual_seed(1)
    v, t = torch.randn(7, 12, generator=g, dtype=torch.float64), torch.randn(7, 12, generator=g, dtype=torch.float64)
    got = dhn_nce(v, t, temperature=0.3, beta1=0.0, beta2=0.0).item()
    # log(B-1) from W's normaliser cancels against the mean weight: W_ij = 1 for every j != i.
    assert got == pytest.approx(_decoupled_infonce(v.numpy(), t.numpy(), 0.3), rel=1e-10)


def test_dhn_nce_normalises_inputs() -> None:
    g = torch.Generator().manual_seed(2)
    v, t = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g)
    assert torch.allclose(dhn_nce(v, t), dhn_nce(3.0 * v, 0.5 * t), atol=1e-6)


def test_dhn_nce_gradient_finite_and_stable_at_small_tau() -> None:
    g = torch.Generator().manual_seed(3)
    v = torch.randn(8, 16, generator=g, requires_grad=True)
    t = torch.randn(8, 16, generator=g, requires_grad=True)
    loss = dhn_nce(v, t, temperature=0.001, beta1=0.5, beta2=0.5)  # exp(1/0.001) would overflow
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.isfinite(v.grad).all() and torch.isfinite(t.grad).all()
    assert v.grad.abs().sum() > 0


def test_dhn_nce_aligned_pairs_score_lower() -> None:
    g = torch.Generator().manual_seed(4)
    v = torch.randn(8, 16, generator=g)
    assert dhn_nce(v, v.clone()) < dhn_nce(v, torch.randn(8, 16, generator=g))


def test_dhn_nce_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        dhn_nce(torch.randn(1, 4), torch.randn(1, 4))
    with pytest.raises(ValueError, match="same"):
        dhn_nce(torch.randn(3, 4), torch.randn(2, 4))
    with pytest.raises(ValueError, match=r"\(B, D\)"):
        dhn_nce(torch.randn(3, 4, 2), torch.randn(3, 4, 2))
    with pytest.raises(ValueError, match="temperature"):
        dhn_nce(torch.randn(3, 4), torch.randn(3, 4), temperature=0.0)


def test_dhn_nce_exported_from_package() -> None:
    import medvlseg.losses

    assert medvlseg.losses.dhn_nce is dhn_nce


# ----------------------------------------------------------------------------------------- Dice + BCE
def _soft_dice_np(logits: np.ndarray, target: np.ndarray, eps: float = 1e-5) -> float:
    p = 1.0 / (1.0 + np.exp(-logits))
    vals = []
    for b in range(p.shape[0]):
        for c in range(p.shape[1]):
            inter = float((p[b, c] * target[b, c]).sum())
            vals.append(1.0 - (2.0 * inter + eps) / (float(p[b, c].sum() + target[b, c].sum()) + eps))
    return float(np.mean(vals))


def test_dice_bce_terms_match_transcriptions() -> None:
    g = torch.Generator().manual_seed(5)
    logits = 3.0 * torch.randn(3, 1, 8, 8, generator=g, dtype=torch.float64)
    target = (torch.rand(3, 1, 8, 8, generator=g) > 0.6).to(torch.float64)
    out = DiceBCELoss().components(logits, target)
    assert out.dice.item() == pytest.approx(_soft_dice_np(logits.numpy(), target.numpy()), rel=1e-9)
    assert out.bce.item() == pytest.approx(F.binary_cross_entropy_with_logits(logits, target).item(), rel=1e-12)
    p = torch.sigmoid(logits)  # BCE by hand, on probabilities from the logits
    bce_hand = -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()
    assert out.bce.item() == pytest.approx(bce_hand.item(), rel=1e-9)
    assert out.bce.item() > 0.01  # the bug in the reference code made this ~0 / meaningless
    assert out.loss.item() == pytest.approx(0.5 * out.dice.item() + 0.5 * out.bce.item())


def test_dice_bce_weights_and_functional() -> None:
    g = torch.Generator().manual_seed(6)
    logits = torch.randn(2, 1, 5, 5, generator=g)
    target = (torch.rand(2, 1, 5, 5, generator=g) > 0.5).float()
    parts = DiceBCELoss().components(logits, target)
    got = dice_bce_loss(logits, target, dice_weight=0.2, bce_weight=0.8)
    assert got.item() == pytest.approx(0.2 * parts.dice.item() + 0.8 * parts.bce.item(), rel=1e-6)
    # (B, H, W) masks are accepted
    assert dice_bce_loss(logits, target[:, 0]).item() == pytest.approx(parts.loss.item(), rel=1e-6)


def test_dice_bce_lower_for_better_logits_and_has_gradient() -> None:
    target = torch.zeros(1, 1, 6, 6)
    target[..., 2:4, 2:4] = 1
    good = (target * 2 - 1) * 5
    bad = -good
    assert dice_bce_loss(good, target) < dice_bce_loss(bad, target)
    x = torch.zeros(1, 1, 6, 6, requires_grad=True)
    dice_bce_loss(x, target).backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_dice_bce_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="does not match"):
        dice_bce_loss(torch.randn(1, 1, 4, 4), torch.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError, match="both 0"):
        DiceBCELoss(0.0, 0.0)


# ----------------------------------------------------------------------------------------- boundary
def _hausdorff_dt_np(logits: np.ndarray, target: np.ndarray, alpha: float = 2.0) -> float:
    """Karimi & Salcudean's distance-transform Hausdorff loss transcribed: per image, each pixel's
    distance to the boundary of the thresholded prediction and of the target (inside plus outside
    distance transform; 0 for an empty or full mask), over the image side sqrt(H W)."""
    from scipy.ndimage import distance_transform_edt

    def field(m: np.ndarray) -> np.ndarray:
        if not m.any() or m.all():
            return np.zeros(m.shape)
        return distance_transform_edt(m) + distance_transform_edt(~m)

    p = 1.0 / (1.0 + np.exp(-logits))
    side = np.sqrt(logits.shape[-2] * logits.shape[-1])
    vals = []
    for b in range(p.shape[0]):
        dp, dy = field(p[b, 0] > 0.5) / side, field(target[b, 0] > 0.5) / side
        vals.append(((p[b, 0] - target[b, 0]) ** 2 * (dp**alpha + dy**alpha)).mean())
    return float(np.mean(vals))


def test_hausdorff_boundary_loss_matches_transcription() -> None:
    from medvlseg.losses import HausdorffBoundaryLoss

    g = torch.Generator().manual_seed(7)
    logits = 3.0 * torch.randn(4, 1, 12, 10, generator=g, dtype=torch.float64)
    target = (torch.rand(4, 1, 12, 10, generator=g) > 0.6).to(torch.float64)
    target[2] = 0  # an empty target (a negative prompt's)
    logits[3] = -5.0  # an empty prediction
    got = HausdorffBoundaryLoss()(logits, target)
    assert got.item() == pytest.approx(_hausdorff_dt_np(logits.numpy(), target.numpy()), rel=1e-6)
    assert HausdorffBoundaryLoss(alpha=1.0)(logits, target[:, 0]).item() == pytest.approx(
        _hausdorff_dt_np(logits.numpy(), target.numpy(), alpha=1.0), rel=1e-6)


def test_hausdorff_boundary_loss_weighs_far_errors_more_and_has_gradient() -> None:
    from medvlseg.losses import HausdorffBoundaryLoss

    target = torch.zeros(1, 1, 32, 32)
    target[..., 4:10, 4:10] = 1
    near, far = (target * 2 - 1) * 4, (target * 2 - 1) * 4
    near[..., 10, 4:10] = 4.0  # one wrong row beside the target
    far[..., 28, 22:28] = 4.0  # the same number of wrong pixels far from it
    loss = HausdorffBoundaryLoss()
    assert loss(far, target) > 5 * loss(near, target) > 0
    # the same shapes at twice the size: about the same loss (distances are in image sides)
    big = lambda x: x.repeat_interleave(2, -1).repeat_interleave(2, -2)  # noqa: E731
    assert loss(big(far), big(target)).item() == pytest.approx(loss(far, target).item(), rel=0.15)
    x = torch.zeros(1, 1, 32, 32, requires_grad=True)
    (loss(x, target)).backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_boundary_term_enters_the_training_loss(tmp_path) -> None:
    """loss.boundary > 0: the module adds weight x HausdorffBoundaryLoss to the step's loss."""
    from medvlseg.config import RunConfig
    from medvlseg.engine.module import SegModule
    from medvlseg.losses import HausdorffBoundaryLoss

    model = medvlseg.build_model("unet", backbone="tiny-lite")
    g = torch.Generator().manual_seed(0)
    batch = {"image": torch.rand(2, 3, 32, 32, generator=g), "prompt": ["a", "b"], "id": ["0", "1"],
             "mask": (torch.rand(2, 1, 32, 32, generator=g) > 0.7).float()}
    base = {"data": {"path": str(tmp_path)}, "model": {"name": "unet", "backbone": "tiny-lite"}}
    losses = {}
    for w in (0.0, 3.0):
        mod = SegModule(model, RunConfig.from_dict({**base, "loss": {"boundary": w}}), ["x"])
        mod.log = lambda *a, **k: None
        torch.manual_seed(0)
        losses[w] = float(mod.training_step(batch, 0).detach())
    with torch.no_grad():
        logits = model(batch["image"], batch["prompt"]).logits
    assert losses[3.0] - losses[0.0] == pytest.approx(3.0 * float(HausdorffBoundaryLoss()(logits, batch["mask"])), rel=1e-5)


# ----------------------------------------------------------------------------------------- soft patch
def _soft_patch_reference(p, w, t, tau, tau_q, text_sim=None) -> float:
    p = p / np.linalg.norm(p, axis=-1, keepdims=True)
    t = t / np.linalg.norm(t, axis=-1, keepdims=True)
    b, n, _ = p.shape
    sim_tt = t @ t.T if text_sim is None else text_sim
    per_image = []
    for i in range(b):
        q = np.exp(sim_tt[i] / tau_q)
        q = q / q.sum()
        if w[i].sum() <= 0:
            continue
        acc = 0.0
        for k in range(n):
            logits = np.array([float(p[i, k] @ t[c]) / tau for c in range(b)])
            logp = logits - np.log(np.exp(logits).sum())
            acc += w[i, k] * -(q * logp).sum()
        per_image.append(acc / w[i].sum())
    return float(np.mean(per_image)) if per_image else 0.0


def _patch_inputs(seed: int, b: int = 4, n: int = 9, d: int = 8):
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(b, n, d, generator=g, dtype=torch.float64)
    w = torch.rand(b, n, generator=g, dtype=torch.float64)
    w[w < 0.4] = 0.0
    t = torch.randn(b, d, generator=g, dtype=torch.float64)
    return p, w, t


@pytest.mark.parametrize("tau,tau_q", [(0.07, None), (0.5, 0.1), (1.0, 2.0)])
def test_soft_patch_matches_transcription(tau: float, tau_q: float | None) -> None:
    p, w, t = _patch_inputs(7)
    got = soft_patch_contrastive(p, w, t, temperature=tau, target_temperature=tau_q)
    ref = _soft_patch_reference(p.numpy(), w.numpy(), t.numpy(), tau, tau if tau_q is None else tau_q)
    assert got.item() == pytest.approx(ref, rel=1e-9)


def test_soft_patch_with_given_text_sim() -> None:
    p, w, t = _patch_inputs(8)
    sim = torch.rand(4, 4, dtype=torch.float64)
    got = soft_patch_contrastive(p, w, t, text_sim=sim, temperature=0.2, target_temperature=0.3)
    assert got.item() == pytest.approx(_soft_patch_reference(p.numpy(), w.numpy(), t.numpy(), 0.2, 0.3, sim.numpy()))


def test_identical_prompts_get_identical_targets() -> None:
    g = torch.Generator().manual_seed(9)
    t = torch.randn(4, 8, generator=g)
    t[2] = t[0]
    q = soft_text_targets(t, 0.07)
    assert torch.allclose(q[0], q[2])
    assert torch.allclose(q[:, 0], q[:, 2])  # neither is the other's negative more than its own positive
    assert torch.allclose(q.sum(-1), torch.ones(4))
    assert not torch.allclose(q[0], q[1])


def test_soft_patch_changes_with_temperature() -> None:
    p, w, t = _patch_inputs(10)
    a = soft_patch_contrastive(p, w, t, temperature=0.07, target_temperature=0.1)
    b = soft_patch_contrastive(p, w, t, temperature=0.5, target_temperature=0.1)
    c = soft_patch_contrastive(p, w, t, temperature=0.07, target_temperature=1.0)
    assert abs(a.item() - b.item()) > 1e-3
    assert abs(a.item() - c.item()) > 1e-3


def test_soft_patch_images_without_foreground_contribute_nothing() -> None:
    p, w, t = _patch_inputs(11)
    w[1] = 0.0
    base = soft_patch_contrastive(p, w, t)
    p2 = p.clone()
    p2[1] = torch.randn_like(p2[1]) * 100  # changing the empty image's patches changes nothing
    assert torch.allclose(base, soft_patch_contrastive(p2, w, t))
    w0 = torch.zeros_like(w)
    p3 = p.clone().requires_grad_(True)
    none = soft_patch_contrastive(p3, w0, t)
    none.backward()
    assert none.item() == 0.0 and torch.isfinite(p3.grad).all()


def test_soft_patch_gradient_and_alignment() -> None:
    p, w, t = _patch_inputs(12)
    p = p.clone().requires_grad_(True)
    loss = soft_patch_contrastive(p, w, t)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(p.grad).all()
    aligned = t[:, None, :].expand_as(p).clone()  # every patch equals its own prompt
    assert soft_patch_contrastive(aligned, w, t) < soft_patch_contrastive(p.detach(), w, t)


def test_soft_patch_rejects_bad_shapes() -> None:
    p, w, t = _patch_inputs(13)
    with pytest.raises(ValueError, match="fg_weight"):
        soft_patch_contrastive(p, w[:, :3], t)
    with pytest.raises(ValueError, match="text_emb"):
        soft_patch_contrastive(p, w, t[:2])


def test_losses_reachable_from_the_package_root():
    import subprocess
    import sys

    code = "import medvlseg, torch; print(float(medvlseg.losses.dhn_nce(torch.eye(3), torch.eye(3))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    import torch

    from medvlseg.losses import dhn_nce

    # decoupled: the positive is not in the denominator, so the loss can be negative
    assert float(out.stdout) == pytest.approx(float(dhn_nce(torch.eye(3), torch.eye(3))), rel=1e-6)
