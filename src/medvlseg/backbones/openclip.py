"""open_clip models behind the stepwise interface: BiomedCLIP, UniMed-CLIP and any other open_clip checkpoint.

- BiomedCLIP: Zhang et al., "BiomedCLIP: a multimodal biomedical foundation model pretrained from
  fifteen million scientific image-text pairs", arXiv:2303.00915. open_clip model
  ``hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224``: a timm ViT-B/16 (224 px) image
  tower and a PubMedBERT (BiomedBERT) text tower with CLS pooling and an MLP projection, context
  length 256, 512-d joint space, CLIP normalisation.
- open_clip: Cherti et al., "Reproducible scaling laws for contrastive language-image learning",
  arXiv:2212.07143 (the library, https://github.com/mlfoundations/open_clip).
- UniMed-CLIP: Khattak et al., "UniMed-CLIP: Towards a Unified Image-Text Pretraining Paradigm for
  Diverse Medical Imaging Modalities", arXiv:2412.10372; its checkpoints are open_clip state dicts,
  loaded here as ``open_clip:<checkpoint file>`` with ``model_name=`` naming the architecture.

Supported towers: image = timm ``VisionTransformer`` inside open_clip's ``TimmModel`` (BiomedCLIP) or
open_clip's own ``VisionTransformer``; text = open_clip's own transformer (causal, pooled per its
``text_pool_type``) or ``HFTextEncoder`` (BERT family, pooled by its own pooler, then its projection).
Every step calls the library's submodules one block at a time; the stepwise result equals the
library's ``encode_image`` / ``encode_text``.

Weights are read only by :func:`medvlseg.weights.read_weights` (safetensors; a pickle only under
``--trust-pickle``, and then with ``weights_only=True``), never by open_clip's loader (which, on a ``TypeError``, retries ``torch.load`` without an explicit
``weights_only``, leaving safety to torch's default and the ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` variable).
Nothing here downloads unless given an ``hf-hub:`` name. :func:`save_open_clip_dir` writes a folder
that loads back with the network off (``local-dir:<folder>``), text-tower config and tokenizer included.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError, DataError
from .base import CLIP_MEAN, CLIP_STD, Backbone, TextTokens, register_backbone
from .tokenizers import ByteTokenizer

__all__ = [
    "BIOMEDCLIP_HUB",
    "OpenCLIPBackbone",
    "build_biomedclip",
    "build_open_clip",
    "build_tiny_biomedclip",
    "build_tiny_openclip",
    "save_open_clip_dir",
]

BIOMEDCLIP_HUB = "hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224"
BIOMEDBERT = "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract"
CONFIG_NAME = "open_clip_config.json"  # what open_clip's local-dir: and hf-hub: read
WEIGHTS_NAME = "open_clip_model.safetensors"
# checkpoint names in a folder, in open_clip's order of preference (safetensors first)
_WEIGHT_NAMES = (
    "open_clip_model.safetensors", "open_clip_pytorch_model.safetensors", "model.safetensors",
    "open_clip_pytorch_model.bin", "open_clip_pytorch_model.pth", "pytorch_model.bin", "pytorch_model.pth", "model.pth",
)
_WEIGHT_SUFFIXES = (".safetensors", ".pt", ".pth", ".bin", ".ckpt")

# The BiomedCLIP architecture, as in its hub open_clip_config.json.
BIOMEDCLIP_CFG: dict[str, Any] = {
    "embed_dim": 512,
    "vision_cfg": {"timm_model_name": "vit_base_patch16_224", "timm_model_pretrained": False, "timm_pool": "",
                   "timm_proj": "linear", "image_size": 224},
    "text_cfg": {"hf_model_name": BIOMEDBERT, "hf_tokenizer_name": BIOMEDBERT, "hf_proj_type": "mlp",
                 "hf_pooler_type": "cls_last_hidden_state_pooler", "context_length": 256},
}
_CLIP_PREPROCESS = {"mean": list(CLIP_MEAN), "std": list(CLIP_STD)}

_TINY_TIMM = "vit_medvlseg_tiny_patch8_64"
TINY_BIOMEDCLIP_CFG: dict[str, Any] = {
    "embed_dim": 32,
    "vision_cfg": {"timm_model_name": _TINY_TIMM, "timm_model_pretrained": False, "timm_pool": "",
                   "timm_proj": "linear", "image_size": 64},
    "text_cfg": {"hf_model_name": "medvlseg-tiny-bert", "hf_proj_type": "mlp",
                 "hf_pooler_type": "cls_last_hidden_state_pooler", "context_length": 32},
}
TINY_OPENCLIP_CFG: dict[str, Any] = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "patch_size": 8, "width": 48, "head_width": 12, "layers": 4, "mlp_ratio": 2.0},
    "text_cfg": {"context_length": 32, "vocab_size": ByteTokenizer().vocab_size, "width": 32, "heads": 4,
                 "layers": 4, "mlp_ratio": 2.0},
}


def pubmedbert_config(pad_token_id: int = 0):
    """PubMedBERT-base (BiomedBERT) as a local :class:`transformers.BertConfig`: no download."""
    from transformers import BertConfig

    return BertConfig(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                      intermediate_size=3072, max_position_embeddings=512, pad_token_id=pad_token_id)


def tiny_bert_config():
    """A 4-layer, 32-wide BERT whose vocabulary and padding id match :class:`ByteTokenizer`."""
    from transformers import BertConfig

    byte = ByteTokenizer()
    return BertConfig(vocab_size=byte.vocab_size, hidden_size=32, num_hidden_layers=4, num_attention_heads=4,
                      intermediate_size=64, max_position_embeddings=64, pad_token_id=byte.pad_id)


# --------------------------------------------------------------------------------------- backbone


class OpenCLIPBackbone(Backbone):
    """An open_clip ``CLIP`` / ``CustomTextCLIP`` behind the stepwise interface.

    ``model_cfg`` (the open_clip model config, if known) is kept so that :func:`save_open_clip_dir`
    can write the model as a folder open_clip loads.
    """

    vision_type = "vit"
    fixed_image_size = True  # open_clip's ViTs (timm's included) take only their configured size

    def __init__(self, model: nn.Module, tokenizer: Callable, *, name: str, weight_source: str,
                 model_cfg: dict | None = None, arch: str | None = None) -> None:
        super().__init__()
        from open_clip.hf_model import HFTextEncoder
        from open_clip.model import CLIP, CustomTextCLIP, get_model_preprocess_cfg
        from open_clip.timm_model import TimmModel
        from open_clip.transformer import TextTransformer, VisionTransformer
        from timm.models.vision_transformer import VisionTransformer as TimmViT

        if not isinstance(model, (CLIP, CustomTextCLIP)):
            raise ConfigError(f"{name}: expected an open_clip CLIP or CustomTextCLIP model, got {type(model).__name__}")
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name, self.weight_source = name, weight_source
        self.model_cfg = copy.deepcopy(model_cfg)
        self.arch = arch

        # -- image tower
        visual = model.visual
        if isinstance(visual, TimmModel) and isinstance(visual.trunk, TimmViT):
            trunk = visual.trunk
            self._vision = "timm"
            patch = _first(trunk.patch_embed.patch_size)
            size = _first(trunk.patch_embed.img_size or visual.image_size)
            width, n_blocks, self.num_prefix_tokens = int(trunk.embed_dim), len(trunk.blocks), int(trunk.num_prefix_tokens)
        elif isinstance(visual, VisionTransformer):
            if not visual.transformer.batch_first:
                raise ConfigError(f"{name}: open_clip image transformer with batch_first=False is not supported")
            self._vision = "open_clip"
            patch, size = _first(visual.patch_size), _first(visual.image_size)
            width, n_blocks, self.num_prefix_tokens = int(visual.transformer.width), len(visual.transformer.resblocks), 1
        else:
            inner = f" ({type(visual.trunk).__name__})" if isinstance(visual, TimmModel) else ""
            raise ConfigError(f"{name}: image tower {type(visual).__name__}{inner} is not supported; "
                              "expected a timm VisionTransformer or open_clip's VisionTransformer")
        self.image_size = int(size)
        self.vision_widths = [width] * n_blocks
        self.vision_strides = [int(patch)] * n_blocks
        pp = get_model_preprocess_cfg(model)
        self.image_mean = tuple(float(v) for v in pp.get("mean", CLIP_MEAN))  # type: ignore[assignment]
        self.image_std = tuple(float(v) for v in pp.get("std", CLIP_STD))  # type: ignore[assignment]

        # -- text tower
        text = getattr(model, "text", None)
        if isinstance(text, HFTextEncoder):
            encoder = getattr(text.transformer, "encoder", None)
            if getattr(text.config, "is_encoder_decoder", False) or not hasattr(encoder, "layer") \
                    or not hasattr(text.transformer, "embeddings"):
                raise ConfigError(f"{name}: HF text tower {text.config.model_type!r} is not supported "
                                  "(need a BERT-style encoder)")
            self._text = "hf"
            self.text_width = int(text.config.hidden_size)
            self.num_text_blocks = len(encoder.layer)
            self.embed_dim = int(text.output_dim)
            self._pad_id = text.config.pad_token_id
            self._trim = True  # padding is masked: trailing padding changes nothing
        else:
            if isinstance(text, TextTransformer):
                if text.cls_emb is not None:
                    raise ConfigError(f"{name}: text towers with an appended class token (CoCa) are not supported")
                self._text, src, pool = "open_clip_text", text, text.pool_type
                causal, pad_mask = text.attn_mask is not None, bool(text.use_pad_mask)
            elif isinstance(model, CLIP):
                self._text, src, pool = "clip", model, model.text_pool_type
                causal, pad_mask = model.attn_mask is not None, False
            else:
                raise ConfigError(f"{name}: text tower {type(text).__name__} is not supported")
            if pool not in ("argmax", "eos", "first", "last"):
                raise ConfigError(f"{name}: text pooling {pool!r} is not supported")
            self.text_width = int(src.transformer.width)
            self.num_text_blocks = len(src.transformer.resblocks)
            proj = src.text_projection
            if proj is None:
                self.embed_dim = self.text_width
            else:
                self.embed_dim = int(proj.out_features if isinstance(proj, nn.Linear) else proj.shape[1])
            self._pad_id = _tokenizer_pad_id(tokenizer, default=getattr(src, "pad_id", 0))
            # shorter sequences give the same result only when later tokens cannot be seen or are masked
            pad_mask = pad_mask and self._pad_id == getattr(src, "pad_id", None)
            self._trim = (causal or pad_mask) and pool != "last"
        self.context_length = int(getattr(tokenizer, "context_length", None) or model.context_length)

    # -- tokenizer
    def tokenize(self, prompts: Sequence[str]) -> TextTokens:
        """Prompts -> ids (B, L) and mask (B, L), padded to the longest prompt (or to the context
        length for text towers whose output depends on the padding)."""
        if isinstance(prompts, str):
            raise TypeError("prompts must be a list of strings, not one string")
        prompts = list(prompts)
        if isinstance(self.tokenizer, ByteTokenizer):
            t = self.tokenizer(prompts)
            ids, mask = t.input_ids, t.attention_mask
        else:
            ids = torch.as_tensor(self.tokenizer(prompts)).long()  # open_clip tokenizers: (B, context_length)
            real = ids != self._pad_id
            mask = real.flip(-1).cummax(-1).values.flip(-1).long()  # everything up to the last non-pad token
        if self._text == "hf":
            mask = (ids != self._pad_id).long()  # what HFTextEncoder itself uses
        if self._trim:
            length = int(mask.any(0).nonzero().max()) + 1
            ids, mask = ids[:, :length], mask[:, :length]
        elif ids.shape[1] < self.context_length:
            extra = self.context_length - ids.shape[1]
            ids = torch.nn.functional.pad(ids, (0, extra), value=self._pad_id)
            mask = torch.nn.functional.pad(mask, (0, extra), value=0)
        return TextTokens(ids.to(self.device), mask.to(self.device))

    # -- image tower
    def image_tower(self) -> nn.Module:
        return self.model.visual

    def vision_embed(self, images: torch.Tensor) -> torch.Tensor:
        if tuple(images.shape[-2:]) != (self.image_size, self.image_size):
            raise ConfigError(f"{self.name}: images must be {self.image_size}x{self.image_size} px, got "
                              f"{tuple(images.shape[-2:])}")
        if self._vision == "timm":
            t = self.model.visual.trunk
            x = t.patch_embed(images)  # (B, N, D)
            x = t._pos_embed(x)  # (B, P + N, D): class token(s) first, positions added
            return t.norm_pre(t.patch_drop(x))  # (B, P + N, D)
        return self.model.visual._embeds(images)  # (B, 1 + N, D): conv patches, class token, positions, ln_pre

    def vision_block(self, index: int, x: torch.Tensor) -> torch.Tensor:
        if self._vision == "timm":
            return self.model.visual.trunk.blocks[index](x)  # (B, P + N, D)
        return self.model.visual.transformer.resblocks[index](x)  # (B, 1 + N, D)

    def vision_head(self, x: torch.Tensor) -> torch.Tensor:
        visual = self.model.visual
        if self._vision == "timm":
            t = visual.trunk
            pooled = t.forward_head(t.norm(x))  # (B, D): timm's final norm and pooling (class token)
            return visual.head(pooled)  # (B, embed_dim): open_clip's projection
        pooled, _ = visual._pool(x)  # (B, D): ln_post and class-token pooling
        return pooled @ visual.proj if visual.proj is not None else pooled  # (B, embed_dim)

    # -- text tower
    def text_embed(self, tokens: TextTokens) -> torch.Tensor:
        ids = tokens.input_ids
        if self._text == "hf":
            return self.model.text.transformer.embeddings(input_ids=ids)  # (B, L, D_t)
        if self._text == "open_clip_text":
            x, mask = self.model.text._embeds(ids)  # (B, L, D_t) and the tower's own attention mask
            if mask is not None and mask.dim() == 2:
                mask = mask[: ids.shape[1], : ids.shape[1]]  # (L, L): the causal mask is built for the full context
        else:
            m = self.model
            cast = m.transformer.get_cast_dtype()
            L = ids.shape[1]
            x = m.token_embedding(ids).to(cast) + m.positional_embedding[:L].to(cast)  # (B, L, D_t)
            mask = m.attn_mask[:L, :L] if m.attn_mask is not None else None  # (L, L) additive causal mask
        tokens.cache["openclip_mask"] = mask
        return x

    def text_block(self, index: int, x: torch.Tensor, tokens: TextTokens) -> torch.Tensor:
        if self._text == "hf":
            config = self.model.text.transformer.config
            key = f"openclip_hf_mask:{config._attn_implementation}"
            mask = tokens.cache.get(key, "missing")
            if isinstance(mask, str) or (mask is not None and mask.device != x.device):
                from transformers.masking_utils import create_bidirectional_mask

                # the same mask BertModel.forward builds for its attention implementation (boolean for
                # sdpa, so it works unchanged under bf16 autocast); None when nothing is padded
                mask = tokens.cache[key] = create_bidirectional_mask(
                    config=config, inputs_embeds=x, attention_mask=tokens.attention_mask.to(x.device))
            return _tensor(self.model.text.transformer.encoder.layer[index](x, attention_mask=mask))  # (B, L, D_t)
        if "openclip_mask" not in tokens.cache:
            self.text_embed(tokens)
        blocks = (self.model.text if self._text == "open_clip_text" else self.model).transformer.resblocks
        return blocks[index](x, attn_mask=tokens.cache["openclip_mask"])  # (B, L, D_t)

    def text_head(self, x: torch.Tensor, tokens: TextTokens) -> tuple[torch.Tensor, torch.Tensor]:
        if self._text == "hf":
            from transformers.modeling_outputs import BaseModelOutputWithPoolingAndCrossAttentions as Out

            enc = self.model.text
            hf_pooler = getattr(enc.transformer, "pooler", None)
            out = Out(last_hidden_state=x, pooler_output=hf_pooler(x) if hf_pooler is not None else None)
            pooled = enc.pooler(out, tokens.attention_mask.to(x.device))  # (B, D_t): CLS or mean, per config
            return x, enc.proj(pooled)  # (B, L, D_t), (B, embed_dim)
        from open_clip.transformer import text_global_pool

        if self._text == "open_clip_text":
            src, pool, eos = self.model.text, self.model.text.pool_type, self.model.text.eos_id
        else:
            src, pool, eos = self.model, self.model.text_pool_type, getattr(self.model, "text_eos_id", None)
        x = src.ln_final(x)  # (B, L, D_t)
        pooled = text_global_pool(x, tokens.input_ids.to(x.device), pool, eos_token_id=eos)  # (B, D_t)
        proj = src.text_projection
        if proj is not None:
            pooled = proj(pooled) if isinstance(proj, nn.Linear) else pooled @ proj  # (B, embed_dim)
        return x, pooled

    # -- library reference
    def library_token_ids(self, tokens: TextTokens) -> torch.Tensor:
        """``tokens`` as the library's ``model.encode_text`` takes them (to compare with it): padded
        to the full context length for open_clip's own text tower, whose forward adds its whole
        positional embedding and causal mask."""
        ids = tokens.input_ids
        if self._text != "hf" and ids.shape[1] < self.model.context_length:
            ids = torch.nn.functional.pad(ids, (0, self.model.context_length - ids.shape[1]), value=self._pad_id)
        return ids


def _first(v: Any) -> int:
    return int(v[0]) if isinstance(v, (tuple, list)) else int(v)


def _tensor(out: Any) -> torch.Tensor:
    return out[0] if isinstance(out, tuple) else out


def _tokenizer_pad_id(tokenizer: Any, default: int) -> int:
    if isinstance(tokenizer, ByteTokenizer):
        return tokenizer.pad_id
    hf = getattr(tokenizer, "tokenizer", None)  # open_clip's HFTokenizer
    if hf is not None and getattr(hf, "pad_token_id", None) is not None:
        return int(hf.pad_token_id)
    return int(getattr(tokenizer, "pad_id", None) or default)  # SimpleTokenizer pads with 0


# ---------------------------------------------------------------------------------- construction


def vit_medvlseg_tiny_patch8_64(pretrained: bool = False, **kwargs: Any):
    """timm entry point of the tiny ViT (4 blocks, 48 wide, 64 px, 8 px patches); registered with
    timm on first use so that open_clip's ``TimmModel`` and saved configs can name it."""
    from timm.models import build_model_with_cfg
    from timm.models.vision_transformer import VisionTransformer

    if pretrained:
        raise ConfigError(f"{_TINY_TIMM}: there are no pretrained weights for the tiny test ViT")
    kwargs.pop("pretrained_cfg", None)
    args = dict(img_size=64, patch_size=8, embed_dim=48, depth=4, num_heads=4, mlp_ratio=2.0)
    args.update(kwargs)
    cfg = dict(input_size=(3, 64, 64), mean=CLIP_MEAN, std=CLIP_STD, num_classes=0)
    return build_model_with_cfg(VisionTransformer, _TINY_TIMM, False, pretrained_cfg=cfg, **args)


