"""Sampling many candidate replies at once: every stream advances one character a
step through the LSTM's single-step form, until its end of turn, a loop, or the
length limit, and leaves the batch when it is done.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from corpus import END_OF_TURN, MARKERS
from training.model import CharLSTM
from training.rerank import Candidate
from training.sampling import loop_cut, looping_rows, next_token_probs
from training.vocab import Vocabulary

LOOP_CHECK_EVERY = 8  # characters between loop checks of the whole batch


@dataclass(frozen=True)
class Sampling:
    """How one batch of replies is sampled and chosen."""

    temperature: float
    limit: int  # characters at most
    top_k: int | None
    top_p: float | None
    candidates: int
    contrast: float


class CandidateSampler:
    """Samples candidates from one model; read-only, so threads may share it."""

    def __init__(self, model: CharLSTM, vocab: Vocabulary) -> None:
        self.model = model
        self.vocab = vocab
        self._stepper = model.stepper()
        self._end = vocab.id(END_OF_TURN)
        self._banned = [vocab.id(m) for m in MARKERS if m != END_OF_TURN]

    @torch.inference_mode()
    def sample(
        self, prompts: list[list[int]], sampling: Sampling, generator: torch.Generator
    ) -> list[Candidate]:
        """`sampling.candidates` replies per prompt (grouped by prompt), each until
        end of turn, a loop, or the length limit."""
        logits, state = self.model.prime(prompts)  # (P, V), (L, P, H)
        per_prompt, limit = sampling.candidates, sampling.limit
        rows = len(prompts) * per_prompt
        logits = logits.repeat_interleave(per_prompt, dim=0)  # (R, V)
        state = (
            state[0].repeat_interleave(per_prompt, dim=1),
            state[1].repeat_interleave(per_prompt, dim=1),
        )  # (L, R, H) each
        written = torch.zeros((rows, limit), dtype=torch.long)  # (R, limit)
        log_prob = torch.zeros(rows, dtype=torch.float64)
        length = torch.zeros(rows, dtype=torch.long)
        finished = torch.zeros(rows, dtype=torch.bool)
        looped = torch.zeros(rows, dtype=torch.bool)
        active = torch.arange(rows)  # the batch row of each stream still writing
        for position in range(limit):
            logits[:, self._banned] = float("-inf")  # markers never appear in text
            if position == 0:
                logits[:, self._end] = float("-inf")  # at least one character
            probs = next_token_probs(logits, sampling.temperature, sampling.top_k,
                                     sampling.top_p)  # fmt: skip
            chars = torch.multinomial(probs, 1, generator=generator).squeeze(1)  # (A,)
            chosen = torch.log_softmax(logits, dim=-1).gather(1, chars[:, None])
            log_prob[active] += chosen.squeeze(1).double()
            ended = chars == self._end
            written[active, position] = chars
            length[active] = position + (~ended).long()
            finished[active[ended]] = True
            done = ended
            if (position + 1) % LOOP_CHECK_EVERY == 0:
                done = done | self._cut_loops(written, active, ~ended, length, looped)
            if done.all() or position == limit - 1:
                break
            if done.any():
                keep = ~done
                active, chars = active[keep], chars[keep]
                state = (state[0][:, keep], state[1][:, keep])
            logits, state = self._stepper.step(chars, state)
        return [
            Candidate(
                self.vocab.decode(written[row, : length[row]].tolist()),
                float(log_prob[row]),
                bool(finished[row]),
                bool(looped[row]),
            )
            for row in range(rows)
        ]

    def _cut_loops(
        self,
        written: Tensor,
        active: Tensor,
        writing: Tensor,
        length: Tensor,
        looped: Tensor,
    ) -> Tensor:
        """Stop the streams still `writing` that end in a loop, cut to about one
        occurrence; which of `active` stopped (A,)."""
        size = int(length[active[writing]].max()) if bool(writing.any()) else 0
        flags = looping_rows(written[active, :size]) & writing  # (A,)
        for slot in flags.nonzero().flatten().tolist():
            row = int(active[slot])
            cut = loop_cut(self.vocab.decode(written[row, : length[row]].tolist()))
            if cut is None:  # cannot happen: looping_rows and loop_cut agree
                flags[slot] = False
                continue
            length[row] = cut
            looped[row] = True
        return flags


