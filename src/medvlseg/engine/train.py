"""``train()``: one run from a :class:`RunConfig` to a run directory, on Lightning.

Run directory (DESIGN.md)::

    runs/<name>/
      config.yaml        the resolved configuration
      model.safetensors  best (or last: optim.select_epoch) epoch's weights (medvlseg.load_model rebuilds it)
      metadata.json      versions, git commit, backbone + weight source, manifest sha256s,
                         sha256 of model.safetensors, best epoch and its val metrics, threshold, time
      metrics.csv        one row per completed epoch (train_loss, val_dice, ..., epoch_time_s)
      last/              state.json + state-<n>.safetensors: what --resume needs (no pickle)
      logs/              Lightning CSV (logs/csv; after each resume logs/csv-2, ...) and TensorBoard (logs/tb) logs

Every file is written atomically (temp file + rename); ``last/`` carries a checksum in the JSON file
written last, so a run killed at any instant resumes from its last completed epoch.

Scale-out: ``medvlseg train --config c.yaml --devices 2 --strategy ddp`` launches one process per
device (gloo on CPU, NCCL on GPU); only rank 0 writes the run directory. Under torchrun or SLURM,
start one process per device yourself and give the run an explicit ``name`` (every rank must agree
on the folder)::

    torchrun --nproc_per_node 4 -m medvlseg.cli train --config c.yaml --set name=exp1 --devices 4 --strategy ddp
    # SLURM (one task per GPU): #SBATCH --ntasks-per-node=4 --gres=gpu:4
    srun medvlseg train --config c.yaml --set name=exp1 --devices 4 --num-nodes 1 --strategy ddp

Lightning reads the rank and world size from the environment that torchrun / SLURM set.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import signal
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from ..config import RunConfig, apply_overrides
from ..errors import ConfigError, DataError
from ..utils import atomic_write_csv, atomic_write_text, sha256_file

log = logging.getLogger(__name__)

# the clock a time budget reads (one name, so a test can run a budget on simulated time)
_clock = time.monotonic

# what --resume may change: how long and where it trains, not what it trains on or what it is
RESUMABLE_OVERRIDES = ("optim.epochs", "optim.max_time_min", "optim.early_stopping_patience", "trainer.", "data.num_workers",
                       "cache.dir")
RUN_DIR_ENV = "MEDVLSEG_RUN_DIR"  # how DDP child processes learn the folder rank 0 chose
LAST = "last"


def _rank() -> int:
    from lightning.pytorch.utilities import rank_zero_only

    return int(getattr(rank_zero_only, "rank", 0) or 0)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _lightning_checkpoint_base():
    from lightning.pytorch.callbacks import Checkpoint

    return Checkpoint


class RunDirCallback(_lightning_checkpoint_base()):
    """Writes metrics.csv, model.safetensors (best), metadata.json and last/ after every epoch.

    A ``Checkpoint`` subclass so that Lightning runs it after the other callbacks (EarlyStopping's
    state is then up to date in the saved state) and does not add its own ModelCheckpoint. Its own
    state (rows, best epoch, wall time, RNG states) travels in the checkpoint, so a resumed run
    continues the same metrics.csv and best-model tracking.
    """

    def __init__(self, run_dir: Path, cfg: RunConfig, metadata: dict[str, Any], console: Any | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.cfg = cfg
        self.metadata = metadata
        self.console = console
        self.rows: list[dict[str, Any]] = []
        self.best_epoch: int | None = None
        self.best_score = -math.inf
        self.best_metrics: dict[str, float] = {}
        self.train_time_s = 0.0
        self._t0 = 0.0
        self._rng: dict[str, Any] | None = None
        self.presence_threshold = 0.5
        self.presence_calibration: dict[str, Any] | None = None
        # a time budget's plan: the number of epochs in all, as planned after each epoch (plan_epochs)
        self.epoch_plan: list[int] = []

    @property
    def state_key(self) -> str:
        return "RunDirCallback"

    # ---- state -----------------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        from lightning.fabric.utilities.seed import _collect_rng_states

        rng = _collect_rng_states(include_cuda=torch.cuda.is_available())
        np_state = rng.get("numpy")
        if np_state is not None:  # ('MT19937', uint32 array, pos, has_gauss, gauss) -> JSON + tensor
            rng["numpy"] = [np_state[0], torch.from_numpy(np_state[1].astype("int64")), *np_state[2:]]
        return {
            "rows": self.rows, "best_epoch": self.best_epoch, "best_score": self.best_score,
            "best_metrics": {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in self.best_metrics.items()}, "train_time_s": self.train_time_s, "rng": rng,
            "epoch_plan": self.epoch_plan,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rows = list(state.get("rows", []))
        self.best_epoch = state.get("best_epoch")
        self.best_score = float(state.get("best_score", -math.inf))
        self.best_metrics = dict(state.get("best_metrics", {}))
        self.train_time_s = float(state.get("train_time_s", 0.0))
        self.epoch_plan = [int(n) for n in state.get("epoch_plan", [])]
        self._rng = state.get("rng")

    def on_train_start(self, trainer, pl_module) -> None:
        # Restore RNG states as late as possible: nothing after this point differs from the uninterrupted run.
        if self._rng is not None:
            import numpy as np
            from lightning.fabric.utilities.seed import _set_rng_states

            rng = dict(self._rng)
            if rng.get("numpy") is not None:
                name, keys, *rest = rng["numpy"]
                rng["numpy"] = (name, keys.numpy().astype(np.uint32), *rest)
            if "python" in rng and isinstance(rng["python"], (list, tuple)):
                v, internal, gauss = rng["python"]
                rng["python"] = (v, tuple(internal), gauss)
            if not torch.cuda.is_available():
                rng.pop("torch.cuda", None)
            _set_rng_states(rng)
            self._rng = None
        self._t0 = _clock()  # the budget is charged from here to each epoch's end, checkpoints included
        budget = self.cfg.optim.max_time_min
        if budget and self.cfg.optim.epoch_plan is None and self.epoch_plan and self.epoch_plan[-1] <= len(self.rows):
            # resumed after the budget had ended (e.g. with a larger one): plan the last entry again,
            # as if that epoch had ended now, so the next epochs are not trained at a rate of zero
            self.epoch_plan[-1] = self._fit(len(self.rows), float(self.rows[-1].get("epoch_time_s") or 0.0))
            if self.epoch_plan[-1] <= len(self.rows):
                log.warning("the time budget of %s min is spent (%.0f s trained): nothing to resume", budget, self.train_time_s)
                trainer.should_stop = True

    # ---- per epoch ------------------------------------------------------------------------------------

    def planned_epochs(self) -> int | None:
        """The latest plan of the run's length in epochs, or None without a time budget (or before
        its first epoch has ended). The learning rate decays over it (``SegModule``)."""
        o = self.cfg.optim
        if not self.epoch_plan or (o.max_time_min is None and o.epoch_plan is None):
            return None
        return self.epoch_plan[-1]

    def _fit(self, epoch: int, epoch_time: float) -> int:
        """Epochs in all when ``epoch`` epochs are done: those that still fit in ``max_time_min`` at
        the pace of the last one (``epoch_time`` s), within ``optim.epochs``."""
        o = self.cfg.optim
        remaining_s = o.max_time_min * 60.0 - self.train_time_s
        fits = int(remaining_s // max(epoch_time, 1e-6)) if remaining_s > 0 else 0
        return epoch + max(0, min(fits, o.epochs - epoch))

    def plan_epochs(self, trainer, epoch: int, epoch_time: float) -> int | None:
        """After ``epoch`` (1-based): the number of epochs the run will take in all, or None without a
        time budget. Replayed from ``optim.epoch_plan`` when given (no clock is read); otherwise
        :meth:`_fit`. A budget is so spent in whole epochs, and the learning rate, which decays over
        the plan times the steps per epoch, is a function of the step alone. Rank 0 decides."""
        o = self.cfg.optim
        if o.epoch_plan is not None:
            planned = o.epoch_plan[epoch - 1] if epoch <= len(o.epoch_plan) else epoch
        elif o.max_time_min:
            planned = self._fit(epoch, epoch_time)
        else:
            return None
        return int(trainer.strategy.broadcast(max(int(planned), epoch), src=0))

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking:
            return
        now = _clock()
        epoch_time, self._t0 = now - self._t0, now  # since the last epoch's end (or the start)
        self.train_time_s += epoch_time
        m = dict(pl_module.epoch_metrics)
        row: dict[str, Any] = {"epoch": trainer.current_epoch + 1, "train_loss": m.get("train_loss", float("nan"))}
        row.update({k: v for k, v in m.items() if k.startswith("val_")})
        row["lr"] = m.get("lr", float("nan"))
        row["epoch_time_s"] = round(epoch_time, 3)
        row["steps"] = trainer.global_step
        planned = self.plan_epochs(trainer, row["epoch"], epoch_time)
        if planned is not None:
            self.epoch_plan.append(planned)
            row["planned_epochs"] = planned
            if planned <= row["epoch"]:  # the budget holds no further epoch
                trainer.should_stop = True
        cache = getattr(pl_module, "cache", None)
        if cache is not None:
            row["cache_computed"] = cache.computed
            row["cache_hits"] = cache.hits
        self.rows.append(row)
        score = m.get("val_dice", float("nan"))
        improved = not math.isnan(score) and score > self.best_score
        if self.best_epoch is None and math.isnan(score):
            improved = True  # no val Dice at all (e.g. only empty masks): keep the first epoch's weights
        if self.cfg.optim.select_epoch == "last":
            improved = True  # every epoch replaces the kept weights: the run keeps its last
        if improved:
            self.best_epoch, self.best_metrics = row["epoch"], {k: v for k, v in row.items() if k.startswith("val_")}
            self.best_score = score if not math.isnan(score) else -math.inf
        if trainer.is_global_zero:
            atomic_write_csv(self.run_dir / "metrics.csv", self.rows)
            if improved:
                from ..models.base import save_model

                with _validated_weights(trainer, pl_module.model) as model:  # the weights validation scored
                    save_model(model, self.run_dir / "model.safetensors")
            self.write_metadata(status="running")
            if self.console is not None:
                epochs = self.cfg.optim.epochs
                mark = "kept" if self.cfg.optim.select_epoch == "last" else "best"
                self.console.print(
                    f"epoch {row['epoch']}/{epochs}  train_loss {row['train_loss']:.4f}  "
                    f"val_dice {score:.4f}  {epoch_time:.1f}s" + (f"  ({mark})" if improved else ""),
                    highlight=False,
                )
        # all ranks call this: Lightning writes on rank 0 and synchronises
        trainer.save_checkpoint(self.run_dir / LAST / "state.ckpt", weights_only=False)

    def write_metadata(self, status: str) -> None:
        from ..checkpoints import write_run_metadata

        meta = dict(self.metadata)
        meta.update({
            "status": status,
            "best_epoch": self.best_epoch,
            "best_metrics": {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in self.best_metrics.items()},
            "presence_calibration": self.presence_calibration,
            "epochs_completed": len(self.rows),
            # optimiser steps taken, and a time budget's plans (optim.epoch_plan replays them)
            "steps": int(self.rows[-1].get("steps", 0)) if self.rows else 0,
            "epoch_plan": self.epoch_plan or None,
            "train_time_s": round(self.train_time_s, 3),
        })
        # the sha256, record and decision rules as the saved file holds them (also after a resume)
        write_run_metadata(self.run_dir, meta)

    def calibrate_presence(self, module: Any, val_batches: Any, device: torch.device) -> None:
        """Load the best weights into the module's model, choose the presence threshold on the
        selection split (calibrate.py), through the module's forward (and so its feature cache), and
        write it into the saved model's record."""
        from ..models.base import load_weights_into, save_model
        from ..weights import read_weights
        from .calibrate import calibrate_presence

        path = self.run_dir / "model.safetensors"
        if not path.is_file():
            return
        model = load_weights_into(module.model, read_weights(path), source=str(path))  # the best epoch's weights
        rule = self.cfg.model.presence_rule
        self.presence_threshold, per_target, self.presence_calibration = calibrate_presence(
            model, val_batches, device, rule=rule, forward=lambda b: module.forward_batch(b).logits,
            min_specificity=self.cfg.model.presence_min_specificity, tolerance_se=self.cfg.model.presence_tolerance_se)
        self.presence_calibration["split"] = self.metadata.get("selection", {}).get("split")
        # same weights, calibrated record
        save_model(model, path, presence_threshold=self.presence_threshold, presence_thresholds=per_target,
                   presence_rule=rule)


