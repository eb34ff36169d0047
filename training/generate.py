"""Replying as the persona: prime with the conversation, sample to the end of turn.

One torch thread suits generation best (its steps are too small to split): on a
2-core machine 2 threads were 10-20% slower when idle and up to 8x slower while
other jobs ran. Threads are process-wide, so the process that serves sets them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from corpus import END_OF_TURN, MARKERS, Turn, encode_prompt
from training.artifact import artifact_figures, artifact_persona, read_artifact
from training.model import CharLSTM, State
from training.sampling import loop_cut, next_token_probs
from training.vocab import Vocabulary

EMPTY_REPLY = "…"  # what a persona says when every attempt came out empty
MAX_PROMPT_CHARS = 2000  # an LSTM's memory is shorter; this bounds priming time


class PersonaModel:
    """A trained persona, safe to share between threads (weights are read-only)."""

    def __init__(
        self, model: CharLSTM, vocab: Vocabulary, manifest: dict[str, Any] | None = None
    ) -> None:
        self.model = model.eval()
        self.vocab = vocab
        self.manifest = manifest or {}
        self._stepper = model.stepper()
        self._end = vocab.id(END_OF_TURN)
        self._banned = [vocab.id(m) for m in MARKERS if m != END_OF_TURN]

    @classmethod
    def load(cls, model_dir: str | Path) -> PersonaModel:
        """Load a model folder; ArtifactError if it is missing or corrupt."""
        model, vocab, manifest = read_artifact(model_dir)
        return cls(model, vocab, manifest)

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
        temperature: float = 0.8,
        max_chars: int = 300,
        seed: int | None = None,
        top_k: int | None = None,
        top_p: float | None = 0.95,
        max_turns: int = 6,
    ) -> str:
        """The persona's next turn after `history` (never empty, never with markers)."""
        return self.reply_batch(
            [history], temperature, max_chars, seed, top_k, top_p, max_turns
        )[0]

    def reply_batch(
        self,
        histories: Sequence[Sequence[Turn]],
        temperature: float = 0.8,
        max_chars: int = 300,
        seed: int | None = None,
        top_k: int | None = None,
        top_p: float | None = 0.95,
        max_turns: int = 6,
    ) -> list[str]:
        """One reply per conversation; all advance together, one step per character."""
        if not histories:
            return []
        generator = torch.Generator()
        if seed is None:
            generator.seed()
        else:
            generator.manual_seed(seed)
        replies = [""] * len(histories)
        todo = list(range(len(histories)))
        for _attempt in range(3):  # an empty turn gets two more chances
            prompts = [self._prompt_ids(histories[i], max_turns) for i in todo]
            texts = self._sample(
                prompts, temperature, max_chars, top_k, top_p, generator
            )
            for index, text in zip(todo, texts, strict=True):
                replies[index] = text.strip()
            todo = [i for i in todo if not replies[i]]
            if not todo:
                break
        return [reply or EMPTY_REPLY for reply in replies]

    def _prompt_ids(self, history: Sequence[Turn], max_turns: int) -> list[int]:
        """The encoded conversation, ending on the persona marker."""
        return self.vocab.encode(encode_prompt(history, max_turns))[-MAX_PROMPT_CHARS:]

    @torch.inference_mode()
    def _prime(self, prompts: list[list[int]]) -> tuple[Tensor, State]:
        """Run each prompt through the LSTM; last logits (B, V) and state (L, B, H)."""
        logits, hs, cs = [], [], []
        for ids in prompts:
            out, _, (h, c) = self.model(torch.tensor([ids]))  # out: (1, T, V)
            logits.append(out[0, -1])
            hs.append(h)
            cs.append(c)
        return torch.stack(logits), (torch.cat(hs, dim=1), torch.cat(cs, dim=1))

    @torch.inference_mode()
    def _sample(
        self,
        prompts: list[list[int]],
        temperature: float,
        max_chars: int,
        top_k: int | None,
        top_p: float | None,
        generator: torch.Generator,
    ) -> list[str]:
        """Sample every conversation until END_OF_TURN, a loop, or max_chars."""
        logits, state = self._prime(prompts)  # (B, V), (L, B, H)
        texts = [""] * len(prompts)
        rows = list(range(len(prompts)))  # the conversation of each batch row
        for position in range(max_chars):
            logits[:, self._banned] = float("-inf")  # markers never appear in text
            if position == 0:
                logits[:, self._end] = float("-inf")  # at least one character
            probs = next_token_probs(logits, temperature, top_k, top_p)
            chars = torch.multinomial(probs, 1, generator=generator).squeeze(1)  # (B,)
            keep = []
            for row, (index, char) in enumerate(zip(rows, chars.tolist(), strict=True)):
                if char == self._end:
                    continue
                texts[index] += self.vocab.chars[char]
                cut = loop_cut(texts[index])
                if cut is not None:
                    texts[index] = texts[index][:cut]
                    continue
                keep.append(row)
            if not keep or position == max_chars - 1:
                break
            if len(keep) < len(rows):
                picked = torch.tensor(keep)
                chars = chars[picked]
                state = (state[0][:, picked], state[1][:, picked])
                rows = [rows[row] for row in keep]
            logits, state = self._stepper.step(chars, state)
        return texts
