"""Negative prompts: a prompt naming a target that is not in the image, trained with an empty mask.

Without them a text-driven model never sees a prompt whose answer is "nothing here" and learns to
draw the salient region whatever the text says (the fuseg model gave the same mask for "orchestra"
as for "foot ulcer"). A negative is either another target's name (a target of another dataset in
the pool, a target of the packaged catalogue, one the config lists) that the image does not hold,
or a nonsense phrase. They also give the soft patch-contrastive loss a gradient: with one prompt
per batch its soft targets are uniform and its gradient is exactly zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["NONSENSE_WORDS", "NegativeSampler", "nonsense_prompt"]

# everyday words that name nothing in a medical image
NONSENSE_WORDS = (
    "orchestra", "bicycle", "violin", "teapot", "umbrella", "giraffe", "saxophone", "lighthouse", "pancake",
    "skateboard", "volcano", "penguin", "trombone", "carousel", "kite", "helicopter", "cactus", "accordion",
    "submarine", "pineapple", "chessboard", "windmill", "snowman", "harpsichord", "banjo", "tractor",
    "parachute", "zebra", "typewriter", "rainbow", "castle", "dolphin", "guitar", "spaceship", "waffle",
    "trumpet", "igloo", "kangaroo", "sandwich", "telescope", "hammock", "xylophone", "lasagna", "robot",
    "blue", "dancing", "quickly", "yesterday", "beautiful", "loud", "seven", "purple", "under", "happy",
)


def nonsense_prompt(rng: np.random.Generator, words: Sequence[str] = NONSENSE_WORDS) -> str:
    """One to three unrelated ``words``, or a string of random letters."""
    if rng.random() < 0.2:
        n = int(rng.integers(4, 12))
        return "".join(chr(int(c)) for c in rng.integers(ord("a"), ord("z") + 1, n))
    k = int(rng.integers(1, 4))
    return " ".join(words[int(i)] for i in rng.choice(len(words), k, replace=False))


class NegativeSampler:
    """Draws the negative prompt of a sample.

    ``candidates``: target class names a negative can name. ``image_targets``: for each image (a
    sample's :attr:`~medvlseg.data.Sample.group`), the class names of the targets annotated on it
    (present or not): these are never drawn for that image, since its own samples already say
    where they are. ``nonsense``: the share of negatives that are nonsense phrases.
    """

    def __init__(self, candidates: Iterable[str], image_targets: Mapping[str, set[str]], *, nonsense: float = 0.25) -> None:
        self.candidates = sorted({c.strip() for c in candidates if c and c.strip()})
        self.image_targets = {k: {t.lower() for t in v} for k, v in image_targets.items()}
        self.nonsense = float(nonsense)

    def draw(self, group: str, rng: np.random.Generator) -> str:
        return self.draw_named(group, rng)[0]

    def draw_named(self, group: str, rng: np.random.Generator) -> tuple[str, str | None]:
        """``(prompt, target it names)``; the target is None for a nonsense phrase."""
        taken = self.image_targets.get(group, set())
        pool: Sequence[str] = [c for c in self.candidates if c.lower() not in taken]
        if not pool or rng.random() < self.nonsense:
            return nonsense_prompt(rng), None
        name = pool[int(rng.integers(len(pool)))]
        return name, name
