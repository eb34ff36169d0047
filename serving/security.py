"""Password and token hashing: argon2 for both, nothing secret kept in clear."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_secret(secret: str) -> str:
    """An argon2id hash of a password or token, safe to store."""
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, candidate: str) -> bool:
    """Whether `candidate` matches the stored hash (False for no hash)."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, candidate)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh manage token: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)
