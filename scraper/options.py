"""What a reader is told and what it must provide; shared by every format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from corpus.message import Message
from scraper.files import ArchiveLimits, ExportFiles
from scraper.report import ImportReport


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Choices the user makes about an import."""

    include_requests: bool = False  # message requests are strangers, off by default
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    # Zone of exports that write local wall-clock times (WhatsApp, Facebook HTML).
    timezone: tzinfo = UTC


@dataclass(frozen=True, slots=True)
class Reader:
    """One export format: which files it reads and how to stream their messages.

    `claim(files, names, forced)` returns the names this format reads; `forced`
    (the user named the format) lets it take files it would not guess from names.
    """

    name: str
    claim: Callable[[ExportFiles, list[str], bool], list[str]]
    read: Callable[
        [ExportFiles, list[str], ImportReport, ImportOptions], Iterator[Message]
    ]
