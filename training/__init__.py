"""Vocabulary, the character LSTM, its training loop, generation and artifacts.

Knows nothing of where artifacts are stored, of Flask, SQL or S3; loads no pickles.
"""

from training.artifact import (
    ARTIFACT_FORMAT,
    ARTIFACT_VERSION,
    artifact_figures,
    artifact_persona,
    load_model,
    read_artifact,
    read_manifest,
    save_artifact,
)
from training.base import (
    BaseModel,
    BaseModelError,
    load_base_model,
    shared_base_model,
)
from training.config import (
    FINETUNE_SETTINGS,
    ModelConfig,
    TrainConfig,
    auto_model_config,
    persona_train_config,
)
from training.errors import ArtifactError, ConfigError, TrainingError
from training.evaluate import evaluate, format_eval_table
from training.generate import DEFAULT_TEMPERATURE, EMPTY_REPLY, PersonaModel
from training.model import CharLSTM
from training.ngram import KneserNey
from training.progress import TrainProgress, tqdm_progress
from training.rerank import DEFAULT_CANDIDATES, DEFAULT_CONTRAST
from training.sampling import next_token_probs
from training.train import TrainResult, train
from training.vocab import Vocabulary

__all__ = [
    "ARTIFACT_FORMAT",
    "ARTIFACT_VERSION",
    "DEFAULT_CANDIDATES",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_CONTRAST",
    "EMPTY_REPLY",
    "FINETUNE_SETTINGS",
    "ArtifactError",
    "BaseModel",
    "BaseModelError",
    "CharLSTM",
    "KneserNey",
    "ConfigError",
    "ModelConfig",
    "PersonaModel",
    "TrainConfig",
    "TrainProgress",
    "TrainResult",
    "TrainingError",
    "Vocabulary",
    "artifact_figures",
    "artifact_persona",
    "auto_model_config",
    "evaluate",
    "format_eval_table",
    "load_base_model",
    "load_model",
    "next_token_probs",
    "persona_train_config",
    "read_artifact",
    "read_manifest",
    "save_artifact",
    "shared_base_model",
    "tqdm_progress",
    "train",
]
