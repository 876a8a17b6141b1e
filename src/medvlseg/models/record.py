"""The model record: everything needed to rebuild exactly the network that was trained.

Like a Hugging Face ``config.json`` beside its weights, or timm's ``pretrained_cfg``: one typed
record, produced by :func:`medvlseg.build_model`, stored in the header of every
``model.safetensors`` (and in the run's ``metadata.json``), from which one loader
(:func:`medvlseg.checkpoints.resolve_model`) rebuilds the model. It holds:

- ``model``, ``backbone``, ``backbone_kwargs``, ``model_kwargs``: the factory calls;
- ``image_size``, ``image_mean``, ``image_std``: the preprocessing the model was trained with
  (:mod:`medvlseg.preprocess`), so a run trained at 192 px is used at 192 px;
- ``threshold`` (foreground where ``p >= threshold``) and ``presence_threshold`` (an image whose
  presence score is below it gets an empty mask), calibrated after training, globally and per
  target (``presence_thresholds``, used when the prompt is that target's name), with the
  ``presence_rule`` that reads an image's presence score (:mod:`medvlseg.decision`; ``peak`` in
  records written before the rule was recorded);
- ``targets``: the target names of the training data; ``data``: its datasets and manifest hashes;
  ``modalities``: per target, the kinds of picture it was trained on (:mod:`medvlseg.data.modality`),
  so that a prompt asking for it in another kind of picture is refused ("the left lung on this CT").

Files written before the record existed (a header with ``build_kwargs``) are read by
:meth:`ModelRecord.from_header` too.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..decision import PresenceRule
from ..errors import DataError

__all__ = ["HEADER_KEY", "RECORD_FORMAT", "RECORD_FORMATS", "ModelRecord"]

RECORD_FORMAT = "medvlseg-model/2"
# a record that holds what version 2 has no field for (``modalities``) is written as version 3, so that
# an older medvlseg says "upgrade medvlseg" rather than that the record is invalid
RECORD_FORMATS = (RECORD_FORMAT, "medvlseg-model/3")
HEADER_KEY = "medvlseg"  # the safetensors metadata key holding the record (JSON)


class ModelRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    format: str = RECORD_FORMAT
    model: str
    backbone: str | None = None
    backbone_kwargs: dict[str, Any] = Field(default_factory=dict)
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    image_size: int = Field(ge=8)
    image_mean: tuple[float, float, float]
    image_std: tuple[float, float, float]
    threshold: float = Field(0.5, gt=0.0, lt=1.0)
    presence_threshold: float = Field(0.5, ge=0.0, le=1.0)
    # per target (lower-case class name) where calibration had the data for it; a prompt that is
    # none of these names (a sentence, nonsense) uses presence_threshold
    presence_thresholds: dict[str, float] = Field(default_factory=dict)
    presence_rule: PresenceRule = "peak"  # how the presence score is read (decision.PRESENCE_RULES)
    targets: list[str] = Field(default_factory=list)
    data: list[dict[str, Any]] = Field(default_factory=list)
    include_frozen: bool = False  # whether the file holds the frozen backbone's weights too
    # where the backbone's aligned projections came from (medvlseg align): provenance only, the
    # projections themselves travel in the model's file
    init_from: dict[str, Any] | None = None
    # the prompts it was trained on (data.prompt_type): "p1" means target names only, so a sentence
    # naming a target is given to it as that name (prompts.resolve); None: not recorded (older runs)
    prompt_type: str | None = None
    # per target (lower-case), the kinds of picture its training data held ("radiograph",
    # "colonoscopy": medvlseg.data.modality.KINDS); a target without an entry is judged by words alone
    modalities: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("format")
    @classmethod
    def _format(cls, v: str) -> str:
        if v not in RECORD_FORMATS:
            raise ValueError(f"unsupported record format {v!r} (this medvlseg reads {' and '.join(map(repr, RECORD_FORMATS))}); upgrade medvlseg")
        return v

    @field_validator("presence_thresholds")
    @classmethod
    def _per_target(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: t for k, t in v.items() if not 0.0 <= float(t) <= 1.0}
        if bad:
            raise ValueError(f"presence thresholds must lie in [0, 1], got {bad}")
        return {k.strip().lower(): float(t) for k, t in v.items()}

    @field_validator("modalities")
    @classmethod
    def _modalities(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        return {k.strip().lower(): sorted({str(m).strip().lower() for m in kinds if str(m).strip()}) for k, kinds in v.items()}

    def presence_threshold_for(self, prompt: str) -> float:
        """The calibrated presence threshold of the target ``prompt`` names, else the global one."""
        return self.presence_thresholds.get(prompt.strip().lower(), self.presence_threshold)

    def build_args(self) -> dict[str, Any]:
        """Keyword arguments of :func:`medvlseg.build_model` that rebuild this model."""
        return {"backbone": self.backbone, "backbone_kwargs": dict(self.backbone_kwargs),
                "image_size": self.image_size, **self.model_kwargs}

    def to_header(self) -> str:
        record = self.model_dump(mode="json")
        if record["presence_rule"] == "peak":  # as before the rule was recorded: older versions read it
            del record["presence_rule"]
        if record["prompt_type"] is None:  # likewise
            del record["prompt_type"]
        if not record["modalities"]:  # likewise
            del record["modalities"]
        record["format"] = RECORD_FORMATS[1] if "modalities" in record else RECORD_FORMAT
        try:
            return json.dumps(record)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{self.model}: build arguments must be JSON-serialisable to save the model ({exc})") from None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: str = "model record") -> ModelRecord:
        from ..config import validate

        return validate(cls, raw, source=source, error=DataError, what="invalid model record: ")

    @classmethod
    def from_header(cls, header: dict[str, Any], *, source: str, legacy_image_size: int | None = None) -> ModelRecord | dict[str, Any]:
        """The record in a safetensors header, or, for a file written before the record existed
        (``{"model", "build_kwargs", "include_frozen"}``), the legacy build arguments as a dict for
        the loader to complete (it knows the model's default size and normalisation)."""
        if "format" in header:
            return cls.from_dict(header, source=source)
        if "model" in header and isinstance(header.get("build_kwargs"), dict):
            kwargs = dict(header["build_kwargs"])
            legacy = {"model": header["model"], "backbone": kwargs.pop("backbone", None),
                      "backbone_kwargs": kwargs.pop("backbone_kwargs", {}) or {}, "model_kwargs": kwargs,
                      "include_frozen": bool(header.get("include_frozen", False))}
            if legacy_image_size is not None:
                legacy["image_size"] = int(legacy_image_size)
            return legacy
        raise DataError(f"{source}: no medvlseg model record in the file's header; was it written by medvlseg.save_model?")
