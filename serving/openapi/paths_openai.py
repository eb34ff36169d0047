"""OpenAPI paths of the OpenAI-compatible routes, with OpenAI-shaped errors.

The request and answer bodies follow OpenAI's chat-completions API; only what a
persona reads is described. `max_tokens` counts characters.
"""

from __future__ import annotations

from typing import Any

from serving.chat import MAX_CHOICES, MAX_COMPLETION_CHARS
from serving.openapi.common import json_body

_OPENAI_ERROR = {"$ref": "#/components/schemas/OpenAIError"}
_KEY = [{}, {"apiKey": []}]  # anonymous for open personas, or a key


def _error(description: str) -> dict[str, Any]:
    return json_body(_OPENAI_ERROR, description)


SCHEMAS: dict[str, Any] = {
    "OpenAIError": {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                    "param": {"type": ["string", "null"]},
                    "code": {"type": ["string", "null"]},
                },
            }
        },
    },
}
_MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "properties": {
        "role": {"enum": ["user", "assistant", "system", "developer"]},
        "content": {
            "description": "a string, or a list of text parts",
            "oneOf": [{"type": "string"}, {"type": "array"}],
        },
    },
}
_COMPLETION_BODY = {
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        "model": {"type": "string", "description": "the persona's name"},
        "messages": {
            "type": "array",
            "items": _MESSAGE,
            "description": "user: the other speaker; assistant: the persona; "
            "system and developer messages are left out",
        },
        "stream": {"type": "boolean"},
        "stream_options": {
            "type": "object",
            "properties": {"include_usage": {"type": "boolean"}},
        },
        "n": {"type": "integer", "minimum": 1, "maximum": MAX_CHOICES},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "max_tokens": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_COMPLETION_CHARS,
            "description": "in characters (the model writes characters)",
        },
        "max_completion_tokens": {"type": "integer", "description": "as max_tokens"},
        "stop": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "maxItems": 4},
            ]
        },
    },
}
_REFUSALS = {
    "401": _error("an API key we do not know"),
    "429": _error("rate limit reached; see Retry-After"),
}

PATHS: dict[str, Any] = {
    "/v1/models": {
        "get": {
            "summary": "The personas this caller may use, as OpenAI models",
            "security": _KEY,
            "responses": {
                "200": json_body({"type": "object"}, "a list of models"),
                **_REFUSALS,
            },
        }
    },
    "/v1/chat/completions": {
        "post": {
            "summary": "The persona's next turn after the conversation",
            "security": _KEY,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _COMPLETION_BODY}},
            },
            "responses": {
                "200": {
                    "description": "a chat.completion, or chat.completion.chunk "
                    "events when streaming; a turn's messages joined with newlines",
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "text/event-stream": {"schema": {"type": "string"}},
                    },
                },
                "400": _error("the body is malformed"),
                "404": _error("no such persona, or not open to this caller"),
                "503": _error("the persona is still being built"),
                **_REFUSALS,
            },
        }
    },
}
