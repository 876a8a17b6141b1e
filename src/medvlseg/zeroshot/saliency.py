"""Where in an image a text prompt is: saliency maps from an aligned image-text backbone.

The first stage of zero-shot segmentation (MedCLIP-SAM: Koleilat et al., "MedCLIP-SAM: Bridging
Text and Image Towards Universal Medical Image Segmentation", MICCAI 2024, arXiv:2403.20253;
MedCLIP-SAMv2, arXiv:2409.19483). Two methods, both on any :class:`~medvlseg.backbones.Backbone`
(the ``lite`` pair once ``medvlseg align`` has trained its projections, CLIP, BiomedCLIP):

- :func:`gscorecam`: gScoreCAM (Chen et al., "gScoreCAM: What Objects Is CLIP Looking At?",
  ACCV 2022, arXiv:2210.02374), the saliency of MedCLIP-SAM. Activations ``A`` (C x h x w) of a
  late image block and the gradient of the image-text cosine similarity with respect to them; the
  ``k`` channels with the largest spatially averaged gradient are kept; each is upsampled to the
  image, min-max normalised to [0, 1], multiplied into the image, and the masked image is scored
  against the text; a softmax over those scores weighs the channels; saliency =
  ReLU(sum_c w_c A_c), upsampled and min-max normalised (REFERENCE.md section 4).
- :func:`m2ib`: the multi-modal information bottleneck (Wang et al., "Visual Explanations of
  Image-Text Representations via Multi-Modal Information Bottleneck Attribution", NeurIPS 2023,
  arXiv:2312.17174), the saliency of MedCLIP-SAMv2. At one image block the activations are mixed
  with noise, ``Z = lambda * A + (1 - lambda) * eps`` with ``eps ~ N(mu, sigma^2)`` (per channel,
  from the image's own activations) and ``lambda = sigmoid(alpha)`` learnt per element for a few
  Adam steps to keep the similarity to the text while passing as little information as possible:
  loss = -cos(f(Z), t) + beta * mean KL(p(Z | A) || N(mu, sigma^2)). Saliency = the KL ("how many
  nats the text needs from this location"), summed over channels.

- :func:`patch_similarity`: the cosine of every patch embedding with the text (MaskCLIP's dense
  similarity: Zhou et al., "Extract Free Dense Labels from CLIP", ECCV 2022), one forward pass; it
  localises only when alignment trained the patch cosines (``medvlseg align`` with ``pooling: lse``).

All three read only the image and the prompt: no mask.

:func:`similarity` (the cosine of the pooled image embedding and the prompt's, or for an align
run with ``pooling: lse`` the log-sum-exp of the patch cosines) is what decides whether the prompt
names anything in the image at all (:mod:`medvlseg.zeroshot.pipeline`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from ..backbones.base import Backbone
from ..errors import ConfigError
from ..preprocess import normalise

__all__ = ["SALIENCY_METHODS", "gscorecam", "m2ib", "patch_similarity", "saliency", "similarity", "text_embedding"]

SALIENCY_METHODS = ("gscorecam", "m2ib", "patch")


# ------------------------------------------------------------------------------------ helpers


@torch.no_grad()
def text_embedding(backbone: Backbone, prompt: str) -> torch.Tensor:
    """The prompt's L2-normalised joint-space embedding, (E,)."""
    return F.normalize(backbone.encode_text([prompt]).pooled[0].float(), dim=-1)


def _texts(backbone: Backbone, text: str | torch.Tensor) -> torch.Tensor:
    return text_embedding(backbone, text) if isinstance(text, str) else F.normalize(text.float(), dim=-1)


@torch.no_grad()
def similarity(backbone: Backbone, rgb: torch.Tensor, texts: Sequence[str] | torch.Tensor, lse_r: float | None = None) -> torch.Tensor:
    """How well an image matches each text: the cosine of the pooled embeddings, or with ``lse_r``
    the log-sum-exp pooled patch cosines (an align run trained with ``pooling: lse`` scores that
    way: :func:`medvlseg.align.image_text_scores`). ``rgb`` (3, S, S) in [0, 1]; ``texts``: prompts
    or (T, E) embeddings -> (T,)."""
    from ..align import image_text_scores

    x = normalise(rgb, backbone.image_mean, backbone.image_std)[None]
    t = backbone.encode_text(list(texts)).pooled.float() if not torch.is_tensor(texts) else texts.float()
    img = backbone.patch_embeddings(x).flatten(1, 2) if lse_r is not None else backbone.encode_image(x).pooled  # (1, P, E) / (1, E)
    return image_text_scores(img.float(), t, lse_r)[0]


@torch.no_grad()
def patch_similarity(backbone: Backbone, rgb: torch.Tensor, text: str | torch.Tensor) -> torch.Tensor:
    """The cosine of each patch embedding with the text (MaskCLIP-style dense similarity), for a
    backbone whose patch embeddings are in the joint space (``lite`` after ``medvlseg align``,
    best with ``pooling: lse``, which trains exactly these cosines). ``rgb`` (3, S, S) in [0, 1] ->
    (S, S) in [0, 1]: upsampled bilinearly and min-max normalised. One forward pass: no gradients."""
    size = _check(rgb)
    x = normalise(rgb, backbone.image_mean, backbone.image_std)[None]
    patches = F.normalize(backbone.patch_embeddings(x).float(), dim=-1)  # (1, h, w, E)
    cos = patches @ _texts(backbone, text).to(patches.device)  # (1, h, w)
    return _unit(_upsample(cos[:, None], size))[0, 0]


