"""``medvlseg benchmark``: a matrix of training runs (model x dataset x prompt type x annotation
fraction x seed), each evaluated in distribution, under prompt perturbations and out of distribution,
aggregated into ``results.csv`` / ``results.md`` (mean ± sd over seeds) and a few plots.

A suite is a YAML file (:class:`Suite`; every section forbids unknown keys)::

    name: finetune
    base:                      # a RunConfig YAML path, or the RunConfig as a mapping (data.path may be left out)
      model: {backbone: lite}
      data: {image_size: 256}
      optim: {max_time_min: 15}
    matrix:
      models: [clipseg, {name: unet, backbone: lite, kwargs: {}}]
      datasets: [../shared/datasets/fuseg, [../shared/datasets/ph2, ../shared/datasets/fuseg], {name: ph2, path: ...}]
      prompt_types: [p1]       # default: the base config's
      fractions: [1.0]
      seeds: [0]
    overrides: ["optim.epochs=50"]               # applied to every run's config, after the cell's values
    evaluate:
      split: val
      prompt_type: null                          # null: the run's own prompt type
      perturbations: [null, random-word, opposite, drop, empty]
      ood: [{name: medetec, path: ../shared/datasets/medetec, split: all}]

Relative paths are taken from the current directory (as in ``configs/``: run from the repository
root). The output folder::

    OUT/runs/<cell>/          the run directory of each cell (medvlseg.engine.train)
    OUT/evals/<cell>/<set>/   evaluate()'s output for each evaluation of the cell
    OUT/cells/<cell>.json     the cell's results, written atomically once all its evaluations are done
    OUT/results.csv, results.md, plots/*.png

Re-running the same command continues a stopped suite: a cell whose JSON exists (for the same run
configuration) is skipped; a cell whose run finished but whose evaluation did not is only evaluated;
a run interrupted mid-training is resumed from its last completed epoch.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import platform
import shlex
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError, DataError
from .utils import atomic_write_bytes, atomic_write_json, atomic_write_text

__all__ = [
    "Cell", "DatasetSpec", "EvaluateSpec", "MatrixSpec", "ModelSpec", "OODSpec", "Suite", "SuiteResult",
    "aggregate", "load_suite", "plan_cells", "run_suite",
]

SUITE_KEYS = ("name", "base", "matrix", "overrides", "evaluate")
ID_SET = "val"  # eval_set label of the in-distribution evaluation
METRICS = ("dice", "iou", "hd95", "ece", "empty_correct")  # empty_correct: share of target-free images predicted empty


# ------------------------------------------------------------------------------------------- schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSpec(_Strict):
    """One model of the matrix; ``backbone`` None keeps the base config's backbone."""

    name: str
    backbone: str | None = None
    kwargs: dict[str, Any] | None = None
    label: str | None = None  # how the model is named in cell ids and tables (default: name)

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        from .models.base import list_models

        if v not in list_models():
            raise ValueError(f"unknown model {v!r}; expected one of: {', '.join(list_models())}")
        return v


class DatasetSpec(_Strict):
    """A dataset of the matrix: one path, or several pooled into one training set."""

    path: str | list[str]
    name: str | None = None

    @field_validator("path")
    @classmethod
    def _nonempty(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list) and not v:
            raise ValueError("an empty list of datasets")
        return v

    @property
    def paths(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)

    @property
    def pooled(self) -> bool:
        return len(self.paths) > 1

    @property
    def label(self) -> str:
        return self.name or "+".join(Path(p).name or Path(p).resolve().name for p in self.paths)


class OODSpec(_Strict):
    """A dataset scored with the model trained in distribution (no training on it)."""

    path: str
    name: str | None = None
    split: str | None = "all"

    @property
    def label(self) -> str:
        return self.name or Path(self.path).name


