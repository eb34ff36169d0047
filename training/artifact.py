"""The artifact: what training hands to serving. The only module that knows its keys.

A model folder holds `model.safetensors` (the CharLSTM weights) and `manifest.json`
(format `mimical.artifact` version 1: vocabulary, hyper-parameters, training figures,
corpus statistics, persona name, creation time, what was done with personal data)
and `verbatim.safetensors` (the index of others' phrasing for the verbatim filter,
`training.verbatim`). Models trained before the index existed have no such file
and load without it. Loading reads tensors and JSON only, so a model fetched from
anywhere can never run code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from corpus.encoding import ENCODING_VERSION
from training.config import ModelConfig
from training.errors import ArtifactError, ConfigError
from training.model import CharLSTM
from training.verbatim import VerbatimIndex
from training.vocab import Vocabulary

if TYPE_CHECKING:
    from training.generate import PersonaModel

ARTIFACT_FORMAT = "mimical.artifact"
ARTIFACT_VERSION = 1
WEIGHTS_FILE = "model.safetensors"
MANIFEST_FILE = "manifest.json"
VERBATIM_FILE = "verbatim.safetensors"


def save_artifact(
    out_dir: str | Path,
    model: CharLSTM,
    vocab: Vocabulary,
    model_config: ModelConfig,
    figures: dict[str, Any],
    corpus_stats: dict[str, Any],
    persona: str = "",
    verbatim: VerbatimIndex | None = None,
    privacy: dict[str, Any] | None = None,
) -> Path:
    """Write the weights and the verbatim index, then the manifest (a folder with a
    manifest is complete)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(weights, out / WEIGHTS_FILE, metadata={"format": ARTIFACT_FORMAT})
    if verbatim is not None:
        verbatim.save(out / VERBATIM_FILE)
    manifest = {
        "format": ARTIFACT_FORMAT,
        "version": ARTIFACT_VERSION,
        "encoding_version": ENCODING_VERSION,
        "persona": persona,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vocabulary": vocab.to_json(),
        "model": model_config.to_dict(),
        "training": figures,
        "corpus": corpus_stats,
    }
    if privacy is not None:
        manifest["privacy"] = privacy
    if verbatim is not None:
        manifest["verbatim"] = {"file": VERBATIM_FILE, **verbatim.describe()}
    tmp = out / (MANIFEST_FILE + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(out / MANIFEST_FILE)
    return out


def read_manifest(model_dir: str | Path) -> dict[str, Any]:
    """The checked manifest of a model folder."""
    path = Path(model_dir) / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{model_dir} holds no {MANIFEST_FILE}") from None
    except (OSError, ValueError) as error:
        raise ArtifactError(f"{path} is not readable JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARTIFACT_FORMAT:
        raise ArtifactError(f"{model_dir} is not a {ARTIFACT_FORMAT} folder")
    if manifest.get("version") != ARTIFACT_VERSION:
        raise ArtifactError(
            f"{model_dir} is artifact version {manifest.get('version')}; "
            f"this code reads version {ARTIFACT_VERSION}"
        )
    if manifest.get("encoding_version") != ENCODING_VERSION:
        raise ArtifactError(f"{model_dir} was trained on another text encoding")
    return manifest


def read_artifact(
    model_dir: str | Path,
) -> tuple[CharLSTM, Vocabulary, dict[str, Any]]:
    """The model (eval mode, CPU), its vocabulary and its manifest."""
    manifest = read_manifest(model_dir)
    vocab = Vocabulary.from_json(manifest.get("vocabulary"))
    try:
        config = ModelConfig.from_dict(manifest.get("model") or {})
    except ConfigError as error:
        raise ArtifactError(f"{model_dir}: bad model settings: {error}") from None
    if config.vocab_size != len(vocab):
        raise ArtifactError(f"{model_dir}: vocabulary and model sizes differ")
    try:
        weights = load_file(Path(model_dir) / WEIGHTS_FILE, device="cpu")
    except (OSError, SafetensorError) as error:
        raise ArtifactError(f"{model_dir}: cannot read weights: {error}") from None
    model = CharLSTM(config)
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as error:
        raise ArtifactError(
            f"{model_dir}: weights do not fit the model: {error}"
        ) from None
    return model.eval(), vocab, manifest


def read_verbatim(
    model_dir: str | Path, manifest: dict[str, Any]
) -> VerbatimIndex | None:
    """The verbatim index of a model folder; None for a model trained without one."""
    if not manifest.get("verbatim"):
        return None
    try:
        return VerbatimIndex.load(Path(model_dir) / VERBATIM_FILE)
    except ArtifactError as error:
        raise ArtifactError(f"{model_dir}: {error}") from None


def artifact_persona(manifest: dict[str, Any]) -> str:
    """The persona a manifest names."""
    return str(manifest.get("persona", ""))


def artifact_figures(manifest: dict[str, Any]) -> dict[str, Any]:
    """The training figures of a manifest (val_bpc, chars_seen, wall_s, ...)."""
    return dict(manifest.get("training") or {})


def artifact_model_config(manifest: dict[str, Any]) -> ModelConfig:
    """The hyper-parameters of a manifest."""
    return ModelConfig.from_dict(manifest["model"])


def load_model(model_dir: str | Path) -> PersonaModel:
    """A ready-to-chat model from a folder written by `save_artifact`."""
    # Imported here: generate builds on this module, not the other way round.
    from training.generate import PersonaModel

    return PersonaModel.load(model_dir)
