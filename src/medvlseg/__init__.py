"""medvlseg: text-driven medical image segmentation.

The small public API (DESIGN.md)::

    import medvlseg
    medvlseg.list_models(); medvlseg.list_backbones()
    model = medvlseg.build_model("clipseg", backbone="tiny")
    out = model(images, prompts)                 # out.logits: (B, 1, H, W)
    seg = medvlseg.Segmenter(model)              # or medvlseg.load("model.safetensors")
    r = seg.segment("image.png", "foot ulcer")   # r.mask, r.probability, r.present

Sub-packages: :mod:`medvlseg.data`, :mod:`medvlseg.prompts`, :mod:`medvlseg.evaluation`,
:mod:`medvlseg.backbones`, :mod:`medvlseg.models`.
"""

__version__ = "0.1.0"

from importlib import import_module
from typing import Any

# Public names and the module each lives in: imported on first use, so that `import medvlseg` and the
# command line start without importing torch, MONAI or transformers.
_EXPORTS = {
    "ConfigError": ".errors", "DataError": ".errors", "MedvlsegError": ".errors",
    "SegmentationDataset": ".data", "check_dataset": ".data",
    "build_backbone": ".backbones.base", "list_backbones": ".backbones.base",
    "build_model": ".models.base", "list_models": ".models.base", "load_model": ".models.base",
    "save_model": ".models.base",
    "SegmentationResult": ".segmenter", "Segmenter": ".segmenter", "load": ".segmenter",
    "rank": ".ranking",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


_SUBMODULES = ("backbones", "data", "evaluation", "losses", "models", "prompts")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # medvlseg.losses.dhn_nce(...) works after a plain `import medvlseg`
        return import_module(f".{name}", __name__)
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'medvlseg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
