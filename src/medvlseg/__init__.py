"""medvlseg: text-driven medical image segmentation.

The public API is re-exported here; the sub-packages (:mod:`medvlseg.data`,
:mod:`medvlseg.prompts`, :mod:`medvlseg.evaluation`) hold the rest.
"""

__version__ = "0.1.0"

from .data import SegmentationDataset, check_dataset  # noqa: E402
from .errors import ConfigError, DataError, MedvlsegError  # noqa: E402

__all__ = ["ConfigError", "DataError", "MedvlsegError", "SegmentationDataset", "__version__", "check_dataset"]
