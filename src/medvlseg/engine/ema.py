"""Exponential moving average of a model's trained weights (``optim.ema_decay``).

``avg_0 = w_0`` (the weights when training starts), then after every optimizer step
``avg_t = decay * avg_{t-1} + (1 - decay) * w_t``, over the floating-point tensors the model saves
(:meth:`~medvlseg.models.base.SegmentationModel.trainable_state_dict`: adapters, decoder, their
batch-norm statistics; never a frozen backbone, never integer buffers). Validation runs on the
average (swapped into the model for the epoch's validation and back out after it), and the best
epoch's saved model is the average validation scored. The average travels in the resume state.

Lightning's own ``EMAWeightAveraging`` averages a deep copy of the whole LightningModule, frozen
backbone and integer buffers included (a token-position buffer goes through the float formula and
is truncated back): hence this small callback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from lightning.pytorch.callbacks import Callback


class WeightEMA(Callback):
    def __init__(self, decay: float) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"optim.ema_decay: must lie strictly between 0 and 1, got {decay}")
        self.decay = float(decay)
        self.avg: dict[str, torch.Tensor] | None = None
        self._step = 0  # the optimizer step the average last took in
        self._held: dict[str, torch.Tensor] | None = None

    @staticmethod
    def tracked(model: torch.nn.Module) -> dict[str, torch.Tensor]:
        """The model's live floating-point tensors that it saves, by state-dict name."""
        keys = set(model.trainable_state_dict()) if hasattr(model, "trainable_state_dict") else set(model.state_dict())
        live = {**dict(model.named_parameters()), **dict(model.named_buffers())}
        return {k: t for k, t in live.items() if k in keys and t.is_floating_point()}

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        live = self.tracked(pl_module.model)
        if self.avg is None:
            self.avg = {k: t.detach().clone() for k, t in live.items()}
        else:  # restored from the resume state
            self.avg = {k: v.to(live[k].device, live[k].dtype) for k, v in self.avg.items()}

    @torch.no_grad()
    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        if self.avg is None or trainer.global_step == self._step:  # no optimizer step in this batch
            return
        self._step = trainer.global_step
        live = self.tracked(pl_module.model)
        for k, a in self.avg.items():
            a.lerp_(live[k].detach(), 1.0 - self.decay)

    @torch.no_grad()
    def swap_in(self, model: torch.nn.Module) -> None:
        """The average into the model's tensors (in place, so caches keyed on a tensor's version see
        the change), the trained weights held aside."""
        if self.avg is None or self._held is not None:
            return
        live = self.tracked(model)
        self._held = {k: live[k].detach().clone() for k in self.avg}
        for k, a in self.avg.items():
            live[k].copy_(a)

    @torch.no_grad()
    def swap_out(self, model: torch.nn.Module) -> None:
        if self._held is None:
            return
        live = self.tracked(model)
        for k, w in self._held.items():
            live[k].copy_(w)
        self._held = None

    @contextlib.contextmanager
    def swapped(self, model: torch.nn.Module) -> Iterator[torch.nn.Module]:
        """The model holding the average for the block; the trained weights back after it."""
        self.swap_in(model)
        try:
            yield model
        finally:
            self.swap_out(model)

    def on_validation_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        self.swap_in(pl_module.model)

    def on_validation_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        self.swap_out(pl_module.model)

    def state_dict(self) -> dict[str, Any]:
        return {"decay": self.decay, "step": self._step,
                "avg": {k: v.detach().cpu() for k, v in (self.avg or {}).items()}}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._step = int(state_dict["step"])
        self.avg = dict(state_dict["avg"]) or None
