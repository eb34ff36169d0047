"""The vocabulary and the configuration dataclasses."""

from __future__ import annotations

import pytest

from corpus import MARKERS
from training import (
    ArtifactError,
    ConfigError,
    ModelConfig,
    TrainConfig,
    Vocabulary,
    auto_model_config,
)


def test_vocabulary_round_trips_text_and_json() -> None:
    vocab = Vocabulary.from_text("hello wörld 👋")
    assert vocab.decode(vocab.encode("hello 👋")) == "hello 👋"
    assert all(marker in vocab for marker in MARKERS)
    assert Vocabulary.from_json(vocab.to_json()) == vocab


def test_vocabulary_drops_unknown_characters() -> None:
    vocab = Vocabulary.from_text("abc")
    assert vocab.decode(vocab.encode("a-b-c-d")) == "abc"


@pytest.mark.parametrize("record", [None, {}, {"chars": "ba"}, {"chars": "aab"}])
def test_vocabulary_refuses_bad_records(record: object) -> None:
    with pytest.raises(ArtifactError):
        Vocabulary.from_json(record)


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (TrainConfig, {"batch_sise": 8}),
        (TrainConfig, {"minutes": "two"}),
        (TrainConfig, {"max_steps": 1.5}),
        (TrainConfig, {"minutes": None, "max_steps": None}),
        (ModelConfig, {"vocab_size": 10, "hidden": 5}),
        (ModelConfig, {"hidden_size": 5}),
        (ModelConfig, {"vocab_size": 10, "dropout": 1.0}),
    ],
)
def test_config_refuses_unknown_keys_and_bad_values(cls: type, data: dict) -> None:
    with pytest.raises(ConfigError):
        cls.from_dict(data)


def test_config_round_trips_through_a_dict() -> None:
    config = TrainConfig.from_dict({"minutes": 1, "batch_size": 4})
    assert config.minutes == 1.0
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_auto_model_grows_with_the_corpus() -> None:
    sizes = [
        auto_model_config(chars, 80).hidden_size
        for chars in (5_000, 250_000, 5_000_000)
    ]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
