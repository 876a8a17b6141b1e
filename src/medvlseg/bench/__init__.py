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

Re-running the same command continues a stopped suite: a cell whose JSON exists is skipped; a cell
whose run finished but whose evaluation did not is only evaluated; a run interrupted mid-training is
resumed from its last completed epoch. A cell JSON or a run folder is reused only when its resolved
configuration equals the cell's (all but ``name`` and ``out_dir``, which the runner sets from the
cell id and ``--out``); otherwise the run stops with a :class:`~medvlseg.errors.ConfigError` naming
the file or folder and the first differing keys. The runner deletes nothing: a run folder that
cannot be resumed (stopped before its first epoch completed) is an error, for the user to remove
or to avoid with another ``--out``.

The modules: :mod:`.schema` (the suite YAML and :func:`load_suite`), :mod:`.plan` (the cells and
their evaluations), :mod:`.run` (training, resuming, evaluating, :func:`run_suite`), :mod:`.report`
(aggregation over seeds, results.csv / results.md, plots).
"""

from __future__ import annotations

from .plan import Cell, EvalJob, plan_cells
from .report import aggregate
from .run import SuiteResult, command_line, machine_info, run_suite
from .schema import DatasetSpec, EvaluateSpec, MatrixSpec, ModelSpec, OODSpec, Suite, load_suite

__all__ = [
    "Cell", "DatasetSpec", "EvalJob", "EvaluateSpec", "MatrixSpec", "ModelSpec", "OODSpec", "Suite", "SuiteResult",
    "aggregate", "command_line", "load_suite", "machine_info", "plan_cells", "run_suite",
]
