"""Contrastive losses: DHN-NCE (MedCLIP-SAM) and MedCLIPSeg's soft patch-level contrastive loss.

DHN-NCE: Koleilat, Asgariandehkordi, Rivaz & Xiao, "MedCLIP-SAM: Bridging Text and Image Towards
Universal Medical Image Segmentation", MICCAI 2024, arXiv:2403.20253 (REFERENCE §4).

Soft patch contrastive: "MedCLIPSeg: Probabilistic Vision-Language Adaptation for Data-Efficient and
Generalizable Medical Image Segmentation", CVPR 2026 (REFERENCE §3), implemented at patch level as the
paper describes (not on a mean over all patches as the public code does).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ["dhn_nce", "dhn_nce_similarity", "info_nce", "info_nce_similarity", "lse_pool", "soft_patch_contrastive", "soft_text_targets"]


def _check_pair(image_emb: torch.Tensor, text_emb: torch.Tensor) -> int:
    if image_emb.ndim != 2 or text_emb.ndim != 2:
        raise ValueError(
            f"dhn_nce expects image_emb and text_emb of shape (B, D); got {tuple(image_emb.shape)} "
            f"and {tuple(text_emb.shape)}"
        )
    if image_emb.shape != text_emb.shape:
        raise ValueError(
            f"image_emb {tuple(image_emb.shape)} and text_emb {tuple(text_emb.shape)} must have the same "
            "shape (B, D): one caption per image"
        )
    b = int(image_emb.shape[0])
    if b < 2:
        raise ValueError(
            f"dhn_nce needs a batch of at least 2 pairs (got B={b}): the loss is defined by the "
            "in-batch negatives j != i, and a batch of one has none"
        )
    return b


def _check_similarity(sim: torch.Tensor, temperature: float, name: str) -> None:
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1] or sim.shape[0] < 2:
        raise ValueError(f"{name} needs a square (B, B) similarity matrix with B >= 2; got {tuple(sim.shape)}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")


def _dhn_nce_direction(sim: torch.Tensor, temperature: float, beta: float) -> torch.Tensor:
    """One direction of DHN-NCE from the (B, B) cosine similarities ``sim[i, j] = a_i · b_j``.

    With s_ij = sim_ij / τ:  L = (1/B) Σ_i [ −s_ii + log Σ_{j≠i} W_ij exp(s_ij) ],
    W_ij = (B − 1) exp(β s_ij) / Σ_{k≠i} exp(β s_ik), computed in log space as
    log Σ_{j≠i} W_ij e^{s_ij} = log(B − 1) + LSE_{j≠i}((1 + β) s_ij) − LSE_{k≠i}(β s_ik).
    """
    b = sim.shape[0]
    s = sim / temperature  # (B, B)
    eye = torch.eye(b, dtype=torch.bool, device=s.device)
    neg_inf = torch.finfo(s.dtype).min
    off = lambda x: x.masked_fill(eye, neg_inf)  # noqa: E731 - drop the positive j = i
    log_weighted = (
        math.log(b - 1)
        + torch.logsumexp(off((1.0 + beta) * s), dim=1)
        - torch.logsumexp(off(beta * s), dim=1)
    )  # (B,)
    return (-s.diagonal() + log_weighted).mean()


def dhn_nce(
    image_emb: torch.Tensor,
    text_emb: torch.Tensor,
    temperature: float = 0.6,
    beta1: float = 0.15,
    beta2: float = 0.15,
) -> torch.Tensor:
    """Decoupled hard-negative noise-contrastive estimation (DHN-NCE), MedCLIP-SAM eq. (REFERENCE §4).

    Args:
        image_emb: (B, D) image embeddings v_i (L2-normalised here).
        text_emb: (B, D) text embeddings t_i of the matching captions (L2-normalised here).
        temperature: τ > 0.
        beta1: hardness β1 of the image→text direction (0 gives plain decoupled InfoNCE).
        beta2: hardness β2 of the text→image direction.

    Returns:
        Scalar tensor L = L_v→t + L_t→v, where

            L_v→t = (1/B) Σ_i [ −v_i·t_i/τ + log Σ_{j≠i} W_ij exp(v_i·t_j/τ) ],
            W_ij  = (B − 1)·exp(β1·v_i·t_j/τ) / Σ_{k≠i} exp(β1·v_i·t_k/τ),

        and L_t→v the same with the roles of v and t swapped and β2. "Decoupled": the positive pair is not
        in the denominator; W sums to B − 1 over j ≠ i. Computed with log-sum-exp (stable for small τ).

    Raises:
        ValueError: on mismatched shapes, B < 2 (no negatives) or τ <= 0.
    """
    _check_pair(image_emb, text_emb)
    v = F.normalize(image_emb, dim=-1)
    t = F.normalize(text_emb, dim=-1)
    return dhn_nce_similarity(v @ t.T, temperature, beta1, beta2)  # sim[i, j] = v_i · t_j


def dhn_nce_similarity(sim: torch.Tensor, temperature: float = 0.6, beta1: float = 0.15, beta2: float = 0.15) -> torch.Tensor:
    """DHN-NCE (:func:`dhn_nce`) from a (B, B) similarity matrix whose diagonal holds the positive
    pairs: ``sim[i, j]`` scores image i with caption j by any rule (the cosine of pooled embeddings,
    or :func:`lse_pool` of patch cosines for alignment that must localise)."""
    _check_similarity(sim, temperature, "dhn_nce")
    return _dhn_nce_direction(sim, temperature, beta1) + _dhn_nce_direction(sim.T, temperature, beta2)


def lse_pool(x: torch.Tensor, r: float, dim: int = -1) -> torch.Tensor:
    """Log-sum-exp pooling, (1/r) log((1/N) Σ_n exp(r x_n)) over ``dim`` (N entries).

    The multiple-instance pooling of weakly supervised localisation (Pinheiro & Collobert, CVPR
    2015): r -> 0 gives the mean, r -> inf the maximum, so an image-level score trained with it is
    carried by the patches that hold the target rather than by the whole image."""
    if not r > 0:
        raise ValueError(f"lse_pool: r must be > 0, got {r}")
    return (torch.logsumexp(r * x, dim=dim) - math.log(x.shape[dim])) / r


def info_nce(image_emb: torch.Tensor, text_emb: torch.Tensor, temperature: float = 0.07) -> torch.Tensor:
    """Symmetric InfoNCE (CLIP's loss), the baseline DHN-NCE is compared with.

    Args:
        image_emb: (B, D) image embeddings v_i (L2-normalised here).
        text_emb: (B, D) text embeddings t_i of the matching captions (L2-normalised here).
        temperature: τ > 0.
    Returns:
        Scalar L = (1/2B) Σ_i [ −log softmax_j(v_i·t_j/τ)_i − log softmax_j(t_i·v_j/τ)_i ]: the positive is
        in the denominator (unlike DHN-NCE's decoupled form) and every negative weighs the same.
    """
    _check_pair(image_emb, text_emb)
    v = F.normalize(image_emb, dim=-1)
    t = F.normalize(text_emb, dim=-1)
    return info_nce_similarity(v @ t.T, temperature)


def info_nce_similarity(sim: torch.Tensor, temperature: float = 0.07) -> torch.Tensor:
    """Symmetric InfoNCE (:func:`info_nce`) from a (B, B) similarity matrix, positives on the diagonal."""
    _check_similarity(sim, temperature, "info_nce")
    logits = sim / temperature  # (B, B)
    labels = torch.arange(logits.shape[0], device=logits.device)
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


def soft_text_targets(
    text_emb: torch.Tensor,
    target_temperature: float,
    text_sim: torch.Tensor | None = None,
) -> torch.Tensor:
    """Soft targets over the batch's prompts: q_b = softmax_c(cos(t_b, t_c) / τ_q), shape (B, B).

    ``text_sim`` (B, B), if given, replaces the cosine similarities (e.g. computed once from a frozen
    text encoder). Targets carry no gradient. Identical prompts give identical rows (and columns).
    """
    if text_sim is None:
        t = F.normalize(text_emb.detach(), dim=-1)
        text_sim = t @ t.T
    return torch.softmax(text_sim.detach() / target_temperature, dim=-1)


def soft_patch_contrastive(
    patch_emb: torch.Tensor,
    fg_weight: torch.Tensor,
    text_emb: torch.Tensor,
    text_sim: torch.Tensor | None = None,
    temperature: float = 0.07,
    target_temperature: float | None = None,
) -> torch.Tensor:
    """MedCLIPSeg's soft patch-level contrastive loss (REFERENCE §3).

    Each image's foreground patches are contrasted against the batch's B prompts, with soft targets
    so that two prompts that say nearly the same thing are not pushed apart as negatives.

    Args:
        patch_emb: (B, N, D) patch embeddings p_{b,n} (L2-normalised here).
        fg_weight: (B, N) foreground weight w_{b,n} in [0, 1] of each patch (e.g. the mask
            area-downsampled to the patch grid).
        text_emb: (B, D) embedding t_c of each image's prompt (L2-normalised here).
        text_sim: optional (B, B) text–text similarity used for the targets instead of cos(t_b, t_c).
        temperature: τ of the patch–text logits.
        target_temperature: τ_q of the soft targets (default: ``temperature``).

    Returns:
        Scalar tensor

            ℓ_{b,n,c} = cos(p_{b,n}, t_c) / τ                              (B, N, B) logits
            q_{b,c}   = softmax_c( cos(t_b, t_c) / τ_q )                   (B, B) soft targets, no grad
            CE_{b,n}  = − Σ_c q_{b,c} · log softmax_c(ℓ_{b,n,c})            (B, N)
            L_b       = Σ_n w_{b,n} CE_{b,n} / Σ_n w_{b,n}                  for images with Σ_n w_{b,n} > 0
            L         = mean of L_b over those images (0, with a gradient path, if none has foreground).

        The targets are a distribution by construction (softmax), so nothing renormalises them and
        τ is never cancelled: scaling the logits by 1/τ changes the loss.
    """
    if patch_emb.ndim != 3:
        raise ValueError(f"patch_emb must be (B, N, D), got {tuple(patch_emb.shape)}")
    b, n, d = patch_emb.shape
    if fg_weight.shape != (b, n):
        raise ValueError(f"fg_weight must be (B, N) = {(b, n)}, got {tuple(fg_weight.shape)}")
    if text_emb.shape != (b, d):
        raise ValueError(f"text_emb must be (B, D) = {(b, d)}, got {tuple(text_emb.shape)}")
    if text_sim is not None and text_sim.shape != (b, b):
        raise ValueError(f"text_sim must be (B, B) = {(b, b)}, got {tuple(text_sim.shape)}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    tq = temperature if target_temperature is None else target_temperature
    if not tq > 0:
        raise ValueError(f"target_temperature must be > 0, got {tq}")

    p = F.normalize(patch_emb, dim=-1)  # (B, N, D)
    t = F.normalize(text_emb, dim=-1)  # (B, D)
    logits = torch.einsum("bnd,cd->bnc", p, t) / temperature  # (B, N, B)
    q = soft_text_targets(text_emb, tq, text_sim).to(logits.dtype)  # (B, B)
    ce = -(q[:, None, :] * torch.log_softmax(logits, dim=-1)).sum(-1)  # (B, N)
    w = fg_weight.to(ce.dtype).clamp(0.0, 1.0)  # (B, N)
    w_sum = w.sum(dim=1)  # (B,)
    has_fg = w_sum > 0
    if not bool(has_fg.any()):
        return (logits * 0.0).sum()
    per_image = (w * ce).sum(dim=1)[has_fg] / w_sum[has_fg]  # (B_fg,)
    return per_image.mean()
