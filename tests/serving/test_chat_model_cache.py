"""The model cache the chat engine loads personas through."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from serving.model_cache import ModelCache, model_bytes
from serving.storage import LocalStorage, StorageError
from tests.serving.channels.tiny_persona import tiny_artifact


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))


class CopyingStorage:
    """A store that is not a local folder to read in place (as S3 is not)."""

    def __init__(self, root: Path) -> None:
        self.inner = LocalStorage(root)
        self.downloads = 0

    def put_tree(self, local_dir: Path, key: str) -> None:
        self.inner.put_tree(local_dir, key)

    def get_tree(self, key: str, local_dir: Path) -> None:
        self.downloads += 1
        self.inner.get_tree(key, local_dir)

    def delete_tree(self, key: str) -> None:
        self.inner.delete_tree(key)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)


@pytest.fixture
def storage(tmp_path: Path, artifact: Path) -> CopyingStorage:
    store = CopyingStorage(tmp_path / "store")
    for key in ("personas/1/a", "personas/2/b", "personas/3/c"):
        store.put_tree(artifact, key)
    return store


def test_many_threads_asking_at_once_load_once(
    storage: CopyingStorage, tmp_path: Path
) -> None:
    cache = ModelCache(storage, tmp_path / "cache")  # type: ignore[arg-type]
    start = threading.Barrier(8)
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(cache.get("personas/1/a"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 8 and all(model is got[0] for model in got)
    assert (cache.misses, cache.hits, storage.downloads) == (1, 7, 1)


def test_least_recently_used_is_evicted_by_memory(
    storage: CopyingStorage, tmp_path: Path
) -> None:
    probe = ModelCache(storage, tmp_path / "probe")  # type: ignore[arg-type]
    size = model_bytes(probe.get("personas/1/a"))
    cache = ModelCache(storage, tmp_path / "cache", max_bytes=2 * size)  # type: ignore[arg-type]
    first = cache.get("personas/1/a")
    cache.get("personas/2/b")
    assert cache.get("personas/1/a") is first  # touched: now the most recent
    cache.get("personas/3/c")  # over budget: b, the least recently used, goes
    assert "personas/1/a" in cache and "personas/3/c" in cache
    assert "personas/2/b" not in cache
    assert cache.total_bytes() <= 2 * size
    # A download is kept on disk, so an evicted model reloads without fetching.
    cache.get("personas/2/b")
    assert storage.downloads == 4  # probe a, then a, b, c once each


def test_a_missing_artifact_is_an_error_every_time(
    storage: CopyingStorage, tmp_path: Path
) -> None:
    cache = ModelCache(storage, tmp_path / "cache")  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(StorageError):
            cache.get("personas/9/missing")
    assert len(cache) == 0
    assert not list((tmp_path / "cache").rglob("*.tmp"))
