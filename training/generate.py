"""Replying as the persona: prime with the conversation, sample to the end of turn.

One torch thread suits generation best (its steps are too small to split): on a
2-core machine 2 threads were 10-20% slower when idle and up to 8x slower while
other jobs ran. Threads are process-wide, so the process that serves sets them.

Two rules hold for every reply sent: a candidate that copies a span of someone
else's words (`training.verbatim`) is never chosen, and a placeholder the model
writes for scrubbed personal data is shown as a neutral word ("[phone number]").
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from corpus import Turn, clean_text, encode_prompt, render_placeholders
from corpus.scrub import scrub_text
from training.artifact import (
    artifact_figures,
    artifact_persona,
    read_artifact,
    read_verbatim,
)
from training.base import BaseModelError, shared_base_model
from training.model import CharLSTM
from training.rerank import (
    DEFAULT_CANDIDATES,
    DEFAULT_CONTRAST,
    BaseScorer,
    Candidate,
    best_of,
    contenders,
)
from training.sampler import CandidateSampler, Sampling
from training.verbatim import VerbatimIndex
from training.vocab import Vocabulary

log = logging.getLogger(__name__)

EMPTY_REPLY = "…"  # what a persona says when every attempt came out empty
MAX_PROMPT_CHARS = 2000  # an LSTM's memory is shorter; this bounds priming time
# Turns of the conversation a reply is primed with: the one it answers (all the
# messages the other person sent since the persona spoke). Reading the prompt costs
# as much as writing the reply, and older turns barely help a char-LSTM: held-out
# reply bits/char of chitchat's five evaluation people given the last 1, 2, 3 or 6
# turns are 1.6594, 1.6583, 1.6579 and 1.6577, for prompts of 104, 198, 300 and 492
# characters (`python bench/bench_fidelity.py`, "turns of context").
CONTEXT_TURNS = 1
# Sampling temperature. Sampled cooler, a persona spells better than its person: at
# 0.8 one person's persona wrote 0.045 more real words than they do (the fidelity
# goal allows 0.04); at 0.9 the five personas are 0.010-0.023 above their people,
# with authorship 1.01x that of the real replies (`python bench/bench_fidelity.py`;
# README, "Fidelity").
DEFAULT_TEMPERATURE = 0.9
DEFAULT_REPLY_LIMIT = 300  # for models whose corpus did not record reply lengths
STREAM_BUDGET = 64  # sampled streams a batch, shared out as candidates
MIN_CANDIDATES = 2


class Crowd:
    """How many conversations this process is writing replies for right now.

    Threads of one server (gunicorn's, the web chat's) each write their own reply;
    they share the CPU, so they share the stream budget too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writing = 0

    @contextmanager
    def joined(self, conversations: int) -> Iterator[int]:
        """Count these conversations in while the block runs; the crowd's size."""
        with self._lock:
            self._writing += conversations
            size = self._writing
        try:
            yield size
        finally:
            with self._lock:
                self._writing -= conversations


WRITING = Crowd()


