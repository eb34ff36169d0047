"""The base model's corpus: public dialogues, evaluation people kept out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus import OTHER_TURN, PERSONA_TURN
from corpus.dialogues import build_dialogue_corpus, persona_of
from scraper import chitchat
from serving.cli import main
from training import load_base_model

SPEAKERS = [f"speaker-{n:02d}" for n in range(14)]


def write_dataset(path: Path) -> Path:
    """A dataset.json in chitchat's layout: speaker n writes less than n - 1."""
    start = datetime(2018, 5, 2, tzinfo=UTC)
    data = {}
    for n, first in enumerate(SPEAKERS):
        second = SPEAKERS[(n + 1) % len(SPEAKERS)]
        for k in range(len(SPEAKERS) - n):  # earlier speakers chat more
            turns = []
            for t in range(6):
                sender = (first, second)[t % 2]
                at = start + timedelta(days=n * 30 + k, seconds=40 * t)
                turns.append([{
                    "text": f"{sender} says line {t} of chat {k}, how are you?",
                    "timestamp": at.isoformat().replace("+00:00", "Z"),
                    "sender": sender,
                }])  # fmt: skip
            data[f"conv-{n}-{k}"] = {"messages": turns, "prompt": "", "start": ""}
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "dataset.json")


def test_the_ten_most_prolific_speakers_are_kept_out(dataset: Path) -> None:
    conversations = list(chitchat.read_conversations(dataset))
    held_out = chitchat.evaluation_speakers(conversations)
    # Speaker n >= 1 writes 3 * (29 - 2n) messages, speaker 0 writes 45 (a tie with
    # speaker 7, broken by id).
    assert held_out == [*SPEAKERS[1:7], SPEAKERS[0], *SPEAKERS[7:10]]
    kept = list(chitchat.without_speakers(conversations, held_out))
    assert {c.speakers for c in kept} == {
        frozenset(SPEAKERS[n : n + 2]) for n in (10, 11, 12)
    }


def test_each_dialogue_has_one_persona_and_keeps_both_sides(
    dataset: Path, tmp_path: Path
) -> None:
    conversations = list(chitchat.read_conversations(dataset))
    built = build_dialogue_corpus(
        [c.messages for c in conversations], tmp_path / "corpus", val_fraction=0.1
    )
    assert built.manifest["kind"] == "dialogues"
    for conversation in conversations[:5]:
        persona = persona_of(conversation.id, conversation.speakers)
        assert persona in conversation.speakers
    text = built.train_text + built.val_text
    assert text.count(PERSONA_TURN) and text.count(OTHER_TURN)
    assert built.train_pairs and built.val_pairs


def test_malformed_dataset_is_a_named_error(tmp_path: Path) -> None:
    broken = tmp_path / "dataset.json"
    broken.write_text('{"c": {"messages": [[{"text": "hi"}]]}}')
    with pytest.raises(chitchat.MalformedExportError, match="chitchat layout"):
        list(chitchat.read_conversations(broken))


def test_pretrain_ships_a_base_model_that_names_its_data(
    dataset: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        ["pretrain", "--dataset", str(dataset), "-o", str(tmp_path / "work"),
         "--max-steps", "3", "--hidden", "32", "--ship",
         "--ship-dir", str(tmp_path / "base")],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "left out:" in result.output and "shipped ->" in result.output
    corpus_text = (tmp_path / "work" / "corpus" / "train.txt").read_text()
    for speaker in chitchat.evaluation_speakers(chitchat.read_conversations(dataset)):
        assert speaker not in corpus_text
    base = load_base_model(tmp_path / "base")
    data = base.manifest["provenance"]["data"]
    assert data["package"] == "chitchat-dataset" and data["version"] == "0.9.0"
    assert data["sha256"] == chitchat.sha256_of(dataset)
    assert "10 most prolific" in data["excluded"]
    assert base.manifest["provenance"]["training"]["steps"] == 3
    assert base.manifest["training"]["dtype"] == "float16"