class MatrixSpec(_Strict):
    models: list[ModelSpec] = Field(min_length=1)
    datasets: list[DatasetSpec] = Field(min_length=1)
    prompt_types: list[str] | None = None  # None: the base config's data.prompt_type
    fractions: list[float] = Field(default_factory=lambda: [1.0], min_length=1)
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)

    @field_validator("models", mode="before")
    @classmethod
    def _models(cls, v: Any) -> Any:
        return [{"name": m} if isinstance(m, str) else m for m in v] if isinstance(v, list) else v

    @field_validator("datasets", mode="before")
    @classmethod
    def _datasets(cls, v: Any) -> Any:
        return [{"path": d} if isinstance(d, (str, list)) else d for d in v] if isinstance(v, list) else v

    @field_validator("fractions")
    @classmethod
    def _fractions(cls, v: list[float]) -> list[float]:
        bad = [f for f in v if not 0 < f <= 1]
        if bad:
            raise ValueError(f"fractions must lie in (0, 1], got {bad}")
        return v

    @field_validator("prompt_types")
    @classmethod
    def _prompt_types(cls, v: list[str] | None) -> list[str] | None:
        from .prompts.templates import check_prompt_type

        if v is not None:
            for p in v:
                try:
                    check_prompt_type(p)
                except ConfigError as exc:
                    raise ValueError(str(exc).split(": ", 1)[-1]) from None
        return v

    @model_validator(mode="after")
    def _unique_labels(self) -> MatrixSpec:
        for what, labels in (("models", _model_labels(self.models)), ("datasets", [d.label for d in self.datasets])):
            dup = sorted({x for x in labels if labels.count(x) > 1})
            if dup:
                raise ValueError(f"{what}: {dup} appear twice; give each a distinct 'label' / 'name'")
        for what, vals in (("fractions", self.fractions), ("seeds", self.seeds), ("prompt_types", self.prompt_types or [])):
            if len(set(vals)) != len(vals):
                raise ValueError(f"{what}: repeated values {vals}")
        return self


class EvaluateSpec(_Strict):
    split: str = "val"
    prompt_type: str | None = None  # None: the run's data.prompt_type
    perturbations: list[str | None] = Field(default_factory=lambda: [None])
    ood: list[OODSpec] = Field(default_factory=list)
    batch_size: int = Field(8, ge=1)
    limit: int | None = Field(None, ge=1)  # only the first N images of each evaluated split (quick checks)
    figures: bool = False  # evaluate()'s best/worst overlays and reliability diagram per evaluation
    tta: str = "none"  # test-time augmentation for every evaluation: none, flip, dihedral

    @field_validator("tta")
    @classmethod
    def _tta(cls, v: str) -> str:
        from .segmenter import TTA_TRANSFORMS

        if v not in TTA_TRANSFORMS:
            raise ValueError(f"unknown test-time augmentation {v!r}; expected one of: {', '.join(TTA_TRANSFORMS)}")
        return v

    @field_validator("perturbations")
    @classmethod
    def _perturbations(cls, v: list[str | None]) -> list[str | None]:
        from .prompts import PERTURBATIONS

        bad = [p for p in v if p is not None and p not in PERTURBATIONS]
        if bad:
            raise ValueError(f"unknown perturbation(s) {bad}; expected null or one of: {', '.join(PERTURBATIONS)}")
        return v


class Suite(_Strict):
    name: str
    base: str | dict[str, Any] = Field(default_factory=dict)
    matrix: MatrixSpec
    overrides: list[str] = Field(default_factory=list)
    evaluate: EvaluateSpec = Field(default_factory=EvaluateSpec)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: str = "suite") -> Suite:
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            from .config import _format_errors

            raise ConfigError(f"{source}: {_format_errors(exc)}") from None

    def base_dict(self) -> dict[str, Any]:
        """The base RunConfig as a mapping (a YAML path is read here)."""
        if isinstance(self.base, dict):
            return copy.deepcopy(self.base)
        from .utils import read_yaml_mapping

        path = Path(self.base)
        if not path.is_file():
            raise ConfigError(f"base: config file {path} not found (relative paths are taken from {Path.cwd()})")
        return read_yaml_mapping(path, "config file")