def _validated_weights(trainer: Any, model: torch.nn.Module):
    """A context holding ``model`` with the weights the epoch's validation scored: the moving
    average with ``optim.ema_decay`` (engine/ema.py), else its own."""
    from .ema import WeightEMA

    ema = next((cb for cb in trainer.callbacks if isinstance(cb, WeightEMA)), None)
    return ema.swapped(model) if ema is not None else contextlib.nullcontext(model)


# ------------------------------------------------------------------------------------------- quiet


# Lightning's messages that say nothing about this run: hardware banners, advertisements, and warnings
# about choices made on purpose (a frozen backbone stays in eval mode; small synthetic epochs; no
# dataloader workers by default, since decoded images are memoised in the main process).
_LIGHTNING_NOISE = (
    r".*module\(s\) in eval mode at the start of training.*",
    r".*is smaller than the logging interval.*",
    r".*does not have many workers.*",
    r".*LeafSpec.*is deprecated.*",
    r".*`isinstance\(treespec, LeafSpec\)`.*",
    r".*Checkpoint directory .* exists and is not empty.*",
    r".*torch.cuda.amp.* is deprecated.*",
)
_LIGHTNING_LOGGERS = ("lightning.pytorch", "lightning.fabric", "lightning")


@contextlib.contextmanager
def quiet_lightning() -> Iterator[None]:
    """Within the block, Lightning's info lines ("GPU available", tips, "Loading train_dataloader",
    "`Trainer.fit` stopped"), the warnings in :data:`_LIGHTNING_NOISE` and transformers' weight-loading
    bar are silenced; real warnings still show. The training log is then one progress bar and one
    line per epoch."""
    levels = {name: logging.getLogger(name).level for name in _LIGHTNING_LOGGERS}
    try:  # transformers' "Loading weights" bar while the backbone is built
        from transformers.utils import logging as hf_logging

        hf_bar = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - the models extra is not installed
        hf_logging, hf_bar = None, False
    with warnings.catch_warnings():
        for pattern in _LIGHTNING_NOISE:
            warnings.filterwarnings("ignore", message=pattern)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"lightning(\..*)?")
        for name in _LIGHTNING_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            yield
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
            if hf_bar:
                hf_logging.enable_progress_bar()


