"""Prompt templates P0-P9 (medvlsm, REFERENCE §2), each built on the previous one.

=====  =================================================================  ==========
level  template                                                           value
=====  =================================================================  ==========
p0     ``""``                                                              str
p1     ``{class}``                                                         str
p2     ``{shape} {class}``                                                 str
p3     ``{color} {shape} {class}``                                         str
p4     ``{size} `` + p3                                                    str
p5     ``{number} `` + p4                                                  str
p6     p5 + ``, located in {location} of the image``                       str
p7     ``{class} which is {description}``                                  list
p8     p5 + `` which is {description}``                                    list
p9     p8 + `` located in {location} of the image``                        list
=====  =================================================================  ==========

Example: p6 = "one small pink circle polyp, located in right of the image".

Wording rules:

- ``{class}`` is plural when the mask has more than one part ("two small pink circle polyps"). Because
  p1-p4 nest into p5, the whole chain p1-p6, p8, p9 follows the number. p7 is a definition of the
  class, not a statement about this image's parts, and keeps the singular. The connective stays
  "which is" as in the reference templates, also after a plural.
- A word that is unknown (no image given, so no colour) is left out with its space, never "None".
- An empty mask: p0 stays ``""``; p1 is the class name (the question asked of any image, whose
  answer here is an empty mask); p2-p9 are the negative prompt ``"no {class} in the image"``.
- List levels (p7-p9) keep one prompt per description; :func:`choose_prompt` draws one at use time.

The ``words`` of a prompt (class, number, size, ...) come from :func:`prompt_words`; :func:`render`
turns words into one level. Perturbations (:mod:`medvlseg.prompts.perturb`) change or drop words and
render again, so a perturbed prompt has exactly the same form as a clean one.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import ConfigError, DataError
from .attributes import Attributes

PROMPT_TYPES = tuple(f"p{k}" for k in range(10))
RANDOM_PROMPT_TYPE = "random"
#: A level drawn uniformly from p1-p9 per use: every prompt names the target (p0, the empty prompt,
#: never comes up), in all the forms a user may write it.
NAMED_PROMPT_TYPE = "named"
NAMED_LEVELS = PROMPT_TYPES[1:]
#: Levels whose value is a list (one prompt per description).
LIST_PROMPT_TYPES = ("p7", "p8", "p9")

#: The attribute slots each level uses, in reading order (perturbations pick among these).
LEVEL_SLOTS: dict[str, tuple[str, ...]] = {
    "p0": (),
    "p1": ("class",),
    "p2": ("shape", "class"),
    "p3": ("color", "shape", "class"),
    "p4": ("size", "color", "shape", "class"),
    "p5": ("number", "size", "color", "shape", "class"),
    "p6": ("number", "size", "color", "shape", "class", "location"),
    "p7": ("class", "description"),
    "p8": ("number", "size", "color", "shape", "class", "description"),
    "p9": ("number", "size", "color", "shape", "class", "description", "location"),
}

Rng = random.Random | np.random.Generator


def negative_prompt(class_name: str) -> str:
    """The prompt for an image without the target: ``"no polyp in the image"``."""
    return f"no {class_name} in the image"


def prompt_words(attrs: Attributes) -> dict[str, Any]:
    """The words the templates fill in: class (singular or plural as the number asks), number, size,
    color, shape, location, descriptions (a list), and ``negative`` for empty masks."""
    plural = attrs.number > 1
    return {
        "class": attrs.class_plural if plural else attrs.class_name,
        "class_singular": attrs.class_name,
        "number": attrs.number_word,
        "size": attrs.size,
        "color": attrs.color,
        "shape": attrs.shape,
        "location": attrs.location,
        "description": list(attrs.descriptions),
        "negative": negative_prompt(attrs.class_name) if attrs.empty else None,
    }


def _join(*tokens: str | None) -> str:
    return " ".join(t for t in tokens if t)


def render(level: str, words: Mapping[str, Any]) -> str | list[str]:
    """One level from ``words`` (see :func:`prompt_words`); a slot that is ``None`` or ``""`` is left out.

    ``words["description"]`` is a list (one prompt each) or a single string.
    """
    if level not in PROMPT_TYPES:
        raise ConfigError(f"prompt_type: unknown value {level!r}; expected one of: {', '.join(PROMPT_TYPES)}")
    if level == "p0":
        return ""
    cls = words.get("class")
    if words.get("negative"):
        # p1 is the question a user asks of any image ("polyp"): its answer on a target-free image is
        # an empty mask, so p1 names the target there too; p2-p9 describe the mask's parts, and with
        # none they say so (medvlsm's negative prompt)
        return cls or "" if level == "p1" else words["negative"]
    p3 = _join(words.get("color"), words.get("shape"), cls)
    p5 = _join(words.get("number"), words.get("size"), p3)
    loc = words.get("location")
    if level == "p1":
        return cls or ""
    if level == "p2":
        return _join(words.get("shape"), cls)
    if level == "p3":
        return p3
    if level == "p4":
        return _join(words.get("size"), p3)
    if level == "p5":
        return p5
    if level == "p6":
        return f"{p5}, located in {loc} of the image" if loc else p5
    descriptions = words.get("description")
    if isinstance(descriptions, str) or descriptions is None:
        descriptions = [descriptions]
    out: list[str] = []
    for d in descriptions or [None]:
        if level == "p7":
            singular = words.get("class_singular", cls)
            out.append(f"{singular} which is {d}" if d else (singular or ""))
            continue
        p8 = f"{p5} which is {d}" if d else p5
        out.append(f"{p8} located in {loc} of the image" if level == "p9" and loc else p8)
    return out


def render_other_target(
    attrs: Attributes, level: str, name: str, *, plural: str | None = None, descriptions: Sequence[str] = ()
) -> str | list[str]:
    """``level`` for this image's words with another target's name in place of its own: the negative
    prompt of a training sample in the same form as its positive ("one small pink circle polyp"
    on a foot photograph), so that only the name tells the two apart. ``descriptions``: the other
    target's (p7-p9 then describe it, not this image's target; none: p7 is the bare name and p8 / p9
    drop the clause)."""
    words = dict(prompt_words(attrs))
    many = attrs.number > 1
    words.update(negative=None, class_singular=name, description=list(descriptions) or None,
                 **{"class": (plural or name) if many else name})
    return render(level, words)


def build_prompts(attrs: Attributes) -> dict[str, str | list[str]]:
    """All levels ``p0`` ... ``p9`` for one image (lists for p7-p9, except the negative prompt)."""
    words = prompt_words(attrs)
    return {level: render(level, words) for level in PROMPT_TYPES}


def _randbelow(rng: Rng, n: int) -> int:
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(n))
    return rng.randrange(n)


def as_rng(rng: Rng | int | None) -> Rng:
    """A random source from a seed (``int``), ``random.Random`` or ``numpy.random.Generator``.

    ``None`` gives ``random.Random(0)``: choices are reproducible unless a source is passed.
    """
    if rng is None:
        return random.Random(0)
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return random.Random(int(rng))
    if isinstance(rng, (random.Random, np.random.Generator)):
        return rng
    raise ConfigError(f"rng: expected an int seed, random.Random or numpy.random.Generator, got {type(rng).__name__}")


def pick(values: Any, rng: Rng) -> Any:
    """One element of a list drawn with ``rng``; a non-list value is returned as is."""
    if isinstance(values, (list, tuple)):
        if not values:
            return ""
        return values[_randbelow(rng, len(values))]
    return values


def check_prompt_type(prompt_type: str, *, allow_random: bool = True) -> str:
    valid = PROMPT_TYPES + ((RANDOM_PROMPT_TYPE, NAMED_PROMPT_TYPE) if allow_random else ())
    if prompt_type not in valid:
        raise ConfigError(f"prompt_type: unknown value {prompt_type!r}; expected one of: {', '.join(valid)}")
    return prompt_type


def resolve_prompt_type(prompt_type: str, rng: Rng) -> str:
    """``"p0"`` ... ``"p9"`` as is; ``"random"`` becomes a level drawn uniformly from p0-p9 (as medvlsm),
    ``"named"`` one drawn from p1-p9."""
    check_prompt_type(prompt_type)
    if prompt_type == RANDOM_PROMPT_TYPE:
        return PROMPT_TYPES[_randbelow(rng, len(PROMPT_TYPES))]
    if prompt_type == NAMED_PROMPT_TYPE:
        return NAMED_LEVELS[_randbelow(rng, len(NAMED_LEVELS))]
    return prompt_type


def choose_prompt(record: Mapping[str, Any], prompt_type: str, rng: Rng | int | None = None) -> str:
    """The prompt of ``record`` (with keys p0..p9) for ``prompt_type``.

    ``"random"`` draws a level per call; a list value draws one of its prompts. With a seeded ``rng``
    the sequence of choices is reproducible.
    """
    rng = as_rng(rng)
    level = resolve_prompt_type(prompt_type, rng)
    if level not in record:
        raise DataError(f"prompt record {record.get('id', '?')!r}: no {level!r} key; expected keys {', '.join(PROMPT_TYPES)}")
    return pick(record[level], rng)
