"""Evaluation: per-image metrics (MONAI), calibration, dataset summaries and reports.

- :mod:`.metrics`: Dice, IoU, HD95, NSD on boolean masks; resizing predictions to the ground
  truth; :func:`score_image` with an explicit empty-ground-truth policy.
- :mod:`.calibration`: expected calibration error and the AUROC of uncertainty for errors.
- :mod:`.aggregate`: :class:`SegmentationMetrics`, the accumulator and its summary.
- :mod:`.report`: per-image CSV, summary JSON, markdown table.
- :mod:`.folder`: scoring a folder of predictions against a dataset.
"""

from .aggregate import METRIC_NAMES, SegmentationMetrics, summarise
from .calibration import CalibrationHistogram, ErrorAUROCHistogram, expected_calibration_error, uncertainty_error_auroc
from .folder import PREDICTION_SUFFIXES, find_predictions, read_prediction, score_prediction_folder
from .metrics import (
    EMPTY_POLICIES,
    EmptyPolicy,
    ImageScores,
    Spacing,
    dice,
    hd95,
    iou,
    nsd,
    resize_prediction,
    score_image,
)
from .report import (
    CSV_COLUMNS,
    markdown_table,
    write_per_image_csv,
    write_report_md,
    write_reports,
    write_summary_json,
)

__all__ = [
    "CSV_COLUMNS",
    "EMPTY_POLICIES",
    "METRIC_NAMES",
    "PREDICTION_SUFFIXES",
    "CalibrationHistogram",
    "EmptyPolicy",
    "ErrorAUROCHistogram",
    "ImageScores",
    "SegmentationMetrics",
    "Spacing",
    "dice",
    "expected_calibration_error",
    "find_predictions",
    "hd95",
    "iou",
    "markdown_table",
    "nsd",
    "read_prediction",
    "resize_prediction",
    "score_image",
    "score_prediction_folder",
    "summarise",
    "uncertainty_error_auroc",
    "write_per_image_csv",
    "write_report_md",
    "write_reports",
    "write_summary_json",
]
