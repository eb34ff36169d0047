"""The artifact: a round trip, and refusing anything broken."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from training import (
    ArtifactError,
    CharLSTM,
    ModelConfig,
    Vocabulary,
    load_model,
    read_artifact,
    save_artifact,
)


def test_artifact_round_trip_gives_identical_logits(tmp_path: Path) -> None:
    vocab = Vocabulary.from_text("some text to model")
    config = ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_size=16)
    model = CharLSTM(config).eval()
    save_artifact(
        tmp_path,
        model,
        vocab,
        config,
        {"val_bpc": 1.5},
        {"pairs_train": 3},
        persona="Ana",
    )
    loaded, loaded_vocab, manifest = read_artifact(tmp_path)
    idx = torch.tensor([vocab.encode("some text")])
    with torch.no_grad():
        assert torch.equal(model(idx)[0], loaded(idx)[0])
    assert loaded_vocab == vocab
    assert manifest["persona"] == "Ana" and manifest["training"]["val_bpc"] == 1.5
    assert manifest["corpus"] == {"pairs_train": 3}
    assert load_model(tmp_path).persona == "Ana"


def _edit_manifest(key: str, value: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest[key] = value
        (folder / "manifest.json").write_text(json.dumps(manifest))

    return edit


def _truncate_weights(folder: Path) -> None:
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])


def _garble_manifest(folder: Path) -> None:
    (folder / "manifest.json").write_text("{not json")


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "manifest.json").unlink(),
        lambda folder: (folder / "model.safetensors").unlink(),
        _truncate_weights,
        _garble_manifest,
        _edit_manifest("version", 99),
        _edit_manifest("format", "something.else"),
        _edit_manifest("vocabulary", {"chars": "ab"}),
        _edit_manifest("model", {"vocab_size": 3, "hidden_size": 16, "embed_dim": 8}),
        _edit_manifest("model", {"vocab_size": 30, "bogus": 1}),
    ],
)
def test_broken_artifact_raises_artifact_error(
    trained_dir: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(trained_dir, folder)
    damage(folder)
    with pytest.raises(ArtifactError):
        load_model(folder)


def test_missing_folder_raises_artifact_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError):
        load_model(tmp_path / "nowhere")
