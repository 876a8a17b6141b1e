"""Attributes of a segmentation target computed from its mask and image pixels (medvlsm, REFERENCE §2).

Everything here is deterministic: the same mask and image always give the same words. The paper used a
visual question-answering model for shape and colour; we compute them instead (circularity, ellipse
fit, mean colour named from a palette), which REFERENCE §2 accepts as a reproducible replacement.

Conventions (the words a prompt uses; the numbers behind them are kept in :class:`Attributes`):

- **Components**: connected parts of the mask, :func:`skimage.measure.label` with ``connectivity=2``
  (8-connectivity: pixels touching at a corner are one part) by default. Parts smaller than
  ``min_component_pixels`` (default :data:`MIN_COMPONENT_PIXELS`) are annotation specks and are not
  counted -- unless every part is that small, then the largest one counts, so that a mask with
  foreground never gets the negative prompt. Parts are ordered by area, largest first.
- **number**: the count of parts, as an int and a word ("one" ... "five", "several" above
  :data:`MAX_NUMBER_WORD`; "no" for an empty mask).
- **size**: per part, by its share of the image area: > 30 % "large", > 8 % "medium",
  < 0.1 % "tiny", else "small". Several parts: the de-duplicated classes, largest part first, joined
  with "and" ("large and tiny").
- **location**: the cell of a 3x3 grid holding a centroid ("top left", "top", "top right", "left",
  "center", "right", "bottom left", "bottom", "bottom right"). A pixel at index ``i`` spans
  ``[i, i + 1)``, so a centroid at mean index ``c`` lies in cell ``floor(3 * (c + 0.5) / H)``. Several
  parts: each part's cell, de-duplicated, largest part first, joined as an English list
  ("top left and center", "left, center and bottom"). ``mask_location`` keeps the whole mask's cell.
- **shape**: of the largest part (small parts' outlines are too few pixels to say much), from the
  minor/major axis ratio of the fitted ellipse and from how close the circularity ``4 pi A / P^2`` is to
  that of the ideal ellipse with the same axis ratio (the "regularity"): a ragged outline is
  "irregular", else "circle", "oval" or "elongated" by axis ratio. The perimeter is the Crofton
  estimate (``perimeter_crofton``), which is nearly unbiased for digital disks; the 4-connected contour
  length over-estimates the perimeter of large disks by ~5 % and under-estimates small ones.
- **color**: the mean RGB over all mask pixels, named by the nearest palette colour in CIELAB
  (Delta E 1976, a perceptual distance). Grey-scale images (and RGB images whose three channels are
  equal) are named by contrast with a band of surrounding pixels: "bright", "dark", else "grey".
  uint8 images are scaled by 255; other dtypes (uint16, float) by the image's own min..max range.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, DataError

# ---- thresholds (named so that tests and docs can refer to them) ---------------------------------

#: Size classes by a part's share of the image area (REFERENCE §2). Strict inequalities, as written there.
LARGE_MIN_FRACTION = 0.30  # > 30 % of the image: "large"
MEDIUM_MIN_FRACTION = 0.08  # > 8 %: "medium"
TINY_MAX_FRACTION = 0.001  # < 0.1 %: "tiny"; otherwise "small"
SIZE_CLASSES = ("tiny", "small", "medium", "large")

#: Parts with fewer pixels than this are annotation specks (see the module docstring).
MIN_COMPONENT_PIXELS = 20
DEFAULT_CONNECTIVITY = 2  # 8-connectivity

#: Number words; counts above MAX_NUMBER_WORD are "several" (text encoders know small counts only).
NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
MAX_NUMBER_WORD = 5
MANY_WORD = "several"

#: 3x3 grid cell names, row-major (top row first).
GRID_CELLS = (
    ("top left", "top", "top right"),
    ("left", "center", "right"),
    ("bottom left", "bottom", "bottom right"),
)
LOCATIONS = tuple(name for row in GRID_CELLS for name in row)

#: Shape vocabulary and thresholds.
SHAPES = ("circle", "oval", "elongated", "irregular")
#: Circularity / (circularity of the ellipse with the same axis ratio) below this: "irregular".
#: Ellipses and rectangles score 0.9-1.0; five- to twelve-pointed stars 0.3-0.6.
IRREGULAR_MAX_REGULARITY = 0.75
#: Minor/major axis ratio at or above this: "circle"; at or above OVAL_MIN_AXIS_RATIO: "oval";
#: below: "elongated".
CIRCLE_MIN_AXIS_RATIO = 0.8
OVAL_MIN_AXIS_RATIO = 0.5

#: Colour palette (name -> sRGB 0..255), matched in CIELAB. Chosen to cover what the targets look like
#: (red/pink mucosa and wound beds, yellow slough, brown/black pigment) plus the basic colour terms.
COLOR_PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (205, 35, 35),
    "dark red": (120, 20, 25),
    "pink": (230, 150, 150),
    "orange": (235, 135, 45),
    "yellow": (230, 210, 70),
    "light brown": (195, 145, 105),
    "brown": (140, 80, 45),
    "dark brown": (75, 45, 30),
    "black": (25, 25, 25),
    "white": (240, 240, 240),
    "grey": (128, 128, 128),
    "purple": (120, 55, 135),
}
#: Grey-scale images: region mean minus surrounding mean, in units of the intensity range.
GREY_CONTRAST_MIN = 0.08
GREY_WORDS = ("bright", "dark", "grey")
#: Width of the surrounding band for grey-scale contrast, as a fraction of the shorter image side.
SURROUND_BAND_FRACTION = 0.05
SURROUND_BAND_MIN_PIXELS = 3
#: RGB images whose channels differ by at most this (0..1 scale) everywhere are treated as grey.
GREY_RGB_TOLERANCE = 2.0 / 255.0

TARGETS_FILE = "targets.yaml"


# ---------------------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class TargetInfo:
    """Words for one kind of target: class name, plural, descriptions and per-image fields.

    ``synonyms``: other words and short definitions users type for the target ("nevus", "adenoma",
    "cor", "the organ that pumps blood"). Only
    the prompt resolver reads them (:mod:`medvlseg.prompts.resolve`); no training prompt is built from
    them and no manifest target string is matched against them (that is what ``aliases`` do).
    ``vague_words``: everyday words for a finding ("spot", "growth", "lump") that mean this target only
    in an image that shows it; the resolver leaves a prompt asking for one of them to the image
    (:attr:`medvlseg.prompts.resolve.Resolution.candidates`).
    """

    name: str
    class_name: str
    plural: str
    descriptions: tuple[str, ...]
    fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    synonyms: tuple[str, ...] = ()
    vague_words: tuple[str, ...] = ()

    def field_descriptions(self, fields: Mapping[str, str]) -> list[str]:
        """Descriptions that per-image ``fields`` (manifest columns) call for; empty when none apply."""
        out: list[str] = []
        for column, spec in self.fields.items():
            value = str(fields.get(column, "")).strip()
            if not value:
                continue
            values = spec.get("values") or {}
            if value in values:
                out.extend(values[value])
            elif value.lower() in values:
                out.extend(values[value.lower()])
            elif spec.get("template"):
                out.append(str(spec["template"]).format(value=value))
        return out


def pluralize(noun: str) -> str:
    """English plural of the last word of ``noun`` ("foot ulcer" -> "foot ulcers", "mass" -> "masses")."""
    if not noun:
        return noun
    head, _, last = noun.rpartition(" ")
    low = last.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        last = last + "es"
    elif low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last = last + "s"
    return f"{head} {last}" if head else last


def _read_targets_yaml(path: Path | None) -> dict[str, Any]:
    import yaml

    where = str(path) if path is not None else f"medvlseg/prompts/{TARGETS_FILE}"
    try:
        if path is None:
            text = resources.files(__package__).joinpath(TARGETS_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except FileNotFoundError:
        raise DataError(f"{where}: targets file not found") from None
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{where}: cannot read targets file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("targets", {}), dict):
        raise DataError(f"{where}: expected a mapping with a 'targets' mapping (see the packaged {TARGETS_FILE})")
    return data


@dataclass(frozen=True)
class TargetCatalog:
    """All known targets and the lookup from target strings and dataset names to them."""

    targets: Mapping[str, TargetInfo]
    aliases: Mapping[str, str]  # lower-case alias -> key in ``targets``
    generic_descriptions: tuple[str, ...]

    def resolve(self, target: str | None = None, dataset: str | None = None) -> TargetInfo:
        """The entry for a manifest ``target`` string, else for a ``dataset`` name, else a generic one.

        The generic entry uses ``target`` itself as the class name (``"target"`` when nothing is known).
        """
        for key in (target, dataset):
            if key and key.strip().lower() in self.aliases:
                return self.targets[self.aliases[key.strip().lower()]]
        name = (target or "").strip() or "target"
        return TargetInfo(name=name, class_name=name, plural=pluralize(name), descriptions=self.generic_descriptions)


def _parse_catalog(data: Mapping[str, Any], where: str, base: TargetCatalog | None = None) -> TargetCatalog:
    targets = dict(base.targets) if base else {}
    aliases = dict(base.aliases) if base else {}
    generic = tuple(base.generic_descriptions) if base else ()
    gen = data.get("generic") or {}
    if gen.get("descriptions"):
        generic = tuple(str(d) for d in gen["descriptions"])
    for key, spec in (data.get("targets") or {}).items():
        if not isinstance(spec, dict):
            raise DataError(f"{where}: targets.{key}: expected a mapping with class, plural, descriptions")
        descriptions = spec.get("descriptions") or []
        if isinstance(descriptions, str):
            descriptions = [descriptions]
        if not descriptions:
            raise DataError(f"{where}: targets.{key}.descriptions: give at least one description")
        class_name = str(spec.get("class") or key)
        fields = spec.get("fields") or {}
        if not isinstance(fields, dict):
            raise DataError(f"{where}: targets.{key}.fields: expected a mapping of column -> values/template")
        synonyms = spec.get("synonyms") or []
        if isinstance(synonyms, str):
            synonyms = [synonyms]
        if not isinstance(synonyms, list) or not all(isinstance(w, str) and w.strip() for w in synonyms):
            raise DataError(f"{where}: targets.{key}.synonyms: expected a list of non-empty phrases")
        vague = spec.get("vague_words") or []
        if not isinstance(vague, list) or not all(isinstance(w, str) and w.strip().isalpha() for w in vague):
            raise DataError(f"{where}: targets.{key}.vague_words: expected a list of single words")
        info = TargetInfo(
            name=str(key),
            class_name=class_name,
            plural=str(spec.get("plural") or pluralize(class_name)),
            descriptions=tuple(str(d) for d in descriptions),
            fields={str(c): dict(v or {}) for c, v in fields.items()},
            synonyms=tuple(w.strip().lower() for w in synonyms),
            vague_words=tuple(w.strip().lower() for w in vague),
        )
        targets[info.name] = info
        for alias in [key, class_name, *(spec.get("aliases") or [])]:
            aliases[str(alias).strip().lower()] = info.name
    if not generic:
        generic = ("the area of interest marked in the medical image",)
    return TargetCatalog(targets=targets, aliases=aliases, generic_descriptions=generic)


@lru_cache(maxsize=1)
def _packaged_catalog() -> TargetCatalog:
    return _parse_catalog(_read_targets_yaml(None), f"medvlseg/prompts/{TARGETS_FILE}")


def load_targets(path: str | os.PathLike | None = None) -> TargetCatalog:
    """The packaged target catalogue, with the entries of the YAML file ``path`` added (same layout)."""
    base = _packaged_catalog()
    if path is None:
        return base
    return _parse_catalog(_read_targets_yaml(Path(path)), str(path), base=base)


# ------------------------------------------------------------------------------------- attributes


@dataclass
class Component:
    """One connected part of the mask."""

    area: int  # pixels
    area_fraction: float  # share of the image
    size: str  # one of SIZE_CLASSES
    centroid: tuple[float, float]  # (row, col), pixel indices
    location: str  # one of LOCATIONS
    shape: str  # one of SHAPES
    circularity: float  # 4 pi A / P^2, capped at 1
    axis_ratio: float  # minor / major axis of the fitted ellipse (1 = round)
    eccentricity: float


@dataclass
class Attributes:
    """What the prompt templates need, plus the numbers behind each word.

    ``number == 0`` means an empty mask; then the mask-derived words are ``None`` and the prompts are
    the negative prompt (see :func:`medvlseg.prompts.build_prompts`).
    """

    target: str  # catalogue key, or the manifest target string for unknown targets
    class_name: str
    class_plural: str
    number: int
    number_word: str
    size: str | None = None
    location: str | None = None
    mask_location: str | None = None
    shape: str | None = None
    color: str | None = None
    mean_color: list[float] | None = None  # RGB in 0..1, or [intensity] for grey images
    descriptions: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # per-image manifest fields (e.g. diagnosis)
    components: list[Component] = field(default_factory=list)  # largest first
    image_size: tuple[int, int] | None = None  # (H, W)

    @property
    def empty(self) -> bool:
        return self.number == 0

    @property
    def sizes(self) -> list[str]:
        return [c.size for c in self.components]

    @property
    def locations(self) -> list[str]:
        return [c.location for c in self.components]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists); :meth:`from_dict` reverses it."""
        d = asdict(self)
        d["empty"] = self.empty
        d["components"] = [
            {**asdict(c), "centroid": [round(c.centroid[0], 2), round(c.centroid[1], 2)]} for c in self.components
        ]
        d["image_size"] = list(self.image_size) if self.image_size else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Attributes:
        """Rebuild from :meth:`to_dict` output (unknown keys are ignored)."""
        try:
            comps = [
                Component(**{**c, "centroid": tuple(c["centroid"])}) for c in d.get("components") or []
            ]
            return cls(
                target=d["target"],
                class_name=d["class_name"],
                class_plural=d["class_plural"],
                number=int(d["number"]),
                number_word=d["number_word"],
                size=d.get("size"),
                location=d.get("location"),
                mask_location=d.get("mask_location"),
                shape=d.get("shape"),
                color=d.get("color"),
                mean_color=d.get("mean_color"),
                descriptions=list(d.get("descriptions") or []),
                fields=dict(d.get("fields") or {}),
                components=comps,
                image_size=tuple(d["image_size"]) if d.get("image_size") else None,
            )
        except (KeyError, TypeError) as exc:
            raise DataError(f"attributes: missing or malformed field ({exc}); expected the output of Attributes.to_dict()") from None


