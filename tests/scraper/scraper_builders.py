"""Builders for small exports written into a test's own temporary folder."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from corpus.message import Message
from scraper.text import facebook_mojibake

REPO = Path(__file__).resolve().parents[2]
SAMPLE_EXPORT = REPO / "serving" / "demo" / "sample_export"
EXPORTS = REPO / "tests" / "fixtures" / "exports"  # small exports shaped as real ones


def rows(messages: list[Message]) -> list[tuple[str, str, str]]:
    """(thread, sender, text) of each message, what most assertions compare."""
    return [(m.thread_id, m.sender, m.text) for m in messages]


def fb_message(
    sender: str, ms: int, content: str | None = None, **extra: object
) -> dict[str, object]:
    """One Facebook JSON message record."""
    record: dict[str, object] = {"sender_name": sender, "timestamp_ms": ms}
    if content is not None:
        record["content"] = content
    record["type"] = "Generic"
    record.update(extra)
    return record


def write_fb_thread(
    root: Path,
    thread: str,
    messages: list[dict[str, object]],
    number: int = 1,
    box: str = "inbox",
    bom: bool = False,
) -> Path:
    """Write `root/messages/<box>/<thread>/message_<number>.json`, newest first."""
    folder = root / "messages" / box / thread
    folder.mkdir(parents=True, exist_ok=True)
    participants = sorted({str(m.get("sender_name")) for m in messages})
    document = {
        "participants": [{"name": name} for name in participants],
        "messages": sorted(messages, key=lambda m: -_stamp(m)),
        "title": thread,
        "thread_path": f"{box}/{thread}",
    }
    text = json.dumps(facebook_mojibake(document), indent=2)
    path = folder / f"message_{number}.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def _stamp(record: dict[str, object]) -> int:
    stamp = record.get("timestamp_ms")
    return stamp if isinstance(stamp, int) else 0


def zip_folder(folder: Path, archive: Path) -> Path:
    """Zip a folder the way a user's archiver would, names relative to it."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder).as_posix())
    return archive
