"""Running a suite: each cell is trained (or its finished run reused, or its interrupted run
resumed), evaluated where results are missing, and recorded in ``OUT/cells/<id>.json``; then the
records are aggregated and reported (:mod:`.report`).

What is reused (and nothing is deleted):

- A cell JSON or a run folder is reused only when its resolved configuration equals the cell's
  (``name`` and ``out_dir`` aside: the runner sets them from the cell id and ``--out``, so they
  differ when the same folder is reached by another path). Otherwise a
  :class:`~medvlseg.errors.ConfigError` names the file or folder and the first differing keys.
- The runner deletes nothing. A run folder that cannot be resumed (stopped before its first epoch
  completed) is an error that tells the user to remove it or to use another ``--out``.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError
from ..utils import atomic_write_json
from .plan import ID_SET, Cell, EvalJob, _eval_jobs, plan_cells, safe_name
from .report import aggregate, fmt, write_results
from .schema import Suite, is_suite_override, load_suite

__all__ = ["SuiteResult", "command_line", "machine_info", "run_suite"]

# RunConfig fields the runner itself sets from the cell id and --out: not compared when deciding reuse
RUNNER_KEYS = ("name", "out_dir")


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
        bad = [o for o in run_sets if is_suite_override(o)]
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
                status = "skipped (done)" if done_before else f"{time.monotonic() - t0:.0f}s"
                console.print(f"[{k}/{len(cells)}] {cell.id}  val Dice {fmt(dice)}  {status}", highlight=False)
            if bar is not None:
                bar.advance(task)
    finally:
        if bar is not None:
            bar.stop()

    result.rows = aggregate(result.records)
    result.plots = write_results(out, result.rows, suite, machine, command)
    return result


# ------------------------------------------------------------------------------------------ reuse


def _comparable(cfg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cfg.items() if k not in RUNNER_KEYS}


def _differing_keys(found: Any, wanted: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two config mappings, in the order of the config."""
    if not (isinstance(found, dict) and isinstance(wanted, dict)):
        return [] if found == wanted else [prefix]
    keys = []
    for k in dict.fromkeys([*wanted, *found]):
        key = f"{prefix}.{k}" if prefix else str(k)
        if k not in found or k not in wanted:
            keys.append(key)
        else:
            keys += _differing_keys(found[k], wanted[k], key)
    return keys


def _describe_diff(found: dict[str, Any], wanted: dict[str, Any], n: int = 3) -> str:
    """The first ``n`` differing keys with both values, e.g. ``optim.lr: 0.003 there, 0.01 for this cell``."""

    def get(d: Any, key: str) -> Any:
        for part in key.split("."):
            if not isinstance(d, dict) or part not in d:
                return "(unset)"
            d = d[part]
        return d

    keys = _differing_keys(found, wanted)
    parts = [f"{k}: {get(found, k)!r} there, {get(wanted, k)!r} for this cell" for k in keys[:n]]
    more = f"; and {len(keys) - n} more key(s)" if len(keys) > n else ""
    return "; ".join(parts) + more


def _check_existing_run(cell: Cell, run_dir: Path) -> None:
    """A run folder that already exists is used (reused when finished, resumed when not) only when
    its resolved config.yaml equals the cell's config; anything else is an error, never deleted."""
    from ..config import RunConfig

    cfg_path = run_dir / "config.yaml"
    remedy = "use another --out, or remove that folder yourself to train the cell from scratch"
    if not cfg_path.is_file():
        if any(run_dir.iterdir()):
            raise ConfigError(f"{run_dir}: exists but has no config.yaml, so it is not a run of cell {cell.id} this "
                              f"runner can reuse or resume; {remedy}")
        return  # an empty folder: training writes into it
    try:
        found = RunConfig.from_yaml(cfg_path).to_dict()
    except (ConfigError, DataError) as exc:
        raise ConfigError(f"{run_dir}: its config.yaml cannot be read ({exc}); {remedy}") from None
    wanted = cell.config.to_dict()
    if _comparable(found) != _comparable(wanted):
        raise ConfigError(f"{run_dir}: this run was trained with another configuration than cell {cell.id} "
                          f"({_describe_diff(_comparable(found), _comparable(wanted))}); the suite or --set changed; {remedy}")


