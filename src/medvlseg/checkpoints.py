"""Finding and loading a model from what a user names on the command line: a run directory, a
``.safetensors`` file, a Hugging Face CLIPSeg checkpoint, or (only when trusted) a pickle file.

One entry point, :func:`resolve_model`, returns the model and a :class:`ModelInfo` that says where it
came from and which thresholds go with it, so that ``evaluate``, ``predict`` and
:func:`medvlseg.load` treat every source the same way.

Safety rules (DESIGN.md, "Run directory and checkpoint"):

- a run directory's ``model.safetensors`` is loaded only if its sha256 matches ``metadata.json``:
  a truncated copy or a file swapped behind the run's back is refused, not silently used;
- pickle files (``.ckpt .pt .pth .bin .pkl``) can run code when unpickled, so they are refused unless
  the caller passes ``trust_pickle=True``, and even then read with ``torch.load(weights_only=True)``,
  which only rebuilds tensors and plain containers.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, DataError
from .utils import sha256_file

__all__ = ["PICKLE_SUFFIXES", "ModelInfo", "is_hf_clipseg", "load_hf_clipseg", "resolve_model"]

PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle")
MODEL_FILE = "model.safetensors"
METADATA_FILE = "metadata.json"
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass
class ModelInfo:
    """Where a model came from and the decision rules that go with it.

    ``kind``: ``"run"``, ``"safetensors"``, ``"hf-clipseg"``, ``"pickle"`` or ``"object"`` (a model
    passed in directly). ``threshold`` / ``presence_threshold``: the run's calibrated values (0.5
    and the threshold itself when the source has none; a presence threshold equal to the pixel
    threshold never empties a mask that has a pixel above it).
    """

    source: str
    kind: str
    model: str
    backbone: str | None = None
    threshold: float = 0.5
    presence_threshold: float = 0.5
    sha256: str | None = None
    weight_source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_model(
    path_or_name: str | os.PathLike,
    *,
    trust_pickle: bool = False,
    pickle_model: str | None = None,
    pickle_backbone: str | None = None,
):
    """Load the model that ``path_or_name`` names; returns ``(model, info)``.

    - a run directory (``model.safetensors`` + ``metadata.json``): sha256 verified, thresholds read;
    - a ``.safetensors`` file written by :func:`medvlseg.save_model` (verified too when a
      ``metadata.json`` beside it lists its sha256);
    - a Hugging Face CLIPSeg checkpoint: a hub id (``CIDAS/clipseg-rd64-refined``) or a folder
      written by ``save_pretrained`` (``config.json`` with ``model_type: clipseg``): built as our
      ``clipseg`` model, which reproduces Hugging Face's output on the same weights;
    - a pickle file: refused unless ``trust_pickle=True``; then its state dict (a plain dict of
      tensors, or a Lightning checkpoint's ``state_dict``) is loaded with ``weights_only=True``
      into ``build_model(pickle_model, backbone=pickle_backbone)``.

    Every user mistake is a :class:`DataError` / :class:`ConfigError` naming the path.
    """
    text = os.fspath(path_or_name)
    path = Path(text)
    if path.is_dir():
        # before the run check: save_pretrained also writes a model.safetensors (without our header)
        if is_hf_clipseg(path):
            return load_hf_clipseg(text)
        if (path / MODEL_FILE).is_file() or (path / METADATA_FILE).is_file():
            return _load_run(path)
        raise DataError(
            f"{path}: not a run directory ({MODEL_FILE} + {METADATA_FILE}) nor a Hugging Face CLIPSeg folder (config.json)"
        )
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".safetensors":
            return _load_safetensors(path)
        if suffix in PICKLE_SUFFIXES:
            return _load_pickle(path, trust_pickle=trust_pickle, model_name=pickle_model, backbone=pickle_backbone)
        raise DataError(f"{path}: unsupported model file {suffix or '(no suffix)'!r}; expected a run directory, a .safetensors file or a CLIPSeg folder")
    if _HUB_ID.match(text) and not path.parent.is_dir():  # "org/name" and no local folder "org"
        return load_hf_clipseg(text)
    raise DataError(f"{path}: model not found (expected a run directory, a .safetensors file, or a Hugging Face CLIPSeg id / folder)")


# ------------------------------------------------------------------------------------ run / file


def _read_metadata(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: missing; refusing to load a run without its checksum") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read run metadata ({exc}); refusing to load") from None
    if not isinstance(meta, dict):
        raise DataError(f"{path}: expected a JSON object; refusing to load")
    return meta


def _verify_sha(model_file: Path, meta: dict[str, Any], meta_path: Path) -> str:
    expected = (meta.get("sha256") or {}).get(model_file.name) if isinstance(meta.get("sha256"), dict) else None
    if not expected:
        raise DataError(f"{meta_path}: no sha256 for {model_file.name}; refusing to load an unverified model")
    actual = sha256_file(model_file)
    if actual.lower() != str(expected).lower():
        raise DataError(
            f"{model_file}: sha256 {actual[:16]}… does not match {meta_path.name} ({str(expected)[:16]}…); "
            "the file was changed or truncated, refusing to load"
        )
    return actual


def _thresholds(meta: dict[str, Any], where: Path) -> tuple[float, float]:
    try:
        thr = float(meta.get("threshold", 0.5))
        pres = meta.get("presence_threshold")
        pres = thr if pres is None else float(pres)
    except (TypeError, ValueError):
        raise DataError(f"{where}: threshold / presence_threshold must be numbers") from None
    if not (0.0 < thr < 1.0 and 0.0 <= pres <= 1.0):
        raise DataError(f"{where}: threshold must lie in (0, 1) and presence_threshold in [0, 1], got {thr}, {pres}")
    return thr, pres


def _load_run(run: Path):
    from .models.base import load_model

    model_file, meta_path = run / MODEL_FILE, run / METADATA_FILE
    if not model_file.is_file():
        raise DataError(f"{model_file}: missing; refusing to load run {run}")
    meta = _read_metadata(meta_path)
    sha = _verify_sha(model_file, meta, meta_path)
    thr, pres = _thresholds(meta, meta_path)
    model = load_model(model_file)
    info = ModelInfo(
        source=str(run), kind="run", model=model.name, backbone=_backbone_name(model), threshold=thr,
        presence_threshold=pres, sha256=sha, weight_source=_weight_source(model), metadata=meta,
    )
    return model, info


def _load_safetensors(path: Path):
    from .models.base import load_model

    sha, meta, thr, pres = None, {}, 0.5, 0.5
    sidecar = path.parent / METADATA_FILE
    if sidecar.is_file():  # a run's model file named directly: same checks as for the run
        meta = _read_metadata(sidecar)
        if isinstance(meta.get("sha256"), dict) and path.name in meta["sha256"]:
            sha = _verify_sha(path, meta, sidecar)
            thr, pres = _thresholds(meta, sidecar)
        else:
            meta = {}
    model = load_model(path)
    info = ModelInfo(
        source=str(path), kind="safetensors", model=model.name, backbone=_backbone_name(model), threshold=thr,
        presence_threshold=pres, sha256=sha or sha256_file(path), weight_source=_weight_source(model), metadata=meta,
    )
    return model, info


def _load_pickle(path: Path, *, trust_pickle: bool, model_name: str | None, backbone: str | None):
    if not trust_pickle:
        raise DataError(
            f"{path}: pickle file ({path.suffix}); unpickling can run arbitrary code, refusing to load. "
            "Convert it to safetensors, or pass --trust-pickle if you trust its origin"
        )
    if not model_name:
        raise ConfigError(
            f"{path}: a pickle checkpoint holds only weights; name the model they belong to "
            "(--model NAME [--backbone NAME], or pickle_model=...)"
        )
    import pickle

    import torch

    from .models.base import build_model

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read as a plain state dict with weights_only=True ({str(exc).splitlines()[0]})") from None
    state = obj.get("state_dict", obj) if isinstance(obj, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise DataError(f"{path}: expected a dict of tensors (or a checkpoint with a 'state_dict' of tensors)")
    if state and all(k.startswith("model.") for k in state):  # a LightningModule holding the model as .model
        state = {k[len("model."):]: v for k, v in state.items()}
    model = build_model(model_name, backbone=backbone)
    missing, unexpected = model.load_state_dict(state, strict=False)
    frozen = set(model.state_dict()) - set(model.trainable_state_dict())
    missing = [k for k in missing if k not in frozen]
    if missing or unexpected:
        raise DataError(f"{path}: weights do not match model {model_name!r}: missing {missing[:5]}, unexpected {list(unexpected)[:5]}")
    info = ModelInfo(
        source=str(path), kind="pickle", model=model.name, backbone=_backbone_name(model), sha256=sha256_file(path),
        weight_source=_weight_source(model),
    )
    return model, info


def _backbone_name(model) -> str | None:
    bb = getattr(model, "backbone", None)
    return getattr(bb, "name", None) if bb is not None else model.build_kwargs.get("backbone")


def _weight_source(model) -> str | None:
    bb = getattr(model, "backbone", None)
    return getattr(bb, "weight_source", None) if bb is not None else None


# ------------------------------------------------------------------------------------ HF CLIPSeg


def is_hf_clipseg(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds a transformers ``config.json`` of a CLIPSeg model."""
    cfg = Path(folder) / "config.json"
    if not cfg.is_file():
        return False
    try:
        return json.loads(cfg.read_text(encoding="utf-8")).get("model_type") == "clipseg"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return False


def load_hf_clipseg(name_or_path: str):
    """Our ``clipseg`` model with the weights of a Hugging Face CLIPSeg checkpoint: zero-shot use
    of a pretrained vision-language segmentation model.

    The CLIP towers are rebuilt from the checkpoint's own config (so any CLIPSeg size works, not
    only ViT-B/16), the decoder is built with the checkpoint's settings (taps, width, heads, plain
    or "refined" upsampling, conditional layer) and both load with ``strict=True``. The input size
    comes from ``preprocessor_config.json`` when there is one (352 px for CIDAS' models), as Hugging
    Face's processor would resize; the tokenizer is the checkpoint's (for the tiny test configs
    built on our byte tokenizer, that one).
    """
    from transformers import CLIPConfig, CLIPModel, CLIPSegForImageSegmentation

    from .backbones.hf_clip import HFCLIPBackbone
    from .backbones.tokenizers import ByteTokenizer
    from .models.clipseg import CLIPSeg, CLIPSegDecoder

    local = Path(name_or_path).is_dir()
    if local and not is_hf_clipseg(name_or_path):
        raise DataError(f"{name_or_path}: no config.json with model_type 'clipseg'; not a CLIPSeg checkpoint")
    try:
        hf = CLIPSegForImageSegmentation.from_pretrained(str(name_or_path)).eval()
    except (OSError, ValueError) as exc:
        hint = "" if local else " (offline? download it once, or pass a local folder written by save_pretrained)"
        raise DataError(f"{name_or_path}: cannot load Hugging Face CLIPSeg checkpoint{hint}: {str(exc).splitlines()[0]}") from None
    cfg = hf.config
    clip_cfg = CLIPConfig(
        text_config=cfg.text_config.to_dict(), vision_config=cfg.vision_config.to_dict(),
        projection_dim=cfg.projection_dim, logit_scale_init_value=cfg.logit_scale_init_value,
    )
    clip = CLIPModel(clip_cfg)
    try:
        clip.load_state_dict(hf.clip.state_dict(), strict=True)
    except RuntimeError as exc:
        raise DataError(f"{name_or_path}: CLIP encoders do not fit a CLIP model of the same config ({exc})") from None
    tokenizer = _clipseg_tokenizer(name_or_path, cfg, ByteTokenizer)
    bb = HFCLIPBackbone(clip.eval(), tokenizer, name="clip", weight_source=str(name_or_path))
    image_size = _processor_size(name_or_path)
    kwargs = dict(
        extract_layers=list(cfg.extract_layers), reduce_dim=int(cfg.reduce_dim),
        decoder_heads=int(cfg.decoder_num_attention_heads), decoder_intermediate_size=int(cfg.decoder_intermediate_size),
    )
    if image_size is not None:
        kwargs["image_size"] = image_size
    model = CLIPSeg(bb, **kwargs)
    # The decoder exactly as the checkpoint's: plain or two-step ("refined") upsampling, FiLM layer.
    model.decoder = CLIPSegDecoder(
        [bb.vision_widths[i] for i in model.extract_layers][::-1], bb.embed_dim, reduce_dim=int(cfg.reduce_dim),
        num_heads=int(cfg.decoder_num_attention_heads), intermediate_size=int(cfg.decoder_intermediate_size),
        patch_size=model.grid_stride, complex_transposed=bool(cfg.use_complex_transposed_convolution),
        conditional_layer=int(cfg.conditional_layer),
    )
    try:
        model.decoder.load_state_dict(hf.decoder.state_dict(), strict=True)
    except RuntimeError as exc:
        raise DataError(f"{name_or_path}: CLIPSeg decoder does not fit ({exc})") from None
    model.eval()
    model.name = "clipseg"
    # How to rebuild it: the registry's clipseg on the same checkpoint (frozen towers are not saved).
    model.build_kwargs = {"backbone": "clip", "clipseg_checkpoint": str(name_or_path), **kwargs}
    info = ModelInfo(
        source=str(name_or_path), kind="hf-clipseg", model="clipseg", backbone="clip", weight_source=str(name_or_path),
        metadata={"hf_config": {k: cfg.to_dict().get(k) for k in ("extract_layers", "reduce_dim", "conditional_layer",
                                                                   "use_complex_transposed_convolution")},
                  "image_size": model.image_size},
    )
    return model, info


def _clipseg_tokenizer(name_or_path: str, cfg, byte_tokenizer_cls):
    from transformers import AutoTokenizer

    local = Path(name_or_path)
    has_files = not local.is_dir() or any((local / f).is_file() for f in _TOKENIZER_FILES)
    if has_files:  # (transformers may otherwise invent a tokenizer for a folder that has none)
        try:
            return AutoTokenizer.from_pretrained(str(name_or_path))
        except (OSError, ValueError, TypeError):
            pass
    tc = cfg.text_config
    byte = byte_tokenizer_cls(context_length=int(tc.max_position_embeddings))
    if int(tc.vocab_size) == byte.vocab_size and int(tc.eos_token_id) == byte.eos_id:
        return byte  # a tiny test checkpoint built on medvlseg's byte tokenizer
    raise DataError(f"{name_or_path}: no tokenizer files with the checkpoint; save the tokenizer with it (processor.save_pretrained)")


def _processor_size(name_or_path: str) -> int | None:
    """Square input size from ``preprocessor_config.json`` (local folders only), else ``None``."""
    path = Path(name_or_path) / "preprocessor_config.json"
    if not path.is_file():
        if Path(name_or_path).is_dir():
            return None
        try:  # a hub id: the processor config is in the cache when the model is
            from huggingface_hub import hf_hub_download

            path = Path(hf_hub_download(str(name_or_path), "preprocessor_config.json"))
        except Exception:  # noqa: BLE001 - offline or absent: keep the encoder's own size
            return None
    try:
        size = json.loads(path.read_text(encoding="utf-8")).get("size")
    except (OSError, json.JSONDecodeError):
        return None
    if isinstance(size, int):
        return size
    if isinstance(size, dict) and size.get("height") == size.get("width") and isinstance(size.get("height"), int):
        return int(size["height"])
    return None
