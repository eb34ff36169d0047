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


def test_member_larger_than_the_member_limit_is_refused(tmp_path: Path) -> None:
    archive = _export_zip(tmp_path)
    member = "messages/inbox/t_1/message_1.json"
    size = zipfile.ZipFile(archive).getinfo(member).file_size
    limits = ArchiveLimits(max_member_bytes=size - 1)
    with pytest.raises(UnsafeArchiveError) as caught:
        import_export(archive, limits=limits)
    assert str(caught.value) == (
        f"{archive}: member {member!r} is {size} bytes, more than the limit of "
        f"{size - 1} bytes for one file"
    )


def test_archive_expanding_far_past_its_own_size_is_refused(tmp_path: Path) -> None:
    # Each member is under the size where a member's own ratio is checked; all
    # of them together expand some 500 times the archive's size.
    archive = _export_zip(tmp_path)
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as out:
        for number in range(20):
            out.writestr(f"padding/{number}.txt", b" " * 100_000)
    upload = archive.stat().st_size
    with pytest.raises(UnsafeArchiveError) as caught:
        import_export(archive)
    assert str(caught.value) == (
        f"{archive}: expands to more than {max(100 * upload, 1024**2)} bytes, the "
        f"limit for an archive of {upload} bytes"
    )
    messages, _ = import_export(archive, limits=ArchiveLimits(max_total_ratio=1000))
    assert [m.text for m in messages] == ["hi"]


def test_member_with_a_lying_size_is_never_read_past_it(tmp_path: Path) -> None:
    # The header says 1,000 bytes; the member holds 3 MB: reading stops at the
    # declared size, and the cut member is a named error.
    root = tmp_path / "export"
    write_fb_thread(
        root, "t_1", [fb_message("A", T0 + n, "x" * 100) for n in range(20_000)]
    )
    archive = zip_folder(root, tmp_path / "export.zip")
    size = zipfile.ZipFile(archive).infolist()[0].file_size
    data = archive.read_bytes()
    lie = (1000).to_bytes(4, "little")
    local = data.index(b"PK\x03\x04") + 22
    central = data.index(b"PK\x01\x02") + 24
    assert data[local : local + 4] == data[central : central + 4] == size.to_bytes(
        4, "little"
    )
    data = data[:local] + lie + data[local + 4 : central] + lie + data[central + 4 :]
    archive.write_bytes(data)
    with pytest.raises(ExportFormatError, match=r"export\.zip!messages/inbox/t_1"):
        import_export(archive)