def _model_labels(models: list[ModelSpec]) -> list[str]:
    return [m.label or m.name for m in models]


def load_suite(path: str | os.PathLike, overrides: list[str] | None = None) -> tuple[Suite, list[str]]:
    """Read a suite YAML. ``overrides`` (``key.path=value``) whose first key is a suite key
    (``matrix``, ``evaluate``, ``overrides``, ``base``, ``name``) change the suite; the others are run
    config overrides (``optim.max_time_min=1``), returned to be applied to every cell after the suite's own.
    """
    from .config import apply_overrides

    from .utils import read_yaml_mapping

    raw = read_yaml_mapping(path, "suite file")
    suite_sets = [o for o in overrides or [] if o.partition("=")[0].split(".")[0].strip() in SUITE_KEYS]
    run_sets = [o for o in overrides or [] if o not in suite_sets]
    raw = apply_overrides(raw, suite_sets)
    return Suite.from_dict(raw, source=str(path)), run_sets


# -------------------------------------------------------------------------------------------- cells


@dataclass
class Cell:
    """One training run of the matrix and the evaluations made with its model."""

    id: str
    model: str  # label
    dataset: str  # label
    prompt_type: str
    fraction: float
    seed: int
    paths: list[str]
    config: Any  # RunConfig

    def describe(self) -> str:
        return (f"{self.id}: {self.config.model.name}/{self.config.model.backbone} on {'+'.join(self.paths)} "
                f"prompt {self.prompt_type} fraction {_fmt_num(self.fraction)} seed {self.seed}")


@dataclass
class EvalJob:
    key: str  # "<eval_set>" or "<eval_set>~<perturbation>"
    eval_set: str
    path: list[str]
    split: str | None
    perturbation: str | None


def _fmt_num(x: float) -> str:
    return f"{x:g}"


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_.+" else "_" for ch in text)


def plan_cells(suite: Suite, out_dir: str | os.PathLike, run_overrides: list[str] | None = None) -> list[Cell]:
    """Every cell's resolved RunConfig, in matrix order (models outermost, seeds innermost).

    The config of a cell is: base, then the cell's model / dataset / prompt type / fraction / seed
    (with ``name`` = cell id and ``out_dir`` = OUT/runs), then the suite's ``overrides``, then
    ``run_overrides``. Each is validated here, so a dry run finds every config error.
    """
    from .config import RunConfig, apply_overrides

    base = suite.base_dict()
    base_model = dict(base.get("model") or {})
    base_pt = (base.get("data") or {}).get("prompt_type", "p1")
    m = suite.matrix
    cells = []
    for model, mlabel in zip(m.models, _model_labels(m.models)):
        for ds in m.datasets:
            for pt in m.prompt_types or [base_pt]:
                for frac in m.fractions:
                    for seed in m.seeds:
                        raw = copy.deepcopy(base)
                        mod = dict(base_model)
                        if model.name != base_model.get("name"):
                            mod["kwargs"] = {}  # model options belong to one model
                        mod["name"] = model.name
                        if model.backbone is not None:
                            mod["backbone"] = model.backbone
                        if model.kwargs is not None:
                            mod["kwargs"] = {**mod.get("kwargs", {}), **model.kwargs}
                        raw["model"] = mod
                        raw["data"] = {**(raw.get("data") or {}), "path": ds.path, "prompt_type": pt, "fraction": frac}
                        raw["seed"] = seed
                        raw = apply_overrides(raw, [*suite.overrides, *(run_overrides or [])])
                        # labels from the values the run really uses (an override may have changed them)
                        pt_, frac_, seed_ = raw["data"].get("prompt_type", pt), raw["data"].get("fraction", frac), raw.get("seed", seed)
                        cid = _safe(f"{mlabel}__{ds.label}__{pt_}__f{_fmt_num(float(frac_))}__s{seed_}")
                        raw.update(name=cid, out_dir=str(Path(out_dir) / "runs"))  # the run directory is the suite's
                        cfg = RunConfig.from_dict(raw, source=f"suite {suite.name!r}, cell {cid}")
                        if any(c.id == cid for c in cells):
                            raise ConfigError(f"suite {suite.name!r}: two cells resolve to {cid} (an override sets a value the matrix varies)")
                        cells.append(Cell(cid, mlabel, ds.label, cfg.data.prompt_type, cfg.data.fraction, cfg.seed, ds.paths, cfg))
    return cells


