"""OpenAPI paths of the chat channels' routes: the web chat and the platforms' hooks.

The WebSocket's frames are documented in `serving/channels/web/connection.py`;
the webhooks' bodies are Meta's documented Messenger Platform events and
Discord's documented interactions.
"""

from __future__ import annotations

from typing import Any

from serving.openapi.common import json_body, text_body

_FORBIDDEN = {"description": "wrong verify token"}

PATHS: dict[str, Any] = {
    "/chat": {
        "get": {
            "summary": "The web chat page",
            "parameters": [
                {
                    "name": "persona",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "open the chat with this persona",
                }
            ],
            "responses": {"200": text_body("text/html", "the page")},
        }
    },
    "/chat/personas": {
        "get": {
            "summary": "The public personas the chat page offers",
            "responses": {
                "200": json_body(
                    {
                        "type": "object",
                        "properties": {
                            "personas": {"type": "array", "items": {"type": "string"}}
                        },
                    },
                    "their names",
                )
            },
        }
    },
    "/chat/ws": {
        "get": {
            "summary": "The web chat's WebSocket (JSON text frames)",
            "parameters": [
                {
                    "name": "persona",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "the widget's persona: the chat is pinned to it",
                }
            ],
            "responses": {
                "101": {"description": "switching to the WebSocket protocol"},
                "403": {"description": "this page may not embed it"},
                "503": {"description": "too many chats open"},
            },
        }
    },
    "/webhooks/messenger": {
        "get": {
            "summary": "Meta's subscription handshake (echoes hub.challenge)",
            "responses": {
                "200": text_body("text/plain", "the challenge"),
                "403": _FORBIDDEN,
            },
        },
        "post": {
            "summary": "Messenger events, signed with X-Hub-Signature-256",
            "responses": {
                "200": text_body("text/plain", "EVENT_RECEIVED"),
                "403": {"description": "missing or wrong signature"},
                "413": {"description": "body too large"},
                "503": {"description": "busy; Meta retries"},
            },
        },
    },
    "/webhooks/discord": {
        "post": {
            "summary": "Discord interactions, signed with X-Signature-Ed25519",
            "responses": {
                "200": json_body(
                    {"type": "object"},
                    "the interaction response: PONG, a deferred message (the "
                    "replies follow) or the password form",
                ),
                "400": {"description": "not JSON, or not an interaction we answer"},
                "401": {"description": "missing or wrong signature"},
                "413": {"description": "body too large"},
            },
        },
    },
    "/static/{filename}": {
        "parameters": [
            {
                "name": "filename",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
        "get": {
            "summary": "Static files: the chat's script and style, widget.js",
            "responses": {
                "200": text_body("application/octet-stream", "the file"),
                "404": {"description": "no such file"},
            },
        },
    },
}
