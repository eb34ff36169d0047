"""Import an export: find its formats, stream its messages, report what was kept.

A folder or zip may hold several exports (a Facebook download, a WhatsApp chat,
a Telegram export): each file's content says which reader reads it, whatever
the file is called.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path

from corpus.message import Message
from scraper import (
    discord_export,
    facebook_html,
    facebook_json,
    instagram,
    messenger_e2ee,
    telegram,
    whatsapp,
)
from scraper.clock import resolve_zone
from scraper.detect import Opening, openings
from scraper.errors import UnknownFormatError
from scraper.files import ArchiveLimits, open_export
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport

# Sniff order matters: Instagram's threads are Facebook's with an Instagram label,
# so Instagram looks first.
READERS: dict[str, Reader] = {
    reader.name: reader
    for reader in (
        instagram.JSON_READER,
        instagram.HTML_READER,
        facebook_json.READER,
        facebook_html.READER,
        messenger_e2ee.READER,
        telegram.READER,
        discord_export.READER,
        whatsapp.READER,
    )
}
FORMATS = tuple(READERS)
_EXPECTED = (
    "a Facebook or Instagram download (messages as JSON or HTML), a Messenger "
    "end-to-end-encrypted chat (.json), a Telegram export (.json), a "
    "DiscordChatExporter channel (.json) or a WhatsApp chat (.txt), alone or in "
    "a folder or .zip"
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
        plan = _plan(openings(files, files.names()), format)
        if not plan:
            expected = f"a {format} export" if format else _EXPECTED
            raise UnknownFormatError(
                f"{path}: not an export we recognise; expected {expected}"
            )
        report.format = "+".join(reader.name for reader, _ in plan)
        for reader, claimed in plan:
            yield from reader.read(files, claimed, report, options)


def _plan(
    found: list[Opening], format: str | None
) -> list[tuple[Reader, list[str]]]:
    """Which reader reads which files: each file goes to the first that knows it.

    A forced format also takes the files of its kind it does not recognise, so
    its reader can say what is wrong with them.
    """
    readers = [READERS[format]] if format else list(READERS.values())
    plan: list[tuple[Reader, list[str]]] = []
    for reader in readers:
        claimed = [opening for opening in found if reader.sniff(opening)]
        if not claimed and format:
            claimed = [opening for opening in found if opening.kind == reader.kind]
        if claimed:
            plan.append((reader, [opening.name for opening in claimed]))
            taken = {id(opening) for opening in claimed}
            found = [opening for opening in found if id(opening) not in taken]
    return plan


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