def _eval_jobs(suite: Suite, cell: Cell) -> list[EvalJob]:
    ev = suite.evaluate
    jobs = [EvalJob(ID_SET, ID_SET, cell.paths, ev.split, None)]
    jobs += [EvalJob(f"{ID_SET}~{p}", ID_SET, cell.paths, ev.split, p) for p in dict.fromkeys(ev.perturbations) if p is not None]
    jobs += [EvalJob(f"ood:{o.label}", o.label, [o.path], o.split, None) for o in ev.ood]
    return jobs


# --------------------------------------------------------------------------------------------- run


@dataclass
class SuiteResult:
    out_dir: Path
    cells: list[Cell]
    records: list[dict[str, Any]] = field(default_factory=list)  # one per cell (the cells/*.json content)
    rows: list[dict[str, Any]] = field(default_factory=list)  # aggregated (results.csv)
    skipped: list[str] = field(default_factory=list)
    plots: list[Path] = field(default_factory=list)


def machine_info() -> dict[str, Any]:
    """Where the numbers were measured: CPU model, cores, torch threads, GPU if any."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(), "gpu": gpu,
            "device": "cuda" if gpu else "cpu", "torch": torch.__version__, "python": platform.python_version()}


def run_suite(
    suite: Suite | str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    dry_run: bool = False,
    overrides: list[str] | None = None,
    command: str | None = None,
    console: Any | None = None,
    progress: bool = False,
    train_fn: Callable[..., Path] | None = None,
) -> SuiteResult:
    """Run (or with ``dry_run`` only plan) every cell of ``suite``, then aggregate into ``out_dir``.

    ``overrides``: ``key.path=value`` (see :func:`load_suite`: suite keys change the suite, other keys
    every run's config). ``command``: the command line written at the top of results.md.
    ``console``: a rich Console for one line per finished cell; ``progress``: a rich progress bar.
    ``train_fn``: replaces :func:`medvlseg.engine.train.train` (tests).
    """
    if isinstance(suite, Suite):
        run_sets = list(overrides or [])
        bad = [o for o in run_sets if o.partition("=")[0].split(".")[0].strip() in SUITE_KEYS]
        if bad:
            raise ConfigError(f"overrides {bad}: change the Suite object itself, not through overrides")
    else:
        suite, run_sets = load_suite(suite, overrides)
    out = Path(out_dir)
    cells = plan_cells(suite, out, run_sets)
    result = SuiteResult(out, cells)
    if dry_run:
        return result

    machine = machine_info()
    bar = None
    if progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=console, transient=True)
        bar.start()
        task = bar.add_task(suite.name, total=len(cells))
    try:
        for k, cell in enumerate(cells, 1):
            if bar is not None:
                bar.update(task, description=f"{suite.name}: {cell.id}")
            t0 = time.monotonic()
            record, done_before = _run_cell(suite, cell, out, machine, train_fn)
            result.records.append(record)
            if done_before:
                result.skipped.append(cell.id)
            if console is not None:
                dice = next((e["dice"] for e in record["evals"] if e["key"] == ID_SET), None)
                state = "skipped (done)" if done_before else f"{time.monotonic() - t0:.0f}s"
                console.print(f"[{k}/{len(cells)}] {cell.id}  val Dice {_fmt(dice)}  {state}", highlight=False)
            if bar is not None:
                bar.advance(task)
    finally:
        if bar is not None:
            bar.stop()

    result.rows = aggregate(result.records)
    _write_results(result, suite, machine, command)
    return result


def _run_cell(suite: Suite, cell: Cell, out: Path, machine: dict[str, Any], train_fn: Callable[..., Path] | None) -> tuple[dict, bool]:
    """Train (or reuse / resume) the cell's run, evaluate what is missing, write cells/<id>.json."""
    cell_json = out / "cells" / f"{cell.id}.json"
    cfg_dict = cell.config.to_dict()
    jobs = _eval_jobs(suite, cell)
    record: dict[str, Any] | None = None
    if cell_json.is_file():
        try:
            record = json.loads(cell_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"{cell_json}: unreadable cell result ({exc}); delete it to recompute the cell") from None
        if record.get("config") != cfg_dict:
            raise ConfigError(
                f"{cell_json}: was computed with another configuration for cell {cell.id} (the suite or --set changed); "
                "use another --out, or delete that file and runs/" + cell.id + " to recompute it"
            )
        have = {e["key"] for e in record.get("evals", [])}
        if all(j.key in have for j in jobs):
            return record, True

    run_dir = Path(cell.config.out_dir) / cell.id
    train_info = (record or {}).get("train")
    if train_info is None:
        train_info = _train_cell(cell, run_dir, machine, train_fn)
    evals = [e for e in (record or {}).get("evals", []) if e["key"] in {j.key for j in jobs}]
    have = {e["key"] for e in evals}
    for job in jobs:
        if job.key not in have:
            evals.extend(_evaluate_job(suite, cell, job, run_dir, out))
    record = {
        "cell": cell.id, "suite": suite.name, "model": cell.model, "model_name": cell.config.model.name,
        "backbone": cell.config.model.backbone, "dataset": cell.dataset, "paths": cell.paths,
        "prompt_type": cell.prompt_type, "fraction": cell.fraction, "seed": cell.seed,
        "run_dir": str(run_dir), "train": train_info, "evals": evals, "config": cfg_dict,
    }
    atomic_write_json(cell_json, record)
    return record, False


def _train_cell(cell: Cell, run_dir: Path, machine: dict[str, Any], train_fn: Callable[..., Path] | None) -> dict[str, Any]:
    """Train the cell's model, resuming a run a previous invocation left unfinished."""
    if train_fn is None:
        from .engine.train import train as train_fn
    meta_path = run_dir / "metadata.json"
    meta = _read_json(meta_path)
    wall: float | None = None
    if meta.get("status") != "finished":
        t0 = time.monotonic()
        resumed = False
        if (run_dir / "config.yaml").is_file():
            try:
                from .engine.train import verify_resumable

                verify_resumable(run_dir)
                resumed = True
            except (DataError, ConfigError):
                shutil.rmtree(run_dir)  # killed before its first epoch completed: start it again
        if resumed:
            train_fn(resume=run_dir, progress=False)
        else:
            train_fn(cell.config, progress=False)
        wall = time.monotonic() - t0
        meta = _read_json(meta_path)
    best = meta.get("best_metrics") or {}
    return {
        "wall_s": None if wall is None else round(wall, 2),
        "train_time_s": meta.get("train_time_s"),
        "epochs": meta.get("epochs_completed"),
        "best_epoch": meta.get("best_epoch"),
        "best_val_dice": best.get("val_dice"),
        "n_train": meta.get("n_train"),
        "n_val": meta.get("n_val"),
        "device": machine["device"] if cell.config.trainer.accelerator == "auto" else cell.config.trainer.accelerator,
        "threads": machine["torch_threads"],
    }


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _open_data(paths: list[str]):
    from .data.dataset import SegmentationDataset

    sets = [SegmentationDataset.open(p) for p in paths]
    return sets[0] if len(sets) == 1 else SegmentationDataset.pool(sets)


def _evaluate_job(suite: Suite, cell: Cell, job: EvalJob, run_dir: Path, out: Path) -> list[dict[str, Any]]:
    """Run evaluate() for one job; returns its row, plus one row per member dataset when pooled."""
    from .evaluation.evaluate import evaluate

    ev = suite.evaluate
    pt = ev.prompt_type or cell.prompt_type
    eval_dir = out / "evals" / cell.id / _safe(job.key.replace("~", "__").replace(":", "_"))
    summary = evaluate(
        str(run_dir), _open_data(job.path), out_dir=eval_dir, split=job.split, prompt_type=pt, perturb=job.perturbation,
        batch_size=ev.batch_size, limit=ev.limit, seed=cell.seed, figures=ev.figures, tta=ev.tta,
    )
    common = {"split": job.split or "all", "perturbation": job.perturbation, "prompt_type": pt, "tta": ev.tta,
              "summary": str(eval_dir / "summary.json")}
    rows = [{"key": job.key, "eval_set": job.eval_set, **common, **_scores(summary),
             "inference_ms_per_image": summary.get("timings", {}).get("inference_ms_per_image")}]
    for name, block in (summary.get("per_dataset") or {}).items():
        rows.append({"key": f"{job.key}/{name}", "eval_set": f"{job.eval_set}/{name}", **common, **_scores(block)})
    return rows


def _scores(summary: dict[str, Any]) -> dict[str, Any]:
    m = summary.get("metrics", {})
    hd = m.get("hd95") or next((v for k, v in m.items() if k.startswith("hd95")), {})
    ece = summary.get("ece", (summary.get("calibration") or {}).get("ece"))
    empty = summary.get("empty_gt") or {}
    empty_correct = empty["n_pred_empty"] / empty["n"] if empty.get("n") else None
    return {"n": summary.get("n"), "n_scored": summary.get("n_scored"), "dice": (m.get("dice") or {}).get("mean"),
            "iou": (m.get("iou") or {}).get("mean"), "hd95": hd.get("mean"), "nsd": (m.get("nsd") or {}).get("mean"), "ece": ece,
            "n_empty": empty.get("n", 0), "empty_correct": empty_correct}


# ------------------------------------------------------------------------------------------ aggregate

GROUP = ("model", "dataset", "prompt_type", "fraction", "eval_set", "perturbation")


def aggregate(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (model, dataset, prompt type, fraction, eval set, perturbation): each metric's
    mean and sample sd (ddof=1; None for one seed) over seeds, the number of seeds, and the mean
    train wall time and epochs of those seeds' runs."""
    import numpy as np

    groups: dict[tuple, list[tuple[dict, dict]]] = {}
    for rec in records:
        for ev in rec["evals"]:
            key = (rec["model"], rec["dataset"], rec["prompt_type"], rec["fraction"], ev["eval_set"], ev["perturbation"])
            groups.setdefault(key, []).append((rec, ev))
    rows = []
    for key, items in groups.items():
        row: dict[str, Any] = dict(zip(GROUP, key))
        row["n_seeds"] = len({rec["seed"] for rec, _ in items})
        for metric in METRICS:
            vals = np.array([ev[metric] for _, ev in items if ev.get(metric) is not None and math.isfinite(ev[metric])])
            row[f"{metric}_mean"] = float(vals.mean()) if vals.size else None
            row[f"{metric}_sd"] = float(vals.std(ddof=1)) if vals.size >= 2 else None
        tr = [rec["train"] for rec, _ in items]
        walls = [t.get("wall_s") if t.get("wall_s") is not None else t.get("train_time_s") for t in tr]
        walls = [w for w in walls if w is not None]
        row["train_s_mean"] = float(np.mean(walls)) if walls else None
        epochs = [t["epochs"] for t in tr if t.get("epochs") is not None]
        row["epochs_mean"] = float(np.mean(epochs)) if epochs else None
        row["device"] = ",".join(sorted({str(t.get("device")) for t in tr}))
        rows.append(row)
    return rows


def _fmt(x: float | None, d: int = 3) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{d}f}"


def _pm(row: dict[str, Any], metric: str, d: int = 3) -> str:
    mean, sd = row.get(f"{metric}_mean"), row.get(f"{metric}_sd")
    if mean is None:
        return "-"
    return f"{mean:.{d}f} ± {sd:.{d}f}" if sd is not None else f"{mean:.{d}f}"


def _write_results(result: SuiteResult, suite: Suite, machine: dict[str, Any], command: str | None) -> None:
    out = result.out_dir
    rows = result.rows
    cols = [*GROUP, "n_seeds", *(f"{m}_{s}" for m in METRICS for s in ("mean", "sd")), "train_s_mean", "epochs_mean", "device"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r[k]) for k in cols})
    atomic_write_text(out / "results.csv", buf.getvalue())

    result.plots = _plots(rows, out / "plots", suite.name)
    cmd = command or f"medvlseg benchmark --suite <{suite.name}> --out {shlex.quote(str(out))}"
    hw = f"GPU {machine['gpu']}" if machine["gpu"] else "CPU only"
    lines = [
        f"### Benchmark suite `{suite.name}`", "",
        f"Command: `{cmd}`  ",
        f"Machine: {machine['cpu']}, {machine['cpu_count']} cores, {machine['torch_threads']} torch threads, {hw}; "
        f"torch {machine['torch']}, Python {machine['python']}  ",
        f"Evaluation: split `{suite.evaluate.split}`; metrics are means over images of each evaluated set, then mean ± sd "
        "over seeds (sd only with 2+ seeds). HD95 in pixels (mm where spacing is known); ECE pooled over pixels.", "",
        "| model | dataset | prompt | fraction | eval set | perturbation | seeds | Dice | IoU | HD95 | ECE | empty predicted empty | train s | epochs | device |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['dataset']} | {r['prompt_type']} | {_fmt_num(r['fraction'])} | {r['eval_set']} | "
            f"{r['perturbation'] or 'none'} | {r['n_seeds']} | {_pm(r, 'dice')} | {_pm(r, 'iou')} | {_pm(r, 'hd95', 1)} | "
            f"{_pm(r, 'ece', 4)} | {_pm(r, 'empty_correct', 2)} | {_fmt(r['train_s_mean'], 0)} | {_fmt(r['epochs_mean'], 1)} | {r['device']} |"
        )
    if result.plots:
        lines += ["", "Plots: " + ", ".join(f"`{p.relative_to(out)}`" for p in result.plots)]
    atomic_write_text(out / "results.md", "\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------- plots


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)  # Agg canvas without pyplot's global state
    return fig


