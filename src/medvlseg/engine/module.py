"""The LightningModule: loss, optimiser and schedule, validation Dice, the feature cache hook."""

from __future__ import annotations

import math
from typing import Any

import lightning.pytorch as pl
import torch
import torch.nn.functional as F

from ..config import RunConfig
from ..decision import binarize
from ..losses import DiceBCELoss, HausdorffBoundaryLoss, soft_patch_contrastive
from ..models.base import SegmentationOutput
from .cache import FeatureCache


def per_image_dice(pred: torch.Tensor, gt: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Boolean masks (B, 1, S, S) -> Dice per image (B,) float64 (1 when both are empty) and whether
    the ground truth is empty (B,)."""
    inter = (pred & gt).flatten(1).sum(1).double()
    sizes = pred.flatten(1).sum(1).double() + gt.flatten(1).sum(1).double()
    dice = torch.where(sizes > 0, 2 * inter / sizes.clamp_min(1), torch.ones_like(sizes))
    return dice, gt.flatten(1).sum(1) == 0


class SegModule(pl.LightningModule):
    """Trains any registered model. ``dataset_names``: the datasets of a pooled run, in a fixed order
    (per-dataset metrics ``val_dice/<name>``)."""

    def __init__(self, model: torch.nn.Module, cfg: RunConfig, dataset_names: list[str], cache: FeatureCache | None = None) -> None:
        super().__init__()
        self.model = model
        self.cfg = cfg
        self.dataset_names = list(dataset_names)
        self.cache = cache
        self.seg_loss = DiceBCELoss(cfg.loss.dice, cfg.loss.bce)
        if cfg.loss.deep_supervision > 0:
            if not getattr(model, "supports_side_outputs", False):
                from ..errors import ConfigError

                raise ConfigError(f"loss.deep_supervision: model {getattr(model, 'name', '?')!r} gives no side outputs "
                                  "(MedCLIPSeg on a CNN tower does); set loss.deep_supervision: 0")
            model.side_outputs = True
            # the side outputs' targets are soft (the share of target in each cell): Dice for soft
            # labels, minimised where the probability equals the share
            self.side_loss = DiceBCELoss(cfg.loss.dice, cfg.loss.bce, soft_label=True)
        if cfg.loss.boundary > 0:
            self.boundary_loss = HausdorffBoundaryLoss()
        self._train_sum = 0.0
        self._train_n = 0
        self._val: dict[str, torch.Tensor] = {}
        self.epoch_metrics: dict[str, float] = {}  # read by the run-directory callback

    # ---- forward -----------------------------------------------------------------------------------

    def forward_batch(self, batch: dict[str, Any]) -> SegmentationOutput:
        """images (B, 3, S, S), prompts B strings -> logits (B, 1, S, S), through the cache when on."""
        images, prompts = batch["image"], batch["prompt"]
        if self.cache is not None:
            feats = self.cache.features(
                batch["id"], batch["transform"], images, self.model.frozen_features, batch.get("image_sha256")
            )
            if feats is not None:
                return self.model.forward_features(feats, prompts, tuple(images.shape[-2:]))
            self.cache = None  # the model has no cacheable frozen prefix: plain forward from now on
        return self.model(images, prompts)

    def _contrastive(self, out: SegmentationOutput, masks: torch.Tensor) -> torch.Tensor | None:
        """Soft patch contrastive term, when the model exposes patch (B, N, D) and text (B, D) embeddings."""
        patch, text = out.aux.get("patch_embeds"), out.aux.get("text_embeds")
        if patch is None or text is None or patch.ndim != 3:
            return None
        b, n, _ = patch.shape
        h, w = masks.shape[-2:]
        gh = max(1, round(math.sqrt(n * h / w)))
        gw = n // gh
        if gh * gw != n:
            return None
        fg = F.adaptive_avg_pool2d(masks.float(), (gh, gw)).flatten(1)  # (B, N) fraction of fg per patch
        return soft_patch_contrastive(patch, fg, text, temperature=self.cfg.loss.contrastive_temperature)

    def _side_loss(self, out: SegmentationOutput, masks: torch.Tensor) -> torch.Tensor:
        """Mean Dice + BCE of the side outputs (B, 1, h_l, w_l), each against the masks (B, 1, H, W)
        averaged down to its size (a soft target: the share of target in each cell)."""
        side = out.aux["side_logits"]
        terms = [self.side_loss(s, F.adaptive_avg_pool2d(masks.float(), tuple(s.shape[-2:]))) for s in side]
        return torch.stack(terms).mean()

    # ---- training ------------------------------------------------------------------------------------

    def on_train_epoch_start(self) -> None:
        dm = self.trainer.datamodule
        if dm is not None:
            dm.train_set.set_epoch(self.current_epoch)
        self._train_sum, self._train_n = 0.0, 0

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        out = self.forward_batch(batch)
        loss = self.seg_loss(out.logits, batch["mask"])
        if self.cfg.loss.deep_supervision > 0:
            side = self._side_loss(out, batch["mask"])
            loss = loss + self.cfg.loss.deep_supervision * side
            self.log("train_side", side.detach(), on_step=False, on_epoch=True, batch_size=len(batch["id"]), sync_dist=True)
        if self.cfg.loss.boundary > 0:
            hd = self.boundary_loss(out.logits, batch["mask"])
            loss = loss + self.cfg.loss.boundary * hd
            self.log("train_boundary", hd.detach(), on_step=False, on_epoch=True, batch_size=len(batch["id"]), sync_dist=True)
        if self.cfg.loss.contrastive > 0:
            c = self._contrastive(out, batch["mask"])
            if c is not None:
                loss = loss + self.cfg.loss.contrastive * c
                self.log("train_contrastive", c.detach(), on_step=False, on_epoch=True, batch_size=len(batch["id"]), sync_dist=True)
        bs = len(batch["id"])
        self._train_sum += float(loss.detach()) * bs
        self._train_n += bs
        self.log("train_loss", loss.detach(), on_step=True, on_epoch=True, prog_bar=True, batch_size=bs, sync_dist=True)
        return loss

    def on_train_epoch_end(self) -> None:
        t = torch.tensor([self._train_sum, float(self._train_n)], dtype=torch.float64, device=self.device)
        t = self.trainer.strategy.reduce(t, reduce_op="sum")
        self.epoch_metrics["train_loss"] = float(t[0] / t[1].clamp_min(1))
        self.epoch_metrics["lr"] = float(self.trainer.optimizers[0].param_groups[0]["lr"])

    # ---- validation ----------------------------------------------------------------------------------

    def on_validation_epoch_start(self) -> None:
        k = len(self.dataset_names)
        # per dataset: [dice sum over non-empty GT, count non-empty, empty-GT correct, count empty, loss sum, n]
        self._val = {"stats": torch.zeros(k, 6, dtype=torch.float64, device=self.device)}

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        out = self.forward_batch(batch)
        masks = batch["mask"]  # (B, 1, S, S)
        loss = self.seg_loss(out.logits, masks)
        # (B, 1, S, S) at model resolution, with the record's pixel threshold
        pred = binarize(torch.sigmoid(out.logits.float()), self.model.record.threshold if self.model.record else 0.5)
        dice, empty_gt = per_image_dice(pred, masks > 0.5)
        stats = self._val["stats"]
        for j, name in enumerate(batch["dataset"]):
            d = self.dataset_names.index(name)
            if bool(empty_gt[j]):
                stats[d, 2] += float(pred[j].sum() == 0)
                stats[d, 3] += 1
            else:
                stats[d, 0] += dice[j]
                stats[d, 1] += 1
            stats[d, 4] += float(loss.detach())
            stats[d, 5] += 1

    def on_validation_epoch_end(self) -> None:
        if self.trainer.sanity_checking:
            return
        stats = self.trainer.strategy.reduce(self._val["stats"], reduce_op="sum")  # (K, 6) summed over ranks
        tot = stats.sum(0)
        m: dict[str, float] = {
            "val_dice": float(tot[0] / tot[1]) if tot[1] > 0 else float("nan"),
            "val_loss": float(tot[4] / tot[5].clamp_min(1)),
            "val_empty_correct": float(tot[2] / tot[3]) if tot[3] > 0 else float("nan"),
            "val_n": int(tot[1] + tot[3]),
            "val_n_empty": int(tot[3]),
        }
        if len(self.dataset_names) > 1:
            for d, name in enumerate(self.dataset_names):
                m[f"val_dice/{name}"] = float(stats[d, 0] / stats[d, 1]) if stats[d, 1] > 0 else float("nan")
        self.epoch_metrics.update(m)
        # already reduced over ranks: log without sync. EarlyStopping reads val_dice (nan counts as worst).
        loggable = {k: (0.0 if math.isnan(v) else float(v)) for k, v in m.items()}
        self.log("val_dice", loggable.pop("val_dice"), prog_bar=True)
        self.log_dict(loggable, sync_dist=False)

    def _planned_epochs(self) -> int | None:
        """A time budget's latest plan of the run's length in epochs (``RunDirCallback``), or None."""
        trainer = self._trainer
        for cb in (trainer.callbacks if trainer is not None else []):
            if hasattr(cb, "planned_epochs"):
                return cb.planned_epochs()
        return None

    # ---- optimiser ------------------------------------------------------------------------------------

    def configure_optimizers(self):
        o = self.cfg.optim
        bb = getattr(self.model, "backbone", None)
        # pretrained backbone weights that train (fine-tuned towers, tune_last_stage) take their own
        # learning rate, optim.lr x optim.backbone_lr_scale (a second parameter group only then, so
        # that runs without it resume from states saved before it existed)
        in_backbone = {id(p) for p in bb.parameters()} if isinstance(bb, torch.nn.Module) and o.backbone_lr_scale != 1.0 else set()
        params = [p for p in self.model.parameters() if p.requires_grad and id(p) not in in_backbone]
        tuned = [p for p in self.model.parameters() if p.requires_grad and id(p) in in_backbone]
        groups = [{"params": params}] + ([{"params": tuned, "lr": o.lr * o.backbone_lr_scale}] if tuned else [])
        opt = torch.optim.AdamW(groups, lr=o.lr, weight_decay=o.weight_decay)
        total = max(1, self.trainer.estimated_stepping_batches)
        steps_per_epoch = max(1, total // max(1, o.epochs))
        warmup = o.warmup_epochs * steps_per_epoch

        def factor(step: int) -> float:  # linear warmup, then cosine to 0 (per optimiser step)
            if warmup and step < warmup:
                return (step + 1) / warmup
            # a time budget usually ends the run long before `epochs`: decay over the epochs it plans
            # (recorded, so a function of the step alone: repeatable and resume-exact)
            planned = self._planned_epochs()
            end = planned * steps_per_epoch if planned else total
            progress = (step - warmup) / max(1, end - warmup)
            return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
