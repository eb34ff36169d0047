"""Payloads as Discord sends them: interactions to the endpoint, gateway messages."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from tests.standins.discord_api import APPLICATION_ID


def interaction(
    kind: int,
    data: dict[str, Any],
    channel_id: str,
    user_id: str,
    guild_id: str | None = None,
) -> dict[str, Any]:
    """An interaction as Discord sends it (`member` in servers, `user` in DMs)."""
    person = {
        "id": user_id,
        "username": f"user{user_id[-4:]}",
        "discriminator": "0",
        "avatar": None,
    }
    payload: dict[str, Any] = {
        "id": str(int(time.time() * 1000) << 22 | secrets.randbelow(1 << 22)),
        "application_id": APPLICATION_ID,
        "type": kind,
        "data": data,
        "channel_id": channel_id,
        "token": secrets.token_urlsafe(32),
        "version": 1,
    }
    if guild_id is None:
        payload["user"] = person
    else:
        payload["guild_id"] = guild_id
        payload["member"] = {"user": person, "roles": []}
    return payload


def encode(payload: dict[str, Any]) -> bytes:
    """An interaction's body, as sent."""
    return json.dumps(payload, separators=(",", ":")).encode()


def user_message(
    channel_id: str,
    author_id: str,
    content: str,
    guild_id: str | None = None,
    mentions: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """A MESSAGE_CREATE event's data: a person wrote in a DM or a server channel."""
    author = {
        "id": author_id,
        "username": f"user{author_id[-4:]}",
        "discriminator": "0",
        "avatar": None,
    }
    data: dict[str, Any] = {
        "id": str(int(time.time() * 1000) << 22 | secrets.randbelow(1 << 22)),
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": list(mentions),
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
        data["member"] = {"roles": [], "joined_at": data["timestamp"]}
    return data
