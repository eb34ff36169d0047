"""Zip archives: read like folders, refused when they could hurt us."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from scraper_builders import fb_message, write_fb_thread, zip_folder

from scraper import (
    ArchiveLimits,
    ExportFormatError,
    UnsafeArchiveError,
    import_export,
)

T0 = 1_700_000_000_000


def _export_zip(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    write_fb_thread(root, "t_1", [fb_message("A", T0, "hi")])
    return zip_folder(root, tmp_path / "export.zip")


@pytest.mark.parametrize("name", ["../evil.json", "/etc/evil.json", "a/../../evil"])
def test_zip_with_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    archive = _export_zip(tmp_path)
    with zipfile.ZipFile(archive, "a") as out:
        out.writestr(name, "{}")
    with pytest.raises(UnsafeArchiveError, match="outside the archive"):
        import_export(archive)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = _export_zip(tmp_path)
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as out:
        out.writestr("messages/inbox/t_1/padding.bin", b"\0" * (8 * 1024**2))
    with pytest.raises(UnsafeArchiveError, match="expands .* times"):
        import_export(archive)


def test_zip_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    archive = _export_zip(tmp_path)
    with pytest.raises(UnsafeArchiveError, match="more than 10 bytes"):
        import_export(archive, limits=ArchiveLimits(max_total_bytes=10))
    messages, _ = import_export(archive)  # the default limit lets it through
    assert [m.text for m in messages] == ["hi"]


def test_corrupt_zip_is_a_named_error(tmp_path: Path) -> None:
    archive = _export_zip(tmp_path)
    data = bytearray(archive.read_bytes())
    start = data.index(b"PK\x03\x04") + 30 + len("messages/inbox/t_1/message_1.json")
    data[start : start + 40] = b"\x00" * 40  # damage the compressed stream
    archive.write_bytes(bytes(data))
    with pytest.raises(ExportFormatError, match=r"export\.zip!messages/inbox/t_1"):
        import_export(archive)


def test_truncated_zip_is_a_named_error(tmp_path: Path) -> None:
    archive = _export_zip(tmp_path)
    archive.write_bytes(archive.read_bytes()[:-30])
    with pytest.raises(ExportFormatError, match="export.zip"):
        import_export(archive)
