"""Artifacts in S3 (any S3 API: AWS, SeaweedFS, MinIO) through boto3.

A tree is every object under `prefix/key/`. Trees are written under fresh keys and
a persona row points at one only after `put_tree` returns, so readers never see a
half-written artifact; `manifest.json` (and, for checkpoints, `checkpoint.json`)
is uploaded last all the same, for any reader that polls. Credentials come the
usual boto3 way (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, profiles, roles).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from serving.storage import StorageError, _check_key

# Files that mark a tree complete: uploaded after every other file.
_WRITTEN_LAST = ("manifest.json", "checkpoint.json", "corpus.json")
_S3_ERRORS = (BotoCoreError, ClientError, Boto3Error)
_DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes


class S3Storage:
    """A bucket and a key prefix."""

    def __init__(
        self, bucket: str, prefix: str = "", endpoint_url: str | None = None
    ) -> None:
        if not bucket:
            raise StorageError("MIMICAL_STORAGE_URL needs a bucket: s3://BUCKET/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        # A session of its own: credentials are read now, not cached process-wide.
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            config=BotoConfig(
                retries={"max_attempts": 5, "mode": "standard"},
                s3={"addressing_style": "path"} if endpoint_url else {},
            ),
        )

    def _key(self, key: str) -> str:
        key = _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _keys_under(self, key: str) -> list[str]:
        folder = self._key(key) + "/"
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=folder):
                keys.extend(item["Key"] for item in page.get("Contents", []))
        except _S3_ERRORS as error:
            raise StorageError(
                f"cannot list s3://{self.bucket}/{folder}: {error}"
            ) from error
        return keys

    def put_tree(self, local_dir: Path, key: str) -> None:
        """Upload every file below `local_dir`, the completion markers last."""
        base = self._key(key)
        files = sorted(p for p in Path(local_dir).rglob("*") if p.is_file())
        files.sort(key=lambda p: p.name in _WRITTEN_LAST)
        try:
            for path in files:
                name = path.relative_to(local_dir).as_posix()
                self.client.upload_file(str(path), self.bucket, f"{base}/{name}")
        except _S3_ERRORS as error:
            raise StorageError(
                f"cannot upload to s3://{self.bucket}/{base}: {error}"
            ) from error

    def get_tree(self, key: str, local_dir: Path) -> None:
        """Download a stored tree into `local_dir`."""
        folder = self._key(key) + "/"
        keys = self._keys_under(key)
        if not keys:
            raise StorageError(f"nothing stored at {key}")
        try:
            for object_key in keys:
                relative = object_key[len(folder) :]
                target = Path(local_dir) / _check_key(relative)
                target.parent.mkdir(parents=True, exist_ok=True)
                self.client.download_file(self.bucket, object_key, str(target))
        except _S3_ERRORS as error:
            raise StorageError(
                f"cannot download s3://{self.bucket}/{folder}: {error}"
            ) from error

    def delete_tree(self, key: str) -> None:
        """Delete every object under `key`; absent is fine."""
        keys = self._keys_under(key)
        try:
            for start in range(0, len(keys), _DELETE_BATCH):
                batch = keys[start : start + _DELETE_BATCH]
                self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
        except _S3_ERRORS as error:
            raise StorageError(
                f"cannot delete s3://{self.bucket}/{key}: {error}"
            ) from error

    def exists(self, key: str) -> bool:
        """Whether any object is stored under `key`."""
        folder = self._key(key) + "/"
        try:
            answer = self.client.list_objects_v2(
                Bucket=self.bucket, Prefix=folder, MaxKeys=1
            )
        except _S3_ERRORS as error:
            raise StorageError(
                f"cannot list s3://{self.bucket}/{folder}: {error}"
            ) from error
        return bool(answer.get("KeyCount", 0))
