"""``medvlseg serve RUN``: one model behind a small HTTP service (FastAPI + uvicorn).

Endpoints:

- ``GET /healthz``: ``{"status": "ok", "model": ...}``.
- ``GET /capabilities``: what the model segments and how it decides: the model record (targets,
  pixel and presence thresholds, input size, normalisation), the selection metrics of its run, the
  service's limits, and the model card as markdown.
- ``POST /segment``: multipart form with ``file`` (PNG / JPEG / BMP / TIFF, or a NIfTI volume with
  ``slice`` and ``axis``), ``prompt`` (repeat the field for several prompts), optional
  ``uncertainty`` (Monte-Carlo maps) and ``maps`` (also the probability as ``.npy``). Answers JSON:
  per prompt the presence score and its threshold, whether the target was called present, the
  mask's area (pixels and share), the mask as a base64 PNG, the entropy heat map (with
  ``uncertainty``), the probability as base64 ``.npy`` (with ``maps``).
- ``POST /rank``: multipart form with ``files`` (repeat the field, up to ``max_rank_images`` images,
  all together within the upload limit) and one ``prompt``, optional ``diversity``: which image to
  annotate next (``medvlseg.rank``): the images in order, each with its score and signals (mutual
  information, entropy, TTA disagreement, presence and its uncertainty), named by the uploaded file
  name and its position among the uploads (``index``).

Limits (all configurable): the upload's size, checked as the bytes arrive, before any parsing
(413); pixels per image and voxels per volume, from the file's header before decoding (413);
prompts per request and their length (422); an optional bearer token, checked before the body is
read (401); at most ``max_concurrent`` uploads decoded and run through the model at once (the web
app shares the same turns), at most ``max_queue`` more waiting for one (one more is refused at
once: 503 with ``Retry-After``), each waiting at most ``queue_timeout_s`` for a turn (503) and
answered within ``timeout_s`` (504). One model is loaded once, at start-up. Nothing is fetched
from any other host.

For a NIfTI upload, ``slice`` and ``axis`` name a slice of the RAS+ volume (axis 2: axial), shown
as :class:`medvlseg.data.io.Volume` shows it.
"""

import asyncio
import base64
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError, MedvlsegError

__all__ = ["ServiceLimits", "create_app", "rank_uploads", "read_upload", "segment_image"]


@dataclass
class ServiceLimits:
    max_upload_mb: float = 25.0
    max_pixels: int = 40_000_000  # per 2-D image (a 6000 x 6000 photograph fits)
    max_voxels: int = 256_000_000  # per volume (a 512 x 512 x 1000 CT fits)
    max_prompts: int = 16
    max_prompt_chars: int = 300
    max_concurrent: int = 1  # uploads decoded and run at once: one CPU model is fastest one at a time
    max_queue: int = 8  # requests waiting for a turn; one more is refused at once (503), not queued
    queue_timeout_s: float = 30.0
    timeout_s: float = 120.0
    samples: int = 8  # Monte-Carlo passes with uncertainty (and of POST /rank)
    max_rank_images: int = 64  # images per POST /rank request


