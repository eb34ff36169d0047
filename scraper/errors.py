"""The errors an import can raise; every one names the file and what we expected."""

from __future__ import annotations


class ExportFormatError(ValueError):
    """The file is not a Messenger export we can read."""


class UnknownFormatError(ExportFormatError):
    """No reader recognises the export, or the forced format does not fit it."""


class MalformedExportError(ExportFormatError):
    """A file of a recognised export is corrupt, truncated or not the promised shape."""


class UnsafeArchiveError(ExportFormatError):
    """The archive could escape its folder or expand past the configured limits."""