def _register_tiny_timm() -> None:
    from timm.models import is_model, register_model

    if not is_model(_TINY_TIMM):
        register_model(vit_medvlseg_tiny_patch8_64)


class _DropMessages(logging.Filter):
    PREFIXES = ("No pretrained weights loaded for model", "Local config loaded, but no CLIP weights")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.PREFIXES)


@contextlib.contextmanager
def _seeded_quiet_build(seed: int) -> Iterator[None]:
    """Deterministic random initialisation, without open_clip's 'initialized randomly' warnings
    (the weights are loaded afterwards, here)."""
    root, flt = logging.getLogger(), _DropMessages()
    root.addFilter(flt)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        root.removeFilter(flt)


def _model_from_cfg(model_cfg: dict, *, preprocess: dict, hf_config=None, seed: int = 0):
    """Build an open_clip model from a config dict with no network: an HF text tower is built from
    ``hf_config`` (written to a temporary folder that open_clip's ``AutoConfig`` call reads)."""
    from dataclasses import asdict

    from open_clip.model import CLIP, CustomTextCLIP, set_model_preprocess_cfg
    from open_clip.transform import PreprocessCfg, merge_preprocess_dict

    _register_tiny_timm()
    cfg = copy.deepcopy(model_cfg)
    hf_text = "hf_model_name" in cfg["text_cfg"]
    cls = CustomTextCLIP if (cfg.pop("custom_text", False) or hf_text) else CLIP
    if "timm_model_name" in cfg["vision_cfg"]:
        cfg["vision_cfg"]["timm_model_pretrained"] = False
    with tempfile.TemporaryDirectory() as tmp, _seeded_quiet_build(seed):
        if hf_text:
            if hf_config is None:
                raise ConfigError("an HF text tower needs its transformers config to be built offline")
            hf_config.save_pretrained(tmp)
            cfg["text_cfg"].update(hf_model_name=tmp, hf_model_pretrained=False)
        model = cls(**cfg)
    pp = merge_preprocess_dict(asdict(PreprocessCfg()), preprocess)
    pp["size"] = model.visual.image_size
    set_model_preprocess_cfg(model, pp)
    return model.eval()