def _activations(backbone: Backbone, x: torch.Tensor, block: int) -> torch.Tensor:
    """Output of image block ``block`` for normalised ``x`` (B, 3, S, S): (B, C, h, w) for a CNN,
    (B, T, C) tokens for a ViT."""
    n = backbone.num_vision_blocks
    stop = block % n
    a = backbone.vision_embed(x)
    for i in range(stop + 1):
        a = backbone.vision_block(i, a)
    return a


def _tail(backbone: Backbone, a: torch.Tensor, block: int) -> torch.Tensor:
    """The rest of the image tower from block ``block``'s output: -> pooled embedding (B, E)."""
    n = backbone.num_vision_blocks
    for i in range(block % n + 1, n):
        a = backbone.vision_block(i, a)
    return backbone.vision_head(a)


def _maps(backbone: Backbone, a: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """Activations as channel maps (B, C, h, w): a CNN's as they are, a ViT's patch tokens reshaped
    (its class tokens dropped)."""
    if a.ndim == 4:
        return a
    h, w = grid
    patches = a[:, backbone.num_prefix_tokens :, :]  # (B, N, C)
    return patches.transpose(1, 2).reshape(a.shape[0], a.shape[2], h, w)


def _grid(backbone: Backbone, a: torch.Tensor, size: int) -> tuple[int, int]:
    if a.ndim == 4:
        return int(a.shape[-2]), int(a.shape[-1])
    n = a.shape[1] - backbone.num_prefix_tokens
    side = int(round(n**0.5))
    if side * side != n:
        raise ConfigError(f"saliency: {n} patch tokens do not form a square grid")
    return side, side


def _unit(m: torch.Tensor) -> torch.Tensor:
    """Min-max normalise each map of (..., H, W) to [0, 1] (a constant map becomes 0)."""
    lo = m.amin(dim=(-2, -1), keepdim=True)
    hi = m.amax(dim=(-2, -1), keepdim=True)
    return torch.where(hi > lo, (m - lo) / (hi - lo).clamp_min(1e-12), torch.zeros_like(m))


def _upsample(m: torch.Tensor, size: int) -> torch.Tensor:
    """(B, C, h, w) -> (B, C, S, S), bilinear."""
    return F.interpolate(m, size=(size, size), mode="bilinear", align_corners=False)


def _check(rgb: torch.Tensor) -> int:
    if rgb.ndim != 3 or rgb.shape[0] != 3 or rgb.shape[1] != rgb.shape[2]:
        raise ConfigError(f"saliency: expected a square (3, S, S) image in [0, 1], got shape {tuple(rgb.shape)}")
    return int(rgb.shape[-1])


# ------------------------------------------------------------------------------------ gScoreCAM


def gscorecam(
    backbone: Backbone,
    rgb: torch.Tensor,
    text: str | torch.Tensor,
    *,
    topk: int = 300,
    block: int | None = None,
    temperature: float = 0.01,
    batch_size: int = 32,
) -> torch.Tensor:
    """gScoreCAM saliency of ``text`` on ``rgb`` (module docstring).

    ``rgb``: (3, S, S) in [0, 1], not normalised (the channels mask the pixels). ``text``: a prompt
    or its joint-space embedding (E,). ``topk``: channels kept (the authors: 300 of 768; all of them
    when the block has fewer). ``block``: the image block whose activations are read (default: a
    CNN's last; a ViT's second-to-last, i.e. the input of its last block, as the authors read CLIP's
    ``resblocks[-1].ln_1``: the last block's patch tokens never reach a class-token head, so their
    gradient is zero). ``temperature``: the softmax over masked-image scores takes cosine / temperature; 0.01 is
    CLIP's logit scale (100), the scale the authors' scores had. Returns (S, S) in [0, 1].
    """
    size = _check(rgb)
    if block is None:
        block = -2 if backbone.vision_type == "vit" and backbone.num_vision_blocks > 1 else -1
    t = _texts(backbone, text)
    x = normalise(rgb, backbone.image_mean, backbone.image_std)[None]  # (1, 3, S, S)
    with torch.enable_grad():
        a = _activations(backbone, x, block).detach().requires_grad_(True)  # (1, C, h, w) or (1, T, C)
        sim = F.cosine_similarity(_tail(backbone, a, block).float(), t[None], dim=-1).sum()
        (grad,) = torch.autograd.grad(sim, a)
    grid = _grid(backbone, a, size)
    maps = _maps(backbone, a.detach(), grid)[0].float()  # (C, h, w)
    g = _maps(backbone, grad, grid)[0].float().mean(dim=(-2, -1))  # (C,) spatially averaged gradient
    if not bool(g.abs().gt(0).any()):
        # at a maximum of the cosine (an image that is all target) or a block whose output does not
        # reach the pooled embedding (a ViT's last): rank by activation instead, as ScoreCAM does
        if backbone.vision_type == "vit" and block % backbone.num_vision_blocks == backbone.num_vision_blocks - 1:
            warnings.warn(f"gscorecam: block {block} of {backbone.name!r} does not reach its class-token head, so the "
                          "similarity has no gradient there; channels ranked by activation. Read an earlier block.",
                          stacklevel=2)
        g = maps.mean(dim=(-2, -1))
    k = min(int(topk), maps.shape[0])
    keep = g.topk(k).indices  # (k,)
    masks = _unit(_upsample(maps[keep][None], size)[0])  # (k, S, S) in [0, 1]
    scores = []
    with torch.no_grad():
        for start in range(0, k, batch_size):
            m = masks[start : start + batch_size, None]  # (b, 1, S, S)
            xm = normalise(rgb[None] * m, backbone.image_mean, backbone.image_std)  # (b, 3, S, S)
            emb = backbone.encode_image(xm).pooled.float()  # (b, E)
            scores.append(F.cosine_similarity(emb, t[None], dim=-1))
    w = torch.softmax(torch.cat(scores) / temperature, dim=0)  # (k,)
    cam = F.relu((w[:, None, None] * maps[keep]).sum(dim=0))  # (h, w)
    return _unit(_upsample(cam[None, None], size)[0, 0])


# ------------------------------------------------------------------------------------ M2IB


def m2ib(
    backbone: Backbone,
    rgb: torch.Tensor,
    text: str | torch.Tensor,
    *,
    block: int = -2,
    beta: float = 0.1,
    steps: int = 10,
    lr: float = 1.0,
    init: float = 5.0,
    seed: int = 0,
) -> torch.Tensor:
    """Information-bottleneck saliency of ``text`` on ``rgb`` (module docstring).

    ``block``: where the bottleneck sits (default: the second-to-last block; the authors put it
    three quarters up a 12-block ViT); ``beta``: weight of the information term (authors: 0.1);
    ``steps``, ``lr``: Adam steps on the mask logits ``alpha`` (authors: 10 steps, lr 1);
    ``init``: the logits' start (sigmoid(5) = 0.993: almost everything passes). The noise is drawn
    from a generator seeded with ``seed``, so the map is reproducible. Returns (S, S) in [0, 1].
    """
    size = _check(rgb)
    t = _texts(backbone, text)
    x = normalise(rgb, backbone.image_mean, backbone.image_std)[None]
    with torch.no_grad():
        a = _activations(backbone, x, block).float()  # (1, C, h, w) or (1, T, C)
    spatial = (-2, -1) if a.ndim == 4 else (1,)
    mu = a.mean(dim=spatial, keepdim=True)  # per channel
    sigma = a.std(dim=spatial, keepdim=True).clamp_min(1e-6)
    alpha = torch.full_like(a, float(init), requires_grad=True)
    opt = torch.optim.Adam([alpha], lr=lr)
    gen = torch.Generator(device=a.device).manual_seed(seed)
    with torch.enable_grad():
        for _ in range(steps):
            lam = torch.sigmoid(alpha)
            eps = mu + sigma * torch.randn(a.shape, generator=gen, device=a.device, dtype=a.dtype)
            z = lam * a + (1 - lam) * eps
            sim = F.cosine_similarity(_tail(backbone, z, block).float(), t[None], dim=-1).sum()
            loss = -sim + beta * _capacity(a, mu, sigma, lam).mean()
            (alpha.grad,) = torch.autograd.grad(loss, alpha)  # only alpha: nothing accumulates in the backbone
            opt.step()
    with torch.no_grad():
        cap = _capacity(a, mu, sigma, torch.sigmoid(alpha))  # per element, nats
        grid = _grid(backbone, a, size)
        sal = _maps(backbone, cap, grid)[0].sum(dim=0)  # (h, w)
    return _unit(_upsample(sal[None, None], size)[0, 0])


def _capacity(a: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    """KL( N(lam a + (1 - lam) mu, (1 - lam)^2 sigma^2) || N(mu, sigma^2) ), element-wise (IBA's
    capacity, Schulz et al., ICLR 2020)."""
    var = (1 - lam) ** 2
    mean = lam * (a - mu) / sigma
    return 0.5 * (var + mean**2 - 1 - torch.log(var.clamp_min(1e-12)))


# ------------------------------------------------------------------------------------ dispatch


def saliency(backbone: Backbone, rgb: torch.Tensor, text: str | torch.Tensor, method: str = "gscorecam", **kwargs) -> torch.Tensor:
    """The saliency map of ``text`` on ``rgb`` by ``method`` (one of :data:`SALIENCY_METHODS`)."""
    if method == "gscorecam":
        return gscorecam(backbone, rgb, text, **kwargs)
    if method == "m2ib":
        return m2ib(backbone, rgb, text, **kwargs)
    if method == "patch":
        return patch_similarity(backbone, rgb, text, **kwargs)
    raise ConfigError(f"saliency method: unknown value {method!r}; expected one of: {', '.join(SALIENCY_METHODS)}")
