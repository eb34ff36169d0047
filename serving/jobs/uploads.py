"""Uploaded exports in flight: saved for the job, fetched by it, deleted after it.

An upload is saved under `$MIMICAL_HOME/uploads/<id>/`. With a local artifact folder
the job reads it there. With S3 the job may run on another machine, so the upload is
also put into the store under `uploads/<id>` and the local copy dropped; the worker
fetches it into its own `$MIMICAL_HOME/uploads/<id>/`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import IO, Any

from werkzeug.utils import secure_filename

from serving.config import Config
from serving.storage import LocalStorage, Storage

COPY_CHUNK = 1 << 20


class UploadError(ValueError):
    """The uploaded file cannot be used as an export."""


def uploads_dir(config: Config) -> Path:
    """Where uploads wait for their job."""
    return config.home / "uploads"


def stash_upload(
    config: Config, storage: Storage, stream: IO[bytes], filename: str
) -> dict[str, Any]:
    """Save an uploaded export; return the job-source fields that find it again."""
    name = secure_filename(filename or "") or "export"
    upload_id = uuid.uuid4().hex
    folder = uploads_dir(config) / upload_id
    folder.mkdir(parents=True, mode=0o700)
    target = folder / name
    # Owner-only: an export is someone's private messages.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        shutil.copyfileobj(stream, out, COPY_CHUNK)
    if target.stat().st_size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadError("the uploaded export is empty")
    fields: dict[str, Any] = {"upload_id": upload_id, "filename": name}
    if not isinstance(storage, LocalStorage):
        storage.put_tree(folder, f"uploads/{upload_id}")
        shutil.rmtree(folder, ignore_errors=True)
        fields["upload_key"] = f"uploads/{upload_id}"
    return fields


def uploads_used_bytes(config: Config) -> int:
    """How much disk the uploads waiting for their jobs take here."""
    folder = uploads_dir(config)
    if not folder.is_dir():
        return 0
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def fetch_upload(config: Config, storage: Storage, source: dict[str, Any]) -> Path:
    """The uploaded export on this machine, downloaded from the store if needed."""
    folder = uploads_dir(config) / source["upload_id"]
    path = folder / source["filename"]
    if not path.exists() and source.get("upload_key"):
        storage.get_tree(source["upload_key"], folder)
    if not path.exists():
        raise UploadError(
            "the uploaded export is no longer here (it is deleted after its job); "
            "upload it again"
        )
    return path


def discard_upload(config: Config, storage: Storage, source: dict[str, Any]) -> None:
    """Delete an upload here and in the store."""
    upload_id = source.get("upload_id")
    if not upload_id:
        return
    shutil.rmtree(uploads_dir(config) / upload_id, ignore_errors=True)
    if source.get("upload_key"):
        storage.delete_tree(source["upload_key"])


def upload_available(config: Config, storage: Storage, source: dict[str, Any]) -> bool:
    """Whether a job source's export can still be read (kept, or a path on disk)."""
    if source.get("upload_id"):
        local = uploads_dir(config) / source["upload_id"] / source.get("filename", "")
        key = source.get("upload_key")
        return local.is_file() or bool(key and storage.exists(key))
    path = source.get("path")
    return bool(path) and Path(path).exists()