# ------------------------------------------------------------------------------------------- run dir


def replay_config(run_dir: str | os.PathLike, overrides: list[str] | None = None) -> RunConfig:
    """The config that repeats a time-budgeted run without a clock: its own config.yaml with the
    epoch plan its metadata.json recorded (``optim.epoch_plan``), named ``<name>-replay`` and written
    beside it. ``overrides`` apply last (``name=...``, ``out_dir=...``). On the same devices and
    batch size the replay repeats the run step for step; elsewhere it repeats its epochs and schedule."""
    from ..utils import read_json_mapping

    run_dir = Path(run_dir).resolve()
    cfg_path, meta_path = run_dir / "config.yaml", run_dir / "metadata.json"
    if not cfg_path.is_file():
        raise ConfigError(f"{cfg_path}: not found; --replay takes a run directory written by `medvlseg train`")
    plan = read_json_mapping(meta_path, "run metadata (--replay takes a run directory written by `medvlseg train`)").get("epoch_plan")
    if not plan:
        raise ConfigError(f"{meta_path}: no epoch_plan recorded (the run had no time budget, or predates epoch plans); "
                          f"repeat it with --config {cfg_path}")
    raw = RunConfig.from_yaml(cfg_path).to_dict()
    raw.update(name=f"{raw.get('name') or run_dir.name}-replay", out_dir=str(run_dir.parent))
    raw["optim"]["epoch_plan"] = [int(n) for n in plan]
    return RunConfig.from_dict(apply_overrides(raw, list(overrides or [])), source=str(cfg_path))


