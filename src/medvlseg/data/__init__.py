"""Datasets and readers: 2-D images, NIfTI and DICOM volumes, splits, validation."""

from .check import CheckReport, Problem, check_dataset, dataset_info
from .dataset import LoadedSample, Sample, SegmentationDataset, read_manifest
from .io import Volume, binarize_mask, is_image_file, is_volume, read_image, read_mask, read_volume
from .splits import ANNOTATION_FRACTIONS, annotation_subset, assign_splits, hash_order

__all__ = [
    "ANNOTATION_FRACTIONS",
    "CheckReport",
    "LoadedSample",
    "Problem",
    "Sample",
    "SegmentationDataset",
    "Volume",
    "annotation_subset",
    "assign_splits",
    "binarize_mask",
    "check_dataset",
    "dataset_info",
    "hash_order",
    "is_image_file",
    "is_volume",
    "read_image",
    "read_manifest",
    "read_mask",
    "read_volume",
]
