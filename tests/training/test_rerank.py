"""Reranking: several candidates a conversation, the best one by a documented score."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from corpus import END_OF_TURN, Turn, encode_prompt
from training import CharLSTM, ModelConfig, PersonaModel, Vocabulary
from training.generate import (
    DEFAULT_REPLY_LIMIT,
    reply_length_limit,
    reply_length_targets,
)
from training.rerank import BaseScorer, Candidate, contenders, pick_best

HELLO = [Turn("Bob", False, "hello")]


@pytest.fixture(scope="module")
def persona(trained_dir: Path) -> PersonaModel:
    return PersonaModel.load(trained_dir, contrast=False)


@pytest.fixture(scope="module")
def scorer() -> BaseScorer:
    vocab = Vocabulary.from_text("abc hello ok see you soon")
    torch.manual_seed(0)
    return BaseScorer(CharLSTM(ModelConfig(len(vocab), 8, 16, 2, 0.0)), vocab)


def test_flawed_candidates_lose_to_a_sound_one_whatever_their_likelihood() -> None:
    candidates = [
        Candidate("ha ha ha ha", log_prob=-1.0, finished=False, looped=True),
        Candidate("I was going to", log_prob=-2.0, finished=False),
        Candidate("hello", log_prob=-3.0, finished=True),  # parrots the prompt
        Candidate("", log_prob=-0.1, finished=True),
        Candidate("fine and you?", log_prob=-30.0, finished=True),
    ]
    assert pick_best(candidates, None, "Hello", contrast=0.0).text == "fine and you?"


def test_only_flawed_candidates_still_give_the_least_flawed() -> None:
    candidates = [
        Candidate("", log_prob=-0.1, finished=True),
        Candidate("I was going to", log_prob=-20.0, finished=False),
    ]
    assert pick_best(candidates, None, "hi", contrast=0.5).text == "I was going to"


def test_contrast_with_the_base_model_prefers_the_persona_specific_reply() -> None:
    generic = Candidate("okay", log_prob=-5.0, finished=True)  # -1.0 a char
    personal = Candidate("yeet", log_prob=-7.5, finished=True)  # -1.5 a char
    base = [-5.0, -20.0]  # the base model finds "yeet" unlikely, "okay" likely
    assert pick_best([generic, personal], base, "hi", contrast=0.0) is generic
    assert pick_best([generic, personal], base, "hi", contrast=0.5) is personal


def test_the_reply_keeps_the_length_of_a_plain_sample() -> None:
    short = Candidate("lol", log_prob=-6.0, finished=True)  # the first: a sample
    rambling = Candidate("yeah i think so too and then we went", log_prob=-20.0,
                         finished=True)  # fmt: skip
    also_short = Candidate("haha", log_prob=-4.0, finished=True)
    candidates = [short, rambling, also_short]
    # Per character the long one is likelier, but it is not what this sample said.
    assert pick_best(candidates, None, "hi", contrast=0.0) is also_short
    assert pick_best([rambling, short], None, "hi", contrast=0.0) is rambling


def test_the_reply_keeps_a_length_the_person_writes() -> None:
    """A plain sample that rambles is not the anchor when the person writes short."""
    rambling = Candidate("yeah i think so too and then we went", log_prob=-20.0,
                         finished=True)  # fmt: skip
    short = Candidate("lol", log_prob=-6.0, finished=True)
    also_short = Candidate("haha", log_prob=-4.0, finished=True)
    long_again = Candidate("no way, that is the best thing i heard", log_prob=-9.0,
                           finished=True)  # fmt: skip
    candidates = [rambling, short, also_short, long_again]
    assert pick_best(candidates, None, "hi", 0.0, target_chars=4) is also_short
    assert pick_best(candidates, None, "hi", 0.0, target_chars=40) is long_again
    assert pick_best(candidates, None, "hi", 0.0) is long_again  # the sample's band
    # Only those in the band are scored against the base model.
    assert contenders(candidates, "hi", target_chars=4) == [1, 2]
    assert pick_best(candidates, [math.nan, -9.0, -9.0, math.nan], "hi", 0.5,
                     target_chars=4) is also_short  # fmt: skip


def test_length_targets_come_from_the_persona_corpus() -> None:
    deciles = [3, 8, 12, 20, 31, 45, 60, 88, 130, 240]
    manifest = {"corpus": {"reply_chars_deciles": deciles}}
    assert reply_length_targets(manifest) == deciles
    assert reply_length_targets({"corpus": {"reply_chars_p99": 40}}) == []
    vocab = Vocabulary.from_text("abc def")
    model = CharLSTM(ModelConfig(len(vocab), 8, 16, 1, 0.0))
    persona = PersonaModel(model, vocab, manifest)
    first = persona.reply_batch([HELLO] * 4, temperature=1.5, seed=3)
    assert first == persona.reply_batch([HELLO] * 4, temperature=1.5, seed=3)


def test_base_scorer_matches_one_forward_pass(scorer: BaseScorer) -> None:
    prompt = encode_prompt(HELLO)
    replies = ["ok see you", "abc", "ok zz"]  # "zz": a character it cannot read
    got = scorer.log_probs([prompt], [replies])[0]
    for reply, log_prob in zip(replies, got, strict=True):
        known = "".join(c for c in reply if c in scorer.vocab)
        ids = scorer.vocab.encode(prompt + known + END_OF_TURN)
        with torch.no_grad():
            logits, _, _ = scorer.model(torch.tensor([ids[:-1]]))  # (1, T, V)
        tail = len(known) + 1
        expected = -F.cross_entropy(
            logits[0, -tail:], torch.tensor(ids[-tail:]), reduction="sum"
        ).item()
        expected += (len(reply) - len(known)) * -torch.log(
            torch.tensor(float(len(scorer.vocab)))
        ).item()
        assert log_prob == pytest.approx(expected, rel=0.01)  # bfloat16 on AMX


@pytest.mark.parametrize("candidates", [1, 8])
def test_reranked_replies_are_the_same_under_a_seed(
    persona: PersonaModel, candidates: int
) -> None:
    first = persona.reply(HELLO, temperature=1.3, seed=7, candidates=candidates)
    again = persona.reply(HELLO, temperature=1.3, seed=7, candidates=candidates)
    assert first == again
    batch = persona.reply_batch([HELLO, HELLO], temperature=1.3, seed=7,
                                candidates=candidates)  # fmt: skip
    assert batch == persona.reply_batch([HELLO, HELLO], temperature=1.3, seed=7,
                                        candidates=candidates)  # fmt: skip


def test_more_candidates_give_the_learnt_reply_more_often(
    persona: PersonaModel,
) -> None:
    """Sampled hot, one try often wanders; the best of eight rarely does."""

    def hits(candidates: int) -> int:
        replies = [
            persona.reply(HELLO, temperature=1.6, seed=s, candidates=candidates)
            for s in range(24)
        ]
        return sum(reply == "ok see you soon" for reply in replies)

    assert hits(8) > hits(1)
    assert hits(8) >= 20


def test_reply_length_follows_the_persona_habit() -> None:
    assert reply_length_limit({"corpus": {"reply_chars_p99": 40}}) == 50
    assert reply_length_limit({"corpus": {"reply_chars_p99": 4}}) == 40
    assert reply_length_limit({}) == DEFAULT_REPLY_LIMIT
    vocab = Vocabulary.from_text("abc def")
    model = CharLSTM(ModelConfig(len(vocab), 8, 16, 1, 0.0))
    short = PersonaModel(model, vocab, {"corpus": {"reply_chars_p99": 48}})
    replies = short.reply_batch([HELLO] * 8, temperature=2.0, seed=1, top_p=None)
    assert all(len(reply) <= 60 for reply in replies)
    capped = short.reply_batch([HELLO] * 8, temperature=2.0, seed=1, max_chars=5)
    assert all(len(reply) <= 5 for reply in capped)
