"""Choosing the best of several sampled replies.

A character LSTM sampled once often wanders: half-words, a loop, a turn that never
ends. Sampling several candidates for each conversation in one batch and keeping the
best is cheap (one batched pass) and removes most of that. Candidates compete with
those of about the same length as the sound one nearest a length this person
often writes (drawn from their replies' deciles, so replies keep the person's
lengths even where the model rambles); among them the score of a candidate
`r` after prompt `p` is

    score(r) = [log P_persona(r. | p) - contrast * log P_base(r. | p)] / (|r| + 1)

(`r.` is the reply and its end of turn): the persona model's mean log-likelihood
per character, minus a share of the base chat model's. The first term prefers
fluent, finished replies; the second takes away what any chatter would say, so the
reply most like *this* person, and most about *this* prompt, wins (the contrast of
Li et al., "A Diversity-Promoting Objective Function for Neural Conversation
Models", 2016, here per character). Candidates that are empty, unfinished,
looping or parrot the prompt are dropped before scoring, unless nothing else is
left. A candidate that copies a span of someone else's words (`training.verbatim`)
ranks below every other, and is never sent even when it is all there is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from corpus import END_OF_TURN, MARKERS, PERSONA_TURN
from training.model import CharLSTM, fast_autocast
from training.vocab import Vocabulary

DEFAULT_CANDIDATES = 8
DEFAULT_CONTRAST = 0.5
# Candidates compete only with others of about the same length: within this factor
# of the anchor's, the sound candidate nearest a target length drawn from the
# person's own replies (or, without one, the first sound candidate: a plain
# sample). A mean per character is not comparable across lengths (measured:
# best-of-8 by it halves a person's median reply, and favouring length a little
# more makes it 2.6 times too long), and a plain sample rambles where the model
# rarely ends a turn (3.5 times one person's median).
LENGTH_BAND = 1.5
# The base model reads only the end of the conversation: the contrast needs the
# gist of what was said, and a short prompt keeps reranking cheap.
BASE_PROMPT_CHARS = 400


@dataclass(frozen=True)
class Candidate:
    """One sampled reply and what sampling learnt about it."""

    text: str
    log_prob: float  # persona model, natural log, reply characters + end of turn
    finished: bool  # the model wrote end of turn (not cut at the length limit)
    looped: bool = False
    copied: bool = False  # repeats a span of another speaker's training text

    def flaw(self, prompt: str) -> int:
        """0 for a sound reply; higher for worse flaws (empty beats none of them
        but a copy of someone else's words, which must never be sent)."""
        if self.copied:
            return 4
        text = self.text.strip()
        if not text or any(marker in text for marker in MARKERS):
            return 3
        if self.looped or not self.finished:
            return 2
        if text.lower() == prompt.strip().lower():
            return 1
        return 0


class BaseScorer:
    """The base model's log-likelihood of candidate replies, batched per prompt."""

    def __init__(self, model: CharLSTM, vocab: Vocabulary) -> None:
        self.model = model.eval()
        self.vocab = vocab
        self._end = vocab.id(END_OF_TURN)
        self._unknown = -math.log(len(vocab))  # a character it cannot read: uniform

    @torch.inference_mode()
    def log_probs(
        self, prompts: Sequence[str], replies: Sequence[Sequence[str]]
    ) -> list[list[float]]:
        """log P_base(reply + end of turn | prompt) for each prompt's replies.

        Two packed passes in all: the prompts' tails, then every reply.
        """
        ids = [
            self.vocab.encode(prompt)[-BASE_PROMPT_CHARS:]
            or [self.vocab.id(PERSONA_TURN)]
            for prompt in prompts
        ]
        first, (h, c) = self.model.prime(ids)  # (P, V), (L, P, H)
        owner = torch.tensor([p for p, group in enumerate(replies) for _ in group])
        flat = [reply for group in replies for reply in group]
        encoded = [self.vocab.encode(reply) for reply in flat]
        width = max(len(codes) for codes in encoded) + 1
        targets = torch.full((len(flat), width), -1)  # (R, T); -1 pads
        for row, codes in enumerate(encoded):
            targets[row, : len(codes) + 1] = torch.tensor([*codes, self._end])
        scored = first[owner].unsqueeze(1)  # (R, 1, V): each reply's first char
        if width > 1:
            state = (h[:, owner].contiguous(), c[:, owner].contiguous())
            with fast_autocast():
                rest, _, _ = self.model(targets[:, :-1].clamp_min(0), state=state)
            scored = torch.cat([scored, rest.float()], dim=1)  # (R, T, V)
        nats = F.cross_entropy(
            scored.transpose(1, 2), targets, ignore_index=-1, reduction="none"
        ).sum(dim=1)  # (R,)
        values = [
            -float(n) + (len(reply) - len(codes)) * self._unknown
            for n, reply, codes in zip(nats, flat, encoded, strict=True)
        ]
        out, start = [], 0
        for group in replies:
            out.append(values[start : start + len(group)])
            start += len(group)
        return out


def contenders(
    candidates: Sequence[Candidate], prompt: str, target_chars: int | None = None
) -> list[int]:
    """The candidates that may be chosen: those with the fewest flaws and a length
    near the anchor, the one of them nearest `target_chars` (a length the person
    writes), or the first of them (a plain sample) without a target, so the
    reply's length follows the person's habit. Never empty."""
    flaws = [candidate.flaw(prompt) for candidate in candidates]
    fewest = min(flaws)
    sound = [index for index, flaw in enumerate(flaws) if flaw == fewest]
    anchor = _chars(candidates[sound[0]])
    if target_chars is not None and target_chars > 0:
        anchor = min(
            (_chars(candidates[index]) for index in sound),
            key=lambda chars: abs(math.log(chars / (target_chars + 1))),
        )
    return [
        index
        for index in sound
        if max(_chars(candidates[index]), anchor)
        <= LENGTH_BAND * min(_chars(candidates[index]), anchor)
    ]


def pick_best(
    candidates: Sequence[Candidate],
    base_log_probs: Sequence[float] | None,
    prompt: str,
    contrast: float,
    target_chars: int | None = None,
) -> Candidate:
    """The best-scoring of the `contenders`; `base_log_probs` need only hold
    theirs (a lone contender needs none)."""
    among = contenders(candidates, prompt, target_chars)
    return best_of(candidates, among, base_log_probs, contrast)


def best_of(
    candidates: Sequence[Candidate],
    among: Sequence[int],
    base_log_probs: Sequence[float] | None,
    contrast: float,
) -> Candidate:
    """The best-scoring of the candidates at the indices `among` (never empty)."""
    best, best_score = candidates[among[0]], -math.inf
    for index in among:
        candidate = candidates[index]
        log_prob = candidate.log_prob
        if base_log_probs is not None and contrast:
            log_prob -= contrast * base_log_probs[index]
        score = log_prob / _chars(candidate)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _chars(candidate: Candidate) -> int:
    """The characters scored: the reply and, when written, its end of turn."""
    return max(len(candidate.text) + (1 if candidate.finished else 0), 1)
