"""S3Storage against a real S3 server (SeaweedFS enforcing signatures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.config import Config
from serving.s3_storage import S3Storage
from serving.storage import StorageError, open_storage
from tests.servers import S3Server


def _tree(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"format": 1}')
    (folder / "model.safetensors").write_bytes(bytes(range(256)) * 40)
    (folder / "sub" / "notes.txt").write_text("nested")
    return folder


def test_put_get_exists_delete_round_trip(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    storage = S3Storage(s3_bucket, "mimical/test", s3_server.endpoint_url)
    source = _tree(tmp_path / "source")

    storage.put_tree(source, "personas/1/abc")
    storage.get_tree("personas/1/abc", tmp_path / "copy")

    assert storage.exists("personas/1/abc")
    assert not storage.exists("personas/1/ab")  # a prefix of a key is not a key
    for name in ("manifest.json", "model.safetensors", "sub/notes.txt"):
        assert (tmp_path / "copy" / name).read_bytes() == (source / name).read_bytes()
    listed = s3_server.client().list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert sorted(item["Key"] for item in listed) == [
        "mimical/test/personas/1/abc/manifest.json",
        "mimical/test/personas/1/abc/model.safetensors",
        "mimical/test/personas/1/abc/sub/notes.txt",
    ]

    storage.delete_tree("personas/1")

    assert not storage.exists("personas/1/abc")
    assert s3_server.client().list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0
    storage.delete_tree("personas/1")  # absent is fine


def test_open_storage_reads_the_s3_url(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    config = Config(
        home=tmp_path,
        storage_url=f"s3://{s3_bucket}/prefix",
        s3_endpoint_url=s3_server.endpoint_url,
    )

    storage = open_storage(config)

    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == (s3_bucket, "prefix")


@pytest.mark.parametrize("key", ["", "a/../b", "/", "a//b"])
def test_bad_keys_are_refused(s3_server: S3Server, s3_bucket: str, key: str) -> None:
    with pytest.raises(StorageError):
        S3Storage(s3_bucket, "", s3_server.endpoint_url).exists(key)


def test_missing_trees_and_wrong_credentials_raise_storage_error(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = S3Storage(s3_bucket, "", s3_server.endpoint_url)
    with pytest.raises(StorageError, match="nothing stored"):
        storage.get_tree("personas/9/none", tmp_path / "out")

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    refused = S3Storage(s3_bucket, "", s3_server.endpoint_url)
    with pytest.raises(StorageError, match="SignatureDoesNotMatch|AccessDenied"):
        refused.put_tree(_tree(tmp_path / "t"), "personas/1/x")
