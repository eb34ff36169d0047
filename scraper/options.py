"""What a reader is told and what it must provide; shared by every format."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from corpus.message import Message
from scraper.detect import Kind, Opening
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
    """One export format: which files it recognises and how to stream their messages.

    `sniff(opening)` says from a file's content (and, inside a Facebook or
    Instagram download, its place there) whether this format reads it. When
    the user names the format, a reader also takes the files of its `kind`
    that it would not recognise, so it can say what is wrong with them.
    """

    name: str
    kind: Kind
    sniff: Callable[[Opening], bool]
    read: Callable[
        [ExportFiles, list[str], ImportReport, ImportOptions], Iterator[Message]
    ]
