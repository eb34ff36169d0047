"""Streaming a large JSON export: its messages one at a time, in bounded memory.

Telegram's whole-account export and a DiscordChatExporter channel can be
gigabytes. ijson walks the file; each message object is built whole (they are
small), everything else goes by as parse events, and the file's damage turns
into our named errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ijson

from scraper.errors import MalformedExportError
from scraper.files import READ_ERRORS, ExportFiles

ITEM = "item"  # the event under which a built object goes by


def walk(
    files: ExportFiles, name: str, items: frozenset[str], expected: str
) -> Iterator[tuple[str, str, Any]]:
    """(prefix, event, value) of a JSON file; objects at `items` come built whole.

    A built object goes by as (its prefix, ITEM, the dict). `expected` names the
    format in errors ("a Telegram export").
    """
    where = files.where(name)
    try:
        with files.open(name) as stream:
            builder: ijson.ObjectBuilder | None = None
            depth = 0
            for prefix, event, value in ijson.parse(stream, use_float=True):
                if builder is not None:
                    builder.event(event, value)
                    depth += (event in ("start_map", "start_array")) - (
                        event in ("end_map", "end_array")
                    )
                    if depth == 0:
                        yield prefix, ITEM, builder.value
                        builder = None
                elif prefix in items and event == "start_map":
                    builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                    depth = 1
                else:
                    yield prefix, event, value
    except ijson.JSONError as error:
        raise MalformedExportError(
            f"{where}: not valid JSON ({error}); expected {expected}"
        ) from None
    except READ_ERRORS as error:
        raise MalformedExportError(f"{where}: unreadable ({error})") from None
    except UnicodeDecodeError:
        raise MalformedExportError(f"{where}: not UTF-8 text") from None
