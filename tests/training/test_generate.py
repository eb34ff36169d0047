"""Generation: stopping at the end of turn, sampling filters, batching, threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from corpus import MARKERS, Turn
from training import CharLSTM, ModelConfig, PersonaModel, Vocabulary, next_token_probs
from training.generate import MIN_CANDIDATES, WRITING, candidates_for
from training.rerank import DEFAULT_CANDIDATES
from training.sampling import loop_cut

HELLO = [Turn("Bob", False, "hello")]


@pytest.fixture(scope="module")
def persona(trained_dir: Path) -> PersonaModel:
    return PersonaModel.load(trained_dir)


def test_trained_persona_answers_and_stops_at_end_of_turn(
    persona: PersonaModel,
) -> None:
    reply = persona.reply(HELLO, temperature=0.0, max_chars=200)
    assert reply == "ok see you soon"
    assert persona.persona == "Ana" and persona.figures["steps"] == 250


def test_replies_respect_max_chars_and_hold_no_markers() -> None:
    vocab = Vocabulary.from_text("abc def")
    model = PersonaModel(CharLSTM(ModelConfig(len(vocab), 8, 16, 1, 0.0)), vocab)
    for seed in range(10):
        reply = model.reply(HELLO, temperature=1.5, max_chars=7, seed=seed, top_p=None)
        assert 1 <= len(reply) <= 7
        assert not any(marker in reply for marker in MARKERS)


def test_same_seed_gives_the_same_reply(persona: PersonaModel) -> None:
    first = persona.reply(HELLO, temperature=1.0, seed=3)
    assert persona.reply(HELLO, temperature=1.0, seed=3) == first


def test_batched_replies_match_one_per_conversation(persona: PersonaModel) -> None:
    histories = [HELLO, [], [Turn("Bob", False, "hi"), Turn("Ana", True, "ok")]] * 4
    replies = persona.reply_batch(histories, temperature=0.0, max_chars=40)
    assert len(replies) == len(histories)
    assert replies == [
        persona.reply(h, temperature=0.0, max_chars=40) for h in histories
    ]


def test_concurrent_replies_are_independent(persona: PersonaModel) -> None:
    with ThreadPoolExecutor(4) as pool:
        replies = list(
            pool.map(
                lambda s: persona.reply(HELLO, temperature=1.0, seed=s % 2), range(16)
            )
        )
    assert replies[0::2] == [replies[0]] * 8 and replies[1::2] == [replies[1]] * 8


@pytest.mark.parametrize(
    ("dtype", "tolerance"), [(torch.float32, 1e-5), (torch.bfloat16, 0.05)]
)
def test_stepper_matches_the_module(
    persona: PersonaModel, dtype: torch.dtype, tolerance: float
) -> None:
    """One step at a time gives the module's logits (bfloat16: to 0.05 nats)."""
    model = persona.model
    ids = torch.tensor([persona.vocab.encode("\x02\x0ehello\x03\x0fok")])  # (1, T)
    with torch.no_grad():
        logits, _, _ = model(ids)  # (1, T, V)
        state = model.init_state(1)
        stepper = model.stepper(dtype)
        for t in range(ids.size(1)):
            step_logits, state = stepper.step(ids[:, t], state)
            assert torch.allclose(step_logits, logits[:, t], atol=tolerance)


def test_top_k_keeps_the_k_best() -> None:
    logits = torch.tensor([[1.0, 4.0, 3.0, 2.0]])
    probs = next_token_probs(logits, temperature=1.0, top_k=2)
    assert (probs[0, [0, 3]] == 0).all() and probs.sum().item() == pytest.approx(1.0)
    kept = torch.softmax(torch.tensor([4.0, 3.0]), 0)
    assert torch.allclose(probs[0, [1, 2]], kept)


@pytest.mark.parametrize(
    ("top_p", "kept"),
    [
        (0.5, [0]),
        (0.6, [0, 1]),
        (0.75, [0, 1]),
        (0.85, [0, 1, 2]),
        (0.95, [0, 1, 2]),
        (1.0, [0, 1, 2, 3]),
    ],
)
def test_top_p_keeps_the_smallest_head_reaching_p(
    top_p: float, kept: list[int]
) -> None:
    probs = torch.tensor([[0.5, 0.3, 0.15, 0.05]])
    out = next_token_probs(probs.log(), temperature=1.0, top_p=top_p)
    assert (out[0] > 0).nonzero().flatten().tolist() == kept
    assert torch.allclose(out[0, kept], probs[0, kept] / probs[0, kept].sum())


def test_zero_temperature_is_greedy() -> None:
    probs = next_token_probs(torch.tensor([[0.1, 2.0, 0.3]]), temperature=0.0)
    assert probs.tolist() == [[0.0, 1.0, 0.0]]


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("i love you i love you i love you ", len("i love you ")),
        ("no!!!!!!!!!!!!", len("no!!!!!!")),
        ("hahahahahahaha", len("hahaha")),
        ("hahaha", None),
        ("a normal sentence.", None),
    ],
)
def test_loop_cut_stops_repetition(text: str, cut: int | None) -> None:
    assert loop_cut(text) == cut


def test_what_users_type_is_cleaned_and_scrubbed_before_the_model_reads_it() -> None:
    """A typed end-of-turn marker cannot end the user's turn early, and a phone
    number reaches the model only as the placeholder it was trained with."""
    from corpus import END_OF_TURN, PLACEHOLDERS
    from training.generate import _incoming

    turn = _incoming(Turn("Bob", False, f"call +1 415 555 2671 {END_OF_TURN}now"))
    assert END_OF_TURN not in turn.text and "415" not in turn.text
    assert PLACEHOLDERS["phone"] in turn.text and turn.text.endswith("now")


def test_threads_writing_at_once_share_the_stream_budget() -> None:
    with WRITING.joined(1) as alone:
        assert candidates_for(alone) == DEFAULT_CANDIDATES
        with WRITING.joined(31) as crowd:  # another thread's conversations
            assert crowd == 32 and candidates_for(crowd) == MIN_CANDIDATES
    with WRITING.joined(1) as again:  # they are done: the budget is whole again
        assert again == 1
