"""Deep supervision of MedCLIPSeg's CNN decoder (``loss.deep_supervision``): the side outputs are the
decoder's own scores of its coarser levels (the last stage's equals the output's one-stage term), they
exist only in training, and their loss is Dice + BCE against the mask averaged down to each size,
checked against a transcription of both formulas."""

from __future__ import annotations

import pytest
import torch

import medvlseg
from medvlseg.errors import ConfigError


@pytest.fixture(scope="module")
def model():
    return medvlseg.build_model("medclipseg", backbone="tiny-lite")


def test_side_outputs_exist_in_training_only_and_score_each_level(model):
    x = torch.randn(2, 3, 64, 64)
    model.train()
    assert "side_logits" not in model(x, ["target", "other"]).aux  # not asked for: not computed
    model.side_outputs = True
    out = model(x, ["target", "other"])
    side = out.aux["side_logits"]
    # the last stage (stride 32) then the coarser fused levels (16, 8); the output itself is at 4
    assert [tuple(s.shape) for s in side] == [(2, 1, 2, 2), (2, 1, 4, 4), (2, 1, 8, 8)]
    # the last stage's side output is the decoder's own one-stage score (scores() without a fine map)
    dec, n = model.decoder, len(model.adapter_blocks)
    model.eval()
    with torch.no_grad():
        out_eval = model(x, ["target", "other"])
        tokens = model.backbone.tokenize(["target", "other"])
        s = model._start(model.frozen_features(x), tokens)
        model._run(s, tokens, 0, n, [False] * n)
        model._vision_to(s, model.backbone.num_vision_blocks - 1)
        model._text_to(s, model.backbone.num_text_blocks - 1, tokens)
        _, pooled = model.backbone.text_head(s.t, tokens)
        last, k = dec.last_map(s.stages[-1]), dec.kernel(pooled)
        levels: list[torch.Tensor] = []
        dec.fine_map(s.stages[:-1], levels)
        mine = dec.level_logits(levels, last, k)
    assert "side_logits" not in out_eval.aux  # nothing computed at inference
    torch.testing.assert_close(mine[0], dec.scores(None, last, k))
    assert [m.shape[-1] for m in mine] == [2, 4, 8]
    # each fused level: a_0 <F_l, k> / sqrt(D) + b, written out
    with torch.no_grad():
        dec.scales.copy_(torch.tensor([0.7, 1.9]))
        want = torch.einsum("bdhw,bd->bhw", levels[0], k)[:, None] * 0.7 / dec.dim ** 0.5 + dec.bias
        torch.testing.assert_close(dec.level_logits(levels, last, k)[1], want)
        dec.scales.fill_(1.0)


def _dice_bce(logits, target):
    """Dice for soft targets (intersection (|p| + |y| - |p - y|) / 2, smoothing 1e-5) and BCE."""
    p = torch.sigmoid(logits)
    dims = tuple(range(1, p.ndim))
    inter = (p.sum(dims) + target.sum(dims) - (p - target).abs().sum(dims)) / 2
    dice = 1 - (2 * inter + 1e-5) / (p.sum(dims) + target.sum(dims) + 1e-5)
    bce = -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()
    return 0.5 * dice.mean() + 0.5 * bce


class _Sided(torch.nn.Identity):
    supports_side_outputs = True
    side_outputs = False


def test_the_side_loss_is_its_formula():
    from medvlseg.config import RunConfig
    from medvlseg.engine.module import SegModule
    from medvlseg.models.base import SegmentationOutput

    cfg = RunConfig.from_dict({"data": {"path": "x"}, "loss": {"deep_supervision": 0.3}})
    sided = _Sided()
    module = SegModule(sided, cfg, ["x"])
    assert sided.side_outputs  # the module asks the model for them
    g = torch.Generator().manual_seed(0)
    masks = (torch.rand(2, 1, 16, 16, generator=g) > 0.6).float()
    side = [torch.randn(2, 1, 2, 2, generator=g), torch.randn(2, 1, 4, 4, generator=g)]
    got = module._side_loss(SegmentationOutput(logits=torch.zeros(2, 1, 16, 16), aux={"side_logits": side}), masks)
    # the mask averaged over each cell of the side output's grid
    down = [masks.reshape(2, 1, n, 16 // n, n, 16 // n).mean(dim=(3, 5)) for n in (2, 4)]
    want = (_dice_bce(side[0], down[0]) + _dice_bce(side[1], down[1])) / 2
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    # soft Dice: a side output equal to the soft target scores better than one pushed to 1
    exact = torch.logit(down[1].clamp(1e-4, 1 - 1e-4))
    assert _dice_bce(exact, down[1]) < _dice_bce(torch.full_like(exact, 9.0), down[1])
    with pytest.raises(ConfigError, match="loss.deep_supervision: model .* gives no side outputs"):
        SegModule(torch.nn.Identity(), cfg, ["x"])


def test_a_run_with_deep_supervision_trains(tmp_path):
    pytest.importorskip("lightning")
    import csv

    from medvlseg.engine.train import train
    from test_engine import make_config, make_dataset

    data = make_dataset(tmp_path / "ds", n_train=4, n_val=2, size=64)
    cfg = make_config(data, tmp_path / "runs", "model.name=medclipseg", "data.image_size=64", "optim.epochs=1",
                      "loss.deep_supervision=0.5")
    run = train(cfg, progress=False)
    rows = list(csv.DictReader((run / "logs" / "csv" / "metrics.csv").open()))
    assert any(r.get("train_side") for r in rows)
