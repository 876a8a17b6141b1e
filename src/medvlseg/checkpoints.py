"""The one loader: a model from what a user names, a run directory, a ``.safetensors`` file, a
Hugging Face CLIPSeg checkpoint, or (only when trusted) a pickle file.

:func:`resolve_model` returns the model, rebuilt from its record
(:class:`~medvlseg.models.record.ModelRecord`: backbone and model arguments, input size,
normalisation, thresholds, targets), and a :class:`ModelInfo` that says where it came from, so that
``evaluate``, ``predict``, :func:`medvlseg.load`, :func:`medvlseg.load_model` and the benchmark
runner treat every source the same way.

Safety rules (DESIGN.md, "Run directory and checkpoint"):

- a run directory's ``model.safetensors`` is loaded only if its sha256 matches ``metadata.json``:
  a truncated copy or a file swapped behind the run's back is refused, not silently used;
- pickles are read by :mod:`medvlseg.weights` alone: refused unless ``trust_pickle=True``, and even
  then with ``torch.load(weights_only=True)``. The permission covers the weight files a backbone
  reads while the model is rebuilt (``open_clip:<file>.pt``, a Hugging Face ``pytorch_model.bin``).
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
from .weights import PICKLE_SUFFIXES, read_weights, trust_pickle as _trust_pickle

__all__ = ["PICKLE_SUFFIXES", "ModelInfo", "is_hf_clipseg", "load_hf_clipseg", "resolve_model"]

MODEL_FILE = "model.safetensors"
METADATA_FILE = "metadata.json"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass
class ModelInfo:
    """Where a model came from and the decision rules that go with it.

    ``kind``: ``"run"``, ``"safetensors"``, ``"hf-clipseg"``, ``"pickle"`` or ``"object"`` (a model
    passed in directly). ``threshold`` / ``presence_threshold``: the record's calibrated values
    (0.5 where the source has none: the presence rule then never empties a mask that has a pixel at
    or above the pixel threshold). ``record``: the model record as a dict.
    """

    source: str
    kind: str
    model: str
    backbone: str | None = None
    threshold: float = 0.5
    presence_threshold: float = 0.5
    presence_thresholds: dict[str, float] = field(default_factory=dict)
    sha256: str | None = None
    weight_source: str | None = None
    image_size: int | None = None
    record: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As JSON for reports: the metadata without its per-image training hashes (thousands of
        lines in every evaluation summary otherwise; the run's metadata.json keeps them)."""
        out = asdict(self)
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k != "train_image_sha256"}
        return out

    @classmethod
    def of(cls, model, *, source: str, kind: str, sha256: str | None = None, metadata: dict | None = None) -> ModelInfo:
        record = getattr(model, "record", None)
        bb = getattr(model, "backbone", None)
        return cls(
            source=source, kind=kind, model=getattr(model, "name", type(model).__name__),
            backbone=record.backbone if record is not None else getattr(bb, "name", None),
            threshold=record.threshold if record is not None else 0.5,
            presence_threshold=record.presence_threshold if record is not None else 0.5,
            presence_thresholds=dict(record.presence_thresholds) if record is not None else {},
            sha256=sha256, weight_source=getattr(bb, "weight_source", None) if bb is not None else None,
            image_size=getattr(model, "image_size", None),
            record=record.model_dump(mode="json") if record is not None else {}, metadata=dict(metadata or {}),
        )


def model_and_info(model_or_path: Any, **load_kwargs: Any):
    """``(model, info)`` for a model object (used as it is) or anything :func:`resolve_model` reads."""
    import torch

    if isinstance(model_or_path, torch.nn.Module):
        return model_or_path, ModelInfo.of(model_or_path, source=f"<{type(model_or_path).__name__}>", kind="object")
    return resolve_model(model_or_path, **load_kwargs)