class ServiceError(MedvlsegError):
    """A request refused with an HTTP status and a message naming what is wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def segment_image(seg: Any, image: np.ndarray, prompts: list[str], *, uncertainty: bool = False, samples: int = 8,
                  maps: bool = False) -> list[dict[str, Any]]:
    """The service's answer for one image: :func:`~medvlseg.predict.segment_prompts`'s row per
    prompt, with the mask as a base64 PNG (and the entropy heat map, the probability as ``.npy``)."""
    from .predict import _npy_bytes, _png_bytes, heatmap_rgb, segment_prompts

    out = []
    for r, row in segment_prompts(seg, image, prompts, uncertainty=uncertainty, samples=samples):
        row["mask_png"] = _b64(_png_bytes(r.mask.astype(np.uint8) * 255))
        if uncertainty:
            row["entropy_png"] = _b64(_png_bytes(heatmap_rgb(r.entropy, vmax=float(np.log(2.0)))))
            row["mean_entropy"] = round(float(r.entropy.mean()), 6)
        if maps:
            row["probability_npy"] = _b64(_npy_bytes(r.probability.astype(np.float32)))
        out.append(row)
    return out


def read_upload(path: str | os.PathLike, filename: str, limits: ServiceLimits, *, slice_index: int | None = None,
                axis: int = 2) -> np.ndarray:
    """The 2-D image of an uploaded file through the same readers as every other input
    (``data.io``), its size checked from the header before anything is decoded. ``filename``: the
    name the client gave (its suffix says the format; it names the file in errors)."""
    from .data import io

    suffix = io.path_suffix(filename or "upload")
    if suffix not in io.IMAGE_SUFFIXES + io.NIFTI_SUFFIXES:
        raise ServiceError(422, f"{filename or 'upload'}: unsupported file type {suffix or '(none)'}; "
                                f"send an image ({', '.join(io.IMAGE_SUFFIXES)}) or a NIfTI volume")
    path = Path(path)
    if suffix in io.IMAGE_SUFFIXES:
        from PIL import Image, UnidentifiedImageError

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the limit below decides
                with Image.open(path) as im:
                    w, h = im.size
        except Image.DecompressionBombError as exc:  # over twice Pillow's own limit: refused while opening
            raise ServiceError(413, f"{filename}: too many pixels ({exc})") from None
        except (UnidentifiedImageError, OSError) as exc:
            raise ServiceError(422, f"{filename}: not a readable image ({exc})") from None
        if w * h > limits.max_pixels:
            raise ServiceError(413, f"{filename}: {w} x {h} = {w * h} pixels, over the limit of {limits.max_pixels}")
        try:
            return io.read_image(path)
        except DataError as exc:
            raise ServiceError(422, str(exc).replace(str(path), filename)) from None
    import nibabel as nib

    try:
        header_img = nib.load(path)
        shape, affine = tuple(int(n) for n in header_img.shape), header_img.affine
    except Exception as exc:  # noqa: BLE001 - nibabel raises many types for corrupt files
        raise ServiceError(422, f"{filename}: not a readable NIfTI file ({type(exc).__name__}: {exc})") from None
    if len(shape) > 3 and int(np.prod(shape[3:])) > 1:
        raise ServiceError(422, f"{filename}: a {len(shape)}-D volume {shape}; send one 3-D volume")
    if int(np.prod(shape)) > limits.max_voxels:
        raise ServiceError(413, f"{filename}: {int(np.prod(shape))} voxels, over the limit of {limits.max_voxels}")
    # the file's axes in RAS order: the plane a RAS slice has
    ras_shape = io.ras_order((list(shape) + [1, 1, 1])[:3], io.orientation(affine))
    plane = [n for i, n in enumerate(ras_shape) if i != axis]
    if plane[0] * plane[1] > limits.max_pixels:
        raise ServiceError(413, f"{filename}: slices of {plane[0]} x {plane[1]} pixels, over the limit of {limits.max_pixels}")
    try:
        vol = io.read_volume(path)
    except DataError as exc:
        raise ServiceError(422, str(exc).replace(str(path), filename)) from None
    n = vol.num_slices(axis)
    k = n // 2 if slice_index is None else slice_index
    if not 0 <= k < n:
        raise ServiceError(422, f"slice: {k} is outside the volume's {n} slices along axis {axis}")
    return vol.slice(k, axis)


def check_prompts(prompts: list[str], limits: ServiceLimits) -> list[str]:
    """The prompts of one request (the service's and the web app's rule): stripped, empties dropped,
    at least one, at most ``max_prompts`` of at most ``max_prompt_chars`` each (else a 422)."""
    from .prompts.check import check_prompt

    prompts = [p.strip() for p in prompts if p and p.strip()]
    if not prompts:
        raise ServiceError(422, "prompt: give at least one non-empty prompt")
    if len(prompts) > limits.max_prompts:
        raise ServiceError(422, f"prompt: {len(prompts)} prompts, at most {limits.max_prompts} per request")
    for p in prompts:
        try:
            check_prompt(p, max_chars=limits.max_prompt_chars)
        except MedvlsegError as exc:
            raise ServiceError(422, str(exc)) from None
    return prompts


def in_turn(gate: threading.Semaphore, limits: ServiceLimits, work: Any) -> Any:
    """``work()`` while holding one of the turns in the model (the service and the web app share
    them), waiting at most ``limits.queue_timeout_s`` for it (else a 503 ServiceError)."""
    if not gate.acquire(timeout=limits.queue_timeout_s):
        raise ServiceError(503, f"busy: no turn within {limits.queue_timeout_s:g} s; try again")
    try:
        return work()
    finally:
        gate.release()


def token_ok(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <token>`` (scheme in any case; the token
    compared in constant time)."""
    scheme, _, value = (header or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(value.strip().encode(), token.encode())


class GuardMiddleware:
    """Pure ASGI: refuses a request without the bearer token before its body is read (every path but
    ``/healthz`` and the web app, which has its own login), and an upload whose body goes over the
    limit, counting the bytes as they arrive (a missing or false ``Content-Length`` does not help)."""

    def __init__(self, app: Any, *, max_bytes: int, token: str | None, open_paths: tuple[str, ...],
                 busy: Any = None) -> None:
        self.app, self.max_bytes, self.token, self.open_paths = app, max_bytes, token, open_paths
        self.busy = busy  # () -> a refusal message when the queue is full, else None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        if self.token is not None and not path.startswith(self.open_paths) and not token_ok(headers.get("authorization"), self.token):
            return await _reply(send, 401, "missing or wrong bearer token (Authorization: Bearer <token>)")
        refusal = self.busy() if self.busy is not None and path in ("/segment", "/rank") else None
        if refusal:  # before the upload is read: a full queue costs the client nothing but this line
            return await _reply(send, 503, refusal, retry_after=True)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await _reply(send, 413, f"upload of {int(declared)} bytes is over the limit of {self.max_bytes} bytes")
        seen, exceeded, replied = 0, False, False
        too_large = f"upload over the limit of {self.max_bytes} bytes"

        async def counted_receive() -> dict:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:  # stop reading: the app sees the client gone
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal replied
            if not exceeded:
                return await send(message)
            if not replied:  # whatever the app makes of the cut-off body, the client hears why
                replied = True
                await _reply(send, 413, too_large)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not replied:
            await _reply(send, 413, too_large)


async def _reply(send: Any, status: int, detail: str, *, retry_after: bool = False) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def rank_samples(limits: ServiceLimits) -> int:
    """Monte-Carlo passes of ``POST /rank``: the service's ``samples``, at least the 2 a ranking needs."""
    return max(2, limits.samples)


def rank_uploads(seg: Any, paths: list[Path], names: list[str], prompt: str, limits: ServiceLimits, *,
                 diversity: float = 0.0, cancelled: threading.Event | None = None) -> list[Any]:
    """The service's ranking of the uploads at ``paths`` (``names``: the client's file names, in the
    same order): each read as ``/segment`` reads an image (header limits first), then
    :func:`medvlseg.ranking.rank_loaded`. Each returned item's ``image`` is its upload's index (as a
    string: names may repeat). Stops (503) once ``cancelled`` is set: its request has had its 504."""
    from .ranking import rank_loaded

    def loader(i: int):
        def load() -> np.ndarray:
            if cancelled is not None and cancelled.is_set():
                raise ServiceError(503, "rank: stopped, the request timed out")
            return read_upload(paths[i], names[i], limits)
        return load

    try:
        return rank_loaded(seg, [(str(i), loader(i)) for i in range(len(paths))], prompt, samples=rank_samples(limits),
                           diversity=diversity)
    except DataError as exc:
        raise ServiceError(422, str(exc)) from None


def create_app(run: str | os.PathLike, *, limits: ServiceLimits | None = None, token: str | None = None,
               device: str | None = None, trust_pickle: bool = False):
    """The FastAPI application serving ``run`` (a run directory, ``.safetensors`` file, or anything
    :func:`medvlseg.load` reads). ``token``: when given (non-empty), every request but ``/healthz``
    needs ``Authorization: Bearer <token>``."""
    from fastapi import FastAPI, File, Form, HTTPException, UploadFile

    from . import __version__
    from .checkpoints import model_and_info
    from .predict import resolve_device
    from .segmenter import Segmenter

    limits = limits or ServiceLimits()
    token = token or None
    device = resolve_device(device)
    model, info = model_and_info(str(run), trust_pickle=trust_pickle)
    seg = Segmenter(model, threshold=info.threshold, device=device)
    # turns in the model, shared with the web app: a thread holds one from decoding to the answer, so a
    # request that timed out keeps its turn until its work is done and the bound holds
    gate = threading.BoundedSemaphore(limits.max_concurrent)
    app = FastAPI(title="medvlseg", version=__version__, docs_url=None, redoc_url=None)
    app.state.segmenter, app.state.info, app.state.limits, app.state.token, app.state.gate = seg, info, limits, token, gate
    # the multipart body: the upload, the prompts and a few small fields
    max_bytes = int(limits.max_upload_mb * 1024 * 1024) + 64 * 1024 + limits.max_prompts * limits.max_prompt_chars * 4
    admitted = {"n": 0}  # POST /segment and /rank requests running or waiting for a turn (the bounded queue)
    bound = limits.max_concurrent + limits.max_queue

    def busy() -> str | None:
        if admitted["n"] >= bound:
            return f"busy: {limits.max_concurrent} running and {limits.max_queue} waiting; try again"
        return None

    app.add_middleware(GuardMiddleware, max_bytes=max_bytes, token=token, open_paths=("/healthz", "/app"), busy=busy)

    async def run_in_turn(files: list[Any], work: Any) -> Any:
        """``work(paths, cancelled)`` in a thread holding a turn in the model, the uploads copied to
        ``paths`` first (in their order; each keeps its suffix): the bounded queue, the queue timeout
        (503) and the answer timeout (504) of every model endpoint. After a 504 ``cancelled`` (a
        ``threading.Event``) is set, so that long work can stop and give its turn back."""
        from .data import io

        # a bounded queue: requests running or waiting for a turn are counted until their work ends
        # (also after a 504), and one over the bound is refused now rather than queued without limit
        refusal = busy()  # the middleware refused most before their upload; a burst can pass it together
        if refusal:
            raise HTTPException(503, refusal, headers={"Retry-After": "1"})
        admitted["n"] += 1
        job = tmp = None
        try:
            # the uploads leave FastAPI's hands first: a 504 closes them while a thread may still need them
            tmp = tempfile.TemporaryDirectory(prefix="medvlseg-upload-")
            paths, cancelled = [], threading.Event()
            for i, f in enumerate(files):
                paths.append(Path(tmp.name) / f"upload{i}{io.path_suffix(f.filename or 'upload')}")
                await f.seek(0)
                with open(paths[-1], "wb") as fh:
                    shutil.copyfileobj(f.file, fh)

            def in_thread() -> Any:
                try:
                    return in_turn(gate, limits, lambda: work(paths, cancelled))
                finally:
                    tmp.cleanup()

            def done(f: asyncio.Future) -> None:  # on the event loop, as the endpoint: no lock needed
                admitted["n"] -= 1
                f.cancelled() or f.exception()  # a late failure after a 504 is not lost noise

            job = asyncio.get_running_loop().run_in_executor(None, in_thread)
            job.add_done_callback(done)
            try:
                return await asyncio.wait_for(asyncio.shield(job), timeout=limits.timeout_s)
            except TimeoutError:
                cancelled.set()
                raise HTTPException(504, f"no answer within {limits.timeout_s:g} s") from None
            except ServiceError as exc:
                raise HTTPException(exc.status, str(exc), headers={"Retry-After": "1"} if exc.status == 503 else None) from None
        finally:
            if job is None:  # never handed to a thread: nothing else will free its place or its folder
                admitted["n"] -= 1
                if tmp is not None:
                    tmp.cleanup()

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "model": info.model, "version": __version__}

    @app.get("/capabilities")
    def capabilities() -> dict[str, Any]:
        from .card import render_card

        rec = info.record or {}
        try:
            card = render_card(run)
        except Exception:  # noqa: BLE001 - the card is a courtesy; the rest still answers
            card = None
        return {
            "model": info.model, "backbone": info.backbone, "source": info.source,
            "targets": rec.get("targets") or [], "image_size": info.image_size,
            "threshold": info.threshold, "presence_threshold": info.presence_threshold,
            "presence_thresholds": info.presence_thresholds, "presence_rule": rec.get("presence_rule", "peak"),
            "validation": info.metadata.get("best_metrics") or {},
            "limits": asdict(limits), "card": card,
        }

    @app.post("/segment")
    async def segment(
        file: UploadFile = File(..., description="image or NIfTI volume"),
        prompt: list[str] = Form(..., description="what to segment; repeat the field for several"),
        uncertainty: bool = Form(False),
        maps: bool = Form(False),
        slice: int | None = Form(None, description="NIfTI: the slice of the RAS+ volume (default: the middle one)"),  # noqa: A002
        axis: int = Form(2, description="NIfTI: 2 axial, 1 coronal, 0 sagittal"),
    ) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            prompts = check_prompts(prompt, limits)
        except ServiceError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        if axis not in (0, 1, 2):
            raise HTTPException(422, f"axis: must be 0, 1 or 2, got {axis}")
        name = file.filename or "upload"
        if file.size is not None and file.size > limits.max_upload_mb * 2**20:
            raise HTTPException(413, f"{name}: {file.size} bytes, over the limit of {limits.max_upload_mb:g} MB")

        def read_and_segment(paths: list[Path], cancelled: threading.Event) -> tuple[np.ndarray, list[dict[str, Any]]]:
            image = read_upload(paths[0], name, limits, slice_index=slice, axis=axis)
            return image, segment_image(seg, image, prompts, uncertainty=uncertainty, samples=limits.samples, maps=maps)

        image, rows = await run_in_turn([file], read_and_segment)
        h, w = image.shape[:2]
        return {"width": w, "height": h, "model": info.model, "threshold": seg.threshold, "results": rows,
                "time_s": round(time.perf_counter() - t0, 4)}

    @app.post("/rank")
    async def rank(
        files: list[UploadFile] = File(..., description="the unlabelled images; repeat the field"),
        prompt: str = Form(..., description="the target to be annotated"),
        diversity: float = Form(0.0, description="> 0: keep near-duplicates apart"),
    ) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            (prompt,) = check_prompts([prompt], limits)
        except ServiceError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        if not 0 <= diversity <= 10:
            raise HTTPException(422, f"diversity: must be between 0 and 10, got {diversity}")
        if len(files) > limits.max_rank_images:
            raise HTTPException(422, f"files: {len(files)} images, at most {limits.max_rank_images} per request")
        names = [f.filename or f"upload {i + 1}" for i, f in enumerate(files)]
        from .data import io

        for name in names:  # before waiting for a turn
            if io.path_suffix(name) not in io.IMAGE_SUFFIXES:
                raise HTTPException(422, f"{name}: rank takes 2-D images ({', '.join(io.IMAGE_SUFFIXES)})")
        ranked = await run_in_turn(files, lambda paths, cancelled: rank_uploads(seg, paths, names, prompt, limits, diversity=diversity,
                                                                                cancelled=cancelled))
        index = {name: i for i, name in enumerate(names)}
        return {"model": info.model, "prompt": prompt, "samples": rank_samples(limits), "diversity": diversity,
                "order": "score: the mean percentile rank of mutual information, TTA disagreement and presence uncertainty",
                "ranking": [{**r.row(), "image": names[int(r.image)], "index": int(r.image)} for r in ranked],
                "time_s": round(time.perf_counter() - t0, 4)}

    return app


def serve(run: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 8000, with_app: bool = False,
          **kwargs: Any) -> None:
    """Run the service (and, with ``with_app``, the web app at ``/app/``) with uvicorn until stopped."""
    import uvicorn

    app = create_app(run, **kwargs)
    if with_app:
        from .webapp import mount_app

        app = mount_app(app)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, limit_concurrency=64)