def number_word(n: int) -> str:
    """"no", "one" ... "five", then "several"."""
    if n < 0:
        raise ValueError(f"number of components must be >= 0, got {n}")
    return NUMBER_WORDS[n] if n <= MAX_NUMBER_WORD else MANY_WORD


def size_class(fraction: float) -> str:
    """Size class of a part covering ``fraction`` of the image (REFERENCE §2 thresholds)."""
    if fraction > LARGE_MIN_FRACTION:
        return "large"
    if fraction > MEDIUM_MIN_FRACTION:
        return "medium"
    if fraction < TINY_MAX_FRACTION:
        return "tiny"
    return "small"


def grid_cell(row: float, col: float, shape: tuple[int, int]) -> str:
    """3x3 grid cell of a point given in pixel indices (pixel ``i`` spans ``[i, i + 1)``)."""
    h, w = shape
    r = min(max(int(math.floor(3.0 * (row + 0.5) / h)), 0), 2)
    c = min(max(int(math.floor(3.0 * (col + 0.5) / w)), 0), 2)
    return GRID_CELLS[r][c]


def ellipse_circularity(axis_ratio: float) -> float:
    """Circularity 4 pi A / P^2 of an ideal ellipse with minor/major ``axis_ratio`` (Ramanujan's P)."""
    b = min(max(axis_ratio, 1e-6), 1.0)
    a = 1.0
    h = ((a - b) / (a + b)) ** 2
    perimeter = math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h)))
    return 4 * math.pi * (math.pi * a * b) / perimeter**2


