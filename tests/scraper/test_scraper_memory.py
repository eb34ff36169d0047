"""Importing holds a window of the export, never a file: peak memory, measured.

Each import runs in a fresh Python process that reports its own peak resident
memory (VmHWM), so the figure is the import's and nothing else's. The bound is
the README's: 150 MiB, for an interpreter and imports of about 25 MiB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from large_exports import (
    crafted_zip,
    discord_channel,
    e2ee_chat,
    facebook_download,
    html_page,
    old_html_page,
    telegram_account,
    whatsapp_chat,
)

pytestmark = pytest.mark.slow
BOUND_MIB = 150
MIB = 1024**2
MIMICAL = Path(sys.executable).parent / "mimical"
_CHILD = """
import json, sys
from scraper import ArchiveLimits, ExportFormatError, ImportReport, iter_messages
report, error = ImportReport(), None
limits = ArchiveLimits(**json.loads(sys.argv[2]))
try:
    for _ in iter_messages(sys.argv[1], report=report, limits=limits):
        pass
except ExportFormatError as refused:
    error = str(refused)
with open("/proc/self/status") as status:
    peak = next(line for line in status if line.startswith("VmHWM:"))
print(json.dumps({"messages": report.messages, "error": error,
                  "skipped": report.skipped, "peak_mib": int(peak.split()[1]) / 1024}))
"""


def _import(path: Path, **limits: float) -> dict:
    """Import in a fresh process: messages kept, the error if any, peak MiB."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), json.dumps(limits)],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return json.loads(done.stdout)


def test_small_zip_of_one_huge_member_is_refused_or_streamed(tmp_path: Path) -> None:
    archive = crafted_zip(tmp_path / "crafted.zip")
    member = zipfile.ZipFile(archive).infolist()[0]
    assert archive.stat().st_size < 1.2 * MIB and member.file_size >= 150 * MIB
    refused = _import(archive)
    assert refused["error"].startswith(f"{archive}: member {member.filename!r} expands")
    assert refused["error"].endswith("times, more than the limit of 100")
    assert refused["peak_mib"] < BOUND_MIB
    # Allowed to expand, it streams: 138,000 messages, all in one thread.
    read = _import(archive, max_ratio=1000, max_total_ratio=1000)
    assert read["error"] is None and read["messages"] > 130_000
    assert read["peak_mib"] < BOUND_MIB, read


def test_mimical_import_refuses_the_huge_member_in_one_line(tmp_path: Path) -> None:
    archive = crafted_zip(tmp_path / "crafted.zip")
    member = zipfile.ZipFile(archive).infolist()[0]
    done = subprocess.run(
        [str(MIMICAL), "import", str(archive), "-o", str(tmp_path / "m.jsonl")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    ratio = member.file_size / member.compress_size
    assert done.stderr.strip().splitlines() == [
        f"Error: {archive}: member {member.filename!r} expands {ratio:.0f} times, "
        "more than the limit of 100"
    ]
    assert not (tmp_path / "m.jsonl").exists()


@pytest.mark.parametrize(
    ("write", "size"),
    [
        (html_page, 16 * MIB),
        (old_html_page, 16 * MIB),
        (e2ee_chat, 64 * MIB),
        (telegram_account, 32 * MIB),
        (discord_channel, 32 * MIB),
        (whatsapp_chat, 32 * MIB),
    ],
    ids=["facebook-html", "facebook-html-2017", "e2ee", "telegram", "discord",
         "whatsapp"],  # fmt: skip
)
def test_large_file_of_every_format_is_read_within_the_bound(
    tmp_path: Path, write, size: int
) -> None:
    read = _import(write(tmp_path / "export", size))
    assert read["error"] is None and read["messages"] > 30_000
    assert read["peak_mib"] < BOUND_MIB, read


def test_one_gigabyte_export_is_read_within_the_bound(tmp_path: Path) -> None:
    root = facebook_download(tmp_path / "export", 1024 * MIB)
    read = _import(root)
    assert read["error"] is None and read["messages"] > 4_000_000
    assert read["peak_mib"] < BOUND_MIB, read