def _create(arch: str, *, seed: int, **create_kwargs: Any) -> tuple[Any, dict | None, dict]:
    """open_clip.create_model(arch) with random weights (loaded later by :func:`_load_weights`).
    Returns (model, model config if known, medvlseg notes saved with the config)."""
    import open_clip

    _register_tiny_timm()
    overrides: dict[str, Any] = {}
    saved: dict[str, Any] = {}
    hint = (" (offline? with HF_HUB_OFFLINE=1 the hub cache must hold the model and its text tower's config; "
            "or use a folder written by save_open_clip_dir, as local-dir:<folder>)")
    if arch.startswith("local-dir:"):
        folder = Path(arch[len("local-dir:"):])
        saved = _read_folder_config(folder)
        text_cfg = saved["model_cfg"].get("text_cfg", {})
        if text_cfg.get("hf_model_name") and (folder / "config.json").is_file():
            # the text tower's transformers config lies in the folder (save_open_clip_dir writes it):
            # read it there, not from the hub
            overrides["text_cfg"] = {**text_cfg, "hf_model_name": str(folder), "hf_model_pretrained": False}
    elif arch.startswith("hf-hub:"):
        path = _hub_file(arch, CONFIG_NAME, create_kwargs.get("cache_dir"), hint)
        try:
            saved = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"open_clip:{arch}: cannot read its {CONFIG_NAME} ({exc})") from exc
    else:
        saved = {"model_cfg": open_clip.get_model_config(arch)}
    try:
        with _seeded_quiet_build(seed):
            model = open_clip.create_model(arch, load_weights=False, pretrained_image=False, pretrained_text=False,
                                           **{**overrides, **create_kwargs})
    except (ConfigError, DataError):
        raise
    except Exception as exc:  # network, missing hub cache, bad config
        raise DataError(f"open_clip:{arch}: cannot build the model: {type(exc).__name__}: {exc}"
                        f"{hint if arch.startswith(('hf-hub:', 'local-dir:')) else ''}") from exc
    return model.eval(), saved.get("model_cfg"), saved.get("medvlseg", {})


