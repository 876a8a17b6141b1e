"""Probabilistic vision-language (PVL) adapters of MedCLIPSeg.

"MedCLIPSeg: Probabilistic Vision-Language Adaptation for Data-Efficient and Generalizable Medical
Image Segmentation", CVPR 2026 (REFERENCE §3).

A PVL adapter sits between two transformer blocks of a frozen CLIP model and lets the image tokens and
the text tokens exchange information through *probabilistic* cross-attention: keys and values carry a
mean and a variance, attention is penalised where keys are uncertain, and values are sampled. A learned
gate balances the attention output against the (deterministic) query stream.

Layouts are batch-first: image tokens (B, L_i, D_i), text tokens (B, L_t, D_t); attention never mixes
batch items.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["Gate", "PVLAdapter", "ProbabilisticCrossAttention"]

VARIANCE_EPS = 1e-6


class ProbabilisticCrossAttention(nn.Module):
    """Cross-attention with Gaussian keys and values (MedCLIPSeg).

    For each head h (head width C = dim / heads), with x the query stream and y the context stream::

        Q      = W_q x                                  (B, h, L_q, C)
        K_μ    = LN(W_kμ y),   K_σ² = softplus(W_kσ y) + 1e-6     (B, h, L_k, C)
        V_μ    = LN(W_vμ y),   V_σ² = softplus(W_vσ y) + 1e-6     (B, h, L_k, C)
        S      = Q K_μᵀ / √C − β · sqrt( (Q ⊙ Q) (K_σ²)ᵀ / C )     (B, h, L_q, L_k)
        A      = softmax_k(S)            (padded keys get −∞ first)
        V      = V_μ + sqrt(V_σ²) ⊙ ε,  ε ~ N(0, I) drawn once per forward   (stochastic mode)
        V      = V_μ                                                      (deterministic mode)
        out    = W_o · concat_h(A V)                     (B, L_q, dim)

    The LayerNorms act on the full width ``dim`` before the split into heads. The variance term is the
    standard deviation of the score Q·K/√C under independent key noise, so β (≈ 2.35 in the paper)
    lowers the score of keys the model is unsure about.

    Args:
        dim: width of both streams (project them to a common width first, as :class:`PVLAdapter` does).
        heads: number of heads; ``dim`` must be divisible by it.
        beta: uncertainty penalty β.
        stochastic: default sampling mode; ``forward(..., stochastic=...)`` overrides it per call.

    Attributes:
        variance_override: if not ``None``, both variances are replaced by this constant (tests and
            ablations; 0 with β = 0 makes this ordinary scaled dot-product attention).
    """

    def __init__(self, dim: int, heads: int = 1, beta: float = 2.35, stochastic: bool = True) -> None:
        super().__init__()
        if dim % heads != 0:
            raise ValueError(f"dim={dim} must be divisible by heads={heads}")
        self.dim, self.heads, self.head_dim = dim, heads, dim // heads
        self.beta = float(beta)
        self.stochastic = stochastic
        self.variance_override: float | None = None
        self.q = nn.Linear(dim, dim)
        self.k_mean = nn.Linear(dim, dim)
        self.k_norm = nn.LayerNorm(dim)
        self.k_var = nn.Linear(dim, dim)
        self.v_mean = nn.Linear(dim, dim)
        self.v_norm = nn.LayerNorm(dim)
        self.v_var = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        return x.view(b, n, self.heads, self.head_dim).transpose(1, 2)  # (B, L, dim) -> (B, h, L, C)

    def _variance(self, linear: nn.Linear, y: torch.Tensor) -> torch.Tensor:
        if self.variance_override is not None:
            return torch.full((*y.shape[:-1], self.dim), float(self.variance_override), dtype=y.dtype, device=y.device)
        return F.softplus(linear(y)) + VARIANCE_EPS  # (B, L_k, dim)

    def scores(self, query: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Attention scores S (B, h, L_q, L_k) before masking and softmax; see the class docstring."""
        q = self._heads(self.q(query))  # (B, h, L_q, C)
        k_mu = self._heads(self.k_norm(self.k_mean(context)))  # (B, h, L_k, C)
        k_var = self._heads(self._variance(self.k_var, context))  # (B, h, L_k, C)
        c = self.head_dim
        mean_term = q @ k_mu.transpose(-1, -2) / math.sqrt(c)
        if self.beta == 0.0:
            return mean_term
        # clamp: sqrt has an infinite gradient at 0 (a zero query, or variance_override=0); below 1e-12
        # the term is 1e-6 at most, so the clamp changes nothing that matters.
        var_term = ((q * q) @ k_var.transpose(-1, -2) / c).clamp_min(1e-12)
        return mean_term - self.beta * torch.sqrt(var_term)

    def forward(
        self,
        query: torch.Tensor,
        context: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        stochastic: bool | None = None,
        return_weights: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Attend from ``query`` (B, L_q, dim) to ``context`` (B, L_k, dim).

        ``key_padding_mask`` (B, L_k) bool, True = padding (ignored key), as in ``nn.MultiheadAttention``.
        A query whose keys are all padded gets a zero attention output. ``stochastic`` overrides
        ``self.stochastic``. Returns (B, L_q, dim), and the weights (B, h, L_q, L_k) if asked.
        """
        if query.ndim != 3 or context.ndim != 3 or query.shape[0] != context.shape[0]:
            raise ValueError(
                f"query (B, L_q, dim) and context (B, L_k, dim) must share B; got {tuple(query.shape)} and "
                f"{tuple(context.shape)}"
            )
        s = self.scores(query, context)  # (B, h, L_q, L_k)
        if key_padding_mask is not None:
            if key_padding_mask.shape != context.shape[:2]:
                raise ValueError(
                    f"key_padding_mask must be (B, L_k) = {tuple(context.shape[:2])}, got {tuple(key_padding_mask.shape)}"
                )
            pad = key_padding_mask.to(torch.bool)[:, None, None, :]  # (B, 1, 1, L_k)
            s = s.masked_fill(pad, float("-inf"))
            weights = torch.softmax(s, dim=-1).nan_to_num(0.0)  # all-padded rows -> 0
        else:
            weights = torch.softmax(s, dim=-1)
        v = self.v_norm(self.v_mean(context))  # (B, L_k, dim)
        if self.stochastic if stochastic is None else stochastic:
            v_var = self._variance(self.v_var, context)
            v = v + torch.sqrt(v_var) * torch.randn_like(v)  # one ε per forward
        attn = weights @ self._heads(v)  # (B, h, L_q, C)
        b, _, lq, _ = attn.shape
        out = self.out(attn.transpose(1, 2).reshape(b, lq, self.dim))  # (B, L_q, dim)
        return (out, weights) if return_weights else out


class Gate(nn.Module):
    """``out = σ(g)·attn + (1 − σ(g))·query`` with one learnable scalar g, initialised at 0 (σ(g) = 0.5).

    Shapes: ``attn`` and ``query`` (..., dim), same shape; returns the same shape.
    """

    def __init__(self, init: float = 0.0) -> None:
        super().__init__()
        self.g = nn.Parameter(torch.tensor(float(init)))

    @property
    def value(self) -> torch.Tensor:
        return torch.sigmoid(self.g)

    def forward(self, attn: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        a = torch.sigmoid(self.g)
        return a * attn + (1.0 - a) * query


class PVLAdapter(nn.Module):
    """One PVL adapter: a two-way probabilistic cross-attention layer between the image and text streams.

    ::

        h_i = D_i x_img                       (B, L_i, hidden)   down-projections
        h_t = D_t x_txt                       (B, L_t, hidden)
        h_i ← Gate_i( PCA_i→t(h_i, h_t, text padding), h_i )     image tokens attend to text tokens
        h_t ← Gate_t( PCA_t→i(h_t, h_i), h_t )                   then text tokens attend to (updated) image tokens
        x_img ← x_img + U_i h_i               (B, L_i, width_img) up-projections, added residually
        x_txt ← x_txt + U_t h_t               (B, L_t, width_txt)

    The up-projections U_i, U_t are zero-initialised, so a freshly built adapter is the identity and
    inserting it does not change the frozen backbone's output until it has been trained.

    Args:
        width_img, width_txt: token widths of the two streams (768 / 768 for ViT-B/16 + BERT).
        hidden: common width of the two-way layer (paper: 256).
        heads: attention heads in the two-way layer.
        beta: uncertainty penalty β of both attentions (paper: ≈ 2.35).
        stochastic: default sampling mode of both attentions (see :meth:`set_stochastic`).
    """

    def __init__(
        self,
        width_img: int,
        width_txt: int,
        hidden: int = 256,
        heads: int = 1,
        beta: float = 2.35,
        stochastic: bool = True,
    ) -> None:
        super().__init__()
        self.down_img = nn.Linear(width_img, hidden)
        self.down_txt = nn.Linear(width_txt, hidden)
        self.img_to_txt = ProbabilisticCrossAttention(hidden, heads, beta, stochastic)
        self.txt_to_img = ProbabilisticCrossAttention(hidden, heads, beta, stochastic)
        self.gate_img = Gate()
        self.gate_txt = Gate()
        self.up_img = nn.Linear(hidden, width_img)
        self.up_txt = nn.Linear(hidden, width_txt)
        for up in (self.up_img, self.up_txt):  # identity at initialisation
            nn.init.zeros_(up.weight)
            nn.init.zeros_(up.bias)

    def set_stochastic(self, stochastic: bool) -> PVLAdapter:
        self.img_to_txt.stochastic = stochastic
        self.txt_to_img.stochastic = stochastic
        return self

    def forward(
        self,
        x_img: torch.Tensor,
        x_txt: torch.Tensor,
        text_padding_mask: torch.Tensor | None = None,
        stochastic: bool | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x_img`` (B, L_i, width_img), ``x_txt`` (B, L_t, width_txt), ``text_padding_mask`` (B, L_t)
        bool, True = padding token (i.e. ``attention_mask == 0``). Returns the updated
        ``(x_img, x_txt)`` with the same shapes. Padded text tokens are updated too but are never
        attended to."""
        if x_img.shape[0] != x_txt.shape[0]:
            raise ValueError(
                f"image tokens {tuple(x_img.shape)} and text tokens {tuple(x_txt.shape)} need the same batch "
                "size B (one prompt per image)"
            )
        h_img = self.down_img(x_img)  # (B, L_i, hidden)
        h_txt = self.down_txt(x_txt)  # (B, L_t, hidden)
        h_img = self.gate_img(self.img_to_txt(h_img, h_txt, text_padding_mask, stochastic), h_img)
        h_txt = self.gate_txt(self.txt_to_img(h_txt, h_img, None, stochastic), h_txt)
        return x_img + self.up_img(h_img), x_txt + self.up_txt(h_txt)