def resolve_model(
    path_or_name: str | os.PathLike,
    *,
    trust_pickle: bool = False,
    pickle_model: str | None = None,
    pickle_backbone: str | None = None,
):
    """Load the model that ``path_or_name`` names; returns ``(model, info)``.

    - a run directory (``model.safetensors`` + ``metadata.json``): sha256 verified;
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
    with _trust_pickle(trust_pickle):
        return _resolve(path_or_name, pickle_model=pickle_model, pickle_backbone=pickle_backbone)


def _resolve(path_or_name: str | os.PathLike, *, pickle_model: str | None, pickle_backbone: str | None):
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
            return _load_pickle(path, model_name=pickle_model, backbone=pickle_backbone)
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


def write_run_metadata(run_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Write a run's ``metadata.json`` (atomically) with what its saved ``model.safetensors`` holds:
    the file's sha256 (what :func:`resolve_model` checks), its record and decision rules; then its
    card (a card that cannot be written is a warning, never a reason to fail). Returns ``meta``."""
    import logging

    from .card import write_card
    from .errors import MedvlsegError
    from .utils import atomic_write_json

    path = Path(run_dir) / "model.safetensors"
    meta = dict(meta)
    meta["sha256"] = {"model.safetensors": sha256_file(path)} if path.is_file() else {}
    if path.is_file():
        meta["record"] = read_record(path).model_dump(mode="json")  # what the saved file rebuilds
    meta["threshold"] = meta["record"]["threshold"]
    meta["presence_threshold"] = meta["record"]["presence_threshold"]
    atomic_write_json(Path(run_dir) / "metadata.json", meta)
    try:
        write_card(run_dir)  # from the metadata just written: the card never disagrees with it
    except (MedvlsegError, OSError) as exc:
        logging.getLogger(__name__).warning("card.md not written: %s", exc)
    return meta


def read_record(path: Path, *, legacy: dict[str, Any] | None = None):
    """The :class:`~medvlseg.models.record.ModelRecord` in a safetensors file's header. A file
    written before the record existed is completed from ``legacy`` (its run's ``metadata.json``:
    ``image_size``, ``threshold``, ``presence_threshold``) and the model's defaults."""
    from safetensors import safe_open

    from .models.base import build_model
    from .models.record import HEADER_KEY, ModelRecord

    try:
        with safe_open(str(path), framework="pt") as fh:
            raw = (fh.metadata() or {}).get(HEADER_KEY)
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise DataError(f"{path}: cannot read safetensors file ({exc})") from None
    if raw is None:
        raise DataError(f"{path}: no medvlseg model record in the header; was it written by medvlseg.save_model?")
    try:
        header = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: corrupt model record in the header ({exc})") from None
    legacy = legacy or {}
    rec = ModelRecord.from_header(header, source=str(path), legacy_image_size=legacy.get("image_size"))
    if isinstance(rec, ModelRecord):
        if rec.prompt_type is None and isinstance(legacy.get("prompt_type"), str):  # trained before it was recorded
            rec = rec.model_copy(update={"prompt_type": legacy["prompt_type"]})
        return rec
    # the format before the record: build once to learn the defaults it did not store (size,
    # normalisation), with the backbone arguments its run's config.yaml kept
    args = {"backbone": rec["backbone"], "backbone_kwargs": rec["backbone_kwargs"] or legacy.get("backbone_kwargs") or {},
            **rec["model_kwargs"]}
    if "image_size" in rec:
        args["image_size"] = rec["image_size"]
    probe = build_model(rec["model"], **args)
    updates = {"include_frozen": rec["include_frozen"]}
    for key in ("threshold", "presence_threshold"):
        if legacy.get(key) is not None:
            updates[key] = float(legacy[key])
    try:
        return ModelRecord.from_dict({**probe.record.model_dump(), **updates}, source=str(path))
    except DataError as exc:
        raise DataError(f"{exc} (legacy run metadata)") from None


def load_safetensors_model(path: Path, *, legacy: dict[str, Any] | None = None):
    """Rebuild the model a ``.safetensors`` file's record describes and load its weights."""
    from .models.base import build_from_record, load_weights_into

    record = read_record(path, legacy=legacy)
    try:
        model = build_from_record(record, source=str(path))
    except ConfigError as exc:
        raise DataError(f"{path}: cannot rebuild the model its record describes ({exc})") from None
    return load_weights_into(model, read_weights(path), source=str(path))