def _hub_file(arch: str, filename: str | None, cache_dir: str | None, hint: str = "") -> str:
    """A file of an ``hf-hub:`` model from the hub or its cache (``filename=None``: the weights,
    safetensors preferred)."""
    from open_clip.pretrained import download_pretrained_from_hf

    try:
        return download_pretrained_from_hf(arch[len("hf-hub:"):], filename=filename, cache_dir=cache_dir)
    except Exception as exc:
        what = filename or "its weights"
        raise DataError(f"open_clip:{arch}: cannot fetch {what} ({type(exc).__name__}: {exc}){hint}") from None


def _read_folder_config(folder: Path) -> dict:
    path = folder / CONFIG_NAME
    if not folder.is_dir():
        raise DataError(f"{folder}: open_clip model folder not found")
    if not path.is_file():
        raise DataError(f"{folder}: not an open_clip model folder (no {CONFIG_NAME})")
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(saved, dict) or "model_cfg" not in saved:
        raise DataError(f"{path}: no 'model_cfg' entry")
    return saved


def _weights_in(folder: Path) -> Path:
    for name in _WEIGHT_NAMES:
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"{folder}: no weights file ({', '.join(_WEIGHT_NAMES)}); pass pretrained=False for random weights")


def read_state_dict(path: str | os.PathLike, *, trusted: bool | None = None) -> dict[str, torch.Tensor]:
    """Tensors of a checkpoint: ``.safetensors``, or a pickle when the caller trusts pickles
    (:mod:`medvlseg.weights`), read with ``weights_only=True``. Unwraps ``state_dict`` / ``model`` entries
    and a ``module.`` prefix (DistributedDataParallel)."""
    from ..weights import read_weights

    path = Path(path)
    obj: Any = read_weights(path, trusted=trusted)  # safetensors; a pickle only under trust_pickle (--trust-pickle)
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict):
        raise DataError(f"{path}: expected a state dict, found {type(obj).__name__}")
    state = {str(k): v for k, v in obj.items() if isinstance(v, torch.Tensor)}
    if not state:
        raise DataError(f"{path}: no tensors in the checkpoint")
    if all(k.startswith("module.") for k in state):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def _load_weights(model: nn.Module, path: str | os.PathLike, arch: str, *, trusted: bool | None = None) -> None:
    """Load a checkpoint into ``model`` with open_clip's own state-dict conversions; every key must match."""
    from open_clip.convert import convert_state_dict
    from open_clip.model import convert_to_custom_text_state_dict, resize_pos_embed, resize_text_pos_embed

    state = read_state_dict(path, trusted=trusted)
    state = convert_state_dict(model, state)
    if "positional_embedding" in state and not hasattr(model, "positional_embedding"):
        state = convert_to_custom_text_state_dict(state)  # old CLIP layout into a CustomTextCLIP
    own = model.state_dict()
    for k in [k for k in state if k not in own and k.endswith("position_ids")]:
        del state[k]  # no longer a saved buffer in transformers >= 4.31
    for k in ("logit_scale", "logit_bias"):
        if k in state and k in own and state[k].shape != own[k].shape and state[k].numel() == own[k].numel():
            state[k] = state[k].reshape(own[k].shape)
    if "logit_bias" in own and "logit_bias" not in state:
        state["logit_bias"] = torch.zeros_like(own["logit_bias"])
    resize_pos_embed(state, model)
    resize_text_pos_embed(state, model)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise DataError(f"{path}: the weights do not fit the architecture {arch!r}: "
                        f"{len(missing)} missing (e.g. {list(missing)[:3]}), {len(unexpected)} unexpected "
                        f"(e.g. {list(unexpected)[:3]})")


