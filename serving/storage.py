"""Artifact storage: a local folder by default, S3 in production.

Keys are '/'-separated paths such as `personas/3/<artifact id>`; a tree is every file
below a key. Readers only ever see a tree once a persona row points at it, and that
pointer is written after the whole tree is stored.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from serving.config import Config


class StorageError(RuntimeError):
    """The artifact store cannot be reached or holds no such key."""


class Storage(Protocol):
    """What the job, the model cache and deletion need from a store."""

    def put_tree(self, local_dir: Path, key: str) -> None: ...
    def get_tree(self, key: str, local_dir: Path) -> None: ...
    def delete_tree(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


def new_artifact_key(persona_id: int) -> str:
    """A fresh key for one artifact of a persona."""
    return f"personas/{persona_id}/{uuid.uuid4().hex}"


def _check_key(key: str) -> str:
    parts = key.strip("/").split("/")
    if not key.strip("/") or any(part in ("", ".", "..") for part in parts):
        raise StorageError(f"bad storage key {key!r}")
    return "/".join(parts)


class LocalStorage:
    """A folder on this machine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_tree(self, local_dir: Path, key: str) -> None:
        """Copy a folder in, via a temporary name so no half tree is ever visible.

        Folders are 0700 and files 0600: a model holds what someone wrote.
        """
        target = self._path(key)
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.root.chmod(0o700)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copytree(local_dir, staging)
        _make_private(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)

    def get_tree(self, key: str, local_dir: Path) -> None:
        """Copy a stored tree out to `local_dir`."""
        source = self._path(key)
        if not source.is_dir():
            raise StorageError(f"no artifact stored at {key}")
        shutil.copytree(source, local_dir, dirs_exist_ok=True)

    def delete_tree(self, key: str) -> None:
        """Remove a tree; absent is fine."""
        shutil.rmtree(self._path(key), ignore_errors=True)

    def exists(self, key: str) -> bool:
        """Whether a tree is stored at `key`."""
        return self._path(key).is_dir()

    def local_path(self, key: str) -> Path:
        """The folder of a stored tree, readable in place."""
        return self._path(key)


def _make_private(folder: Path) -> None:
    folder.chmod(0o700)
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def open_storage(config: Config) -> Storage:
    """The store named by `MIMICAL_STORAGE_URL` (file:// or s3://)."""
    url = urlparse(config.storage_url)
    if url.scheme == "file":
        return LocalStorage(Path(url.path))
    if url.scheme == "s3":
        from serving.s3_storage import S3Storage

        return S3Storage(url.netloc, url.path.strip("/"), config.s3_endpoint_url)
    raise StorageError(
        "MIMICAL_STORAGE_URL must start with file:// or s3://, "
        f"not {config.storage_url!r}"
    )
