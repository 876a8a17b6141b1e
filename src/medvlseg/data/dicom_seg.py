"""DICOM SEG output: masks predicted on a DICOM series, written back as a DICOM Segmentation object
(highdicom) that references the source series, one segment per prompt.

The model sees the series as every other volume (``io.read_volume``: RAS+ axial slices); each
predicted mask is then sampled back onto every source instance's own pixel grid through patient
coordinates (Image Position / Orientation Patient, Pixel Spacing), so the SEG frames line up with
the source images whatever order the files, slices or axes come in.
"""

from __future__ import annotations

import io as _io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..utils import atomic_write_bytes

__all__ = ["masks_on_instances", "read_series", "write_dicom_seg"]

#: DICOM world coordinates are LPS; the affines of io.Volume are RAS.
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


def read_series(folder: str | os.PathLike) -> list:
    """The image instances of a DICOM series folder (pydicom datasets with pixels), sorted along the
    slice normal. Raises :class:`DataError` naming the folder when there are none or they are not
    one series."""
    import pydicom

    folder = Path(folder)
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    instances = []
    for f in files:
        try:
            ds = pydicom.dcmread(f)
        except Exception:  # noqa: BLE001 - not DICOM: skipped, like a reader of a folder would
            continue
        if "PixelData" in ds and "ImagePositionPatient" in ds:
            instances.append(ds)
    if not instances:
        raise DataError(f"{folder}: no DICOM image with a position (ImagePositionPatient) in it")
    series = {str(ds.SeriesInstanceUID) for ds in instances}
    if len(series) > 1:
        raise DataError(f"{folder}: {len(series)} DICOM series in one folder; give one series per input")
    normal = np.cross(*np.asarray(instances[0].ImageOrientationPatient, dtype=float).reshape(2, 3))
    return sorted(instances, key=lambda ds: float(np.dot(normal, np.asarray(ds.ImagePositionPatient, dtype=float))))


def _pixel_world_ras(ds) -> np.ndarray:
    """``(rows, cols, 3)`` RAS position (mm) of every pixel centre of one instance."""
    iop = np.asarray(ds.ImageOrientationPatient, dtype=float).reshape(2, 3)  # along a row, along a column
    dr, dc = (float(v) for v in ds.PixelSpacing)  # between rows, between columns
    r, c = np.mgrid[: int(ds.Rows), : int(ds.Columns)]
    lps = np.asarray(ds.ImagePositionPatient, dtype=float) + c[..., None] * dc * iop[0] + r[..., None] * dr * iop[1]
    return lps @ LPS_TO_RAS.T


def masks_on_instances(instances: Sequence, mask: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """``(n_instances, rows, cols)`` bool: ``mask`` (a volume with voxel-to-RAS ``affine``) at the
    nearest voxel of every pixel of every instance; pixels outside the volume are False."""
    inv = np.linalg.inv(affine)
    out = np.zeros((len(instances), int(instances[0].Rows), int(instances[0].Columns)), dtype=bool)
    for k, ds in enumerate(instances):
        world = _pixel_world_ras(ds)
        vox = np.rint(world @ inv[:3, :3].T + inv[:3, 3]).astype(np.int64)  # (rows, cols, 3)
        inside = np.all((vox >= 0) & (vox < np.asarray(mask.shape)), axis=-1)
        idx = np.where(inside[..., None], vox, 0)
        out[k] = inside & mask[idx[..., 0], idx[..., 1], idx[..., 2]].astype(bool)
    return out


def write_dicom_seg(
    path: str | os.PathLike,
    instances: Sequence,
    masks: Mapping[str, np.ndarray],
    *,
    algorithm: str = "medvlseg",
    series_number: int = 9001,
) -> Path:
    """Write a binary DICOM SEG of ``instances`` with one segment per ``masks`` entry (prompt ->
    ``(n_instances, rows, cols)`` bool, as :func:`masks_on_instances` gives), atomically."""
    import highdicom as hd
    from pydicom.sr.codedict import codes

    from .. import __version__

    if not masks:
        raise DataError(f"{path}: no masks to write")

    def lo(text: str) -> str:  # a DICOM LO value: at most 64 characters, no backslash (the value separator)
        return " ".join(text.replace("\\", "/").split())[:64]

    descriptions = []
    for number, prompt in enumerate(masks, 1):
        descriptions.append(hd.seg.SegmentDescription(
            segment_number=number,
            segment_label=lo(prompt),
            segmented_property_category=codes.SCT.Tissue,
            # the prompt is free text: a private code carries it (coding schemes "99..." are private)
            segmented_property_type=hd.sr.CodedConcept(value=f"MVS{number:04d}", scheme_designator="99MEDVLSEG",
                                                       meaning=lo(prompt)),
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC,
            algorithm_identification=hd.AlgorithmIdentificationSequence(
                name=lo(algorithm), version=__version__, family=codes.cid7162.ArtificialIntelligence),
        ))
    pixels = np.stack([np.asarray(m, dtype=bool) for m in masks.values()], axis=-1)  # (n, rows, cols, segments)
    seg = hd.seg.Segmentation(
        source_images=list(instances),
        pixel_array=pixels.astype(np.uint8),
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=hd.UID(),
        series_number=series_number,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer="medvlseg",
        manufacturer_model_name=lo(algorithm),
        software_versions=__version__,
        device_serial_number="0",
        series_description=lo(f"medvlseg: {', '.join(masks)}"),
        omit_empty_frames=False,  # every source frame keeps its frame: a viewer shows "none here" as such
    )
    buf = _io.BytesIO()
    seg.save_as(buf)
    return atomic_write_bytes(path, buf.getvalue())
