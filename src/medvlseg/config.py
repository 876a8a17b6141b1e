"""Typed run configuration for ``medvlseg train`` (pydantic v2), YAML in and out.

Every section forbids unknown keys, so a typo (``optim.lrr``) is an error naming the key instead of
a silently ignored option. ``--set a.b=value`` overrides are parsed with ``yaml.safe_load`` so
``--set optim.lr=3e-4``, ``--set augment.hflip=false`` and ``--set data.path=[a, b]`` all work.

Example::

    name: unet-ph2
    model: {name: unet, backbone: lite}
    data: {path: ../shared/datasets/ph2, image_size: 256}
    optim: {epochs: 50, lr: 1e-3}
"""

from __future__ import annotations

import os
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .decision import PresenceRule
from .errors import ConfigError

__all__ = [
    "AugmentConfig", "CacheConfig", "DataConfig", "LossConfig", "ModelConfig", "OptimConfig", "RunConfig",
    "TrainerConfig", "apply_overrides",
]

PRECISIONS = ("32", "32-true", "16-mixed", "bf16-mixed", "bf16-true", "64")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelConfig(_Section):
    name: str = "medclipseg"
    backbone: str | None = None  # None: the model's default backbone (filled in on validation)
    kwargs: dict[str, Any] = Field(default_factory=dict)  # passed to medvlseg.build_model
    init_from: str | None = None  # an align run (medvlseg align): the backbone starts from its projections
    # how an image's presence score is read from its probabilities (decision.PRESENCE_RULES); the
    # presence thresholds are calibrated under it and the rule is recorded beside them
    presence_rule: PresenceRule = "peak"
    # the calibration's operating point: None reads the mean per-item score over the calibration
    # items (by presence_tolerance_se, below); a share s picks the smallest threshold calling at
    # least s of the items without the target absent (engine/calibrate.py)
    presence_min_specificity: float | None = Field(default=None, gt=0.0, le=1.0)
    # without presence_min_specificity: the smallest threshold whose mean per-item score is within
    # this many standard errors of the best one's (the one-standard-error rule; 0: the best), so
    # that a handful of target-free selection images cannot pull the threshold up alone
    presence_tolerance_se: float = Field(default=1.0, ge=0.0)

    @field_validator("kwargs")
    @classmethod
    def _no_size(cls, v: dict[str, Any]) -> dict[str, Any]:
        if "image_size" in v:
            raise ValueError("image_size is not a model argument: set data.image_size (the size the model is trained "
                             "and used at, kept in its record)")
        return v

    @model_validator(mode="after")
    def _known_model(self) -> ModelConfig:
        from .models.base import list_models, model_info

        models = list_models()
        if self.name not in models:
            raise ValueError(f"unknown model {self.name!r}; expected one of: {', '.join(models)}")
        from .errors import ConfigError
        from .models.base import check_model_kwargs

        try:
            # backbone_kwargs travel in model.kwargs to build_model, which takes them itself
            check_model_kwargs(self.name, {k: v for k, v in self.kwargs.items() if k != "backbone_kwargs"}, where="kwargs")
        except ConfigError as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None
        if self.backbone is None:
            default = model_info(self.name)["default_backbone"]
            if default is not None:
                object.__setattr__(self, "backbone", default)  # bypass validate_assignment recursion
        return self