def _make_tokenizer(tokenizer: Any, *, arch: str, model, model_cfg: dict | None, notes: dict, pretrained: bool):
    """``tokenizer``: None (the model's own; a byte tokenizer for random weights or where the saved
    folder says so), ``"byte"``, ``"open_clip"``, or a callable open_clip-style tokenizer."""
    if tokenizer is None:
        tokenizer = "byte" if (notes.get("tokenizer") == "byte" or not pretrained) else "open_clip"
    if tokenizer == "byte":
        from open_clip.hf_model import HFTextEncoder

        text = getattr(model, "text", None)
        context = notes.get("context_length") or ((model_cfg or {}).get("text_cfg", {}).get("context_length")) \
            or model.context_length
        if isinstance(text, HFTextEncoder):
            context = min(int(context), int(text.config.max_position_embeddings))
            pad = text.config.pad_token_id
            tok = ByteTokenizer(context_length=int(context), pad_id=int(pad)) if pad not in (None, 257, 258) \
                else ByteTokenizer(context_length=int(context))
        else:
            tok = ByteTokenizer(context_length=int(context))
        if tok.vocab_size > int(model.vocab_size or 0) and not isinstance(text, HFTextEncoder):
            raise ConfigError(f"open_clip:{arch}: vocabulary of {model.vocab_size} is too small for the byte tokenizer")
        return tok
    if tokenizer == "open_clip":
        import open_clip

        try:
            return open_clip.get_tokenizer(arch)
        except Exception as exc:
            raise DataError(f"open_clip:{arch}: cannot load its tokenizer ({type(exc).__name__}: {exc}); "
                            "offline, use a folder written by save_open_clip_dir or pass tokenizer='byte'") from exc
    if isinstance(tokenizer, str) or not callable(tokenizer):
        raise ConfigError(f"tokenizer: unknown value {tokenizer!r}; expected 'byte', 'open_clip' or a callable")
    return tokenizer