def _save(fig, path: Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return atomic_write_bytes(path, buf.getvalue())


def _plots(rows: list[dict[str, Any]], plot_dir: Path, title: str) -> list[Path]:
    """Dice vs fraction (>1 fraction), in- vs out-of-distribution Dice (OOD sets), Dice change per perturbation."""
    import numpy as np

    written = []
    clean_id = [r for r in rows if r["eval_set"] == ID_SET and r["perturbation"] is None]

    # Dice against annotation fraction, one line per (model, dataset, prompt type)
    lines: dict[tuple, list[dict]] = {}
    for r in clean_id:
        lines.setdefault((r["model"], r["dataset"], r["prompt_type"]), []).append(r)
    if len({r["fraction"] for r in clean_id}) > 1:
        fig = _figure(6, 4)
        ax = fig.add_subplot()
        for (model, ds, pt), rs in sorted(lines.items()):
            rs = sorted((r for r in rs if r["dice_mean"] is not None), key=lambda r: r["fraction"])
            if not rs:
                continue
            ax.errorbar([r["fraction"] for r in rs], [r["dice_mean"] for r in rs], yerr=[r["dice_sd"] or 0 for r in rs],
                        marker="o", capsize=3, label=f"{model} ({ds}, {pt})")
        ax.set_xscale("log")
        ax.minorticks_off()  # otherwise log-scale minor ticks label themselves "2x10^-1" between the fractions
        fr = sorted({r["fraction"] for r in clean_id})
        ax.set_xticks(fr, [_fmt_num(f) for f in fr])
        ax.set(xlabel="annotation fraction of train", ylabel="val Dice", title=f"{title}: Dice against annotation fraction")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        written.append(_save(fig, plot_dir / "dice_vs_fraction.png"))

    # in-distribution against out-of-distribution Dice (grouped bars per model)
    ood_sets = sorted({r["eval_set"] for r in rows if r["perturbation"] is None and r["eval_set"] != ID_SET and "/" not in r["eval_set"]})
    if ood_sets:
        keys = sorted({(r["model"], r["dataset"], r["prompt_type"], r["fraction"]) for r in clean_id})
        sets = [ID_SET, *ood_sets]
        index = {(r["model"], r["dataset"], r["prompt_type"], r["fraction"], r["eval_set"]): r for r in rows if r["perturbation"] is None}
        fig = _figure(max(5, 1.4 * len(keys)), 4)
        ax = fig.add_subplot()
        width = 0.8 / len(sets)
        for j, s in enumerate(sets):
            vals = [index.get((*k, s), {}).get("dice_mean") for k in keys]
            sds = [index.get((*k, s), {}).get("dice_sd") or 0 for k in keys]
            ax.bar(np.arange(len(keys)) + j * width, [v if v is not None else 0 for v in vals], width, yerr=sds, capsize=3,
                   label=f"{s} (in distribution)" if s == ID_SET else f"{s} (out of distribution)")
        ax.set_xticks(np.arange(len(keys)) + width * (len(sets) - 1) / 2, [f"{k[0]}\n{k[1]}" for k in keys], fontsize=8)
        ax.set(ylabel="Dice", ylim=(0, 1), title=f"{title}: in- vs out-of-distribution Dice")
        ax.legend(fontsize=8)
        written.append(_save(fig, plot_dir / "id_vs_ood.png"))

    # Dice change (perturbed - clean) per perturbation
    perts = sorted({r["perturbation"] for r in rows if r["perturbation"] is not None and r["eval_set"] == ID_SET})
    if perts:
        clean = {(r["model"], r["dataset"], r["prompt_type"], r["fraction"]): r for r in clean_id}
        keys = sorted(clean)
        pert = {(r["model"], r["dataset"], r["prompt_type"], r["fraction"], r["perturbation"]): r
                for r in rows if r["eval_set"] == ID_SET and r["perturbation"] is not None}
        fig = _figure(max(5, 1.2 * len(perts) * max(1, len(keys)) / 2), 4)
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(keys))
        for j, k in enumerate(keys):
            base = clean[k]["dice_mean"]
            deltas = [(pert.get((*k, p), {}).get("dice_mean") or 0) - base if base is not None else 0 for p in perts]
            ax.bar(np.arange(len(perts)) + j * width, deltas, width, label=f"{k[0]} ({k[1]})")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(np.arange(len(perts)) + width * (len(keys) - 1) / 2, perts)
        ax.set(ylabel="Dice change (perturbed - clean)", title=f"{title}: prompt perturbations")
        ax.legend(fontsize=8)
        written.append(_save(fig, plot_dir / "perturbation_dice_change.png"))
    return written


def command_line() -> str:
    """The current process's command line, quoted for a shell."""
    return shlex.join(["medvlseg", *sys.argv[1:]])
