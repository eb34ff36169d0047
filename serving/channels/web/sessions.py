"""Web chat sessions: ids, signed resume tokens, and the conversations kept.

A visitor's session id is the `user_id` of their `ChatSession` row on the "web"
channel. The /chat page keeps it in Flask's signed session cookie; the widget on
another site keeps a signed token in that site's localStorage instead, because
browsers do not send our cookie from someone else's page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from itsdangerous import BadSignature, URLSafeTimedSerializer

from serving.db import Database
from serving.models import StoredMessage

CHANNEL = "web"
COOKIE_KEY = "web_sid"
TOKEN_SALT = "mimical.web.session"
TOKEN_MAX_AGE_S = 90 * 24 * 3600


def new_session_id() -> str:
    """A fresh, unguessable session id."""
    return secrets.token_urlsafe(24)


class SessionTokens:
    """Signs session ids for the widget and checks them when it comes back."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)
        self._digest_key = hashlib.sha256(
            f"{TOKEN_SALT}|{secret_key}".encode()
        ).digest()

    def sign(self, session_id: str) -> str:
        """A token that proves the bearer was given this session."""
        return self._serializer.dumps(session_id)

    def unsign(self, token: object) -> str | None:
        """The session id in a token, or None if it is forged, old or not a token."""
        if not isinstance(token, str) or not token or len(token) > 512:
            return None
        try:
            session_id = self._serializer.loads(token, max_age=TOKEN_MAX_AGE_S)
        except BadSignature:
            return None
        return session_id if isinstance(session_id, str) else None

    def conversation_id(self, session_id: str) -> str:
        """What stored messages are grouped by: a digest, never the session id."""
        return hmac.new(self._digest_key, session_id.encode(), "sha256").hexdigest()[
            :32
        ]


def store_exchange(
    db: Database,
    persona_id: int,
    conversation: str,
    text: str,
    replies: Sequence[str],
) -> None:
    """Keep one visitor message and each message of the answer, for the owner."""
    with db.session() as session:
        session.add(
            StoredMessage(
                persona_id=persona_id,
                conversation=conversation,
                channel=CHANNEL,
                from_persona=False,
                text=text,
            )
        )
        for reply in replies:
            session.add(
                StoredMessage(
                    persona_id=persona_id,
                    conversation=conversation,
                    channel=CHANNEL,
                    from_persona=True,
                    text=reply,
                )
            )