def _load_run(run: Path):
    model_file, meta_path = run / MODEL_FILE, run / METADATA_FILE
    if not model_file.is_file():
        raise DataError(f"{model_file}: missing; refusing to load run {run}")
    meta = _read_metadata(meta_path)
    sha = _verify_sha(model_file, meta, meta_path)
    model = load_safetensors_model(model_file, legacy=_legacy(run, meta))
    return model, ModelInfo.of(model, source=str(run), kind="run", sha256=sha, metadata=meta)


def _legacy(folder: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """What a model file written before the record (or one of its fields) existed leaves to its
    run: the metadata (``image_size``, thresholds), and from the run's ``config.yaml`` the backbone
    arguments and the prompt type it was trained on (older headers did not keep them)."""
    out = dict(meta)
    cfg = folder / "config.yaml"
    if cfg.is_file():
        import yaml

        try:
            raw = yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}
            kwargs = (raw.get("model") or {}).get("kwargs") or {}
            prompt_type = (raw.get("data") or {}).get("prompt_type")
        except (OSError, yaml.YAMLError, AttributeError):
            kwargs, prompt_type = {}, None
        if isinstance(kwargs, dict) and isinstance(kwargs.get("backbone_kwargs"), dict):
            out["backbone_kwargs"] = kwargs["backbone_kwargs"]
        if isinstance(prompt_type, str):
            out["prompt_type"] = prompt_type
    return out


def _load_safetensors(path: Path):
    sha, meta = None, {}
    sidecar = path.parent / METADATA_FILE
    if sidecar.is_file():  # a run's model file named directly: same checks as for the run
        meta = _read_metadata(sidecar)
        if isinstance(meta.get("sha256"), dict) and path.name in meta["sha256"]:
            sha = _verify_sha(path, meta, sidecar)
        else:
            meta = {}
    model = load_safetensors_model(path, legacy=_legacy(path.parent, meta) if meta else {})
    return model, ModelInfo.of(model, source=str(path), kind="safetensors", sha256=sha or sha256_file(path), metadata=meta)


def _load_pickle(path: Path, *, model_name: str | None, backbone: str | None):
    import torch

    from .models.base import build_model, load_weights_into

    obj = read_weights(path)  # refuses unless trusted
    if not model_name:
        raise ConfigError(
            f"{path}: a pickle checkpoint holds only weights; name the model they belong to "
            "(--model NAME [--backbone NAME], or pickle_model=...)"
        )
    state = obj.get("state_dict", obj) if isinstance(obj, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise DataError(f"{path}: expected a dict of tensors (or a checkpoint with a 'state_dict' of tensors)")
    if state and all(k.startswith("model.") for k in state):  # a LightningModule holding the model as .model
        state = {k[len("model."):]: v for k, v in state.items()}
    model = load_weights_into(build_model(model_name, backbone=backbone), state, source=str(path))
    return model, ModelInfo.of(model, source=str(path), kind="pickle", sha256=sha256_file(path))


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

    Built through the registry like every model (so its record rebuilds it): the ``clip`` backbone
    is the checkpoint's own CLIP (any CLIPSeg size, not only ViT-B/16), the decoder takes the
    checkpoint's settings (taps, width, heads, plain or "refined" upsampling, conditional layer),
    both load with ``strict=True``. The input size comes from ``preprocessor_config.json`` when
    there is one (352 px for CIDAS' models), as Hugging Face's processor would resize.
    """
    from .models.base import build_model

    local = Path(name_or_path).is_dir()
    if local and not is_hf_clipseg(name_or_path):
        raise DataError(f"{name_or_path}: no config.json with model_type 'clipseg'; not a CLIPSeg checkpoint")
    source = str(Path(name_or_path).resolve()) if local else str(name_or_path)  # a record must not depend on the cwd
    model = build_model("clipseg", backbone="clip", backbone_kwargs={"clipseg_checkpoint": source},
                        image_size=_processor_size(source), clipseg_checkpoint=source).eval()
    return model, ModelInfo.of(model, source=source, kind="hf-clipseg")


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
