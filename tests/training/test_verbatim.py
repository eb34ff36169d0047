"""The verbatim filter: friends' words never come out of a persona as they were."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from corpus import (
    CONVERSATION_START,
    END_OF_TURN,
    OTHER_TURN,
    PERSONA_TURN,
    Corpus,
    Message,
    Turn,
    build_corpus,
)
from tests.training.conftest import quick_config, tiny_model_config
from training import ArtifactError, PersonaModel, read_manifest, train
from training.rerank import Candidate, pick_best
from training.verbatim import SPAN_WORDS, VerbatimIndex

SECRET = "meet me behind the old mill at five with the money"
FRIEND_TEXT = (
    CONVERSATION_START
    + f"{OTHER_TURN}hey! {SECRET}, ok?{END_OF_TURN}"
    + f"{PERSONA_TURN}i always say the same eight words in a row here{END_OF_TURN}"
    + f"{OTHER_TURN}short one{END_OF_TURN}"
)


@pytest.mark.parametrize(
    ("reply", "copies"),
    [
        (SECRET, True),
        ("Meet me BEHIND the old mill, at five!", True),  # case and punctuation
        ("ok: meet me behind the old mill at five", True),
        ("meet me behind the old mill at", False),  # 7 words: under the span
        ("i always say the same eight words in a row here", False),  # the persona's
        ("short one hey meet me behind the old", False),  # across turns
        ("", False),
    ],
)
def test_a_reply_copies_when_it_repeats_eight_words_of_another_speaker(
    reply: str, copies: bool
) -> None:
    index = VerbatimIndex.from_training_text(FRIEND_TEXT)
    assert SPAN_WORDS == 8
    assert index.copies([reply]) == [copies]


def test_the_index_round_trips_through_its_file(tmp_path: Path) -> None:
    index = VerbatimIndex.from_training_text(FRIEND_TEXT)
    index.save(tmp_path / "verbatim.safetensors")
    loaded = VerbatimIndex.load(tmp_path / "verbatim.safetensors")
    assert len(loaded) == len(index) == 6  # 13 words: 6 spans of 8
    assert loaded.copies([SECRET, "hello"]) == [True, False]
    (tmp_path / "bad.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ArtifactError):
        VerbatimIndex.load(tmp_path / "bad.safetensors")


def test_a_copy_loses_to_every_other_candidate_even_an_empty_one() -> None:
    copy = Candidate(SECRET, log_prob=-0.1, finished=True, copied=True)
    empty = Candidate("", log_prob=-9.0, finished=True)
    assert pick_best([copy, empty], None, "hi", contrast=0.0) is empty


def copying_messages(conversations: int = 120) -> list[Message]:
    """Bob says the secret; Ana repeats it word for word in 3 of 5 conversations."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    messages = []
    for n in range(conversations):
        when = start + timedelta(hours=2 * n)
        answer = SECRET if n % 5 < 3 else "ok see you soon"
        thread = f"t{n % 7}"
        messages.append(Message(thread, "Bob", when, SECRET))
        messages.append(Message(thread, "Ana", when + timedelta(minutes=1), answer))
    return messages


@pytest.fixture(scope="module")
def copying_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(copying_messages(), tmp_path_factory.mktemp("c"), me="Ana")


@pytest.fixture(scope="module")
def copier_dir(
    copying_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A persona that learnt to repeat its friend's sentence."""
    out = tmp_path_factory.mktemp("copier")
    config = quick_config(max_steps=250)
    train(copying_corpus, out, config, tiny_model_config(copying_corpus))
    return out


def test_the_index_is_stored_with_the_artifact(copier_dir: Path) -> None:
    manifest = read_manifest(copier_dir)
    assert manifest["verbatim"]["file"] == "verbatim.safetensors"
    assert manifest["verbatim"]["span_words"] == 8
    assert manifest["verbatim"]["shingles"] == 4  # the secret: 11 words
    assert (copier_dir / "verbatim.safetensors").exists()
    assert manifest["privacy"]["personal_data"] == "replaced"


def test_a_persona_never_sends_its_friends_words(copier_dir: Path) -> None:
    persona = PersonaModel.load(copier_dir, contrast=False)
    histories = [[Turn("Bob", False, SECRET)]] * 40
    unfiltered = PersonaModel(persona.model, persona.vocab, persona.manifest)
    raw = unfiltered.reply_batch(histories, temperature=1.0, seed=1, candidates=1)
    assert sum(SECRET in reply for reply in raw) >= 10  # it did learn to copy
    served = persona.reply_batch(histories, temperature=1.0, seed=1)
    assert not any(persona.verbatim.copies(served))  # type: ignore[union-attr]
    assert "ok see you soon" in served


def test_a_persona_with_nothing_but_copies_says_so_without_copying(
    copier_dir: Path,
) -> None:
    persona = PersonaModel.load(copier_dir, contrast=False)
    persona.verbatim = VerbatimIndex.from_texts([SECRET, "ok see you soon"], 3)
    reply = persona.reply([Turn("Bob", False, SECRET)], temperature=0.5, seed=0)
    assert reply == "…"


def test_a_model_trained_before_the_index_loads_without_it(
    copier_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    shutil.copytree(copier_dir, old)
    (old / "verbatim.safetensors").unlink()
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["verbatim"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    persona = PersonaModel.load(old, contrast=False)
    assert persona.verbatim is None
    assert persona.reply([Turn("Bob", False, "hi")], seed=0)
    (copier_dir / "verbatim.safetensors").rename(tmp_path / "gone")
    try:
        with pytest.raises(ArtifactError, match="verbatim"):
            PersonaModel.load(copier_dir, contrast=False)
    finally:
        (tmp_path / "gone").rename(copier_dir / "verbatim.safetensors")
