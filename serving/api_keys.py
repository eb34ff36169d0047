"""API keys: what lets a program use a private persona through the /v1 routes.

The owner makes and revokes keys with the persona's manage token. A key is 256
random bits, shown once; only a keyed SHA-256 of it is stored (a slow hash buys
nothing against keys that cannot be guessed, and a fast one is found by index).
The hash is keyed with `MIMICAL_SECRET_KEY`, so a copy of the database alone
cannot even confirm a leaked key; changing that secret revokes every key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from serving.models import ApiKey, Persona

KEY_PREFIX = "mimical-"
SHOWN_CHARS = len(KEY_PREFIX) + 6  # what a list shows to tell keys apart
MAX_KEYS_PER_PERSONA = 20
MAX_LABEL_CHARS = 80


class ApiKeyError(ValueError):
    """An API key request the owner has to change (label, too many keys)."""


def key_digest(secret_key: str, key: str) -> str:
    """The stored form of a key: HMAC-SHA256 under a key derived from the secret."""
    derived = hashlib.sha256(f"mimical.api-key|{secret_key}".encode()).digest()
    return hmac.new(derived, key.encode(), hashlib.sha256).hexdigest()


def create_api_key(
    session: Session, secret_key: str, persona: Persona, label: str = ""
) -> tuple[ApiKey, str]:
    """A new key for the persona: the stored row, and the key itself (shown once)."""
    if len(label) > MAX_LABEL_CHARS:
        raise ApiKeyError(f"a key's label is at most {MAX_LABEL_CHARS} characters")
    if len(list_api_keys(session, persona)) >= MAX_KEYS_PER_PERSONA:
        raise ApiKeyError(
            f"a persona has at most {MAX_KEYS_PER_PERSONA} keys; revoke one first"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        persona_id=persona.id,
        key_hash=key_digest(secret_key, key),
        prefix=key[:SHOWN_CHARS],
        label=label,
    )
    session.add(row)
    session.flush()
    return row, key


def find_api_key(session: Session, secret_key: str, key: str) -> ApiKey | None:
    """The stored key a caller presented, or None if it is not one of ours."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    return session.scalar(
        select(ApiKey).where(ApiKey.key_hash == key_digest(secret_key, key))
    )


def list_api_keys(session: Session, persona: Persona) -> list[ApiKey]:
    """The persona's keys, oldest first."""
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.persona_id == persona.id).order_by(ApiKey.id)
        )
    )


def revoke_api_key(session: Session, persona: Persona, key_id: int) -> bool:
    """Delete one of the persona's keys; whether there was such a key."""
    row = session.get(ApiKey, key_id)
    if row is None or row.persona_id != persona.id:
        return False
    session.delete(row)
    return True