def _looks_like_path(spec: str) -> bool:
    return any(c in spec for c in "/\\") or spec.startswith((".", "~")) or spec.lower().endswith(_WEIGHT_SUFFIXES)


_ACCEPTED = ("hf-hub:<org/repo>, local-dir:<folder>, a folder holding open_clip_config.json, a checkpoint file "
             "(.safetensors, or .pt/.bin read with weights_only=True) with model_name=<open_clip architecture or "
             "local-dir:<folder>>, or a built-in open_clip architecture name with pretrained=False")


def _architecture(model_name: str) -> str:
    import open_clip

    model_name = os.fspath(model_name)
    if model_name.startswith(("hf-hub:", "local-dir:")):
        return model_name
    if Path(model_name).is_dir():
        return f"local-dir:{model_name}"
    if model_name.replace("/", "-") in open_clip.list_models():
        return model_name.replace("/", "-")
    raise ConfigError(f"model_name: unknown open_clip architecture {model_name!r}; expected a built-in name (e.g. "
                      "ViT-B-16), hf-hub:<org/repo> or local-dir:<folder with open_clip_config.json>")


# ---------------------------------------------------------------------------------------- builders


@register_backbone("open_clip", "any open_clip model: open_clip:hf-hub:<repo>, open_clip:local-dir:<folder>, "
                                "or open_clip:<checkpoint file> with model_name=<architecture> (UniMed-CLIP)")
