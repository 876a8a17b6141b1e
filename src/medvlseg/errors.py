"""Errors a user can fix. The CLI prints these as one line (no traceback) and exits non-zero."""

from __future__ import annotations


class MedvlsegError(Exception):
    """A mistake in the user's input: a bad path, a corrupt file, an unknown option.

    The message must name the file or field and say what is wrong.
    """


class DataError(MedvlsegError):
    """A dataset, image, mask or volume cannot be read or is inconsistent."""


class ConfigError(MedvlsegError):
    """An unknown, mistyped or conflicting option."""