class DataConfig(_Section):
    path: str | list[str]
    train_split: str = "train"
    val_split: str = "val"
    fraction: float = Field(1.0, gt=0.0, le=1.0)
    # train on exactly these sample ids of the train split (an annotation set: chosen by `medvlseg
    # rank` or at random); None: every sample (or `fraction` of them)
    train_ids: list[str] | None = None
    # > 0: hold out this share of train (by group, seeded) to pick the best epoch and calibrate the
    # presence threshold, so that val_split is scored untouched; 0: val_split does both
    select_fraction: float = Field(0.0, ge=0.0, lt=1.0)
    # with `fraction` < 1: false (default), the selection images come from the whole train split and
    # are the same for every fraction (comparable selection); true, they are held out of the
    # `fraction` itself, so that every mask the run reads counts against it (a data-efficiency claim:
    # "10 % of the masks" then means 10 %, selection included)
    select_within_fraction: bool = False
    # keep only the samples of these targets (a label-map or multi-target dataset); None: all
    targets: list[str] | None = None
    # share of training samples given a prompt naming a target the image does not hold, with an
    # empty mask (medvlseg.prompts.negatives); of those, the share that are nonsense phrases
    negative_fraction: float = Field(0.0, ge=0.0, lt=1.0)
    negative_nonsense: float = Field(0.25, ge=0.0, le=1.0)
    negative_targets: list[str] = Field(default_factory=list)  # more target names negatives may use
    # manifests may list images outside their folder (pseudo-labels pointing at the original images);
    # off: such a path is refused, so a dataset handed over cannot make training read files elsewhere
    allow_outside_paths: bool = False
    prompt_type: str = "p1"  # p0..p9; random: a level of p0-p9 per sample (medvlsm); named: of p1-p9, negatives in the same form
    image_size: int | None = Field(None, ge=8)  # None: the model's native size
    num_workers: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _ids_or_fraction(self) -> DataConfig:
        if self.train_ids is not None and (self.fraction < 1 or not self.train_ids):
            raise ValueError("train_ids: a non-empty list of sample ids, without `fraction` (it chooses the samples itself)")
        return self

    @field_validator("prompt_type")
    @classmethod
    def _prompt_type(cls, v: str) -> str:
        from .prompts.templates import check_prompt_type

        try:
            return check_prompt_type(v)
        except ConfigError as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None

    @property
    def paths(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)


class AugmentConfig(_Section):
    hflip: bool = False
    vflip: bool = False
    rot90: bool = False
    # a flipped or turned image gets its prompt's side words moved with it ("top left" -> "bottom left"
    # turned a quarter, "left lung" -> "right lung" mirrored)
    prompt_follows_transform: bool = True
    # images whose targets are named by the patient's side ("left lung") are never flipped or turned
    # (a mirrored radiograph shows situs inversus); true: mirrored with the sides swapped in the prompt
    # and turned by half turns only
    mirror_sided: bool = False
    rotate_deg: float = Field(0.0, ge=0.0, le=180.0)
    scale: tuple[float, float] | None = None
    color_jitter: float = Field(0.0, ge=0.0, le=1.0)
    # photometric changes aimed at other clinics' cameras, at the model's size: the probability of a
    # Gaussian blur (5 px kernel, sigma 0.1-2 px) and of a JPEG re-encoding (quality 30-95)
    blur: float = Field(0.0, ge=0.0, le=1.0)
    jpeg: float = Field(0.0, ge=0.0, le=1.0)

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (0 < v[0] <= v[1]):
            raise ValueError(f"need 0 < lo <= hi, got {list(v)}")
        return v

    @model_validator(mode="after")
    def _sided(self) -> AugmentConfig:
        if self.mirror_sided and not self.prompt_follows_transform:
            raise ValueError("mirror_sided needs prompt_follows_transform: a mirrored 'left lung' still asked for "
                             "as 'left lung' would teach the model to swap the sides")
        return self

    @property
    def non_dihedral(self) -> list[str]:
        """Augmentations that do not commute with caching frozen features per dihedral variant."""
        out = []
        if self.rotate_deg:
            out.append("rotate_deg")
        if self.scale is not None and tuple(self.scale) != (1.0, 1.0):
            out.append("scale")
        if self.color_jitter:
            out.append("color_jitter")
        out += [name for name in ("blur", "jpeg") if getattr(self, name)]
        return out


