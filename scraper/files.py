"""One view of an export's files, whether a folder, a zip or a single file.

Readers see posix names and never touch the disk or the archive directly, so zip
safety is checked once, here, before any reader runs, and again while each member
is read: a member never yields more than its header declared.
"""

from __future__ import annotations

import io
import lzma
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from scraper.errors import ExportFormatError, MalformedExportError, UnsafeArchiveError

# What reading a damaged file or zip member can raise, below our own errors.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
)
_CHUNK = 256 * 1024  # what a member's stream reads from the archive at once


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How far an export may expand, and how much of it an import holds at once.

    The zip limits are checked from the archive's directory before anything is
    read; the memory limits bound every reader, whatever the file.
    """

    max_total_bytes: int = 16 * 1024**3  # the whole archive, uncompressed
    # ... and at most this many times the archive's own size (an upload of 1 MiB
    # cannot become 16 GiB); real exports expand 1-50x, media-heavy ones ~1x.
    max_total_ratio: float = 100.0
    max_member_bytes: int = 4 * 1024**3  # one member, uncompressed
    max_ratio: float = 100.0  # one member; chat text compresses 8-50x, bombs ~1000x
    ratio_floor_bytes: int = 1024**2  # tiny members may compress absurdly, harmlessly
    max_members: int = 2_000_000
    # The longest message (or any one JSON value, HTML block or text line) a
    # reader holds: it holds one at a time, never a file. In characters (bytes
    # for the Telegram and Discord files ijson walks).
    max_message_size: int = 1024**2
    # Bytes of one thread's messages sorted in memory (roughly); a longer thread
    # is sorted in runs spilled to temporary files.
    sort_in_memory: int = 16 * 1024**2


class ExportFiles(Protocol):
    """The files of an export, by posix name relative to what the user gave us."""

    def names(self) -> list[str]:
        """Every file name, sorted."""
        ...

    @property
    def label(self) -> str:
        """The stem of what the user gave us, to name a chat that has no name."""
        ...

    def open(self, name: str) -> IO[bytes]:
        """A binary stream of one file, for readers that stream."""
        ...

    def head(self, name: str, size: int = 65536) -> bytes:
        """The first `size` bytes of one file, to recognise it."""
        ...

    def size(self, name: str) -> int:
        """The (uncompressed) size of one file in bytes."""
        ...

    def where(self, name: str) -> str:
        """How to name the file in an error message."""
        ...


class FolderFiles:
    """A folder on disk, or a single file shown as the only member of its folder."""

    def __init__(self, root: Path, only: str | None = None) -> None:
        self._root = root
        self._only = only

    def names(self) -> list[str]:
        """Every regular file below the root, named from the root's own name down."""
        if self._only is not None:
            return [self._only]
        found = []
        for folder, subfolders, files in os.walk(self._root):
            subfolders.sort()
            relative = Path(folder).relative_to(self._root)
            for file in sorted(files):
                found.append(PurePosixPath(self._root.name, relative, file).as_posix())
        return found

    def _path(self, name: str) -> Path:
        if self._only is not None:
            return self._root / name
        return self._root / PurePosixPath(name).relative_to(self._root.name)

    @property
    def label(self) -> str:
        """The folder's name, or the single file's stem."""
        return Path(self._only).stem if self._only else self._root.name

    def open(self, name: str) -> IO[bytes]:
        """A binary stream of one file."""
        return self._path(name).open("rb")

    def head(self, name: str, size: int = 65536) -> bytes:
        """The first `size` bytes of one file."""
        with self.open(name) as stream:
            return stream.read(size)

    def size(self, name: str) -> int:
        """The size of one file in bytes."""
        return self._path(name).stat().st_size

    def where(self, name: str) -> str:
        """The file's path on disk."""
        return str(self._path(name))


