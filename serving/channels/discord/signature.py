"""Discord's request signatures: Ed25519 over the timestamp and the raw body.

Discord signs every interaction it sends to our endpoint with the application's
key pair; `X-Signature-Ed25519` is the hex signature of `timestamp + body`, with
`X-Signature-Timestamp` as sent. Discord also sends forged requests now and then
and removes the endpoint if any of them is answered, so anything that does not
verify is refused before it is read.
"""

from __future__ import annotations

import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE_HEADER = "X-Signature-Ed25519"
TIMESTAMP_HEADER = "X-Signature-Timestamp"
# A signed request older than this is a replay: Discord sends within seconds.
MAX_AGE_S = 300.0


class PublicKeyError(ValueError):
    """DISCORD_PUBLIC_KEY is not a 32-byte Ed25519 public key in hex."""


def load_public_key(hex_key: str) -> Ed25519PublicKey:
    """The application's public key, from the hex the Developer Portal shows."""
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_key.strip()))
    except ValueError:
        raise PublicKeyError(
            "DISCORD_PUBLIC_KEY must be the 64 hex digits the Developer Portal shows"
        ) from None


def signature_ok(
    key: Ed25519PublicKey,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: float | None = None,
) -> bool:
    """Whether Discord signed this body at this timestamp, recently."""
    if not signature or not timestamp:
        return False
    try:
        signed_at = float(timestamp)
        raw = bytes.fromhex(signature)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - signed_at) > MAX_AGE_S:
        return False
    try:
        key.verify(raw, timestamp.encode() + body)
    except InvalidSignature:
        return False
    return True
