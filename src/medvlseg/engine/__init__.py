"""Training engine on Lightning: ``train(cfg)`` writes a run directory (see :mod:`.train`),
pickle-free crash-safe checkpoints (:mod:`.checkpoint`), the frozen-feature cache (:mod:`.cache`).

Imported lazily: ``import medvlseg.engine`` does not import Lightning until a name is used.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "train": ".train", "verify_resumable": ".train", "RunDirCallback": ".train",
    "SegModule": ".module", "SegDataModule": ".data", "TorchSegDataset": ".data",
    "FeatureCache": ".cache", "SafeCheckpointIO": ".checkpoint", "save_state": ".checkpoint", "load_state": ".checkpoint",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module 'medvlseg.engine' has no attribute {name!r}")
