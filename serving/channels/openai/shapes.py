"""The answers of the /v1 routes, shaped as OpenAI's chat-completions API answers.

A persona's turn of several messages is one completion, its messages joined with
"\\n". Streamed, each message is one chunk (the model writes a whole turn before
anything is sent, so there is nothing finer to stream), then the chunk that says
why the turn ended, an optional usage chunk, and `data: [DONE]`. Usage counts
characters, like `max_tokens`.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Sequence
from typing import Any

from serving.chat import Completion, CompletionRequest, PersonaCard

OWNER = "mimical"


def model_list(cards: Sequence[PersonaCard]) -> dict[str, Any]:
    """`GET /v1/models`: one model per persona."""
    return {
        "object": "list",
        "data": [
            {
                "id": card.name,
                "object": "model",
                "created": int(card.created_at.timestamp()),
                "owned_by": OWNER,
            }
            for card in cards
        ],
    }


class Answer:
    """One request's completions, as a JSON body or as server-sent events."""

    def __init__(
        self, persona: str, request: CompletionRequest, completions: list[Completion]
    ) -> None:
        self.persona = persona
        self.request = request
        self.completions = completions
        self.id = f"chatcmpl-{secrets.token_hex(12)}"
        self.created = int(time.time())

    def usage(self) -> dict[str, int]:
        """Characters read and written."""
        prompt = sum(len(turn.text) for turn in self.request.turns)
        written = sum(len(completion.text) for completion in self.completions)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": written,
            "total_tokens": prompt + written,
        }

    def body(self) -> dict[str, Any]:
        """The whole answer (`stream` false)."""
        return {
            **self._head("chat.completion"),
            "choices": [
                {
                    "index": index,
                    "message": {"role": "assistant", "content": completion.text},
                    "logprobs": None,
                    "finish_reason": completion.finish_reason,
                }
                for index, completion in enumerate(self.completions)
            ],
            "usage": self.usage(),
        }

    def events(self, include_usage: bool = False) -> Iterator[str]:
        """The answer as server-sent events (`stream` true)."""
        for index, completion in enumerate(self.completions):
            yield self._chunk(index, {"role": "assistant", "content": ""})
            for number, message in enumerate(completion.messages):
                text = f"\n{message}" if number else message
                yield self._chunk(index, {"content": text})
            yield self._chunk(index, {}, completion.finish_reason)
        if include_usage:
            yield _event({**self._chunk_head(), "choices": [], "usage": self.usage()})
        yield "data: [DONE]\n\n"

    def _head(self, kind: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": kind,
            "created": self.created,
            "model": self.persona,
        }

    def _chunk_head(self) -> dict[str, Any]:
        return self._head("chat.completion.chunk")

    def _chunk(
        self, index: int, delta: dict[str, str], finish_reason: str | None = None
    ) -> str:
        choice = {
            "index": index,
            "delta": delta,
            "logprobs": None,
            "finish_reason": finish_reason,
        }
        return _event({**self._chunk_head(), "choices": [choice]})


def _event(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"
