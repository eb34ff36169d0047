"""Reading an OpenAI chat-completions request into the engine's terms.

`messages` become the conversation: `user` turns are the other speaker,
`assistant` turns the persona, and consecutive messages of one side are one turn
(joined with "\\n", as the corpus joins a sender's consecutive messages).
`system` and `developer` messages are read and left out: a persona follows no
instructions, it only talks like its owner. `max_tokens` (or
`max_completion_tokens`) counts characters, since the model writes characters.
Parameters the model has no use for (`top_p`, `seed`, `presence_penalty`, ...)
are accepted and ignored, as many clients always send them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corpus import Turn
from serving.channels.openai.errors import bad_request
from serving.chat import MAX_CHOICES, MAX_COMPLETION_CHARS, CompletionRequest
from serving.chat.turns import OTHER, PERSONA

MAX_STOPS = 4
MAX_TEMPERATURE = 2.0
SPEAKERS = {"user": False, "assistant": True}
SILENT_ROLES = ("system", "developer")


@dataclass(frozen=True)
class ParsedRequest:
    """The completion to make and how to answer it."""

    completion: CompletionRequest
    stream: bool = False
    include_usage: bool = False


def parse_request(body: Any) -> ParsedRequest:
    """Validate a chat-completions body; an OpenAI-shaped 400 if it is wrong."""
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise bad_request("`model` must name a persona", "model")
    stream = _bool(body, "stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise bad_request("`stream_options` must be an object", "stream_options")
    completion = CompletionRequest(
        persona=model.strip(),
        turns=_turns(body.get("messages")),
        n=_int(body, "n", 1, MAX_CHOICES) or 1,
        temperature=_temperature(body.get("temperature")),
        max_chars=_int(body, "max_completion_tokens", 1, MAX_COMPLETION_CHARS)
        or _int(body, "max_tokens", 1, MAX_COMPLETION_CHARS),
        stop=_stops(body.get("stop")),
    )
    return ParsedRequest(completion, stream, stream and _bool(options, "include_usage"))


def _turns(messages: Any) -> tuple[Turn, ...]:
    if not isinstance(messages, list) or not messages:
        raise bad_request("`messages` must be a non-empty list", "messages")
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        param = f"messages[{index}]"
        if not isinstance(message, dict):
            raise bad_request("each message must be an object", param)
        role = message.get("role")
        if role in SILENT_ROLES:
            continue
        if role not in SPEAKERS:
            raise bad_request(
                "roles must be user, assistant, system or developer", f"{param}.role"
            )
        text = _content(message.get("content"), f"{param}.content")
        if not text:
            continue
        persona = SPEAKERS[role]
        if turns and turns[-1].is_persona == persona:
            turns[-1] = Turn(turns[-1].sender, persona, f"{turns[-1].text}\n{text}")
        else:
            turns.append(Turn(PERSONA if persona else OTHER, persona, text))
    if not turns:
        raise bad_request("`messages` needs a user or assistant message", "messages")
    return tuple(turns)


def _content(content: Any, param: str) -> str:
    """A message's text: a string, or the text parts of a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text":
                raise bad_request("a persona reads text parts only", param)
            if not isinstance(part.get("text"), str):
                raise bad_request("a text part needs a `text` string", param)
            texts.append(part["text"].strip())
        return "\n".join(t for t in texts if t)
    raise bad_request("`content` must be a string or a list of parts", param)


def _bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request(f"`{name}` must be true or false", name)
    return value


def _int(body: dict[str, Any], name: str, lowest: int, highest: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"`{name}` must be a whole number", name)
    if not lowest <= value <= highest:
        raise bad_request(f"`{name}` must be from {lowest} to {highest}", name)
    return value


def _temperature(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request("`temperature` must be a number", "temperature")
    if not 0 <= value <= MAX_TEMPERATURE:
        raise bad_request(
            f"`temperature` must be from 0 to {MAX_TEMPERATURE}", "temperature"
        )
    return float(value)


def _stops(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    stops = [value] if isinstance(value, str) else value
    if (
        not isinstance(stops, list)
        or len(stops) > MAX_STOPS
        or not all(isinstance(s, str) for s in stops)
    ):
        raise bad_request(f"`stop` must be a string or up to {MAX_STOPS}", "stop")
    return tuple(s for s in stops if s)
