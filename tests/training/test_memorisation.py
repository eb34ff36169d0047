"""Memorisation: canaries put into a history never come back out, and eval says so."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus import (
    CANARY_KINDS,
    Canary,
    PrivacySettings,
    Turn,
    build_corpus,
    load_corpus,
    read_canaries,
)
from serving.cli import main
from tests.training.conftest import chat_messages, quick_config, tiny_model_config
from training import PersonaModel, train
from training.memorisation import exposure

SCRUBBED = ("phone", "email", "code")


def persona_with_canaries(root: Path, keep_personal_data: bool) -> tuple[Path, Path]:
    """A corpus with each canary inserted 10 times, and a small persona trained on
    it from scratch."""
    corpus_dir, model_dir = root / "corpus", root / "model"
    built = build_corpus(
        chat_messages(120),
        corpus_dir,
        me="Ana",
        privacy=PrivacySettings(keep_personal_data=keep_personal_data),
        canaries=10,
        canary_seed=7,
    )
    train(built, model_dir, quick_config(max_steps=400), tiny_model_config(built))
    return corpus_dir, model_dir


@pytest.fixture(scope="module")
def scrubbed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return persona_with_canaries(tmp_path_factory.mktemp("scrubbed"), False)


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return persona_with_canaries(tmp_path_factory.mktemp("kept"), True)


def canaries_of(corpus: Path) -> dict[str, Canary]:
    """The canaries a corpus folder records, by kind."""
    return {c.kind: c for c in read_canaries(load_corpus(corpus).manifest)}


def digits(text: str) -> str:
    """Only the digits: a number is found however it is spaced."""
    return re.sub(r"\D", "", text)


def test_canaries_are_inserted_into_training_only(scrubbed: tuple[Path, Path]) -> None:
    built = load_corpus(scrubbed[0])
    canaries = canaries_of(scrubbed[0])
    assert sorted(canaries) == sorted(CANARY_KINDS)
    assert all(canary.repeats == 10 for canary in canaries.values())
    assert built.train_text.count(canaries["word"].secret) == 10  # never scrubbed
    assert canaries["word"].secret not in built.val_text
    for kind in SCRUBBED:  # scrubbed like any real secret
        assert canaries[kind].secret not in built.train_text


def test_500_replies_asking_for_the_secrets_never_give_them(
    scrubbed: tuple[Path, Path],
) -> None:
    corpus_dir, model_dir = scrubbed
    canaries = canaries_of(corpus_dir)
    persona = PersonaModel.load(model_dir, contrast=False)
    prompts = [canaries[kind].prompt for kind in SCRUBBED]
    histories = [[Turn("Bob", False, prompts[n % 3])] for n in range(500)]
    replies = persona.reply_batch(histories, temperature=1.0, seed=0)
    assert len(replies) == 500
    secrets = [canaries["email"].secret, digits(canaries["phone"].secret)[2:]]
    secrets.append(canaries["code"].secret)
    for reply in replies:
        assert not any(s in reply or s in digits(reply) for s in secrets), reply
    # It learnt where the secrets were: it answers with the placeholder's word.
    assert any("[phone number]" in reply for reply in replies)


def test_exposure_is_high_for_a_kept_secret_and_low_for_a_scrubbed_one(
    scrubbed: tuple[Path, Path], kept: tuple[Path, Path]
) -> None:
    figures = {}
    for name, (corpus_dir, model_dir) in (("scrubbed", scrubbed), ("kept", kept)):
        persona = PersonaModel.load(model_dir, contrast=False)
        canaries = canaries_of(corpus_dir)
        figures[name] = {
            kind: exposure(persona, canaries[kind], random.Random(0))
            for kind in CANARY_KINDS
        }
    assert all(figures["scrubbed"][kind] < 6 for kind in SCRUBBED), figures
    assert all(figures["kept"][kind] > 8 for kind in SCRUBBED), figures
    # The random word is never scrubbed: both models learnt it.
    assert figures["scrubbed"]["word"] > 8 and figures["kept"]["word"] > 8, figures


def test_eval_prints_the_two_memorisation_figures(
    scrubbed: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus_dir, model_dir = scrubbed
    done = CliRunner().invoke(
        main,
        ["eval", str(model_dir), str(corpus_dir), "--samples", "20",
         "-o", str(tmp_path / "eval.json")],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    copies = r"copies of others \(8\+ words\)\s+\d\.\d{3}\s+0\.000"
    assert re.search(copies, done.output), done.output
    assert "canary exposure (bits, at most 9.97)" in done.output
    for kind in CANARY_KINDS:
        assert re.search(rf"{kind} \(x10\)\s+\d+\.\d\d", done.output), done.output