def build_open_clip(spec: str | os.PathLike | None = None, *, model_name: str | None = None, pretrained: bool = True,
                    tokenizer: Any = None, seed: int = 0, name: str = "open_clip", **create_kwargs: Any) -> OpenCLIPBackbone:
    """An open_clip model. ``spec``: ``hf-hub:<org/repo>`` (downloads, or reads the hub cache with
    ``HF_HUB_OFFLINE=1``), ``local-dir:<folder>`` or a folder path (``open_clip_config.json`` and
    weights, as :func:`save_open_clip_dir` writes), or a checkpoint file with ``model_name`` naming the
    architecture. ``pretrained=False``: the architecture with random weights (seeded by ``seed``) and
    a byte tokenizer. ``create_kwargs`` go to ``open_clip.create_model`` (e.g. ``force_quick_gelu``)."""
    import open_clip

    if spec is None or not os.fspath(spec):
        raise ConfigError(f"backbone open_clip needs a model: open_clip:<spec>, where <spec> is {_ACCEPTED}")
    spec = os.fspath(spec)
    if model_name and not Path(spec).is_file():
        raise ConfigError(f"model_name: only used with a checkpoint file; open_clip:{spec} names its own architecture")
    weights: Path | str | None
    if spec.startswith("hf-hub:"):
        arch, weights, source = spec, ("hub" if pretrained else None), spec
    elif spec.startswith("local-dir:") or Path(spec).is_dir():
        folder = Path(spec[len("local-dir:"):] if spec.startswith("local-dir:") else spec).resolve()
        _read_folder_config(folder)
        arch, source = f"local-dir:{folder}", str(folder)
        weights = _weights_in(folder) if pretrained else None
    elif Path(spec).is_file():
        if not model_name:
            raise ConfigError(f"open_clip:{spec}: a checkpoint file needs model_name=<architecture> (an open_clip name "
                              "such as 'ViT-B-16', or local-dir:<folder with open_clip_config.json>)")
        arch, source = _architecture(model_name), str(Path(spec).resolve())
        weights = Path(spec) if pretrained else None
    elif spec.replace("/", "-") in open_clip.list_models():
        if pretrained:
            raise ConfigError(f"open_clip:{spec}: a built-in architecture comes without weights here; pass "
                              "pretrained=False for random weights, or give the weights as hf-hub:<repo>, "
                              "local-dir:<folder>, or a checkpoint file with model_name=...")
        arch, weights, source = spec.replace("/", "-"), None, "random"
    elif _looks_like_path(spec):
        raise DataError(f"open_clip:{spec}: no such file or folder")
    else:
        raise ConfigError(f"open_clip:{spec}: unknown model; expected {_ACCEPTED}")

    model, model_cfg, notes = _create(arch, seed=seed, **create_kwargs)
    trusted = None  # the caller's trust_pickle scope
    if weights == "hub":
        weights = _hub_file(arch, None, create_kwargs.get("cache_dir"))
        # BiomedCLIP's published checkpoint is a pickle only: trusted by its name, as a dependency's
        # file is (never a file a user hands in), and read with weights_only=True all the same
        trusted = True if arch == BIOMEDCLIP_HUB else None
    if weights is not None:
        _load_weights(model, weights, arch, trusted=trusted)
    tok = _make_tokenizer(tokenizer, arch=arch, model=model, model_cfg=model_cfg, notes=notes, pretrained=pretrained)
    source = source if pretrained else f"random(seed={seed})"
    return OpenCLIPBackbone(model, tok, name=name, weight_source=source, model_cfg=model_cfg, arch=arch)


@register_backbone("biomedclip", "BiomedCLIP (open_clip: timm ViT-B/16 + PubMedBERT); hub name or local folder; "
                                 "pretrained=False: random weights, no network")
def build_biomedclip(name_or_path: str | os.PathLike = BIOMEDCLIP_HUB, *, pretrained: bool = True, seed: int = 0,
                     tokenizer: Any = None, **open_clip_kwargs: Any) -> OpenCLIPBackbone:
    """BiomedCLIP. ``name_or_path``: the hub name (default) or a local folder (``local-dir:`` layout,
    e.g. written by :func:`save_open_clip_dir`; loads with ``HF_HUB_OFFLINE=1``). ``pretrained=False``
    builds the architecture (ViT-B/16 224 px, 12-layer 768-wide BERT, 512-d joint space, context 256)
    with random weights from local configs and a byte tokenizer, touching no network (its BERT
    config keeps PubMedBERT's padding id 0, so the byte tokenizer pads with 0). Other keyword
    arguments go to :func:`build_open_clip` (e.g. ``cache_dir``)."""
    if not pretrained:
        model = _model_from_cfg(BIOMEDCLIP_CFG, preprocess=_CLIP_PREPROCESS, hf_config=pubmedbert_config(), seed=seed)
        return OpenCLIPBackbone(model, ByteTokenizer(context_length=256, pad_id=0), name="biomedclip",
                                weight_source=f"random(seed={seed})", model_cfg=BIOMEDCLIP_CFG, arch=BIOMEDCLIP_HUB)
    spec = os.fspath(name_or_path)
    if not spec.startswith(("hf-hub:", "local-dir:")) and not Path(spec).exists() \
            and re.fullmatch(r"[\w.-]+/[\w.-]+", spec):
        spec = f"hf-hub:{spec}"  # a bare hub id, org/repo
    return build_open_clip(spec, pretrained=True, tokenizer=tokenizer, seed=seed, name="biomedclip", **open_clip_kwargs)


