"""Planning a suite: the matrix expanded into cells (one training run each, with its resolved and
validated RunConfig and its id) and each cell's evaluation jobs (in distribution, per prompt
perturbation, per out-of-distribution set). Nothing is trained or written here."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .schema import Suite, model_labels

__all__ = ["ID_SET", "Cell", "EvalJob", "plan_cells"]

ID_SET = "val"  # eval_set label of the in-distribution evaluation


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
                f"prompt {self.prompt_type} fraction {fmt_num(self.fraction)} seed {self.seed}")


@dataclass
class EvalJob:
    key: str  # "<eval_set>" or "<eval_set>~<perturbation>"
    eval_set: str
    path: list[str]
    split: str | None
    perturbation: str | None


def fmt_num(x: float) -> str:
    return f"{x:g}"


def safe_name(text: str) -> str:
    """``text`` with every character but letters, digits and ``-_.+`` replaced by ``_`` (a file name)."""
    return "".join(ch if ch.isalnum() or ch in "-_.+" else "_" for ch in text)


def plan_cells(suite: Suite, out_dir: str | os.PathLike, run_overrides: list[str] | None = None) -> list[Cell]:
    """Every cell's resolved RunConfig, in matrix order (models outermost, seeds innermost).

    The config of a cell is: base, then the cell's model / dataset / prompt type / fraction / seed
    (with ``name`` = cell id and ``out_dir`` = OUT/runs), then the model entry's ``set``, then the
    suite's ``overrides``, then ``run_overrides``. Each is validated here, so a dry run finds every
    config error.
    """
    from ..config import RunConfig, apply_overrides

    base = suite.base_dict()
    base_model = dict(base.get("model") or {})
    base_pt = (base.get("data") or {}).get("prompt_type", "p1")
    m = suite.matrix
    cells = []
    for model, mlabel in zip(m.models, model_labels(m.models)):
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
                        raw = apply_overrides(raw, [*model.set, *suite.overrides, *(run_overrides or [])])
                        # labels from the values the run really uses (an override may have changed them)
                        pt_, frac_, seed_ = raw["data"].get("prompt_type", pt), raw["data"].get("fraction", frac), raw.get("seed", seed)
                        cid = safe_name(f"{mlabel}__{ds.label}__{pt_}__f{fmt_num(float(frac_))}__s{seed_}")
                        raw.update(name=cid, out_dir=str(Path(out_dir) / "runs"))  # the run directory is the suite's
                        cfg = RunConfig.from_dict(raw, source=f"suite {suite.name!r}, cell {cid}")
                        if any(c.id == cid for c in cells):
                            raise ConfigError(f"suite {suite.name!r}: two cells resolve to {cid} (an override sets a value the matrix varies)")
                        cells.append(Cell(cid, mlabel, ds.label, cfg.data.prompt_type, cfg.data.fraction, cfg.seed, ds.paths, cfg))
    return cells


def _eval_jobs(suite: Suite, cell: Cell) -> list[EvalJob]:
    """The cell's evaluations: in distribution, then once per prompt perturbation, then per OOD set."""
    ev = suite.evaluate
    jobs = [EvalJob(ID_SET, ID_SET, cell.paths, ev.split, None)]
    jobs += [EvalJob(f"{ID_SET}~{p}", ID_SET, cell.paths, ev.split, p) for p in dict.fromkeys(ev.perturbations) if p is not None]
    jobs += [EvalJob(f"ood:{o.label}", o.label, [o.path], o.split, None) for o in ev.ood]
    return jobs
