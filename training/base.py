"""The shipped base chat model: where personas start, and what reranking compares to.

It is an ordinary artifact (fp16 weights + manifest) inside the package, trained by
`mimical pretrain` on a public corpus of real two-person chats; its manifest says
where the data came from and how it was trained. A persona fine-tuned from it
already writes words and ends its turns; it only has to learn one person's ways.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from training.artifact import (
    ARTIFACT_FORMAT,
    MANIFEST_FILE,
    WEIGHTS_FILE,
    read_artifact,
)
from training.errors import ArtifactError
from training.model import CharLSTM
from training.vocab import Vocabulary

BASE_MODEL_DIR = Path(__file__).resolve().parent / "base_model"


class BaseModelError(ArtifactError):
    """The base model is missing or corrupt, so a persona cannot start from it."""


@dataclass(frozen=True)
class BaseModel:
    """The base model's weights (eval mode, CPU), vocabulary and manifest."""

    model: CharLSTM
    vocab: Vocabulary
    manifest: dict[str, Any]
    path: Path

    @property
    def summary(self) -> dict[str, Any]:
        """What a persona's manifest records of the model it started from."""
        training = self.manifest.get("training") or {}
        return {
            "name": self.manifest.get("persona") or "base",
            "created_at": self.manifest.get("created_at"),
            "val_bpc": training.get("val_bpc"),
            "params": training.get("params"),
            "source": (self.manifest.get("provenance") or {}).get("data"),
        }


def load_base_model(path: str | Path | None = None) -> BaseModel:
    """The base model at `path` (default: the shipped one); BaseModelError if bad."""
    folder = Path(path) if path is not None else BASE_MODEL_DIR
    try:
        model, vocab, manifest = read_artifact(folder)
    except ArtifactError as error:
        raise BaseModelError(
            f"the base model is unusable: {error}. Reinstall mimical-bot, rebuild "
            "it with `mimical pretrain --ship`, or train with --from-scratch"
        ) from None
    return BaseModel(model, vocab, manifest, folder)


_shared: dict[Path, BaseModel] = {}
_shared_lock = threading.Lock()


def shared_base_model(path: str | Path | None = None) -> BaseModel:
    """One read-only base model per process, for reranking every persona's replies."""
    folder = Path(path) if path is not None else BASE_MODEL_DIR
    with _shared_lock:
        if folder not in _shared:
            _shared[folder] = load_base_model(folder)
        return _shared[folder]


def ship_base_model(
    artifact_dir: str | Path,
    provenance: dict[str, Any],
    dest: str | Path = BASE_MODEL_DIR,
) -> Path:
    """Copy a trained artifact into the package in fp16, with its provenance.

    fp16 halves the download and the repository; the weights are cast back to
    fp32 on load, and held-out bits per char move by less than 0.001.
    """
    source, out = Path(artifact_dir), Path(dest)
    model, _vocab, manifest = read_artifact(source)
    out.mkdir(parents=True, exist_ok=True)
    weights = {
        name: tensor.detach().to(torch.float16).contiguous()
        for name, tensor in model.state_dict().items()
    }
    save_file(weights, out / WEIGHTS_FILE, metadata={"format": ARTIFACT_FORMAT})
    manifest = {**manifest, "persona": "base", "provenance": provenance}
    # Its dialogues are public and it never answers anyone itself: no verbatim index.
    manifest.pop("verbatim", None)
    manifest["training"] = {**(manifest.get("training") or {}), "dtype": "float16"}
    tmp = out / (MANIFEST_FILE + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(out / MANIFEST_FILE)
    return out
