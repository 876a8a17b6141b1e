"""``Segmenter``: run any model on an image of any size and get the mask back at that size.

It does what a user should not have to: read the file, bring grey / 16-bit / float images to three
channels in [0, 1], resize to the size the model was trained at (its record's), normalise with the
backbone's statistics (:mod:`medvlseg.preprocess`, the same as in training), run the model, and
resize the probability back to the original size.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .errors import ConfigError
from .decision import binarize, check_pixel_threshold, check_presence_threshold, is_present, presence_score
from .models.base import SegmentationModel
from .preprocess import preprocess_image
from .prompts.check import check_prompt

EPS = 1e-6

# Test-time augmentation: the model sees flipped / rotated copies of the input and the probabilities
# are mapped back and averaged (nnU-Net's mirroring). Each transform is (k rot90, hflip, vflip).
TTA_TRANSFORMS: dict[str, tuple[tuple[int, bool, bool], ...]] = {
    "none": ((0, False, False),),
    "flip": ((0, False, False), (0, True, False), (0, False, True), (0, True, True)),
    "dihedral": tuple((k, h, False) for k in range(4) for h in (False, True)),
}


def dihedral_transform(x: torch.Tensor, k: int, h: bool, v: bool) -> torch.Tensor:
    """rot90 ``k`` times over the last two axes, then hflip, then vflip (TTA here, training
    augmentation and the feature cache's variants in the engine)."""
    x = torch.rot90(x, k, dims=(-2, -1)) if k else x
    x = x.flip(-1) if h else x
    return x.flip(-2) if v else x


def inverse_dihedral_transform(x: torch.Tensor, k: int, h: bool, v: bool) -> torch.Tensor:
    x = x.flip(-2) if v else x
    x = x.flip(-1) if h else x
    return torch.rot90(x, -k, dims=(-2, -1)) if k else x


def model_probabilities(
    model: SegmentationModel, x: torch.Tensor, prompts: list[str], *, stochastic: bool, samples: int, tta: str = "none",
    with_presence: bool = False, presence_rule: str = "peak",
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Probabilities at the model's size for a normalised batch ``x`` (B, 3, s, s).

    Returns (S, B, 1, s, s) Monte-Carlo samples when ``stochastic``, else (B, 1, s, s). With ``tta``
    (``"flip"``: the 4 mirrorings; ``"dihedral"``: the 8 rotations and mirrorings) every transform of
    the batch goes through the model in one call and the back-transformed probabilities are averaged
    (sample by sample when stochastic, so the uncertainty maps still come from S samples).

    ``with_presence``: also return each image's presence score (B,) under ``presence_rule``
    (:func:`medvlseg.decision.presence_score`) from the un-augmented copy (its Monte-Carlo mean when
    stochastic) at the model's size: the quantity the engine calibrates the presence threshold on. Averaging over TTA copies lowers the peaks, so a
    threshold calibrated on plain predictions would empty images if applied to the average.
    """
    transforms = TTA_TRANSFORMS[tta]  # the identity comes first
    b = x.shape[0]
    xt = torch.cat([dihedral_transform(x, *t) for t in transforms]) if len(transforms) > 1 else x  # (T*B, 3, s, s)
    texts = list(prompts) * len(transforms)
    if stochastic:
        probs = model.sample_probabilities(xt, texts, samples=samples)  # (S, T*B, 1, s, s)
    else:
        probs = model.predict(xt, texts)  # (T*B, 1, s, s)
    parts = probs.split(b, dim=-4)  # T tensors of (.., B, 1, s, s); parts[0] is the un-augmented copy
    if len(transforms) > 1:
        probs = torch.stack([inverse_dihedral_transform(p.float(), *t) for p, t in zip(parts, transforms)]).mean(0)
    if not with_presence:
        return probs
    plain = parts[0].float().mean(0) if stochastic else parts[0].float()  # (B, 1, s, s)
    return probs, presence_score(plain, presence_rule)


@dataclass
class SegmentationResult:
    mask: np.ndarray  # (H, W) bool at the image's original size
    probability: np.ndarray  # (H, W) float32 in [0, 1]
    present: float  # score in [0, 1] that the prompted target is in the image at all
    entropy: np.ndarray | None = None  # (H, W) float32, predictive entropy (nats), when uncertainty=True
    mutual_information: np.ndarray | None = None  # (H, W) float32, epistemic part, when uncertainty=True
    prompt: str = ""
    model_prompt: str = ""  # what the model was given: the prompt, or the target it was resolved to


class Segmenter:
    """Inference on single images with any :class:`SegmentationModel`.

    ``threshold``: a pixel is target where its probability is at or above it (:mod:`medvlseg.decision`).
    ``presence_threshold``: if the presence score (read by the record's ``presence_rule``: the
    largest probability in the image, or the mean of its largest 1 %) is below it, the mask is empty: an absent target gives an empty mask, not noise. Both default to the
    model's record (a trained run's calibrated values; 0.5 for a new model).
    ``precision="bf16"`` runs under bfloat16 autocast: several times faster on CPUs with AMX or
    AVX512-BF16 and on GPUs, slower on CPUs without them (see BENCHMARKS.md).
    ``tta``: test-time augmentation, ``"flip"`` (4 mirrorings, 4x the cost) or ``"dihedral"``
    (8 rotations and mirrorings, 8x): probabilities averaged over the transformed copies.
    ``resolve_prompts``: a prompt that names none of the model's targets is given to the model as
    the target it means, when one is clearly meant (:mod:`medvlseg.prompts.resolve`); False gives
    every prompt to the model as it is.
    """

    def __init__(
        self,
        model: SegmentationModel,
        *,
        threshold: float | None = None,
        presence_threshold: float | None = None,
        device: str | torch.device | None = None,
        precision: str = "fp32",
        tta: str = "none",
        resolve_prompts: bool = True,
    ) -> None:
        from .prompts.resolve import resolver_for
        from .utils import check_choice

        self.precision = check_choice("precision", precision, ("fp32", "bf16"))
        self.tta = check_choice("tta", tta, tuple(TTA_TRANSFORMS))
        record = getattr(model, "record", None)
        if threshold is None:
            threshold = record.threshold if record is not None else 0.5
        # an explicit presence threshold applies to every prompt; else the record's, per target
        self._presence_override = presence_threshold is not None
        if presence_threshold is None:
            presence_threshold = record.presence_threshold if record is not None else 0.5
        self.threshold = check_pixel_threshold(threshold)
        self.presence_threshold = check_presence_threshold(presence_threshold)
        self._record = record
        self.presence_rule = record.presence_rule if record is not None else "peak"
        self.model = model.eval()
        first = next(model.parameters(), None)  # none in an ONNX Runtime model (medvlseg.export.OnnxModel)
        self.device = torch.device(device) if device else (first.device if first is not None else torch.device("cpu"))
        self.model.to(self.device)
        self.resolver = resolver_for(model) if resolve_prompts else None

    def model_prompt(self, prompt: str) -> str:
        """The text the model is given for ``prompt`` (see ``resolve_prompts``); for a finding asked
        for by an everyday word ("the spot") the prompt itself: which target it is, the image decides
        (:meth:`asks`; each result's ``model_prompt`` says what was chosen)."""
        return prompt if self.resolver is None else self.resolver.resolve(prompt).model_prompt

    def asks(self, prompt: str) -> tuple[str, ...]:
        """The texts the model may be given for ``prompt``: its :meth:`model_prompt`, or, where the
        resolver leaves the prompt to the image ("is this spot cancer?"), each trained target it may
        mean, the one the words favour first; the image then decides (:meth:`choose`)."""
        if self.resolver is None:
            return (prompt,)
        r = self.resolver.resolve(prompt)
        return r.candidates or (r.model_prompt,)

    def refuses(self, prompt: str) -> bool:
        """A model trained on names alone is given ``prompt`` that it cannot read (it resolves to none of
        its targets and asks for none of their words: "the healthy skin around the ulcer", "no polyp
        here", "a coffee mug"), or any model a prompt that asks for no mask ("just tell me yes or no,
        don't draw anything") or asks for a target in a kind of picture its record says it was never
        trained on ("the left lung on this axial CT slice"): called absent whatever the model says, and reported as refused
        (:attr:`medvlseg.prompts.resolve.Resolution.refused`)."""
        return self.resolver is not None and self.resolver.resolve(prompt).refused

    def refusal_reason(self, prompt: str) -> str | None:
        """Why ``prompt`` is refused, where the resolver says more than that it names nothing ("'left
        lung' was trained on radiograph pictures; the prompt asks in a ct picture"); None otherwise."""
        if self.resolver is None:
            return None
        found = self.resolver.resolve(prompt)
        return found.reason if found.refused else None

    def presence_threshold_for(self, prompt: str, model_prompt: str | None = None) -> float:
        """The presence threshold for ``prompt`` (given to the model as ``model_prompt``, by default
        :meth:`model_prompt`): the one given to the Segmenter, else the record's calibrated value for
        the target it names, else the record's global one."""
        if self._presence_override or self._record is None:
            return self.presence_threshold
        return self._record.presence_threshold_for(self.model_prompt(prompt) if model_prompt is None else model_prompt)

    def presence_margins(self, x: torch.Tensor, prompt: str) -> dict[str, tuple[bool, float]]:
        """For each text :meth:`asks` for ``prompt``, over the images of the normalised batch ``x``
        (B, 3, s, s): whether the model calls it present on any, and its best presence score above
        its own threshold, in logits (the thresholds differ by target: 0.5 and 0.99998 are far
        apart). One plain deterministic pass per text: the choice must not move with Monte-Carlo
        draws or test-time augmentation."""
        asks = self.asks(prompt)
        b = x.shape[0]
        _, present = model_probabilities(self.model, x.repeat(len(asks), 1, 1, 1), [t for t in asks for _ in range(b)],
                                         stochastic=False, samples=1, with_presence=True,
                                         presence_rule=self.presence_rule)  # (len(asks) * B,)
        out = {}
        for k, text in enumerate(asks):
            thr = self.presence_threshold_for(prompt, text)
            scores = [float(v) for v in present[k * b : (k + 1) * b]]
            out[text] = (any(is_present(v, thr) for v in scores), max(_logit(v) for v in scores) - _logit(thr))
        return out

    def choose(self, x: torch.Tensor, prompts: Sequence[str]) -> list[str]:
        """The text image ``b`` of the normalised batch ``x`` (B, 3, s, s) is given for ``prompts[b]``:
        its :meth:`model_prompt`, or for a prompt left to the image the target the model finds there:
        one it calls present before one it does not, then the highest score above its own threshold,
        then the one the words favour (:meth:`presence_margins`)."""
        texts = []
        for b, prompt in enumerate(prompts):
            asks = self.asks(prompt)
            if len(asks) == 1:
                texts.append(asks[0])
            else:
                margins = self.presence_margins(x[b : b + 1], prompt)
                texts.append(max(asks, key=lambda t: margins[t]))  # max keeps the first of equals
        return texts

    def run(self, x: torch.Tensor, prompts: Sequence[str], *, stochastic: bool, samples: int = 30,
            texts: Sequence[str] | None = None) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
        """The model on a normalised batch ``x`` (B, 3, s, s), image ``b`` asked ``prompts[b]``:
        probabilities ((S, B, 1, s, s) when ``stochastic``, else (B, 1, s, s)), presence scores (B,)
        and the text each image was given (``texts``, else :meth:`choose`)."""
        texts = self.choose(x, prompts) if texts is None else list(texts)
        probs, present = model_probabilities(self.model, x, texts, stochastic=stochastic, samples=samples, tta=self.tta,
                                             with_presence=True, presence_rule=self.presence_rule)
        return probs, present, texts

    def preprocess(self, image: np.ndarray) -> torch.Tensor:
        """``(H, W[, 3])`` array -> normalised ``(1, 3, S, S)`` tensor at the model's size
        (:func:`medvlseg.preprocess.preprocess_image`, the same as in training)."""
        m = self.model
        return preprocess_image(image, m.image_size, m.image_mean, m.image_std)[None].to(self.device)

    @torch.inference_mode()
    def segment(
        self,
        image: str | os.PathLike | np.ndarray,
        prompt: str,
        *,
        uncertainty: bool = False,
        samples: int = 30,
    ) -> SegmentationResult:
        """Segment what ``prompt`` names in ``image`` (a path, a PIL image or an array, any size).

        With ``uncertainty=True``, a stochastic model (one with ``sample_probabilities``) is sampled
        ``samples`` times; ``entropy`` is the entropy of the mean probability and
        ``mutual_information`` that minus the mean per-sample entropy. A deterministic model gives
        the entropy of its probability and zero mutual information (every sample would agree).
        """
        from .predict import segment_batch

        check_prompt(prompt)  # before the image is read
        return segment_batch(self, [_as_array(image)], [prompt], uncertainty=uncertainty, samples=samples)[0]

    def result(
        self, probs: torch.Tensor, size: tuple[int, int], prompt: str, *, uncertainty: bool, sampled: bool,
        present: float, model_prompt: str | None = None,
    ) -> SegmentationResult:
        """Mask and maps at the original ``size`` from one image's probabilities at the model's size:
        ``probs`` (S, 1, s, s) Monte-Carlo samples when ``sampled``, else (1, 1, s, s). ``present``:
        the presence score from :func:`model_probabilities` (under the record's rule, at the model's
        size: what the threshold was calibrated on); ``model_prompt``: what the model was given
        (default :meth:`model_prompt`)."""
        model_prompt = self.model_prompt(prompt) if model_prompt is None else model_prompt
        if sampled:
            probs = probs.float()
            # the maps are computed at the model's resolution and then resized: S full-size maps of a
            # large photograph would cost more than the sampling itself
            mean = probs.mean(0)  # (1, s, s)
            entropy = _binary_entropy(mean)
            mi = (entropy - _binary_entropy(probs).mean(0)).clamp_min(0)
            mean, entropy, mi = _resize(torch.stack([mean, entropy, mi]), size)[:, 0]
            entropy, mi = entropy.clamp(0, math.log(2)), mi.clamp(min=0).minimum(entropy)
        else:
            mean = _resize(probs, size)[0, 0]
            entropy = _binary_entropy(mean) if uncertainty else None
            mi = torch.zeros_like(mean) if uncertainty else None
        keep = is_present(present, self.presence_threshold_for(prompt, model_prompt)) and not self.refuses(prompt)
        mask = binarize(mean, self.threshold) if keep else torch.zeros_like(mean, dtype=torch.bool)
        return SegmentationResult(
            mask=mask.cpu().numpy(),
            probability=mean.float().cpu().numpy(),
            present=present,
            entropy=None if entropy is None else entropy.float().cpu().numpy(),
            mutual_information=None if mi is None else mi.float().cpu().numpy(),
            prompt=prompt,
            model_prompt=model_prompt,
        )


def _as_array(image) -> np.ndarray:
    if isinstance(image, (str, os.PathLike)):
        from .data.io import read_image

        return read_image(Path(image))
    if hasattr(image, "convert") and hasattr(image, "size"):  # PIL image
        return np.asarray(image.convert("RGB") if image.mode not in ("L", "I;16", "I", "F") else image)
    if isinstance(image, np.ndarray):
        return image
    raise ConfigError(f"image: expected a path, a PIL image or a numpy array, got {type(image).__name__}")


def _resize(probs: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Probabilities (N, 1, h, w) -> (N, 1, H, W), bilinear, kept in [0, 1]."""
    return F.interpolate(probs.float(), size=size, mode="bilinear", align_corners=False).clamp(0, 1)


def _logit(p: float) -> float:
    # float64 logits: a float32 score can stand within 1e-7 of 1, beside thresholds of 0.99998
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _binary_entropy(p: torch.Tensor) -> torch.Tensor:
    p = p.clamp(EPS, 1 - EPS)
    return -(p * p.log() + (1 - p) * (1 - p).log())


def load(path: str | os.PathLike, *, trust_pickle: bool = False, **kwargs) -> Segmenter:
    """A :class:`Segmenter` for a run directory, a ``.safetensors`` file, a Hugging Face CLIPSeg
    checkpoint or (with ``trust_pickle=True`` and ``pickle_model=``) a pickle file (see
    :func:`medvlseg.checkpoints.resolve_model`, the one loader).

    A run's sha256 is checked and its record's calibrated ``threshold`` / ``presence_threshold``
    are used unless given here.
    """
    from .checkpoints import resolve_model

    load_kwargs = {k: kwargs.pop(k) for k in ("pickle_model", "pickle_backbone") if k in kwargs}
    model, _ = resolve_model(path, trust_pickle=trust_pickle, **load_kwargs)
    return Segmenter(model, **kwargs)
