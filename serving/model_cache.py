"""Persona models in memory: loaded from storage on first use, least used evicted.

Many requests asking for one model at the same moment load it once; the cache is
safe across threads.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

from serving.storage import LocalStorage, Storage
from training import PersonaModel

DEFAULT_MAX_BYTES = 1 << 30


class ModelCache:
    """Artifact key → loaded `PersonaModel`, bounded by the models' memory."""

    def __init__(
        self, storage: Storage, download_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.storage = storage
        self.download_dir = download_dir
        self.max_bytes = max_bytes
        self._models: OrderedDict[str, PersonaModel] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, artifact_key: str) -> PersonaModel:
        """The model stored at `artifact_key`, loading it if needed."""
        with self._lock:
            model = self._models.get(artifact_key)
            if model is not None:
                self._models.move_to_end(artifact_key)
                self.hits += 1
                return model
            key_lock = self._loading.setdefault(artifact_key, threading.Lock())
        with key_lock:  # one loader per key; the others wait and then hit
            with self._lock:
                model = self._models.get(artifact_key)
                if model is not None:
                    self.hits += 1
                    return model
            try:
                model = PersonaModel.load(self._fetch(artifact_key))
            except BaseException:
                with self._lock:
                    self._loading.pop(artifact_key, None)
                raise
            with self._lock:  # publish and release in one step: no second loader
                self.misses += 1
                self._models[artifact_key] = model
                self._loading.pop(artifact_key, None)
                self._evict()
            return model

    def forget(self, artifact_key: str) -> None:
        """Drop a model, e.g. when its persona is deleted."""
        with self._lock:
            self._models.pop(artifact_key, None)

    def _fetch(self, artifact_key: str) -> Path:
        if isinstance(self.storage, LocalStorage):
            return self.storage.local_path(artifact_key)
        local = self.download_dir / artifact_key
        if not (local / "manifest.json").exists():
            # Download beside it and rename, so another process sharing this folder
            # never reads a half-written tree.
            staging = local.with_name(f".{local.name}.{uuid.uuid4().hex}.tmp")
            try:
                self.storage.get_tree(artifact_key, staging)
                local.parent.mkdir(parents=True, exist_ok=True)
                try:
                    staging.rename(local)
                except OSError:  # another process got there first
                    pass
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return local

    def _evict(self) -> None:
        """Drop least recently used models until under budget (keep the newest)."""
        while len(self._models) > 1 and self.total_bytes() > self.max_bytes:
            self._models.popitem(last=False)

    def total_bytes(self) -> int:
        """Memory held by the cached models' parameters."""
        return sum(model_bytes(model) for model in self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, artifact_key: object) -> bool:
        with self._lock:
            return artifact_key in self._models


def model_bytes(model: PersonaModel) -> int:
    """Bytes held by a model's weights (what eviction budgets for)."""
    return sum(p.numel() * p.element_size() for p in model.model.parameters())