def _choose_run_dir(cfg: RunConfig, model_name: str) -> Path:
    out = Path(cfg.out_dir)
    if _rank() != 0:
        env = os.environ.get(RUN_DIR_ENV)
        if env:
            return Path(env)
        if cfg.name is None:
            raise ConfigError("name: multi-process runs started by torchrun/SLURM need an explicit run name (--set name=...)")
        return out / cfg.name
    if cfg.name is not None:
        run_dir = out / cfg.name
        if (run_dir / "config.yaml").exists():
            raise ConfigError(f"{run_dir}: a run with this name already exists; resume it with --resume {run_dir} or choose another name")
        return run_dir
    base = f"{model_name}-{'+'.join(Path(p).resolve().name for p in cfg.data.paths)}"
    run_dir, n = out / base, 1
    while run_dir.exists():
        n += 1
        run_dir = out / f"{base}-{n}"
    return run_dir


def _csv_version(run_dir: Path) -> str:
    """The folder under ``logs/`` for Lightning's CSV log: ``csv``, or for a resumed run the next free
    ``csv-<n>`` (Lightning empties a CSV log folder it writes to again, which would delete the log of
    the epochs before the resume)."""
    version, n = "csv", 1
    while (folder := run_dir / "logs" / version).is_dir() and any(folder.iterdir()):
        n += 1
        version = f"csv-{n}"
    return version