# -------------------------------------------------------------------------------------------- cells


def _run_cell(suite: Suite, cell: Cell, out: Path, machine: dict[str, Any], train_fn: Callable[..., Path] | None,
              ) -> tuple[dict, bool]:
    """Train (or reuse / resume) the cell's run, evaluate what is missing, write cells/<id>.json."""
    from ..config import RunConfig
    cell_json = out / "cells" / f"{cell.id}.json"
    cfg_dict = cell.config.to_dict()
    jobs = _eval_jobs(suite, cell)
    record: dict[str, Any] | None = None
    if cell_json.is_file():
        try:
            record = json.loads(cell_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"{cell_json}: unreadable cell result ({exc}); delete it to recompute the cell") from None
        found = record.get("config") if isinstance(record.get("config"), dict) else {}
        try:  # resolved by today's schema: a key added since (with its default) is no difference
            found = RunConfig.from_dict(found).to_dict()
        except ConfigError:
            pass  # not a valid config any more: compared as it is, and reported
        if _comparable(found) != _comparable(cfg_dict):
            raise ConfigError(
                f"{cell_json}: was computed with another configuration for cell {cell.id} "
                f"({_describe_diff(_comparable(found), _comparable(cfg_dict))}); the suite or --set changed; "
                f"use another --out, or delete that file and runs/{cell.id} yourself to recompute it"
            )
        have = {e["key"] for e in record.get("evals", [])}
        if all(j.key in have for j in jobs):
            return record, True

    run_dir = Path(cell.config.out_dir) / cell.id
    if run_dir.exists():
        _check_existing_run(cell, run_dir)
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
    """Train the cell's model, resuming a run a previous invocation left unfinished.

    A finished run is reused as it is. A run folder with a config.yaml is resumed from its last/
    checkpoint; when it has none (stopped before its first epoch completed) it is an error naming
    the folder: the runner deletes nothing. (:func:`_run_cell` has already checked a pre-existing
    folder's config against the cell's.)
    """
    if train_fn is None:
        from ..engine.train import train as train_fn
    meta_path = run_dir / "metadata.json"
    meta = _read_json(meta_path)
    wall: float | None = None
    if meta.get("status") != "finished":
        t0 = time.monotonic()
        resumed = False
        if (run_dir / "config.yaml").is_file():
            from ..engine.train import verify_resumable

            try:
                verify_resumable(run_dir)
                resumed = True
            except (DataError, ConfigError) as exc:
                raise ConfigError(
                    f"{run_dir}: the unfinished run of cell {cell.id} cannot be resumed ({exc}); it was probably "
                    "stopped before its first epoch completed. Remove that folder yourself to train the cell from "
                    "scratch, or use another --out"
                ) from None
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
    from ..data.dataset import SegmentationDataset

    sets = [SegmentationDataset.open(p) for p in paths]
    return sets[0] if len(sets) == 1 else SegmentationDataset.pool(sets)


def _evaluate_job(suite: Suite, cell: Cell, job: EvalJob, run_dir: Path, out: Path) -> list[dict[str, Any]]:
    """Run evaluate() for one job; returns its row, plus one row per member dataset when pooled."""
    from ..evaluation.evaluate import evaluate

    ev = suite.evaluate
    pt = ev.prompt_type or cell.prompt_type
    eval_dir = out / "evals" / cell.id / safe_name(job.key.replace("~", "__").replace(":", "_"))
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


def command_line() -> str:
    """The current process's command line, quoted for a shell."""
    return shlex.join(["medvlseg", *sys.argv[1:]])
