"""``medvlseg app RUN``: a web app (Gradio) on the HTTP service of :mod:`medvlseg.serve`.

Upload an image, type one or more prompts, and see one overlay per prompt (with an opacity
slider), the uncertainty heat maps, and per prompt the presence score, its threshold, the verdict
and the area; download the masks and maps. The app is mounted at ``/app`` on the same FastAPI
service (``/`` redirects to it), so ``/segment``, ``/capabilities`` and ``/healthz`` stay as they are.

Nothing is loaded from another host: the theme uses the system's fonts (Gradio's default pulls
Google Fonts) and analytics are off. The browser test checks this by blocking every request that
does not go to the loopback address.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["build_blocks", "mount_app", "split_prompts"]

APP_PATH = "/app"


def split_prompts(text: str) -> list[str]:
    """Prompts typed in one box: one per line, or separated by commas or semicolons."""
    return [p.strip() for p in re.split(r"[\n,;]+", text or "") if p.strip()]


def build_blocks(app_state: Any):
    """The Gradio Blocks of the app for the service's state (its Segmenter, model info, limits and
    the turns in the model it shares with ``/segment``)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from .data import io
    from .predict import _npy_bytes, _png_bytes, heatmap_rgb, output_stem, overlay_rgb, prompt_slugs, segment_prompts
    from .errors import MedvlsegError
    from .serve import ServiceError, check_prompts, in_turn, read_upload
    from .utils import atomic_write_bytes

    seg, info, limits, gate = app_state.segmenter, app_state.info, app_state.limits, app_state.gate
    targets = list((info.record or {}).get("targets") or [])
    out_root = Path(tempfile.mkdtemp(prefix="medvlseg-app-"))

    def run(upload: str | None, text: str, uncertainty: bool, opacity: float):
        if not upload:
            raise gr.Error("upload an image (or a NIfTI volume) first")
        if not split_prompts(text):
            raise gr.Error("type at least one prompt, e.g. " + (targets[0] if targets else "'foot ulcer'"))
        try:
            prompts = check_prompts(split_prompts(text), limits)
        except ServiceError as exc:
            raise gr.Error(str(exc)) from None
        def read_and_segment():  # the same reader, limits, turns and per-prompt rows as POST /segment
            image = read_upload(upload, Path(upload).name, limits)
            return image, segment_prompts(seg, image, prompts, uncertainty=uncertainty, samples=limits.samples)

        try:
            image, results = in_turn(gate, limits, read_and_segment)
        except MedvlsegError as exc:  # ServiceError and every other error a user can fix: one line
            raise gr.Error(str(exc)) from None
        _forget_old(out_root)
        folder = Path(tempfile.mkdtemp(dir=out_root))
        slugs = prompt_slugs(prompts)
        name = io.path_stem(Path(upload))
        rows, files, heat = [], [], []
        for r, row in results:
            stem = output_stem(name, slugs[row["prompt"]])
            atomic_write_bytes(folder / f"{stem}_mask.png", _png_bytes(r.mask.astype(np.uint8) * 255))
            atomic_write_bytes(folder / f"{stem}_probability.npy", _npy_bytes(r.probability.astype(np.float32)))
            files += [str(folder / f"{stem}_mask.png"), str(folder / f"{stem}_probability.npy")]
            if uncertainty and r.entropy is not None:
                ent = heatmap_rgb(r.entropy, vmax=float(np.log(2.0)))
                atomic_write_bytes(folder / f"{stem}_entropy.png", _png_bytes(ent))
                files.append(str(folder / f"{stem}_entropy.png"))
                heat.append((ent, row["prompt"]))
            rows.append([row["prompt"], round(row["present"], 3), round(row["presence_threshold"], 3),
                         "present" if row["called_present"] else "absent", round(100 * row["area_fraction"], 2)])
        state = {"image": image, "prompts": prompts, "masks": [r.mask for r, _ in results]}
        return state, overlays(state, opacity), heat, rows, files

    def overlays(state: dict | None, opacity: float):
        if not state:
            return []
        return [(overlay_rgb(state["image"], m, alpha=float(opacity)), f"{p}: {'present' if m.any() else 'absent'}")
                for p, m in zip(state["prompts"], state["masks"])]

    # uploads and results leave Gradio's cache after an hour
    with gr.Blocks(title="medvlseg", analytics_enabled=False, delete_cache=(600, 3600)) as blocks:
        gr.Markdown(f"## medvlseg: text-prompted segmentation\nModel `{info.model}` ({info.source}). "
                    + (f"It knows: {', '.join(targets)}." if targets else ""))
        state = gr.State(None)
        with gr.Row():
            upload = gr.File(label="image or NIfTI volume", type="filepath", elem_id="image",
                             file_types=list(io.IMAGE_SUFFIXES) + [".nii", ".gz"])
            with gr.Column():
                prompts = gr.Textbox(label="prompts (one per line, or separated by commas)", lines=3,
                                     value=", ".join(targets[:2]), elem_id="prompts")
                uncertainty = gr.Checkbox(label="uncertainty maps (Monte-Carlo)", value=True)
                opacity = gr.Slider(0.0, 1.0, value=0.4, step=0.05, label="overlay opacity", elem_id="opacity")
                button = gr.Button("Segment", variant="primary", elem_id="segment")
        gallery = gr.Gallery(label="masks", columns=4, elem_id="overlays")
        table = gr.Dataframe(headers=["prompt", "presence", "threshold", "verdict", "area %"], label="per prompt",
                             elem_id="table")
        heat = gr.Gallery(label="uncertainty (predictive entropy)", columns=4)
        files = gr.File(label="masks and maps", file_count="multiple")
        button.click(run, [upload, prompts, uncertainty, opacity], [state, gallery, heat, table, files], api_name="segment")
        opacity.change(overlays, [state, opacity], gallery, api_visibility="private")
    # the service's bound on the app's queue too: beyond it Gradio says "queue full" at once
    blocks.queue(max_size=limits.max_queue, default_concurrency_limit=limits.max_concurrent)
    return blocks


def _forget_old(root: Path, max_age_s: float = 3600.0) -> None:
    """Remove result folders older than ``max_age_s`` (the app keeps no patient data for long)."""
    import shutil
    import time

    now = time.time()
    for folder in root.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > max_age_s:
            shutil.rmtree(folder, ignore_errors=True)


def mount_app(app: Any):
    """Mount the web app at ``/app`` on the service ``app`` (from :func:`medvlseg.serve.create_app`)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported
    import gradio as gr
    from fastapi.responses import RedirectResponse

    blocks = build_blocks(app.state)

    @app.get("/", include_in_schema=False, response_class=RedirectResponse)
    def root():
        return RedirectResponse(url=f"{APP_PATH}/")

    # with a token, the app asks for it at a login page (user name "medvlseg")
    auth = ("medvlseg", app.state.token) if app.state.token else None
    # system fonts: the default theme would fetch Google Fonts
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    return gr.mount_gradio_app(app, blocks, path=APP_PATH, max_file_size=int(app.state.limits.max_upload_mb * 2**20),
                               auth=auth, theme=theme)
