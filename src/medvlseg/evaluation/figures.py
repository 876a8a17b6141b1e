"""Figures of an evaluation: case overlays, uncertainty maps and the reliability diagram.

Drawn with matplotlib's non-interactive Agg canvas (no display needed, safe in threads and on
servers), rendered to memory and written atomically as PNG, so an interrupted run never leaves a
half-written picture.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import numpy as np

from ..utils import atomic_write_bytes
from .calibration import CalibrationHistogram

__all__ = ["new_figure", "save_overlay", "save_png", "save_prompt_panel", "save_reliability_diagram", "save_uncertainty_maps"]


def new_figure(width: float, height: float):
    """A matplotlib Figure of ``width`` x ``height`` inches on its own Agg canvas (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)  # attaches the Agg canvas; pyplot's global state is never touched
    return fig


def save_png(fig, path: str | os.PathLike) -> Path:
    """Render ``fig`` to PNG in memory and write it atomically to ``path``; returns the path."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return atomic_write_bytes(path, buf.getvalue())


def _unit_rgb(image: np.ndarray) -> np.ndarray:
    from ..preprocess import image_to_unit_rgb

    return image_to_unit_rgb(image)


def save_overlay(path: str | os.PathLike, image: np.ndarray, gt: np.ndarray, pred: np.ndarray, *, title: str = "") -> Path:
    """The image with the ground-truth contour (green) and the predicted contour (red)."""
    h, w = gt.shape
    fig = new_figure(6.0, 6.0 * h / max(w, 1) + 0.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(_unit_rgb(image))
    for mask, colour in ((gt, "lime"), (pred, "red")):
        if mask.any() and not mask.all():
            ax.contour(mask.astype(np.float32), levels=[0.5], colors=colour, linewidths=1.5)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color="lime", label="ground truth"), Line2D([], [], color="red", label="prediction")],
              loc="lower right", fontsize=7, framealpha=0.6)
    return save_png(fig, path)


def save_uncertainty_maps(path: str | os.PathLike, image: np.ndarray, entropy: np.ndarray, mutual_information: np.ndarray, *, title: str = "") -> Path:
    """Image, predictive entropy (nats, 0..ln 2) and mutual information side by side."""
    fig = new_figure(12.0, 4.2)
    panels = ((_unit_rgb(image), "image", None), (entropy, "entropy (nats)", math.log(2.0)),
              (mutual_information, "mutual information (nats)", max(float(np.max(mutual_information)), 1e-6)))
    for k, (arr, name, vmax) in enumerate(panels):
        ax = fig.add_subplot(1, 3, k + 1)
        if vmax is None:
            ax.imshow(arr)
        else:
            im = ax.imshow(arr, cmap="magma", vmin=0.0, vmax=vmax)
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        ax.set_title(name, fontsize=9)
        ax.set_axis_off()
    fig.suptitle(title, fontsize=10)
    return save_png(fig, path)


def save_reliability_diagram(path: str | os.PathLike, hist: CalibrationHistogram, *, title: str = "Reliability") -> Path:
    """Observed foreground frequency against mean predicted probability per bin, with the pixel
    count per bin below (log scale: most pixels sit near 0 or 1)."""
    rows = hist.reliability()
    fig = new_figure(5.0, 6.0)
    ax = fig.add_axes((0.14, 0.36, 0.8, 0.56))
    ax_n = fig.add_axes((0.14, 0.08, 0.8, 0.2), sharex=ax)
    centres = np.array([(r["lo"] + r["hi"]) / 2 for r in rows])
    width = 1.0 / hist.n_bins
    conf = np.array([r["confidence"] for r in rows])
    freq = np.array([r["frequency"] for r in rows])
    ok = np.isfinite(freq)
    ax.bar(centres[ok], freq[ok], width=width * 0.9, color="tab:blue", alpha=0.8, label="observed frequency")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot(conf[ok], freq[ok], "o", color="tab:orange", markersize=3, label="mean probability")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction of foreground pixels")
    ece = hist.ece()
    ax.set_title(f"{title} (ECE {ece:.4f})" if math.isfinite(ece) else title, fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    counts = np.array([r["count"] for r in rows], dtype=np.float64)
    ax_n.bar(centres, np.maximum(counts, 0), width=width * 0.9, color="grey")
    if counts.max() > 0:
        ax_n.set_yscale("log")
    ax_n.set_xlabel("predicted foreground probability")
    ax_n.set_ylabel("pixels")
    return save_png(fig, path)


def save_prompt_panel(
    path: str | os.PathLike, image: np.ndarray, results: list, *, truths: dict[str, np.ndarray] | None = None, title: str = "",
) -> Path:
    """One image segmented with several prompts, side by side: each panel shows the prompt, its
    presence score and the predicted contour (red; the ground truth in green when ``truths`` has the
    prompt). ``results``: :class:`~medvlseg.SegmentationResult` objects (``prompt``, ``mask``, ``present``)."""
    n = max(1, len(results))
    h, w = image.shape[:2]
    fig = new_figure(3.2 * n, 3.2 * h / max(w, 1) + 0.8)
    rgb = _unit_rgb(image)
    for k, r in enumerate(results):
        ax = fig.add_subplot(1, n, k + 1)
        ax.imshow(rgb)
        gt = (truths or {}).get(r.prompt)
        for mask, colour in ((gt, "lime"), (r.mask, "red")):
            if mask is not None and mask.any() and not mask.all():
                ax.contour(mask.astype(np.float32), levels=[0.5], colors=colour, linewidths=1.2)
        verdict = "absent" if not r.mask.any() else f"{100 * r.mask.mean():.1f} % of the image"
        ax.set_title(f"{r.prompt!r}\npresence {r.present:.2f}: {verdict}", fontsize=8)
        ax.set_axis_off()
    if title:
        fig.suptitle(title, fontsize=9)
    return save_png(fig, path)
