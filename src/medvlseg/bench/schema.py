"""The suite YAML of ``medvlseg benchmark``: pydantic models that forbid unknown keys and name the
bad field, and :func:`load_suite`, which reads a suite and splits ``--set`` overrides into those that
change the suite and those that change every run's config."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import ConfigError

__all__ = ["DatasetSpec", "EvaluateSpec", "MatrixSpec", "ModelSpec", "OODSpec", "SUITE_KEYS", "Suite", "load_suite"]

SUITE_KEYS = ("name", "base", "matrix", "overrides", "evaluate")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSpec(_Strict):
    """One model of the matrix; ``backbone`` None keeps the base config's backbone."""

    name: str
    backbone: str | None = None
    kwargs: dict[str, Any] | None = None
    label: str | None = None  # how the model is named in cell ids and tables (default: name)
    # config overrides (``key.path=value``) of this entry's runs: one model listed several times with
    # a label each is an ablation, one change per entry ("ema": [optim.ema_decay=0.99])
    set: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        from ..models.base import list_models

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
        from ..prompts.templates import check_prompt_type

        if v is not None:
            for p in v:
                try:
                    check_prompt_type(p)
                except ConfigError as exc:
                    raise ValueError(str(exc).split(": ", 1)[-1]) from None
        return v

    @model_validator(mode="after")
    def _unique_labels(self) -> MatrixSpec:
        for what, labels in (("models", model_labels(self.models)), ("datasets", [d.label for d in self.datasets])):
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
        from ..segmenter import TTA_TRANSFORMS

        if v not in TTA_TRANSFORMS:
            raise ValueError(f"unknown test-time augmentation {v!r}; expected one of: {', '.join(TTA_TRANSFORMS)}")
        return v

    @field_validator("perturbations")
    @classmethod
    def _perturbations(cls, v: list[str | None]) -> list[str | None]:
        from ..prompts import PERTURBATIONS

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
        from ..config import validate

        return validate(cls, raw, source=source)

    def base_dict(self) -> dict[str, Any]:
        """The base RunConfig as a mapping (a YAML path is read here)."""
        if isinstance(self.base, dict):
            return copy.deepcopy(self.base)
        from ..utils import read_yaml_mapping

        path = Path(self.base)
        if not path.is_file():
            raise ConfigError(f"base: config file {path} not found (relative paths are taken from {Path.cwd()})")
        return read_yaml_mapping(path, "config file")


def model_labels(models: list[ModelSpec]) -> list[str]:
    """How each model is named in cell ids and tables: its ``label``, else its name."""
    return [m.label or m.name for m in models]


def is_suite_override(item: str) -> bool:
    """Whether a ``key.path=value`` override changes the suite (its first key is a suite key)."""
    return item.partition("=")[0].split(".")[0].strip() in SUITE_KEYS


def load_suite(path: str | os.PathLike, overrides: list[str] | None = None) -> tuple[Suite, list[str]]:
    """Read a suite YAML. ``overrides`` (``key.path=value``) whose first key is a suite key
    (``matrix``, ``evaluate``, ``overrides``, ``base``, ``name``) change the suite; the others are run
    config overrides (``optim.max_time_min=1``), returned to be applied to every cell after the suite's own.
    """
    from ..config import apply_overrides
    from ..utils import read_yaml_mapping

    raw = read_yaml_mapping(path, "suite file")
    suite_sets = [o for o in overrides or [] if is_suite_override(o)]
    run_sets = [o for o in overrides or [] if o not in suite_sets]
    raw = apply_overrides(raw, suite_sets)
    return Suite.from_dict(raw, source=str(path)), run_sets