def _resumed_record(run_dir: Path):
    """The model record a run directory's metadata holds (None for runs written before it)."""
    import json

    from ..models.record import ModelRecord

    try:
        raw = json.loads((run_dir / "metadata.json").read_text(encoding="utf-8")).get("record")
    except (OSError, ValueError, AttributeError):
        return None
    return ModelRecord.from_dict(raw, source=str(run_dir / "metadata.json")) if isinstance(raw, dict) else None


def verify_resumable(run_dir: Path) -> RunConfig:
    """Check that ``run_dir`` has a resolved config and an intact last/ checkpoint; return its config."""
    from .checkpoint import load_state

    if not (run_dir / "config.yaml").is_file():
        raise DataError(f"{run_dir}: not a run directory (no config.yaml)")
    load_state(run_dir / LAST)  # raises DataError on a missing, truncated or corrupt checkpoint
    return RunConfig.from_yaml(run_dir / "config.yaml")


# ---------------------------------------------------------------------------------------------- train


def train(
    cfg: RunConfig | None = None,
    *,
    resume: str | os.PathLike | None = None,
    overrides: list[str] | None = None,
    devices: int | str | None = None,
    strategy: str | None = None,
    num_nodes: int | None = None,
    out_dir: str | os.PathLike | None = None,
    progress: bool = True,
    console: Any | None = None,
    allow_pickle: bool = False,
) -> Path:
    """Train one model; returns the run directory. ``resume``: a run directory to continue from its
    last completed epoch (its config.yaml, with ``overrides`` applied, e.g. ``optim.epochs=20``).
    ``allow_pickle``: a backbone may read pickle weight files (``--trust-pickle``, see
    :mod:`medvlseg.weights`)."""
    with quiet_lightning():
        return _train(cfg, resume=resume, overrides=overrides, devices=devices, strategy=strategy, num_nodes=num_nodes,
                      out_dir=out_dir, progress=progress, console=console, allow_pickle=allow_pickle)


