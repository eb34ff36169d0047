"""Import an export: find its formats, stream its messages, report what was kept.

A folder may hold several exports (a Facebook download, a WhatsApp chat, a
Telegram `result.json`): each reader claims its files in turn and reads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path

from corpus.message import Message
from scraper import (
    facebook_html,
    facebook_json,
    messenger_e2ee,
    telegram,
    whatsapp,
)
from scraper.clock import resolve_zone
from scraper.errors import UnknownFormatError
from scraper.files import ArchiveLimits, open_export
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport

# Claim order matters: the most specific signatures come first.
READERS: dict[str, Reader] = {
    reader.name: reader
    for reader in (
        facebook_json.READER,
        facebook_html.READER,
        messenger_e2ee.READER,
        telegram.READER,
        whatsapp.READER,
    )
}
FORMATS = tuple(READERS)
_EXPECTED = (
    "a Facebook download (messages/inbox/*/message_1.json or .html, "
    "html/messages.htm), a Messenger end-to-end-encrypted chats export (.json "
    "with threadName), a Telegram result.json or a WhatsApp chat (.txt, .zip)"
)


def iter_messages(
    path: str | Path,
    format: str | None = None,
    report: ImportReport | None = None,
    *,
    include_requests: bool = False,
    limits: ArchiveLimits | None = None,
    timezone: str | tzinfo | None = None,
) -> Iterator[Message]:
    """Stream the messages of an export; `report` (if given) fills in as it goes.

    `timezone` reads the local times of formats that write no offset (WhatsApp,
    Facebook HTML); UTC when not given.
    """
    if format is not None and format not in READERS:
        raise UnknownFormatError(
            f"unknown format {format!r}; expected one of {', '.join(FORMATS)}"
        )
    options = ImportOptions(
        include_requests, limits or ArchiveLimits(), resolve_zone(timezone)
    )
    report = report if report is not None else ImportReport()
    with open_export(path, options.limits) as files:
        remaining = files.names()
        readers = [READERS[format]] if format else list(READERS.values())
        plan: list[tuple[Reader, list[str]]] = []
        for reader in readers:
            claimed = reader.claim(files, remaining, format is not None)
            if claimed:
                plan.append((reader, claimed))
                taken = set(claimed)
                remaining = [name for name in remaining if name not in taken]
        if not plan:
            expected = f"a {format} export" if format else _EXPECTED
            raise UnknownFormatError(
                f"{path}: not an export we recognise; expected {expected}"
            )
        report.format = "+".join(reader.name for reader, _ in plan)
        for reader, claimed in plan:
            yield from reader.read(files, claimed, report, options)


def import_export(
    path: str | Path,
    format: str | None = None,
    *,
    include_requests: bool = False,
    limits: ArchiveLimits | None = None,
    timezone: str | tzinfo | None = None,
) -> tuple[list[Message], ImportReport]:
    """Every message of an export, with the report of what was kept and skipped."""
    report = ImportReport()
    messages = list(
        iter_messages(
            path,
            format,
            report,
            include_requests=include_requests,
            limits=limits,
            timezone=timezone,
        )
    )
    return messages, report