class ZipFiles:
    """A zip archive, checked against `ArchiveLimits` before anything is read."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, limits: ArchiveLimits):
        self._zip = archive
        self._path = path
        self._infos = {
            info.filename: info for info in archive.infolist() if not info.is_dir()
        }
        _check_archive(path, list(self._infos.values()), limits)

    def names(self) -> list[str]:
        """Every file in the archive, sorted."""
        return sorted(self._infos)

    @property
    def label(self) -> str:
        """The archive's stem."""
        return self._path.stem

    def open(self, name: str) -> IO[bytes]:
        """A stream of one member; its reader turns READ_ERRORS into ours."""
        info = self._infos[name]
        member = _Declared(self._zip.open(info), self.where(name), info.file_size)
        return io.BufferedReader(member, buffer_size=_CHUNK)

    def head(self, name: str, size: int = 65536) -> bytes:
        """The first `size` bytes of one member."""
        try:
            with self.open(name) as stream:
                return stream.read(size)
        except READ_ERRORS as error:
            raise MalformedExportError(
                f"{self.where(name)}: damaged zip member ({error})"
            ) from None

    def size(self, name: str) -> int:
        """The uncompressed size the archive declares for one member."""
        return self._infos[name].file_size

    def where(self, name: str) -> str:
        """`archive.zip!member/name`."""
        return f"{self._path}!{name}"


def _check_archive(
    path: Path, infos: list[zipfile.ZipInfo], limits: ArchiveLimits
) -> None:
    """Refuse traversal, zip bombs and members or archives past the limits."""
    if len(infos) > limits.max_members:
        raise UnsafeArchiveError(
            f"{path}: {len(infos)} files, more than the limit of {limits.max_members}"
        )
    upload = path.stat().st_size
    max_total = min(
        limits.max_total_bytes,
        max(limits.ratio_floor_bytes, int(limits.max_total_ratio * upload)),
    )
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise UnsafeArchiveError(
                f"{path}: member {info.filename!r} points outside the archive"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise UnsafeArchiveError(
                f"{path}: member {info.filename!r} expands {ratio:.0f} times, "
                f"more than the limit of {limits.max_ratio:.0f}"
            )
        if info.file_size > limits.max_member_bytes:
            raise UnsafeArchiveError(
                f"{path}: member {info.filename!r} is {info.file_size} bytes, more "
                f"than the limit of {limits.max_member_bytes} bytes for one file"
            )
        total += info.file_size
        if total > max_total:
            raise UnsafeArchiveError(
                f"{path}: expands to more than {max_total} bytes, the limit for an "
                f"archive of {upload} bytes"
            )


class _Declared(io.RawIOBase):
    """A zip member's bytes, refused past the size its header declared.

    The checks above trust the archive's directory; this keeps a lying header
    from getting past them, whatever the zip library does.
    """

    def __init__(self, member: IO[bytes], where: str, declared: int) -> None:
        self._member = member
        self._where = where
        self._left = declared

    def readable(self) -> bool:
        """Always: it is a reading stream."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Fill `buffer` from the member; more than declared is an unsafe archive."""
        data = self._member.read(len(buffer))
        self._left -= len(data)
        if self._left < 0:
            raise UnsafeArchiveError(
                f"{self._where}: holds more than the size its zip header declares"
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the member too."""
        self._member.close()
        super().close()


@contextmanager
def open_export(
    path: str | Path, limits: ArchiveLimits | None = None
) -> Iterator[ExportFiles]:
    """The files of a folder, a zip or a single file, closed when done."""
    path = Path(path)
    if path.is_dir():
        yield FolderFiles(path)
        return
    if not path.is_file():
        raise ExportFormatError(f"{path}: no such file or folder")
    if not zipfile.is_zipfile(path):
        yield FolderFiles(path.parent, only=path.name)
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ExportFormatError(f"{path}: not a readable zip file ({error})") from None
    with archive:
        yield ZipFiles(archive, path, limits or ArchiveLimits())
