"""Import an export: find its formats, stream its messages, report what was kept.

A folder or zip may hold several exports (a Facebook download, a WhatsApp chat,
a Telegram export): each file's content says which reader reads it, whatever
the file is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
    Facebook and Instagram HTML); UTC when not given.
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
    found: Iterable[Opening], format: str | None
) -> list[tuple[Reader, list[str]]]:
    """Which reader reads which files: each file goes to the first that knows it.

    Openings are looked at one at a time and let go, so memory does not grow
    with the number of files. A forced format that recognises none of them takes
    the files of its kind, so its reader can say what is wrong with them.
    """
    readers = [READERS[format]] if format else list(READERS.values())
    claims: dict[str, list[str]] = {reader.name: [] for reader in readers}
    same_kind: list[str] = []
    for opening in found:
        reader = next((reader for reader in readers if reader.sniff(opening)), None)
        if reader is not None:
            claims[reader.name].append(opening.name)
        elif format and opening.kind == readers[0].kind:
            same_kind.append(opening.name)
    if format and not claims[format]:
        claims[format] = same_kind
    return [(READERS[name], names) for name, names in claims.items() if names]


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