@register_backbone("tiny-biomedclip", "small random BiomedCLIP-style model (timm ViT + BERT, 4 blocks each, 64 px), "
                                      "for tests; no network, no file")
def build_tiny_biomedclip(*, seed: int = 0, pretrained: bool = False) -> OpenCLIPBackbone:
    """The BiomedCLIP code path in miniature: a timm ViT (4 blocks, 48 wide, 8 px patches, 64 px) and an
    HF BERT text tower (4 layers, 32 wide, CLS pooling, MLP projection), the same for a given ``seed``."""
    model = _model_from_cfg(TINY_BIOMEDCLIP_CFG, preprocess=_CLIP_PREPROCESS, hf_config=tiny_bert_config(), seed=seed)
    return OpenCLIPBackbone(model, ByteTokenizer(context_length=32), name="tiny-biomedclip",
                            weight_source=f"random(seed={seed})", model_cfg=TINY_BIOMEDCLIP_CFG)


@register_backbone("tiny-openclip", "small random open_clip ViT + causal text transformer (4 blocks, 64 px), "
                                    "for tests; no network, no file")
def build_tiny_openclip(*, seed: int = 0, pretrained: bool = False, custom_text: bool = False) -> OpenCLIPBackbone:
    """open_clip's own ViT (4 blocks, 48 wide, 8 px patches, 64 px) and causal text transformer
    (4 layers, 32 wide, EOS pooling), the same for a given ``seed``. ``custom_text=True`` puts the
    text tower in a ``CustomTextCLIP`` (``model.text``) instead of ``CLIP``'s flattened layout."""
    cfg = {**TINY_OPENCLIP_CFG, "custom_text": True} if custom_text else TINY_OPENCLIP_CFG
    model = _model_from_cfg(cfg, preprocess=_CLIP_PREPROCESS, seed=seed)
    return OpenCLIPBackbone(model, ByteTokenizer(context_length=32), name="tiny-openclip",
                            weight_source=f"random(seed={seed})", model_cfg=cfg)


# ------------------------------------------------------------------------------------------ saving


def save_open_clip_dir(backbone: OpenCLIPBackbone, folder: str | os.PathLike) -> Path:
    """Write ``backbone`` as a folder that ``open_clip:local-dir:<folder>`` (and
    ``biomedclip``/``open_clip`` with the folder path) loads with the network off:
    ``open_clip_config.json``, ``open_clip_model.safetensors``, and for an HF text tower its
    ``config.json`` and tokenizer files."""
    from open_clip.hf_model import HFTextEncoder
    from open_clip.model import get_model_preprocess_cfg
    from safetensors.torch import save

    from ..utils import atomic_write_bytes, atomic_write_text

    if not isinstance(backbone, OpenCLIPBackbone):
        raise ConfigError(f"save_open_clip_dir: expected an open_clip backbone, got {type(backbone).__name__}")
    model_cfg = backbone.model_cfg
    if model_cfg is None and backbone.arch:
        import open_clip

        model_cfg = open_clip.get_model_config(backbone.arch)
    if model_cfg is None:
        raise ConfigError(f"{backbone.name}: its open_clip model config is unknown, so it cannot be saved as a folder")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pp = get_model_preprocess_cfg(backbone.model)
    preprocess = {"mean": list(backbone.image_mean), "std": list(backbone.image_std)}
    preprocess.update({k: pp[k] for k in ("interpolation", "resize_mode") if k in pp})
    saved: dict[str, Any] = {"model_cfg": model_cfg, "preprocess_cfg": preprocess}
    tok = backbone.tokenizer
    if isinstance(tok, ByteTokenizer):
        saved["medvlseg"] = {"tokenizer": "byte", "context_length": tok.context_length}
    text = getattr(backbone.model, "text", None)
    if isinstance(text, HFTextEncoder):
        text.config.save_pretrained(folder)  # config.json: read from here when loading
    if hasattr(tok, "save_pretrained"):
        tok.save_pretrained(folder)
    # the weights, then the config the loader starts from, each atomically and the config last: a
    # folder whose writing was cut short has no config and is refused, never read half-written
    state = {k: v.detach().cpu().contiguous() for k, v in backbone.model.state_dict().items()}
    atomic_write_bytes(folder / WEIGHTS_NAME, save(state))
    atomic_write_text(folder / CONFIG_NAME, json.dumps(saved, indent=2))
    return folder
