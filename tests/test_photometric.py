"""``augment.blur`` and ``augment.jpeg``: the image is blurred (less total variation) or re-encoded as
JPEG (8-bit levels, lossy), the mask is left exactly as it is, and neither can be combined with the
feature cache (cached features would not see them)."""

from __future__ import annotations

import pytest
import torch

from test_engine import make_config, make_dataset

pytest.importorskip("lightning")


def _item(cfg, index=0, uses_text=False):
    from medvlseg.engine.data import TorchSegDataset, negative_sampler, open_datasets

    train_ds, _, _, _ = open_datasets(cfg)
    negatives = negative_sampler(cfg, train_ds) if cfg.data.negative_fraction > 0 else None
    ds = TorchSegDataset(train_ds, size=64, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), cfg=cfg, train=True,
                         uses_text=uses_text, negatives=negatives)
    return ds[index]


def _tv(x):  # total variation of a (3, H, W) image
    return float((x[:, 1:] - x[:, :-1]).abs().sum() + (x[:, :, 1:] - x[:, :, :-1]).abs().sum())


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("photo") / "ds", n_train=4, n_val=2, size=64)


def test_blur_smooths_the_image_and_keeps_the_mask(data, tmp_path):
    # sigma is drawn in 0.1-2 px: over the four training images the blur must show
    tv_plain = tv_blur = 0.0
    for i in range(4):
        plain = _item(make_config(data, tmp_path), i)
        blurred = _item(make_config(data, tmp_path, "augment.blur=1.0"), i)
        assert torch.equal(plain["mask"], blurred["mask"])
        tv_plain, tv_blur = tv_plain + _tv(plain["image"]), tv_blur + _tv(blurred["image"])
    assert tv_blur < 0.9 * tv_plain


def test_jpeg_reencodes_the_image_and_keeps_the_mask(data, tmp_path):
    plain = _item(make_config(data, tmp_path))
    coded = _item(make_config(data, tmp_path, "augment.jpeg=1.0"))
    assert torch.equal(plain["mask"], coded["mask"])
    img = coded["image"]
    assert img.dtype == torch.float32 and float((img * 255 - (img * 255).round()).abs().max()) < 1e-4  # 8-bit levels
    assert float((img - plain["image"]).abs().mean()) > 1 / 255  # lossy at quality <= 95 on a noisy image


def test_probability_zero_changes_nothing_and_the_cache_refuses_them(data, tmp_path):
    from medvlseg.errors import ConfigError

    plain = _item(make_config(data, tmp_path))
    assert torch.equal(plain["image"], _item(make_config(data, tmp_path, "augment.blur=0.0", "augment.jpeg=0.0"))["image"])
    with pytest.raises(ConfigError, match=r"augment\.blur, augment\.jpeg"):
        make_config(data, tmp_path, "cache.enabled=true", "augment.blur=0.5", "augment.jpeg=0.5")


def test_turning_them_on_leaves_the_prompts_alone(data, tmp_path):
    """The transforms draw from a stream of their own: the same prompts and negatives with or without."""
    extra = ("data.prompt_type=random", "data.negative_fraction=0.5")
    for i in range(4):
        plain = _item(make_config(data, tmp_path, *extra), i, uses_text=True)
        photo = _item(make_config(data, tmp_path, *extra, "augment.blur=1.0", "augment.jpeg=0.5"), i, uses_text=True)
        assert plain["prompt"] == photo["prompt"] and torch.equal(plain["mask"], photo["mask"])
