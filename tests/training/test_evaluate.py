"""Evaluation: the Kneser-Ney baseline and the figures of `evaluate`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from training.evaluate import evaluate, format_eval_table
from training.ngram import KneserNey
from training.style import style_stats, word_overlap

TEXT = "the cat sat on the mat. the dog sat on the log. " * 20


@pytest.mark.parametrize("order", [1, 3, 5])
@pytest.mark.parametrize("history", ["", "th", "the c", "zzzz", "og. t"])
def test_kneser_ney_is_a_distribution(order: int, history: str) -> None:
    alphabet = sorted(set(TEXT) | {"z", "#"})
    model = KneserNey(TEXT, order, vocab_size=len(alphabet))
    total = sum(model.prob(history, char) for char in alphabet)
    assert total == pytest.approx(1.0, abs=1e-9)
    assert all(model.prob(history, char) > 0 for char in alphabet)


def test_kneser_ney_beats_uniform_and_lower_orders() -> None:
    held_out = [("", "the cat sat on the log. the dog sat on the mat.")]
    vocab = len(set(TEXT)) + 5
    bpcs = [
        KneserNey(TEXT, order, vocab).bits_per_char(held_out) for order in (1, 3, 5)
    ]
    assert all(math.isfinite(b) for b in bpcs)
    assert bpcs[0] < math.log2(vocab) and bpcs[2] < bpcs[1] < bpcs[0]


def test_style_counts_what_people_notice() -> None:
    stats = style_stats(["Hello there!", "ok :)", "see you 👋"])
    assert stats["replies"] == 3
    assert stats["starts_upper"] == pytest.approx(1 / 3)
    assert stats["emoticon_rate"] == pytest.approx(1 / 3)
    assert stats["emoji_rate"] == pytest.approx(1 / 3)
    assert stats["exclaim_rate"] == pytest.approx(1 / 3)
    assert word_overlap(["hello you", "bye"], ["Hello", "you there"]) == pytest.approx(
        2 / 3
    )


def test_evaluate_runs_on_a_tiny_model(
    trained_dir: Path, chat_corpus_dir: Path
) -> None:
    result = evaluate(trained_dir, chat_corpus_dir, n_samples=5)
    assert result["persona"] == "Ana" and result["pairs_scored"] > 0
    assert result["ngram_bpc"] < result["uniform_bpc"]
    assert result["model_bpc"] < result["uniform_bpc"]
    assert result["style"]["generated"]["replies"] == min(5, result["pairs_scored"])
    json.dumps(result)  # JSON-ready as it is
    table = format_eval_table(result)
    assert "KN 5-gram baseline" in table and "word_overlap" in table
