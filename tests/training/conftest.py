"""Fixtures: small corpora and a model trained on them once per session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from corpus import Corpus, Message, build_corpus, load_corpus
from training import ModelConfig, TrainConfig, Vocabulary, train

GREETINGS = ["hi", "hello", "hey you", "good morning", "yo"]


def chat_messages(conversations: int = 120) -> list[Message]:
    """Conversations where Ana always answers the same way: easy to learn."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    messages = []
    for n in range(conversations):
        when = start + timedelta(hours=2 * n)
        other = GREETINGS[n % len(GREETINGS)]
        messages.append(Message(f"t{n % 7}", "Bob", when, other))
        messages.append(
            Message(f"t{n % 7}", "Ana", when + timedelta(minutes=1), "ok see you soon")
        )
    return messages


def tiny_model_config(corpus: Corpus, hidden: int = 48) -> ModelConfig:
    """A model small enough to train in a few seconds."""
    vocab = Vocabulary.from_text(corpus.train_text)
    return ModelConfig(
        vocab_size=len(vocab),
        embed_dim=16,
        hidden_size=hidden,
        num_layers=1,
        dropout=0.0,
    )


def quick_config(**changes: object) -> TrainConfig:
    """A step-bounded run: fast and the same on every machine."""
    settings: dict[str, object] = {
        "batch_size": 8,
        "seq_len": 32,
        "learning_rate": 1e-2,
        "minutes": None,
        "max_steps": 150,
        "eval_interval": 25,
        "warmup_steps": 5,
        "seed": 0,
        "num_threads": 1,  # tiny models: threads only add overhead
        "checkpoint_seconds": 3600.0,
    }
    settings.update(changes)
    return TrainConfig.from_dict(settings)


@pytest.fixture(name="quick_config")
def quick_config_fixture() -> Callable[..., TrainConfig]:
    """`quick_config(**changes)`: a fast, step-bounded TrainConfig."""
    return quick_config


@pytest.fixture(name="tiny_model_config")
def tiny_model_config_fixture() -> Callable[..., ModelConfig]:
    """`tiny_model_config(corpus)`: a model that trains in seconds."""
    return tiny_model_config


@pytest.fixture(scope="session")
def chat_corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder built from the repetitive chat."""
    folder = tmp_path_factory.mktemp("corpus")
    build_corpus(chat_messages(), folder, me="Ana")
    return folder


@pytest.fixture(scope="session")
def chat_corpus(chat_corpus_dir: Path) -> Corpus:
    """The chat corpus, loaded."""
    return load_corpus(chat_corpus_dir)


@pytest.fixture(scope="session")
def trained_dir(chat_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder trained for a few seconds on the chat corpus."""
    out = tmp_path_factory.mktemp("model")
    train(chat_corpus, out, quick_config(max_steps=250), tiny_model_config(chat_corpus))
    return out
