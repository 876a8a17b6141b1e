"""Every recipe in ``configs/`` is a valid run configuration (the schema rejects unknown or mistyped
keys) naming a registered model and backbone and a dataset under ``../shared/datasets``; issue 5's
matrix of six models x four datasets on ``lite`` is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

import medvlseg
from medvlseg.config import RunConfig

REPO = Path(__file__).resolve().parents[1]
RECIPES = sorted((REPO / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", RECIPES, ids=[p.stem for p in RECIPES])
def test_recipe_is_a_valid_run_config(path):
    cfg = RunConfig.from_yaml(path)
    assert cfg.name == path.stem  # the run directory is named after its recipe
    assert cfg.model.name in medvlseg.list_models()
    assert cfg.model.backbone in medvlseg.list_backbones() or cfg.model.backbone.startswith("open_clip:")
    paths = cfg.data.path if isinstance(cfg.data.path, list) else [cfg.data.path]
    for p in paths:
        assert str(p).startswith("../shared/datasets/"), p


def test_lite_recipes_cover_every_model_and_dataset():
    names = {p.stem for p in RECIPES}
    for model in ("medclipseg", "clipseg", "biomedclipseg", "cris", "unet", "ensemble"):
        for dataset in ("fuseg", "ph2", "polypgen", "pool"):
            assert f"{model}-lite-{dataset}" in names
    assert {"medclipseg-clip-fuseg", "medclipseg-biomedclip-fuseg"} <= names
