"""The training loop: learning, budgets, checkpoints and resume."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus import Corpus
from training import (
    ModelConfig,
    TrainConfig,
    TrainingError,
    TrainProgress,
    read_manifest,
    train,
)
from training.checkpoint import load_checkpoint

QuickConfig = Callable[..., TrainConfig]
TinyModelConfig = Callable[[Corpus], ModelConfig]


def test_training_lowers_validation_loss(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    reports: list[TrainProgress] = []
    result = train(
        chat_corpus,
        tmp_path,
        quick_config(max_steps=100),
        tiny_model_config(chat_corpus),
        on_progress=reports.append,
    )
    vals = [p["val_bpc"] for p in result.history if "val_bpc" in p]
    assert vals[-1] < 0.5 * vals[0]
    assert result.history[0]["train_bpc"] > 4.0  # about log2(vocab) at the start
    assert result.val_bpc < math.log2(40) / 2  # far below a uniform guess
    assert result.steps == 100 and result.stopped == "max_steps"
    assert result.chars_seen == 100 * 8 * 32
    assert reports[-1].fraction == 1.0 and reports[-1].step == 100
    assert read_manifest(tmp_path)["training"]["val_bpc"] == round(result.val_bpc, 4)
    assert (tmp_path / "checkpoint").is_dir()


def test_time_budget_stops_training(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    config = quick_config(minutes=0.03, max_steps=None, patience=10**6)
    result = train(chat_corpus, tmp_path, config, tiny_model_config(chat_corpus))
    assert result.stopped == "budget"
    assert 1.8 <= result.wall_s < 15  # one step past the budget, on a slow machine too


def test_resume_continues_step_count_and_loss_curve(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    model_config = tiny_model_config(chat_corpus)
    first = train(chat_corpus, tmp_path, quick_config(max_steps=50), model_config)
    second = train(chat_corpus, tmp_path, quick_config(max_steps=100), resume=True)
    assert first.steps == 50 and second.steps == 100
    assert second.chars_seen == 2 * first.chars_seen
    steps = [p["step"] for p in second.history if "train_bpc" in p]
    assert steps == sorted(steps) and steps[0] < 50 < steps[-1]
    # The curve carries on: no jump back to the untrained loss after resuming.
    after = [
        p["train_bpc"] for p in second.history if p["step"] > 50 and "train_bpc" in p
    ]
    assert after[0] < first.history[0]["train_bpc"] - 1.0
    assert second.val_bpc <= first.val_bpc + 0.05


class Interrupted(Exception):
    """Stands for a crash or a Ctrl-C in the middle of a run."""


def test_interrupted_run_resumes_to_the_same_model(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    """Model, optimiser, data position, hidden state and RNG all come back."""
    model_config = tiny_model_config(chat_corpus)
    config = quick_config(max_steps=40, eval_interval=10, checkpoint_seconds=0.0)
    whole = train(chat_corpus, tmp_path / "whole", config, model_config)

    def crash_at_step_23(progress: TrainProgress) -> None:
        if progress.step == 23:
            raise Interrupted

    with pytest.raises(Interrupted):
        train(
            chat_corpus,
            tmp_path / "cut",
            config,
            model_config,
            on_progress=crash_at_step_23,
        )
    assert not (tmp_path / "cut" / "manifest.json").exists()
    resumed = train(chat_corpus, tmp_path / "cut", config, resume=True)
    assert resumed.steps == whole.steps == 40
    assert resumed.val_bpc == pytest.approx(whole.val_bpc, abs=1e-5)
    assert [p["step"] for p in resumed.history] == [p["step"] for p in whole.history]


def test_resume_without_checkpoint_starts_afresh(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    result = train(
        chat_corpus,
        tmp_path,
        quick_config(max_steps=5),
        tiny_model_config(chat_corpus),
        resume=True,
    )
    assert result.steps == 5


def test_checkpoint_holds_json_and_safetensors_only(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    train(
        chat_corpus, tmp_path, quick_config(max_steps=5), tiny_model_config(chat_corpus)
    )
    files = sorted(p.name for p in (tmp_path / "checkpoint").iterdir())
    assert files == ["checkpoint.json", "tensors.safetensors"]
    meta = json.loads((tmp_path / "checkpoint" / "checkpoint.json").read_text())
    assert meta["scalars"]["run"]["step"] == 5
    checkpoint = load_checkpoint(tmp_path)
    assert checkpoint is not None and set(checkpoint.rng) == {"torch", "data"}


def test_too_small_corpus_is_a_training_error(
    tmp_path: Path, quick_config: QuickConfig
) -> None:
    tiny = Corpus("Ana", "\x02\x0fhi\x03", "", [], [], {})
    with pytest.raises(TrainingError, match="training characters"):
        train(tiny, tmp_path, quick_config())


def test_corpus_without_validation_text_holds_back_a_tail(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    corpus = Corpus("Ana", chat_corpus.train_text, "", [], [], {})
    result = train(
        corpus, tmp_path, quick_config(max_steps=10), tiny_model_config(corpus)
    )
    assert math.isfinite(result.val_bpc)


def test_ctrl_c_saves_a_checkpoint_to_resume_from(
    chat_corpus: Corpus,
    tmp_path: Path,
    quick_config: QuickConfig,
    tiny_model_config: TinyModelConfig,
) -> None:
    def press_ctrl_c(progress: TrainProgress) -> None:
        if progress.step == 7:
            raise KeyboardInterrupt

    config = quick_config(max_steps=12)
    with pytest.raises(KeyboardInterrupt):
        train(
            chat_corpus,
            tmp_path,
            config,
            tiny_model_config(chat_corpus),
            on_progress=press_ctrl_c,
        )
    checkpoint = load_checkpoint(tmp_path)
    assert checkpoint is not None and checkpoint.scalars["run"]["step"] == 7
    assert train(chat_corpus, tmp_path, config, resume=True).steps == 12
