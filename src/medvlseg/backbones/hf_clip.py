"""OpenAI CLIP through Hugging Face transformers (``clip``), and its small random test version (``tiny``).

Radford et al., "Learning Transferable Visual Models From Natural Language Supervision", ICML 2021,
arXiv:2103.00020. Default checkpoint: ``openai/clip-vit-base-patch16`` (ViT-B/16, 224 px).

The encoder layers of :class:`transformers.CLIPModel` are called one at a time (see
:mod:`medvlseg.backbones.base`); nothing of transformers' code is copied.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import torch

from .base import CLIP_MEAN, CLIP_STD, Backbone, TextTokens, register_backbone
from .tokenizers import ByteTokenizer, hf_tokenize

DEFAULT_CLIP = "openai/clip-vit-base-patch16"


def vit_b16_config():
    """The ViT-B/16 CLIP architecture, built offline (no config download)."""
    from transformers import CLIPConfig

    return CLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=512, intermediate_size=2048, num_hidden_layers=12,
                         num_attention_heads=8, max_position_embeddings=77, eos_token_id=49407),
        vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                           image_size=224, patch_size=16),
        projection_dim=512,
    )


def tiny_clip_config(context_length: int = 32):
    """A 4-block CLIP with 32-wide tokens, 64 px input and 8 px patches: fast, same code paths."""
    from transformers import CLIPConfig

    return CLIPConfig(
        text_config=dict(vocab_size=ByteTokenizer().vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=4,
                         num_attention_heads=4, max_position_embeddings=context_length, eos_token_id=258,
                         bos_token_id=257, pad_token_id=256),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=4, num_attention_heads=4,
                           image_size=64, patch_size=8),
        projection_dim=32,
    )


class HFCLIPBackbone(Backbone):
    """A :class:`transformers.CLIPModel` behind the stepwise interface."""

    vision_type = "vit"
    image_mean = CLIP_MEAN
    image_std = CLIP_STD
    num_prefix_tokens = 1

    def __init__(self, model, tokenizer, *, name: str, weight_source: str) -> None:
        super().__init__()
        self.model = model
        self.model.config._attn_implementation = "sdpa"
        for sub in (model.vision_model, model.text_model):
            sub.config._attn_implementation = "sdpa"
        self.tokenizer = tokenizer
        self.name, self.weight_source = name, weight_source
        vc, tc = model.config.vision_config, model.config.text_config
        self.image_size = int(vc.image_size)
        self.embed_dim = int(model.config.projection_dim)
        self.vision_widths = [int(vc.hidden_size)] * int(vc.num_hidden_layers)
        self.vision_strides = [int(vc.patch_size)] * int(vc.num_hidden_layers)
        self.text_width = int(tc.hidden_size)
        self.num_text_blocks = int(tc.num_hidden_layers)
        self.context_length = int(tc.max_position_embeddings)

    # -- tokenizer
    def tokenize(self, prompts: Sequence[str]) -> TextTokens:
        if isinstance(self.tokenizer, ByteTokenizer):
            return self.tokenizer(prompts, device=self.device)
        return hf_tokenize(self.tokenizer, prompts, self.context_length, self.device)

    # -- image tower
    def image_tower(self) -> torch.nn.Module:
        return self.model.vision_model

    def vision_embed(self, images: torch.Tensor) -> torch.Tensor:
        vm = self.model.vision_model
        x = vm.embeddings(images, interpolate_pos_encoding=images.shape[-1] != self.image_size or images.shape[-2] != self.image_size)
        return vm.pre_layrnorm(x)  # (B, 1 + N, D)

    def vision_block(self, index: int, x: torch.Tensor) -> torch.Tensor:
        return _tensor(self.model.vision_model.encoder.layers[index](x, attention_mask=None))

    def vision_head(self, x: torch.Tensor) -> torch.Tensor:
        pooled = self.model.vision_model.post_layernorm(x[:, 0])  # class token (B, D)
        return self.model.visual_projection(pooled)  # (B, embed_dim)

    # -- text tower
    def text_embed(self, tokens: TextTokens) -> torch.Tensor:
        return self.model.text_model.embeddings(input_ids=tokens.input_ids)  # (B, L, D_t)

    def text_block(self, index: int, x: torch.Tensor, tokens: TextTokens) -> torch.Tensor:
        mask = tokens.cache.get("clip_mask")
        if mask is None or mask.device != x.device:
            # causal and padding together, as a boolean (B, 1, L, L) mask: True = may attend.
            # Boolean, not additive, so that it works unchanged under bf16 autocast.
            L = tokens.input_ids.shape[1]
            causal = torch.ones(L, L, dtype=torch.bool, device=x.device).tril()
            pad = tokens.attention_mask.to(device=x.device, dtype=torch.bool)[:, None, None, :]
            mask = tokens.cache["clip_mask"] = causal[None, None] & pad
        return _tensor(self.model.text_model.encoder.layers[index](x, attention_mask=mask))

    def text_head(self, x: torch.Tensor, tokens: TextTokens) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.model.text_model.final_layer_norm(x)
        # EOS pooling: the end token is the last real token of each sequence
        eos = tokens.attention_mask.sum(dim=1) - 1
        pooled = x[torch.arange(x.shape[0], device=x.device), eos.to(x.device)]
        return x, self.model.text_projection(pooled)


def _tensor(out):
    return out[0] if isinstance(out, tuple) else out


@register_backbone("clip", "OpenAI CLIP ViT-B/16 (transformers); hub name or local folder; pretrained=False: random ViT-B/16")
def build_clip(
    name_or_path: str | os.PathLike = DEFAULT_CLIP, *, pretrained: bool = True, seed: int = 0,
    clipseg_checkpoint: str | None = None,
) -> HFCLIPBackbone:
    """OpenAI CLIP ViT-B/16. ``name_or_path``: a hub name or a local folder written by
    ``save_pretrained`` (works with ``HF_HUB_OFFLINE=1``). ``pretrained=False`` builds the ViT-B/16
    architecture with random weights and a byte tokenizer, touching no network.
    ``clipseg_checkpoint``: instead, the CLIP towers of a Hugging Face CLIPSeg checkpoint (hub id
    or folder), of whatever size its config says, with its tokenizer."""
    from transformers import AutoTokenizer, CLIPModel

    from ..weights import hf_use_safetensors

    if clipseg_checkpoint is not None:
        return clip_from_clipseg(clipseg_checkpoint)
    if not pretrained:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = CLIPModel(vit_b16_config())
        return HFCLIPBackbone(model, ByteTokenizer(context_length=77), name="clip", weight_source="random")
    source = str(name_or_path)
    model = CLIPModel.from_pretrained(source, use_safetensors=hf_use_safetensors())
    tokenizer = AutoTokenizer.from_pretrained(source)
    return HFCLIPBackbone(model, tokenizer, name="clip", weight_source=str(Path(source).resolve()) if Path(source).exists() else source)


_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json")


def clip_from_clipseg(name_or_path: str | os.PathLike) -> HFCLIPBackbone:
    """The CLIP towers of a Hugging Face CLIPSeg checkpoint, rebuilt as a ``CLIPModel`` of the
    checkpoint's own config (so every CLIPSeg size works) and loaded with ``strict=True``."""
    from transformers import CLIPConfig, CLIPModel

    from ..errors import DataError
    from ..models.clipseg import read_hf_clipseg

    hf = read_hf_clipseg(name_or_path)
    cfg = hf.config
    clip = CLIPModel(CLIPConfig(
        text_config=cfg.text_config.to_dict(), vision_config=cfg.vision_config.to_dict(),
        projection_dim=cfg.projection_dim, logit_scale_init_value=cfg.logit_scale_init_value,
    ))
    try:
        clip.load_state_dict(hf.clip.state_dict(), strict=True)
    except RuntimeError as exc:
        raise DataError(f"{name_or_path}: CLIP encoders do not fit a CLIP model of the same config ({exc})") from None
    tokenizer = _clipseg_tokenizer(str(name_or_path), cfg)
    return HFCLIPBackbone(clip.eval(), tokenizer, name="clip", weight_source=str(name_or_path))


