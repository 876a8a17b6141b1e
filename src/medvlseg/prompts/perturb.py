"""Prompt perturbations for robustness studies (medvlsm, REFERENCE §2).

Four kinds, each applied to one prompt level (``p0`` ... ``p9``):

- ``"random-word"``: one attribute's value is replaced by an unrelated English word from
  :data:`RANDOM_WORDS` ("one small pink circle polyp" -> "one small violin circle polyp").
- ``"opposite"``: one attribute's value is replaced by its opposite from :data:`OPPOSITES`
  ("left" -> "right", "large" -> "small"). Several parts: each part's word is flipped.
- ``"drop"``: one attribute is left out and the prompt is rebuilt without it (dropping the location
  of p6 gives p5; dropping the description of p8 gives p5).
- ``"empty"``: the empty prompt ``""``.

Which attribute: the one named by ``attribute=``, else one drawn with ``rng`` among the mask- and
pixel-derived words the level contains (number, size, color, shape, location). Levels with none of
them (p1, p7, and the negative prompt of an empty mask) fall back to the class name and, for p7-p9,
the description; "opposite" turns a class name with a side ("left lung", "right clavicle") into the
other side's structure, the one opposite a target name has, and otherwise returns the prompt
unchanged (the returned :class:`PerturbedPrompt` says ``attribute=None``). p0 is ``""`` whatever the
kind.

The perturbed prompt keeps the level's type: a string, or for p7-p9 a list with the same word
changed in every description variant (a replaced or dropped description leaves one variant).
With the same seed the result is the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .attributes import Attributes, _dedupe, join_words
from .templates import (
    LEVEL_SLOTS,
    Rng,
    as_rng,
    negative_prompt,
    pick,
    prompt_words,
    render,
    resolve_prompt_type,
)

PERTURBATIONS = ("random-word", "opposite", "drop", "empty")

#: Words derived from the mask and the pixels: the ones a robustness study changes first.
MASK_SLOTS = ("number", "size", "color", "shape", "location")
#: Words a level may fall back to when it has no mask-derived word.
FALLBACK_SLOTS = ("class", "description")

#: Unrelated everyday English words (none is an attribute value, a colour, or a medical term).
RANDOM_WORDS = (
    "violin", "pencil", "garden", "window", "mountain", "bicycle", "ocean", "ladder", "blanket", "kettle",
    "rocket", "castle", "guitar", "tunnel", "carpet", "harbor", "island", "lantern", "meadow", "orchestra",
    "pillow", "puzzle", "rainbow", "saddle", "spoon", "teacup", "thunder", "umbrella", "village", "wagon",
    "airport", "balloon", "candle", "dolphin", "engine", "feather", "glacier", "hammer", "jacket", "keyboard",
    "library", "magnet", "notebook", "onion", "parrot", "quilt", "river", "scissors", "trumpet", "volcano",
    "whistle", "yacht", "zebra", "bridge", "cactus", "forest", "helmet", "mirror", "planet", "ticket",
)

#: Opposite values per attribute. "center" has no single opposite: a corner is drawn with the rng.
OPPOSITES: dict[str, dict[str, str]] = {
    "size": {"large": "small", "small": "large", "tiny": "large", "medium": "tiny"},
    "shape": {"circle": "irregular", "irregular": "circle", "oval": "irregular", "elongated": "circle"},
    "color": {
        "red": "green", "dark red": "light green", "pink": "dark green", "orange": "blue",
        "yellow": "purple", "purple": "yellow", "light brown": "dark blue", "brown": "light blue",
        "dark brown": "white", "black": "white", "white": "black", "grey": "white",
        "bright": "dark", "dark": "bright",
    },
    "number": {"one": "several", "two": "one", "three": "one", "four": "one", "five": "one", "several": "one"},
    "location": {
        "top left": "bottom right", "top": "bottom", "top right": "bottom left",
        "left": "right", "right": "left",
        "bottom left": "top right", "bottom": "top", "bottom right": "top left",
    },
}
CENTER_OPPOSITES = ("top left", "top right", "bottom left", "bottom right")


@dataclass(frozen=True)
class PerturbedPrompt:
    """A perturbed prompt and what was changed (``attribute`` is ``None`` when nothing could be)."""

    prompt: str | list[str]
    prompt_type: str
    kind: str
    attribute: str | None
    original: Any = None  # the attribute's value before
    replacement: Any = None  # after (None when dropped)


def _as_attributes(obj: Attributes | Mapping[str, Any]) -> Attributes:
    if isinstance(obj, Attributes):
        return obj
    if isinstance(obj, Mapping) and isinstance(obj.get("attributes"), Mapping):
        return Attributes.from_dict(obj["attributes"])
    if isinstance(obj, Mapping) and "number" in obj:
        return Attributes.from_dict(obj)
    raise ConfigError("perturb: expected Attributes, an attributes dict, or a prompt record with an 'attributes' key")


SIDES = {"left": "right", "right": "left"}


def _other_side(name: str) -> str | None:
    """``"left lung"`` -> ``"right lung"``; None for a name without a side word."""
    tokens = name.split(" ")
    if not any(t in SIDES for t in tokens):
        return None
    return " ".join(SIDES.get(t, t) for t in tokens)


def _opposite(slot: str, attrs: Attributes, words: Mapping[str, Any], rng: Rng) -> str | None:
    if slot == "class":
        return _other_side(words["class"])
    table = OPPOSITES.get(slot, {})
    if slot in ("size", "location") and attrs.components:
        values = _dedupe([getattr(c, slot) for c in attrs.components])
    else:
        values = [words.get(slot)]
    out: list[str] = []
    for value in values:
        if slot == "location" and value == "center":
            out.append(pick(CENTER_OPPOSITES, rng))
        elif value in table:
            out.append(table[value])
        else:
            return None
    return join_words(_dedupe(out))


def _candidates(kind: str, level: str, attrs: Attributes, words: Mapping[str, Any]) -> list[str]:
    slots = LEVEL_SLOTS[level]
    if attrs.empty:
        return ["class"] if kind == "random-word" and slots else []
    primary = [s for s in slots if s in MASK_SLOTS and words.get(s)]
    if kind == "opposite":
        flippable = [s for s in primary if s in ("number", "size", "location") or words.get(s) in OPPOSITES.get(s, {})]
        if not flippable and "class" in slots and _other_side(words["class"]):
            return ["class"]  # p1 of a sided structure: the other side's
        return flippable
    return primary or [s for s in slots if s in FALLBACK_SLOTS and words.get(s)]


def perturb_prompt(
    attrs_or_record: Attributes | Mapping[str, Any],
    kind: str,
    prompt_type: str = "p6",
    rng: Rng | int | None = None,
    *,
    attribute: str | None = None,
) -> PerturbedPrompt:
    """Like :func:`perturb`, but also says which attribute was changed and to what."""
    if kind not in PERTURBATIONS:
        raise ConfigError(f"perturbation: unknown value {kind!r}; expected one of: {', '.join(PERTURBATIONS)}")
    rng = as_rng(rng)
    level = resolve_prompt_type(prompt_type, rng)
    attrs = _as_attributes(attrs_or_record)
    if kind == "empty" or level == "p0":
        return PerturbedPrompt("", level, kind, None)
    words = dict(prompt_words(attrs))
    candidates = _candidates(kind, level, attrs, words)
    if attribute is not None:
        if attribute not in LEVEL_SLOTS[level]:
            raise ConfigError(
                f"attribute: {attribute!r} is not in prompt type {level}; expected one of: {', '.join(LEVEL_SLOTS[level])}"
            )
        candidates = [attribute] if attribute in candidates else []
    if not candidates:
        return PerturbedPrompt(render(level, words), level, kind, None)
    slot = pick(candidates, rng)
    original = words[slot]
    if kind == "drop":
        new = None
    elif kind == "opposite":
        new = _opposite(slot, attrs, words, rng)
        if new is None:  # the attribute has no opposite word (cannot happen for listed values)
            return PerturbedPrompt(render(level, words), level, kind, None)
    else:  # random-word
        current = original if isinstance(original, str) else ""
        new = pick([w for w in RANDOM_WORDS if w != current], rng)
    if attrs.empty:  # only the class word can change in a negative prompt
        words["negative"] = negative_prompt(new)
    elif slot == "class":
        words["class"] = words["class_singular"] = new
    else:
        words[slot] = new
        if slot == "number" and kind == "opposite":  # keep the sentence grammatical: "several ... polyps"
            words["class"] = attrs.class_name if new == "one" else attrs.class_plural
    return PerturbedPrompt(render(level, words), level, kind, slot, original, new)


def perturb(
    attrs_or_record: Attributes | Mapping[str, Any],
    kind: str,
    prompt_type: str = "p6",
    rng: Rng | int | None = None,
    *,
    attribute: str | None = None,
) -> str | list[str]:
    """The prompt of level ``prompt_type`` ("p0".."p9" or "random") with one perturbation applied.

    Args:
        attrs_or_record: :class:`Attributes`, or a prompt record (with an ``"attributes"`` dict).
        kind: one of :data:`PERTURBATIONS`.
        prompt_type: the level to perturb.
        rng: seed or random source; the same seed gives the same result.
        attribute: the attribute to change (a slot of the level, e.g. "location"); default drawn.

    Returns a string, or a list for p7-p9 (``""`` for ``"empty"`` and for p0).
    """
    return perturb_prompt(attrs_or_record, kind, prompt_type, rng, attribute=attribute).prompt
