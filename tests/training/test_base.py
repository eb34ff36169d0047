"""Starting personas from a base chat model: vocabulary, weights, errors, opt-out."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from corpus import Corpus, build_corpus
from corpus.dialogues import build_dialogue_corpus
from tests.training.conftest import chat_messages, quick_config
from training import (
    BaseModelError,
    CharLSTM,
    ModelConfig,
    PersonaModel,
    Vocabulary,
    load_base_model,
    persona_train_config,
    read_manifest,
    train,
)
from training.base import ship_base_model
from training.data import persona_weights
from training.transfer import extended_vocabulary, transplant


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small base model trained on dialogues, shipped like the real one."""
    root = tmp_path_factory.mktemp("base")
    dialogues = build_dialogue_corpus(
        [chat_messages(60)], root / "corpus", val_fraction=0.1
    )
    vocab = Vocabulary.from_text(dialogues.train_text)
    train(
        dialogues,
        root / "model",
        quick_config(max_steps=60),
        model_config=ModelConfig(len(vocab), 16, 48, 1, 0.0),
    )
    return ship_base_model(root / "model", {"data": "test"}, root / "shipped")


@pytest.fixture(scope="module")
def emoji_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Ana's history, where she answers with an emoji the base model never saw."""
    messages = [
        m.__class__(m.thread_id, m.sender, m.sent_at, m.text + " 🙂")
        if m.sender == "Ana"
        else m
        for m in chat_messages(80)
    ]
    return build_corpus(messages, tmp_path_factory.mktemp("emoji"), me="Ana")


def test_new_characters_extend_the_vocabulary_and_keep_known_rows() -> None:
    old = Vocabulary.from_text("abc ")
    model = CharLSTM(ModelConfig(len(old), 8, 16, 1, 0.0)).eval()
    new = extended_vocabulary(old, "abé🙂")
    assert "é" in new and "🙂" in new and len(new) == len(old) + 2
    moved = transplant(model, old, new).eval()
    ids = torch.tensor([old.encode("ab c")])
    with torch.no_grad():
        before, _, _ = model(ids)  # (1, T, V_old)
        after, _, _ = moved(torch.tensor([new.encode("ab c")]))  # (1, T, V_new)
    known = [new.id(char) for char in old.chars]
    assert torch.allclose(after[0][:, known], before[0], atol=1e-6)
    new_rows = [new.id("é"), new.id("🙂")]
    probs = torch.softmax(after[0], dim=-1)  # (T, V_new)
    assert (probs[:, new_rows] < 0.05).all()


def test_persona_starts_from_the_base_model_and_learns_its_emoji(
    tiny_base: Path, emoji_corpus: Corpus, tmp_path: Path
) -> None:
    base = load_base_model(tiny_base)
    assert "🙂" not in base.vocab
    result = train(
        emoji_corpus,
        tmp_path,
        quick_config(max_steps=150, **{"other_weight": 0.5}),
        base=base,
    )
    manifest = read_manifest(tmp_path)
    assert manifest["model"]["hidden_size"] == base.model.config.hidden_size
    assert manifest["training"]["base_model"]["name"] == "base"
    persona = PersonaModel.load(tmp_path, contrast=False)
    assert "🙂" in persona.vocab
    assert persona.reply([], temperature=0.0) == "ok see you soon 🙂"
    assert result.val_bpc < 1.0


def test_base_model_starts_lower_than_random_weights(
    tiny_base: Path, emoji_corpus: Corpus, tmp_path: Path
) -> None:
    """One step in, a persona from the base model already predicts chat better."""
    config = quick_config(max_steps=1, eval_interval=1)
    base = load_base_model(tiny_base)
    warm = train(emoji_corpus, tmp_path / "warm", config, base=base)
    cold = train(emoji_corpus, tmp_path / "cold", config)
    assert warm.val_bpc < cold.val_bpc


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda folder: (folder / "model.safetensors").unlink(), "cannot read"),
        (lambda folder: (folder / "manifest.json").write_text("{"), "not readable"),
        (lambda folder: (folder / "model.safetensors").write_bytes(b"x" * 64), "read"),
    ],
)
def test_a_missing_or_corrupt_base_model_is_a_clear_error(
    tiny_base: Path, tmp_path: Path, damage, message: str
) -> None:
    broken = tmp_path / "base"
    broken.mkdir()
    for name in ("model.safetensors", "manifest.json"):
        (broken / name).write_bytes((tiny_base / name).read_bytes())
    damage(broken)
    with pytest.raises(BaseModelError, match=message) as raised:
        load_base_model(broken)
    assert "--from-scratch" in str(raised.value)
    with pytest.raises(BaseModelError, match="no manifest.json"):
        load_base_model(tmp_path / "nowhere")


def test_the_shipped_base_model_loads_with_its_provenance() -> None:
    base = load_base_model()
    provenance = base.manifest["provenance"]
    assert provenance["data"]["package"] == "chitchat-dataset"
    assert provenance["data"]["licence"] == "MIT"
    assert len(provenance["data"]["sha256"]) == 64
    assert provenance["validation_bpc"] > 0
    assert base.model.config.hidden_size >= 256


def test_persona_weights_count_the_persona_turns_fully() -> None:
    text = "\x02\x0ehi\x03\x0fyo\nok\x03\x0ebye\x03"
    vocab = Vocabulary.from_text(text)
    weights = persona_weights(torch.tensor(vocab.encode(text)), vocab, 0.25)
    persona = text.index("\x0f"), text.index("\x03", text.index("\x0f"))
    expected = [
        1.0 if persona[0] <= i <= persona[1] else 0.25 for i in range(len(text))
    ]
    assert weights.tolist() == expected


def test_fine_tuning_recipe_differs_from_scratch_and_settings_override() -> None:
    tuned = persona_train_config(True, {"minutes": 3})
    scratch = persona_train_config(False, {"minutes": 3})
    assert tuned.learning_rate < scratch.learning_rate
    assert tuned.other_weight < 1.0 == scratch.other_weight
    assert persona_train_config(True, {"other_weight": 1.0}).other_weight == 1.0


def test_a_shipped_base_model_answers_without_a_verbatim_index(
    tiny_base: Path,
) -> None:
    assert "verbatim" not in read_manifest(tiny_base)
    base = PersonaModel.load(tiny_base, contrast=False)
    assert base.verbatim is None and base.reply([], temperature=0.0)