def candidates_for(conversations: int) -> int:
    """Candidates a reply when `conversations` are answered together.

    A step's cost grows with the streams it samples, so a fixed budget of streams
    a batch keeps a loaded server's latency bounded: one conversation gets the
    full DEFAULT_CANDIDATES, a crowd at least MIN_CANDIDATES each (README,
    "Figures": the webhook benchmark).
    """
    return max(MIN_CANDIDATES, min(DEFAULT_CANDIDATES, STREAM_BUDGET // conversations))


def reply_length_targets(manifest: dict[str, Any]) -> list[int]:
    """Lengths this persona's replies are chosen near, one drawn a reply: the
    deciles of its corpus's replies ([] for a model trained before they were kept,
    which then keeps the length of a plain sample)."""
    stats = manifest.get("corpus") or {}
    deciles = stats.get("reply_chars_deciles") if isinstance(stats, dict) else None
    if not isinstance(deciles, list):
        return []
    return [int(n) for n in deciles if isinstance(n, int | float) and n > 0]


def reply_length_limit(manifest: dict[str, Any]) -> int:
    """The longest reply this persona writes: a little over its corpus's 99th
    percentile, so a reply follows the person's habit instead of a fixed cap."""
    stats = manifest.get("corpus") or {}
    p99 = stats.get("reply_chars_p99") if isinstance(stats, dict) else None
    if not isinstance(p99, int | float) or p99 <= 0:
        return DEFAULT_REPLY_LIMIT
    return max(40, min(2000, round(1.25 * p99)))


class PersonaModel:
    """A trained persona, safe to share between threads (weights are read-only)."""

    def __init__(
        self,
        model: CharLSTM,
        vocab: Vocabulary,
        manifest: dict[str, Any] | None = None,
        scorer: BaseScorer | None = None,
        verbatim: VerbatimIndex | None = None,
    ) -> None:
        self.model = model.eval()
        self.vocab = vocab
        self.manifest = manifest or {}
        self.scorer = scorer
        self.verbatim = verbatim  # None: a model trained before the filter existed
        self.length_limit = reply_length_limit(self.manifest)
        self.length_targets = reply_length_targets(self.manifest)
        self._sampler = CandidateSampler(model, vocab)

    @classmethod
    def load(cls, model_dir: str | Path, contrast: bool = True) -> PersonaModel:
        """Load a model folder; ArtifactError if it is missing or corrupt.

        With `contrast`, replies are reranked against the shipped base model (one
        copy per process); without a usable base model they are reranked on the
        persona's own likelihood alone.
        """
        model, vocab, manifest = read_artifact(model_dir)
        verbatim = read_verbatim(model_dir, manifest)
        scorer = None
        if contrast:
            try:
                base = shared_base_model()
                scorer = BaseScorer(base.model, base.vocab)
            except BaseModelError as error:
                log.warning("reranking without the base model: %s", error)
        return cls(model, vocab, manifest, scorer, verbatim)

    @property
    def persona(self) -> str:
        """The persona's name, as the corpus named it."""
        return artifact_persona(self.manifest)

    @property
    def figures(self) -> dict[str, Any]:
        """Training figures: val_bpc, chars_seen, wall_s, steps, ..."""
        return artifact_figures(self.manifest)

    def reply(
        self,
        history: Sequence[Turn],
        temperature: float = DEFAULT_TEMPERATURE,
        max_chars: int | None = None,
        seed: int | None = None,
        top_k: int | None = None,
        top_p: float | None = 0.95,
        max_turns: int = CONTEXT_TURNS,
        candidates: int | None = None,
        contrast: float = DEFAULT_CONTRAST,
    ) -> str:
        """The persona's next turn after `history` (never empty, never with markers).

        Its messages, if it is several, are separated by newlines.
        """
        return self.reply_batch(
            [history],
            temperature,
            max_chars,
            seed,
            top_k,
            top_p,
            max_turns,
            candidates,
            contrast,
        )[0]

    def reply_batch(
        self,
        histories: Sequence[Sequence[Turn]],
        temperature: float = DEFAULT_TEMPERATURE,
        max_chars: int | None = None,
        seed: int | None = None,
        top_k: int | None = None,
        top_p: float | None = 0.95,
        max_turns: int = CONTEXT_TURNS,
        candidates: int | None = None,
        contrast: float = DEFAULT_CONTRAST,
    ) -> list[str]:
        """One reply per conversation: `candidates` samples each, all advancing
        together one character a step, then the best of each by `rerank`'s score.

        `max_chars` caps the length below the persona's own habit. `candidates`
        None spends a fixed budget of sampled streams on all the conversations the
        process is writing for at once, in this call and other threads' (see
        `candidates_for`): a busy server writes fewer candidates a reply.
        """
        if not histories:
            return []
        generator = torch.Generator()
        if seed is None:
            generator.seed()
        else:
            generator.manual_seed(seed)
        limit = self.length_limit if max_chars is None else max_chars
        with WRITING.joined(len(histories)) as crowd:
            if candidates is None:
                candidates = candidates_for(crowd)
            return self._write(
                histories,
                generator,
                Sampling(
                    temperature,
                    max(1, min(limit, self.length_limit)),
                    top_k,
                    top_p,
                    max(1, candidates),
                    contrast,
                ),
                max_turns,
            )

    def _write(
        self,
        histories: Sequence[Sequence[Turn]],
        generator: torch.Generator,
        sampling: Sampling,
        max_turns: int,
    ) -> list[str]:
        """The replies, a conversation with only empty candidates tried again."""
        prompts = [
            encode_prompt([_incoming(turn) for turn in history], max_turns)
            for history in histories
        ]
        replies = [""] * len(histories)
        todo = list(range(len(histories)))
        for _attempt in range(3):  # a conversation with only empty replies retries
            chosen = self._replies(
                [prompts[i] for i in todo],
                [histories[i][-1].text if histories[i] else "" for i in todo],
                sampling,
                generator,
            )
            for index, text in zip(todo, chosen, strict=True):
                replies[index] = text
            todo = [i for i in todo if not replies[i]]
            if not todo:
                break
        return [reply or EMPTY_REPLY for reply in replies]

    def _replies(
        self,
        prompts: list[str],
        last_messages: list[str],
        sampling: Sampling,
        generator: torch.Generator,
    ) -> list[str]:
        """Sample candidates for every prompt and keep each prompt's best."""
        ids = [self.vocab.encode(prompt)[-MAX_PROMPT_CHARS:] for prompt in prompts]
        sampled = self._mark_copies(self._sampler.sample(ids, sampling, generator))
        size = sampling.candidates
        groups = [sampled[i * size : (i + 1) * size] for i in range(len(prompts))]
        targets = self._length_targets(len(prompts), sampling.limit, generator)
        among = [
            contenders(group, last, target)
            for group, last, target in zip(groups, last_messages, targets, strict=True)
        ]
        base = self._base_scores(prompts, groups, among, sampling)
        return [
            _sendable(best_of(group, chosen, scores, sampling.contrast))
            for group, chosen, scores in zip(groups, among, base, strict=True)
        ]

    def _base_scores(
        self,
        prompts: list[str],
        groups: list[list[Candidate]],
        among: list[list[int]],
        sampling: Sampling,
    ) -> list[list[float] | None]:
        """The base model's log-likelihood of each conversation's contenders
        (`among`; NaN for the others); None where there is no contest to score.
        Scoring only contenders halved the share of a busy webhook's CPU spent
        scoring (18% to 9% in a profile of `bench/bench_webhook.py`)."""
        scores: list[list[float] | None] = [None] * len(prompts)
        if self.scorer is None or not sampling.contrast:
            return scores
        contests = {i: chosen for i, chosen in enumerate(among) if len(chosen) > 1}
        if not contests:
            return scores
        replies = [
            [groups[index][i].text for i in chosen]
            for index, chosen in contests.items()
        ]
        values = self.scorer.log_probs([prompts[index] for index in contests], replies)
        for (index, chosen), contest in zip(contests.items(), values, strict=True):
            full = [math.nan] * len(groups[index])
            for position, value in zip(chosen, contest, strict=True):
                full[position] = value
            scores[index] = full
        return scores

    def _length_targets(
        self, count: int, limit: int, generator: torch.Generator
    ) -> list[int | None]:
        """A length for each reply, drawn from the person's own (within `limit`)."""
        if not self.length_targets:
            return [None] * count
        picks = torch.randint(len(self.length_targets), (count,), generator=generator)
        return [min(limit, self.length_targets[int(i)]) for i in picks]

    def _mark_copies(self, candidates: list[Candidate]) -> list[Candidate]:
        """The candidates, those that copy someone else's words marked as such."""
        if self.verbatim is None:
            return candidates
        flags = self.verbatim.copies([candidate.text for candidate in candidates])
        return [
            replace(candidate, copied=True) if copied else candidate
            for candidate, copied in zip(candidates, flags, strict=True)
        ]


def _incoming(turn: Turn) -> Turn:
    """A turn as the model may read it: cleaned like the corpus (no raw markers or
    placeholders a user could type) and scrubbed, as the training text was."""
    return replace(turn, text=scrub_text(clean_text(turn.text)))


def _sendable(chosen: Candidate) -> str:
    """The text a chosen candidate may be sent as: nothing for a copy (the caller
    samples again), placeholders as their neutral words."""
    return "" if chosen.copied else render_placeholders(chosen.text.strip())