def shape_class(circularity: float, axis_ratio: float) -> str:
    """Shape word from circularity and the fitted ellipse's axis ratio (thresholds above)."""
    regularity = circularity / ellipse_circularity(axis_ratio)
    if regularity < IRREGULAR_MAX_REGULARITY:
        return "irregular"
    if axis_ratio >= CIRCLE_MIN_AXIS_RATIO:
        return "circle"
    if axis_ratio >= OVAL_MIN_AXIS_RATIO:
        return "oval"
    return "elongated"


def join_words(items: Sequence[str]) -> str:
    """English list: ``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _dedupe(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


@lru_cache(maxsize=1)
def _palette_lab() -> tuple[tuple[str, ...], np.ndarray]:
    from skimage.color import rgb2lab

    names = tuple(COLOR_PALETTE)
    rgb = np.array([COLOR_PALETTE[n] for n in names], dtype=np.float64)[None] / 255.0
    return names, rgb2lab(rgb)[0]


def color_name(rgb: Sequence[float]) -> str:
    """Name of the palette colour nearest (in CIELAB) to an sRGB colour given in 0..1."""
    from skimage.color import rgb2lab

    names, lab = _palette_lab()
    x = rgb2lab(np.clip(np.asarray(rgb, dtype=np.float64), 0, 1).reshape(1, 1, 3))[0, 0]
    return names[int(np.argmin(((lab - x) ** 2).sum(axis=1)))]


def _to_unit(image: np.ndarray) -> np.ndarray:
    """Image as float in 0..1: uint8 / 255, bool as is, anything else by its own min..max range."""
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    if image.dtype == bool:
        return image.astype(np.float32)
    x = image.astype(np.float64)
    finite = np.isfinite(x)
    if not finite.all():
        x = np.where(finite, x, np.nanmin(np.where(finite, x, np.nan)) if finite.any() else 0.0)
    lo, hi = float(x.min()), float(x.max())
    return ((x - lo) / (hi - lo)).astype(np.float32) if hi > lo else np.zeros_like(x, dtype=np.float32)


def _grey_word(grey: np.ndarray, mask: np.ndarray) -> tuple[str, float]:
    """Region brightness relative to a band of pixels around it: "bright", "dark" or "grey"."""
    from scipy import ndimage

    inside = float(grey[mask].mean())
    band = max(SURROUND_BAND_MIN_PIXELS, int(round(SURROUND_BAND_FRACTION * min(mask.shape))))
    dist = ndimage.distance_transform_edt(~mask)
    ring = (dist > 0) & (dist <= band)
    if not ring.any():
        return "grey", inside
    contrast = inside - float(grey[ring].mean())
    if contrast > GREY_CONTRAST_MIN:
        return "bright", inside
    if contrast < -GREY_CONTRAST_MIN:
        return "dark", inside
    return "grey", inside


def _color_of(image: np.ndarray, mask: np.ndarray) -> tuple[str, list[float]]:
    unit = _to_unit(image)
    if unit.ndim == 3:
        spread = float(np.abs(unit - unit[..., :1]).max())
        if spread > GREY_RGB_TOLERANCE:
            mean = unit[mask].mean(axis=0).astype(np.float64)
            return color_name(mean), [round(float(v), 4) for v in mean]
        unit = unit[..., 0]
    word, level = _grey_word(unit, mask)
    return word, [round(level, 4)]


def compute_attributes(
    mask: np.ndarray,
    image: np.ndarray | None = None,
    *,
    target: str = "target",
    description: str | Sequence[str] | None = None,
    extra: Mapping[str, str] | None = None,
    connectivity: int = DEFAULT_CONNECTIVITY,
    min_component_pixels: int = MIN_COMPONENT_PIXELS,
    dataset: str | None = None,
    targets: TargetCatalog | str | os.PathLike | None = None,
) -> Attributes:
    """Attributes of the target in ``mask`` (and ``image``, for colour); see the module docstring.

    Args:
        mask: ``(H, W)`` mask; non-zero is target.
        image: ``(H, W)`` or ``(H, W, 3)`` image of the same size, any dtype; ``None`` leaves colour out.
        target: manifest target string ("polyp", "foot ulcer", "skin lesion", or anything else).
        description: description(s) to use instead of the catalogue's.
        extra: per-image manifest fields (e.g. ``{"diagnosis": "melanoma"}``); kept in ``fields``, and
            fields declared for the target in ``targets.yaml`` choose the descriptions.
        connectivity: 1 (4-connectivity) or 2 (8-connectivity, the default) for counting parts.
        min_component_pixels: parts smaller than this are not counted (see the module docstring).
        dataset: dataset name, used to find the target when ``target`` is not in the catalogue.
        targets: a :class:`TargetCatalog` or a YAML file of extra targets; default the packaged one.
    """
    from skimage.measure import label, regionprops

    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise DataError(f"mask: expected a 2-D (H, W) array, got shape {mask.shape}")
    if connectivity not in (1, 2):
        raise ConfigError(f"connectivity: unknown value {connectivity!r}; expected one of: 1, 2")
    mask = mask.astype(bool, copy=False)
    if image is not None:
        image = np.asarray(image)
        if image.shape[:2] != mask.shape or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
            raise DataError(f"image: shape {image.shape} does not match mask shape {mask.shape} (expected (H, W) or (H, W, 3))")

    catalog = targets if isinstance(targets, TargetCatalog) else load_targets(targets)
    info = catalog.resolve(target, dataset)
    fields = {str(k): str(v) for k, v in (extra or {}).items() if v is not None and str(v) != ""}
    if description is not None:
        descriptions = [description] if isinstance(description, str) else list(description)
    else:
        descriptions = info.field_descriptions(fields) or list(info.descriptions)

    attrs = Attributes(
        target=info.name, class_name=info.class_name, class_plural=info.plural, number=0,
        number_word=number_word(0), descriptions=descriptions, fields=fields, image_size=(int(mask.shape[0]), int(mask.shape[1])),
    )
    if not mask.any():
        return attrs

    total = float(mask.size)
    labels = label(mask, connectivity=connectivity)
    props = sorted(regionprops(labels), key=lambda p: -p.area)  # stable: ties keep scan order
    kept = [p for p in props if p.area >= min_component_pixels] or props[:1]
    components: list[Component] = []
    for p in kept:
        area = int(p.area)
        major, minor = float(p.axis_major_length), float(p.axis_minor_length)
        axis_ratio = minor / major if major > 0 else 1.0
        perimeter = float(p.perimeter_crofton)
        circ = min(1.0, 4 * math.pi * area / perimeter**2) if perimeter > 0 else 1.0
        r, c = (float(v) for v in p.centroid)
        components.append(Component(
            area=area, area_fraction=area / total, size=size_class(area / total), centroid=(r, c),
            location=grid_cell(r, c, mask.shape), shape=shape_class(circ, axis_ratio),
            circularity=round(circ, 4), axis_ratio=round(axis_ratio, 4), eccentricity=round(float(p.eccentricity), 4),
        ))

    rows, cols = np.nonzero(mask)
    attrs.number = len(components)
    attrs.number_word = number_word(attrs.number)
    attrs.components = components
    attrs.size = join_words(_dedupe([c.size for c in components]))
    attrs.location = join_words(_dedupe([c.location for c in components]))
    attrs.mask_location = grid_cell(float(rows.mean()), float(cols.mean()), mask.shape)
    attrs.shape = components[0].shape
    if image is not None:
        attrs.color, attrs.mean_color = _color_of(image, mask)
    return attrs
