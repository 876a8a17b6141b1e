"""Test-time augmentation: transforms invert exactly, and the TTA probability is the mean of the
back-transformed probabilities of the transformed inputs (a direct transcription, on random tensors)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import medvlseg
from medvlseg.errors import ConfigError
from medvlseg.predict import segment_batch
from medvlseg.segmenter import TTA_TRANSFORMS, Segmenter, model_probabilities
from medvlseg.segmenter import dihedral_transform as _forward_transform
from medvlseg.segmenter import inverse_dihedral_transform as _inverse_transform


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    model = medvlseg.build_model("medclipseg", backbone="tiny").eval()
    with torch.no_grad():  # adapters' up-projections start at zero: make the noise reach the output
        for a in model.adapters:
            for up in (a.up_img, a.up_txt):
                up.weight.normal_(0, 0.5)
    return model


@pytest.mark.parametrize("name", ["flip", "dihedral"])
def test_transforms_invert_and_are_distinct(name):
    x = torch.randn(2, 3, 8, 8)
    outs = []
    for t in TTA_TRANSFORMS[name]:
        y = _forward_transform(x, *t)
        assert torch.equal(_inverse_transform(y, *t), x)
        outs.append(y)
    # every transform is a different element of the group
    for i in range(len(outs)):
        for j in range(i):
            assert not torch.equal(outs[i], outs[j])


def _manual(model, x, prompts, transforms):
    acc = []
    for k, h, v in transforms:
        xt = torch.rot90(x, k, dims=(-2, -1))
        xt = xt.flip(-1) if h else xt
        xt = xt.flip(-2) if v else xt
        p = model.predict(xt, prompts)
        p = p.flip(-2) if v else p
        p = p.flip(-1) if h else p
        acc.append(torch.rot90(p, -k, dims=(-2, -1)))
    return torch.stack(acc).mean(0)


@pytest.mark.parametrize("name", ["flip", "dihedral"])
@torch.inference_mode()
def test_tta_is_mean_of_back_transformed_predictions(model, name):
    torch.manual_seed(1)
    x = torch.randn(2, 3, model.image_size, model.image_size)
    prompts = ["a lesion", "a polyp"]
    got = model_probabilities(model, x, prompts, stochastic=False, samples=2, tta=name)
    want = _manual(model, x, prompts, TTA_TRANSFORMS[name])
    assert got.shape == (2, 1, model.image_size, model.image_size)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)
    plain = model_probabilities(model, x, prompts, stochastic=False, samples=2, tta="none")
    assert not torch.allclose(got, plain)  # a random network is not flip-invariant: TTA changes the output


@pytest.mark.parametrize("name", ["none", "flip", "dihedral"])
@torch.inference_mode()
def test_presence_is_the_plain_predictions_peak_under_tta(model, name):
    """The presence threshold is calibrated on plain predictions; TTA must not move the score it is
    compared with (averaging copies lowers the peaks and would empty images)."""
    torch.manual_seed(2)
    x = torch.randn(2, 3, model.image_size, model.image_size)
    probs, present = model_probabilities(model, x, ["a", "b"], stochastic=False, samples=2, tta=name, with_presence=True)
    plain = model_probabilities(model, x, ["a", "b"], stochastic=False, samples=2, tta="none")
    torch.testing.assert_close(present, plain.flatten(1).amax(1))
    torch.testing.assert_close(probs, model_probabilities(model, x, ["a", "b"], stochastic=False, samples=2, tta=name))


def test_segmenter_presence_score_does_not_depend_on_tta(model):
    img = np.random.default_rng(3).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    plain = Segmenter(model).segment(img, "lesion")
    for name in ("flip", "dihedral"):
        r = Segmenter(model, tta=name).segment(img, "lesion")
        assert r.present == pytest.approx(plain.present, abs=1e-6)
        # a presence threshold just above the score empties the mask with or without TTA
        assert not Segmenter(model, tta=name, presence_threshold=plain.present + 1e-4).segment(img, "lesion").mask.any()


@torch.inference_mode()
def test_tta_stochastic_keeps_samples(model):
    x = torch.randn(2, 3, model.image_size, model.image_size)
    probs = model_probabilities(model, x, ["a", "b"], stochastic=True, samples=3, tta="flip")
    assert probs.shape == (3, 2, 1, model.image_size, model.image_size)
    assert torch.all((probs >= 0) & (probs <= 1))
    assert not torch.equal(probs[0], probs[1])  # samples still differ after averaging over transforms


def test_segmenter_and_batch_agree_with_tta(model):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (40, 50, 3), dtype=np.uint8), rng.integers(0, 256, (33, 20, 3), dtype=np.uint8)]
    seg = Segmenter(model, tta="flip")
    batch = segment_batch(seg, images, ["lesion", "lesion"])
    for img, r in zip(images, batch):
        single = seg.segment(img, "lesion")
        assert r.probability.shape == img.shape[:2]
        np.testing.assert_allclose(r.probability, single.probability, atol=1e-5)
    plain = Segmenter(model).segment(images[0], "lesion")
    assert not np.allclose(plain.probability, batch[0].probability)


def test_unknown_tta_is_an_error(model):
    with pytest.raises(ConfigError, match="tta"):
        Segmenter(model, tta="mirror")
