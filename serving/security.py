"""Password and token hashing: nothing secret is kept in clear.

Passwords are chosen by people, so they get argon2 (slow on purpose). Manage
tokens are 256 random bits that cannot be guessed, so a keyed SHA-256 (a random
key per token, stored beside the digest) is as safe and costs microseconds: a
stranger's `Authorization: Bearer x` no longer buys 64 MiB and 130 ms of argon2.
Tokens hashed with argon2 before this still verify, and are re-hashed on use.
"""

from __future__ import annotations

import hashlib
import hmac
import re
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


TOKEN_SCHEME = "hmac-sha256"
# What `new_token` makes: 32 bytes, URL-safe base64 without padding.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def hash_token(token: str) -> str:
    """`hmac-sha256$KEY$DIGEST` of a random token, safe to store."""
    key = secrets.token_hex(16)
    return f"{TOKEN_SCHEME}${key}${_digest(key, token)}"


def verify_token(stored_hash: str | None, candidate: str) -> bool:
    """Whether `candidate` is the token behind `stored_hash` (argon2 ones too)."""
    if not stored_hash or not TOKEN_PATTERN.match(candidate):
        return False  # not one of ours in form: no hashing at all
    scheme, _, rest = stored_hash.partition("$")
    if scheme != TOKEN_SCHEME:
        return verify_secret(stored_hash, candidate)
    key, _, digest = rest.partition("$")
    return hmac.compare_digest(_digest(key, candidate), digest)


def needs_rehash(stored_hash: str | None) -> bool:
    """Whether a token's stored hash is the old, slow kind."""
    return bool(stored_hash) and not stored_hash.startswith(TOKEN_SCHEME + "$")


def _digest(key: str, token: str) -> str:
    return hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    """A fresh manage token: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)