class OptimConfig(_Section):
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    epochs: int = Field(50, ge=1)
    # a time budget, spent in whole epochs: after each epoch the run plans how many epochs it will
    # take in all (those that still fit at the last epoch's pace; the last may overrun the budget by
    # up to one epoch) and the learning rate decays over that plan, step by step. The plans are
    # recorded (metadata.json `epoch_plan`), so the run can be repeated without a clock (`medvlseg
    # train --replay RUN`, i.e. `epoch_plan` below), and a resumed run keeps the plans it made
    max_time_min: float | None = Field(None, gt=0)
    # the run's length in epochs as planned after each epoch, as a budgeted run recorded it: replayed
    # instead of reading the clock (max_time_min is then not consulted)
    epoch_plan: list[int] | None = None
    batch_size: int = Field(8, ge=1)
    grad_clip: float | None = Field(1.0, ge=0)
    warmup_epochs: int = Field(0, ge=0)
    early_stopping_patience: int | None = Field(None, ge=1)
    # which epoch's weights the run keeps: "best" (highest val / selection Dice) or "last". With a
    # handful of selection images (10 % of a small set's masks: 5 images) the best epoch is a noise
    # spike: on fuseg with 10 % of the masks the last epoch of a full schedule scored 0.788 on val
    # against 0.766 for the epoch 5 images chose (BENCHMARKS, data efficiency)
    select_epoch: Literal["best", "last"] = "best"
    # exponential moving average of the weights, updated after every optimizer step (Lightning's
    # EMAWeightAveraging; avg = decay * avg + (1 - decay) * w): validation, the saved best model and
    # the presence calibration use the average; None: off. Its memory is about 1/(1 - decay) steps
    ema_decay: float | None = Field(None, gt=0.0, lt=1.0)
    # the learning rate of a backbone's pretrained weights that train (a fine-tuned tower, MedCLIPSeg's
    # tune_last_stage), as a multiple of lr; 1: the same as the rest
    backbone_lr_scale: float = Field(1.0, gt=0.0)

    @field_validator("epoch_plan")
    @classmethod
    def _epoch_plan(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and (not v or any(n < k for k, n in enumerate(v, start=1))):
            raise ValueError("epoch_plan: after epoch k at least k epochs in all (metadata.json `epoch_plan` of a budgeted run)")
        return v


class LossConfig(_Section):
    dice: float = Field(0.5, ge=0)
    bce: float = Field(0.5, ge=0)
    contrastive: float = Field(0.0, ge=0)  # soft patch contrastive; only for models with patch/text embeddings
    contrastive_temperature: float = Field(0.07, gt=0)
    # deep supervision: the weight of the Dice + BCE loss of the decoder's side outputs (MedCLIPSeg on
    # a CNN tower: the last stage and each coarser fused level, scored with the text kernel), averaged
    # over them, each against the mask averaged down to its size
    deep_supervision: float = Field(0.0, ge=0)
    # boundary-aware term: the weight of the distance-transform Hausdorff loss (Karimi & Salcudean
    # 2020; losses.HausdorffBoundaryLoss, distances in units of the image side) on the full-size logits
    boundary: float = Field(0.0, ge=0)

    @model_validator(mode="after")
    def _not_all_zero(self) -> LossConfig:
        if self.dice + self.bce == 0:
            raise ValueError("dice and bce weights cannot both be 0")
        return self


ACCELERATORS = ("auto", "cpu", "gpu", "cuda", "mps", "tpu", "hpu")


class TrainerConfig(_Section):
    accelerator: str = "auto"
    devices: int | str = 1
    strategy: str = "auto"
    precision: str | int = "32"
    num_nodes: int = Field(1, ge=1)
    log_every_n_steps: int = Field(10, ge=1)
    deterministic: bool = True

    @field_validator("accelerator")
    @classmethod
    def _accelerator(cls, v: str) -> str:
        if v not in ACCELERATORS:
            raise ValueError(f"unknown value {v!r}; expected one of: {', '.join(ACCELERATORS)}")
        return v

    @field_validator("devices", mode="before")
    @classmethod
    def _devices(cls, v: Any) -> int | str:
        # Lightning's forms: a count (-1: all), "auto", or a comma-separated list of device indices
        if isinstance(v, bool):
            raise ValueError(f"expected a number of devices, 'auto' or a list like '0,1', got {v!r}")
        if isinstance(v, int) or (isinstance(v, str) and v.strip().lstrip("-").isdigit()):
            n = int(v)
            if n == 0 or n < -1:
                raise ValueError(f"expected a number of devices >= 1 (or -1 for all), got {n}")
            return n
        if isinstance(v, str) and (v == "auto" or all(p.strip().isdigit() for p in v.split(",") if p.strip()) and v.strip(", ")):
            return v
        raise ValueError(f"expected a number of devices, 'auto' or a list like '0,1', got {v!r}")

    @field_validator("strategy")
    @classmethod
    def _strategy(cls, v: str) -> str:
        if v == "auto":
            return v
        from lightning.pytorch.strategies import StrategyRegistry

        known = sorted({"auto", "ddp", "ddp_spawn", "fsdp", "deepspeed", "single_device"} | set(StrategyRegistry.available_strategies()))
        if v not in known:
            raise ValueError(f"unknown value {v!r}; expected one of: {', '.join(known)}")
        return v

    @field_validator("precision", mode="before")
    @classmethod
    def _precision(cls, v: Any) -> str:
        v = str(v)
        if v not in PRECISIONS:
            raise ValueError(f"unknown value {v!r}; expected one of: {', '.join(PRECISIONS)} (bf16-mixed on GPU only)")
        return v


class CacheConfig(_Section):
    enabled: bool = False
    dir: str | None = None  # also keep features on disk here (safetensors), shared between runs


class RunConfig(_Section):
    """The whole configuration of one training run (written resolved to ``<run>/config.yaml``)."""

    name: str | None = None  # None: "<model>-<dataset>", made unique under out_dir
    seed: int = 0
    out_dir: str = "runs"
    model: ModelConfig = Field(default_factory=ModelConfig)
    data: DataConfig
    augment: AugmentConfig = Field(default_factory=AugmentConfig)
    optim: OptimConfig = Field(default_factory=OptimConfig)
    loss: LossConfig = Field(default_factory=LossConfig)
    trainer: TrainerConfig = Field(default_factory=TrainerConfig)
    cache: CacheConfig = Field(default_factory=CacheConfig)

    @model_validator(mode="after")
    def _cache_needs_dihedral(self) -> RunConfig:
        bad = self.augment.non_dihedral
        if self.cache.enabled and bad:
            raise ValueError(
                f"cache.enabled is true but augment.{', augment.'.join(bad)} is set: cached frozen features are "
                "computed per image and per flip/rot90 variant, so only augment.hflip/vflip/rot90 can be used with "
                "the cache; set those to their defaults or cache.enabled=false"
            )
        return self

    # ---- construction ----------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: str = "config") -> RunConfig:
        return validate(cls, raw, source=source)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike | None, overrides: list[str] | None = None) -> RunConfig:
        """Read a YAML file (or start from nothing when ``path`` is None) and apply ``a.b=value`` overrides."""
        raw: dict[str, Any] = {}
        source = "config"
        if path is not None:
            from .utils import read_yaml_mapping

            source = str(path)
            raw = read_yaml_mapping(path, "config file")
        raw = apply_overrides(raw, overrides or [])
        return cls.from_dict(raw, source=source)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_yaml(self, path: str | os.PathLike | None = None) -> str:
        text = yaml.safe_dump(self.to_dict(), sort_keys=False)
        if path is not None:
            from .utils import atomic_write_text

            atomic_write_text(path, text)
        return text


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of ``raw`` with each ``"a.b.c=value"`` set (value parsed by ``yaml.safe_load``).

    Unknown keys are left to the schema, which names them; a path through a non-mapping is an error here.
    """
    import copy

    out = copy.deepcopy(raw)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected key.path=value, e.g. optim.lr=3e-4")
        key, _, text = item.partition("=")
        key = key.strip()
        parts = key.split(".")
        if not key or any(not p for p in parts):
            raise ConfigError(f"--set {item!r}: empty key in {key!r}")
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {key}: cannot parse value {text!r} ({exc})") from None
        node = out
        for depth, part in enumerate(parts[:-1]):
            nxt = node.get(part)
            if nxt is None:
                nxt = node[part] = {}
            if not isinstance(nxt, dict):
                raise ConfigError(f"--set {key}: {'.'.join(parts[: depth + 1])} is not a section (it is {nxt!r})")
            node = nxt
        node[parts[-1]] = value
    return out


M = TypeVar("M", bound=BaseModel)


def validate(cls: type[M], raw: Any, *, source: str, error: type[Exception] = ConfigError, what: str = "") -> M:
    """``cls.model_validate(raw)``, a validation failure raised as ``error`` naming ``source`` and
    every bad field (configs, suites and model records alike)."""
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        raise error(f"{source}: {what}{_format_errors(exc)}") from None


def _format_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key missing"
        parts.append(f"{loc}: {msg.removeprefix('Value error, ')}")
    return "; ".join(parts)
