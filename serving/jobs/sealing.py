"""Sealing Messenger cookies for their trip through the job queue.

The cookies log into someone's Facebook account: they are never stored in clear.
The API seals them with Fernet under a key derived from MIMICAL_SECRET_KEY; the job
opens them once, scrapes, and drops the sealed copy. A seal older than an hour no
longer opens, so a stuck job cannot use stale credentials later.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

SEAL_TTL_S = 3600


class SealError(ValueError):
    """The sealed cookies are expired or were not sealed with this secret key."""


def fernet_for(secret_key: str, purpose: bytes = b"mimical cookie seal") -> Fernet:
    """A Fernet under a key derived for one purpose from the secret key."""
    # Purpose-specific, so a seal's key never equals the session-signing key.
    digest = hashlib.sha256(purpose + b"\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal_cookies(secret_key: str, cookies: dict[str, str]) -> str:
    """Encrypt and timestamp a cookie jar."""
    return fernet_for(secret_key).encrypt(json.dumps(cookies).encode()).decode("ascii")


def open_cookies(
    secret_key: str, sealed: str, ttl_s: int = SEAL_TTL_S
) -> dict[str, str]:
    """The cookie jar, if sealed with this key less than `ttl_s` seconds ago."""
    try:
        plain = fernet_for(secret_key).decrypt(sealed.encode("ascii"), ttl=ttl_s)
    except InvalidToken:
        raise SealError(
            "the Messenger cookies expired before the job ran (they are kept for an "
            "hour); create the persona again"
        ) from None
    return dict(json.loads(plain))