def _clipseg_tokenizer(name_or_path: str, cfg):
    from transformers import AutoTokenizer

    from ..errors import DataError

    local = Path(name_or_path)
    has_files = not local.is_dir() or any((local / f).is_file() for f in _TOKENIZER_FILES)
    if has_files:  # (transformers may otherwise invent a tokenizer for a folder that has none)
        try:
            return AutoTokenizer.from_pretrained(str(name_or_path))
        except (OSError, ValueError, TypeError):
            pass
    tc = cfg.text_config
    byte = ByteTokenizer(context_length=int(tc.max_position_embeddings))
    if int(tc.vocab_size) == byte.vocab_size and int(tc.eos_token_id) == byte.eos_id:
        return byte  # a tiny test checkpoint built on medvlseg's byte tokenizer
    raise DataError(f"{name_or_path}: no tokenizer files with the checkpoint; save the tokenizer with it (processor.save_pretrained)")


@register_backbone("tiny", "small random CLIP (4 ViT blocks, 64 px), for tests; no network, no file")
def build_tiny(*, seed: int = 0, pretrained: bool = False) -> HFCLIPBackbone:
    """A small CLIP with random weights, the same for a given ``seed`` (so a model saved without
    its frozen backbone is rebuilt identically)."""
    from transformers import CLIPModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = CLIPModel(tiny_clip_config())
    return HFCLIPBackbone(model, ByteTokenizer(context_length=32), name="tiny", weight_source=f"random(seed={seed})")
