"""Getting raw messages: importers for chat exports; they emit only `Message`s.

The cookie scraper lives in `scraper.messenger`.
"""

from scraper.errors import (
    ExportFormatError,
    MalformedExportError,
    UnknownFormatError,
    UnsafeArchiveError,
)
from scraper.files import ArchiveLimits
from scraper.importer import FORMATS, import_export, iter_messages
from scraper.report import ImportReport
from scraper.text import fix_mojibake

__all__ = [
    "FORMATS",
    "ArchiveLimits",
    "ExportFormatError",
    "ImportReport",
    "MalformedExportError",
    "UnknownFormatError",
    "UnsafeArchiveError",
    "fix_mojibake",
    "import_export",
    "iter_messages",
]