def _train(cfg, *, resume, overrides, devices, strategy, num_nodes, out_dir, progress, console, allow_pickle) -> Path:
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import EarlyStopping, RichProgressBar
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
    from lightning.pytorch.utilities.exceptions import SIGTERMException

    from .. import __version__
    from ..config import apply_overrides
    from ..models.base import build_model
    from ..weights import trust_pickle
    from .cache import FeatureCache, model_fingerprint, supports_cache
    from .checkpoint import SafeCheckpointIO
    from .data import SegDataModule, constant_prompt_warning
    from .module import SegModule

    if resume is not None:
        if out_dir is not None:
            raise ConfigError(f"--out: a resumed run continues in its own folder ({resume}); leave --out out")
        run_dir = Path(resume)
        base = verify_resumable(run_dir)
        bad = [o for o in overrides or [] if not o.split("=", 1)[0].strip().startswith(RESUMABLE_OVERRIDES)]
        if bad:
            raise ConfigError(f"--resume: {', '.join(bad)} would change the model or its data in the middle of the run; "
                              f"only {', '.join(p.rstrip('.') for p in RESUMABLE_OVERRIDES)} can change on resume "
                              "(start a new run for anything else)")
        cfg = RunConfig.from_dict(apply_overrides(base.to_dict(), overrides or []), source=str(run_dir / "config.yaml"))
    elif cfg is None:
        raise ConfigError("train: give a config (or resume=RUN_DIR)")
    elif overrides:
        cfg = RunConfig.from_dict(apply_overrides(cfg.to_dict(), overrides))
    updates: dict[str, Any] = {}
    if devices is not None:
        updates["devices"] = devices
    if strategy is not None:
        updates["strategy"] = strategy
    if num_nodes is not None:
        updates["num_nodes"] = num_nodes
    if updates:
        cfg = RunConfig.from_dict(apply_overrides(cfg.to_dict(), [f"trainer.{k}={v}" for k, v in updates.items()]))
    if out_dir is not None and resume is None:
        cfg = RunConfig.from_dict({**cfg.to_dict(), "out_dir": str(out_dir)})

    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    with trust_pickle(allow_pickle):
        record = _resumed_record(run_dir) if resume is not None else None
        if record is not None:  # the network the run has been training: rebuilt by the one loader's rule
            from ..models.base import build_from_record

            model = build_from_record(record, source=str(run_dir / "metadata.json"))
        else:
            model = build_model(cfg.model.name, backbone=cfg.model.backbone, image_size=cfg.data.image_size,
                                init_from=cfg.model.init_from, **cfg.model.kwargs)
    size = model.image_size  # the record's: training, evaluation and prediction all use it
    cache = None
    if cfg.cache.enabled:
        if supports_cache(model):
            cache = FeatureCache(model_fingerprint(model, size), cfg.cache.dir)
        else:
            log.warning("cache.enabled: model %r has no frozen_features/forward_features; training without the cache", cfg.model.name)
    dm = SegDataModule(cfg, size=size, mean=model.image_mean, std=model.image_std, uses_text=getattr(model, "uses_text", True),
                       with_sha=cache is not None and cfg.cache.dir is not None)
    warning = constant_prompt_warning(cfg, dm.train_ds)
    if warning:
        log.warning(warning)
        if console is not None and _rank() == 0:
            console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    data_record = [
        {"name": Path(p).resolve().name,
         "manifest_sha256": sha256_file(Path(p) / "manifest.csv") if (Path(p) / "manifest.csv").is_file() else None}
        for p in cfg.data.paths
    ]
    model.record = model.record.model_copy(update={
        "targets": sorted({s.target for s in dm.train_ds}), "data": data_record,
        "prompt_type": cfg.data.prompt_type, "modalities": dm.target_modalities(),
    })
    module = SegModule(model, cfg, dm.dataset_names, cache)

    if resume is None:
        run_dir = _choose_run_dir(cfg, cfg.model.name)
        os.environ[RUN_DIR_ENV] = str(run_dir.resolve())  # DDP children launched by Lightning inherit it
    if _rank() == 0:
        run_dir.mkdir(parents=True, exist_ok=True)
        cfg.to_yaml(run_dir / "config.yaml")
        if dm.dropped and console is not None:
            console.print(f"[yellow]dropped {len(dm.dropped)} selection image(s) identical to train images:[/yellow] {', '.join(dm.dropped[:5])}", highlight=False)

    bb = getattr(model, "backbone", None)
    metadata = {
        "medvlseg_version": __version__, "git_commit": _git_commit(),
        "model": cfg.model.name, "record": model.record.model_dump(mode="json"),
        "backbone": getattr(bb, "name", None), "weight_source": str(getattr(bb, "weight_source", None)) if bb is not None else None,
        "image_size": size,
        "data": [{"path": str(p), **d} for p, d in zip(cfg.data.paths, data_record)],
        "n_train": len(dm.train_ds), "n_val": len(dm.val_ds), "dropped_val_leaks": dm.dropped,
        # which images chose what: the best epoch and the presence threshold are chosen on the
        # selection split; a split that chose nothing can be scored untouched
        "selection": dm.selection,
        # pixel hashes (medvlseg.data.io.pixel_sha256) of every training image: `evaluate` warns
        # when the images it scores were trained on, wherever the data was copied to
        "train_image_sha256": dm.train_image_hashes(),
        "warnings": [warning] if warning else [],
        "torch": torch.__version__, "lightning": pl.__version__,
    }
    run_cb = RunDirCallback(run_dir, cfg, metadata, console=console)
    callbacks: list = [run_cb]
    if cfg.optim.ema_decay:
        from .ema import WeightEMA

        callbacks.append(WeightEMA(cfg.optim.ema_decay))
    if cfg.optim.early_stopping_patience:
        callbacks.append(EarlyStopping(monitor="val_dice", mode="max", patience=cfg.optim.early_stopping_patience,
                                       check_on_train_epoch_end=True))
    if progress:
        callbacks.append(RichProgressBar(leave=False))
    t = cfg.trainer
    # no Lightning max_time: a time budget is spent in whole epochs (RunDirCallback.plan_epochs)
    trainer = pl.Trainer(
        max_epochs=cfg.optim.epochs,
        accelerator=t.accelerator, devices=t.devices, strategy=t.strategy, num_nodes=t.num_nodes, precision=t.precision,
        gradient_clip_val=cfg.optim.grad_clip or None, log_every_n_steps=t.log_every_n_steps,
        deterministic="warn" if t.deterministic else False,
        plugins=[SafeCheckpointIO()], callbacks=callbacks,
        logger=[CSVLogger(run_dir, name="logs", version=_csv_version(run_dir)), TensorBoardLogger(run_dir, name="logs", version="tb")],
        default_root_dir=run_dir, num_sanity_val_steps=0, enable_progress_bar=progress, enable_model_summary=False,
    )
    # where it ran, for the benchmark tables (the callback holds this dict; it writes it each epoch)
    metadata.update(device=trainer.strategy.root_device.type, num_devices=trainer.num_devices,
                    num_nodes=trainer.num_nodes, torch_threads=torch.get_num_threads())
    ckpt = str(run_dir / LAST / "state.json") if resume is not None else None
    start = time.monotonic()
    try:
        trainer.fit(module, datamodule=dm, ckpt_path=ckpt)
    except SIGTERMException:
        # Lightning ends a fit stopped by SIGTERM with a bare SystemExit: exit status 0, as if the run
        # had finished. The run stays "running" (resumable from last/); the process must say it stopped.
        if console is not None:
            console.print(f"{run_dir}: stopped by SIGTERM after {len(run_cb.rows)} epoch(s); continue it with "
                          f"medvlseg train --resume {run_dir}", highlight=False)
        raise SystemExit(128 + signal.SIGTERM) from None
    if trainer.is_global_zero:
        run_cb.calibrate_presence(module, dm.calibration_dataloader(), trainer.strategy.root_device)
        run_cb.write_metadata(status="finished")
        if console is not None:
            console.print(f"finished in {time.monotonic() - start:.1f}s; best epoch {run_cb.best_epoch} "
                          f"val_dice {run_cb.best_score:.4f}; presence threshold {run_cb.presence_threshold:.3f}", highlight=False)
    return run_dir
