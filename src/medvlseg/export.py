"""ONNX export of a trained model, and inference through ONNX Runtime behind the same Segmenter.

``medvlseg export RUN --onnx FOLDER`` (:func:`export_onnx`) writes a folder that describes itself:

- ``model.onnx``: ``pixel_values`` (B, 3, S, S) float32, normalised with the record's mean and std;
  ``input_ids`` and ``attention_mask`` (B, L) int64 from the tokenizer below (absent for a model
  that reads no text)  ->  ``logits`` (B, 1, S, S) float32. Batch and prompt length are dynamic.
- ``export.json``: the model's record (size, mean and std, pixel and presence thresholds, targets),
  the tokenizer and its context length, and the largest difference of the probabilities from
  PyTorch's, measured on a check batch at export.
- ``tokenizer/``: the Hugging Face tokenizer's files (none for the byte tokenizer).

:class:`OnnxModel` reads such a folder and answers ``predict(images, prompts)`` as a
:class:`~medvlseg.models.base.SegmentationModel` does, so ``medvlseg.Segmenter(OnnxModel(FOLDER))``
gives the masks, presence and entropy the PyTorch model gives for the same text (the graph takes
prompts as they are: resolving a paraphrase to the target it means, :mod:`medvlseg.prompts.resolve`,
needs the PyTorch text tower). Export and inference need the ``export`` extra (onnx, onnxruntime).
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .errors import ConfigError, DataError

EXPORT_FORMAT = "medvlseg-onnx/1"
GRAPH_NAME = "model.onnx"
RECORD_NAME = "export.json"
TOKENIZER_DIR = "tokenizer"
# what the check batch may differ from PyTorch by before the export is refused
MAX_ABS_DIFF = 1e-4


class _Graph(nn.Module):
    """The traced function: tensors in, logits out."""

    def __init__(self, model: nn.Module, uses_text: bool) -> None:
        super().__init__()
        self.model, self.uses_text = model, uses_text

    def forward(self, pixel_values: torch.Tensor, input_ids: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        from .backbones.base import TextTokens

        tokens = TextTokens(input_ids, attention_mask) if self.uses_text else None
        return self.model.forward_tokens(pixel_values, tokens).logits  # (B, 1, S, S)


def _tokenizer_record(backbone: Any) -> dict[str, Any]:
    from .backbones.tokenizers import ByteTokenizer

    tok = getattr(backbone, "tokenizer", None)
    if isinstance(tok, ByteTokenizer):
        return {"kind": "byte", "context_length": tok.context_length}
    if hasattr(tok, "save_pretrained"):
        return {"kind": "huggingface", "context_length": int(backbone.context_length), "folder": TOKENIZER_DIR}
    raise ConfigError(f"export: the {type(tok).__name__} tokenizer of backbone {getattr(backbone, 'name', '?')!r} "
                      "cannot be saved beside the graph (a byte or Hugging Face tokenizer can)")


def export_onnx(model_or_run: Any, folder: str | os.PathLike, *, opset: int = 18, check_prompts: Sequence[str] = ("target", "nothing here"),
                trust_pickle: bool = False) -> dict[str, Any]:
    """Export ``model_or_run`` (a model, a run directory or anything :func:`medvlseg.load` reads) to
    ``folder`` (see the module docstring); returns the ``export.json`` content. The graph is checked
    against PyTorch on a batch of ``check_prompts`` (random images); a difference of the
    probabilities over :data:`MAX_ABS_DIFF` refuses the export."""
    from .checkpoints import model_and_info
    from .utils import atomic_write_json

    model, info = model_and_info(model_or_run, trust_pickle=trust_pickle)
    if type(model).forward_tokens is _base_forward_tokens():
        raise ConfigError(f"export: {model.name} has no tokens path yet; exportable: medclipseg, unet")
    model = copy.deepcopy(model).eval().float().to("cpu")  # the caller's model is left as it was
    if getattr(model, "stochastic", None):
        model.stochastic = None  # the graph is the deterministic (mean) pass; eval mode samples nothing
    uses_text = bool(getattr(model, "uses_text", True))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RECORD_NAME).unlink(missing_ok=True)  # until the new export is complete, the folder is none
    size = int(model.image_size)
    b = len(check_prompts)
    images = torch.randn(b, 3, size, size, generator=torch.Generator().manual_seed(0))
    inputs: dict[str, torch.Tensor] = {"pixel_values": images}
    tokenizer = None
    if uses_text:
        tokenizer = _tokenizer_record(model.backbone)
        tokens = model.backbone.tokenize(list(check_prompts))
        inputs.update(input_ids=tokens.input_ids.cpu(), attention_mask=tokens.attention_mask.cpu())
        if tokenizer["kind"] == "huggingface":
            shutil.rmtree(folder / TOKENIZER_DIR, ignore_errors=True)
            model.backbone.tokenizer.save_pretrained(folder / TOKENIZER_DIR)
    graph = _Graph(model, uses_text).eval()
    dynamic = {"pixel_values": {0: "batch"}, "logits": {0: "batch"}}
    if uses_text:
        dynamic.update(input_ids={0: "batch", 1: "length"}, attention_mask={0: "batch", 1: "length"})
    tmp = folder / f".{GRAPH_NAME}.tmp"
    try:
        try:
            with torch.no_grad():
                torch.onnx.export(graph, tuple(inputs.values()), str(tmp), input_names=list(inputs), output_names=["logits"],
                                  dynamic_axes=dynamic, opset_version=opset, dynamo=False)
        except Exception as exc:  # noqa: BLE001 - the exporter raises many types; one line says which
            raise ConfigError(f"export: torch.onnx.export failed for {model.name} ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc
        with torch.no_grad():
            ref = torch.sigmoid(graph(*inputs.values()).float())
        got = torch.sigmoid(torch.from_numpy(_session(tmp).run(["logits"], {k: v.numpy() for k, v in inputs.items()})[0]))
        diff = float((got - ref).abs().max())
        if not diff <= MAX_ABS_DIFF:
            raise DataError(f"export: ONNX Runtime's probabilities differ from PyTorch's by up to {diff:.2e} "
                            f"(more than {MAX_ABS_DIFF:g}); the graph is not written")
        os.replace(tmp, folder / GRAPH_NAME)
    finally:
        tmp.unlink(missing_ok=True)
    record = {
        "format": EXPORT_FORMAT, "graph": GRAPH_NAME, "record": model.record.model_dump(mode="json"),
        "uses_text": uses_text, "tokenizer": tokenizer, "opset": opset, "source": info.source,
        "prompts_resolved": False,  # the graph takes prompts as they are (no paraphrase resolving)
        "check": {"prompts": list(check_prompts), "image_size": size, "max_abs_diff_probability": diff},
        "torch": torch.__version__,
    }
    atomic_write_json(folder / RECORD_NAME, record)  # last: a folder without it is not an export
    return record


def _base_forward_tokens():
    from .models.base import SegmentationModel

    return SegmentationModel.forward_tokens


def _session(path: Path, threads: int | None = None):
    try:
        import onnxruntime as ort
    except ImportError:
        raise ConfigError("ONNX inference needs onnxruntime: pip install 'medvlseg[export]'") from None
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = int(threads)
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


class OnnxModel(nn.Module):
    """An exported folder run by ONNX Runtime (CPU), behind what :class:`~medvlseg.Segmenter` uses of
    a model: ``record``, ``image_size`` / ``image_mean`` / ``image_std``, ``predict``."""

    def __init__(self, folder: str | os.PathLike, *, threads: int | None = None) -> None:
        super().__init__()
        from .models.record import ModelRecord
        from .utils import read_json_mapping

        folder = Path(folder)
        meta_path = folder / RECORD_NAME
        if not meta_path.is_file():
            raise DataError(f"{folder}: no {RECORD_NAME}; not a folder written by `medvlseg export --onnx`")
        meta = read_json_mapping(meta_path, RECORD_NAME, error=DataError)
        if meta.get("format") != EXPORT_FORMAT:
            raise DataError(f"{meta_path}: format {meta.get('format')!r}; this medvlseg reads {EXPORT_FORMAT!r}")
        self.meta = meta
        self.record = ModelRecord.model_validate(meta["record"])
        self.name = f"{self.record.model} (ONNX)"
        self.uses_text = bool(meta.get("uses_text", True))
        self.session = _session(folder / meta.get("graph", GRAPH_NAME), threads)
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._tokenizer = self._read_tokenizer(folder, meta.get("tokenizer")) if self.uses_text else None

    @staticmethod
    def _read_tokenizer(folder: Path, spec: dict[str, Any] | None):
        from .backbones.tokenizers import ByteTokenizer, hf_tokenize

        if not spec:
            raise DataError(f"{folder / RECORD_NAME}: no tokenizer recorded for a model that reads text")
        n = int(spec["context_length"])
        if spec["kind"] == "byte":
            tok = ByteTokenizer(context_length=n)
            return lambda prompts: tok(prompts)
        from transformers import AutoTokenizer

        hf = AutoTokenizer.from_pretrained(str(folder / spec.get("folder", TOKENIZER_DIR)), local_files_only=True)
        return lambda prompts: hf_tokenize(hf, prompts, n, "cpu")

    @property
    def image_size(self) -> int:
        return self.record.image_size

    @property
    def image_mean(self) -> tuple[float, float, float]:
        return self.record.image_mean

    @property
    def image_std(self) -> tuple[float, float, float]:
        return self.record.image_std

    def logits(self, images: torch.Tensor, prompts: Sequence[str]) -> torch.Tensor:
        """(B, 3, S, S) normalised images and B prompts -> logits (B, 1, S, S)."""
        if images.ndim != 4 or images.shape[1] != 3 or tuple(images.shape[-2:]) != (self.image_size,) * 2:
            raise ConfigError(f"{self.name}: images must be (B, 3, {self.image_size}, {self.image_size}), got {tuple(images.shape)}")
        if isinstance(prompts, str) or len(prompts) != images.shape[0]:
            raise ConfigError(f"{self.name}: need one prompt per image: {images.shape[0]} image(s), prompts={prompts!r}")
        feed = {"pixel_values": images.detach().float().cpu().numpy()}
        if self.uses_text:
            tokens = self._tokenizer(list(prompts))
            feed.update(input_ids=tokens.input_ids.numpy(), attention_mask=tokens.attention_mask.numpy())
        feed = {k: v for k, v in feed.items() if k in self._inputs}
        return torch.from_numpy(self.session.run(["logits"], feed)[0])

    def forward(self, images: torch.Tensor, prompts: Sequence[str]):
        from .models.base import SegmentationOutput

        return SegmentationOutput(logits=self.logits(images, prompts))

    @torch.inference_mode()
    def predict(self, images: torch.Tensor, prompts: Sequence[str]) -> torch.Tensor:
        return torch.sigmoid(self.logits(images, prompts).float())
