"""Web chat sessions: ids, signed resume tokens, what a visitor sees on reconnect.

A visitor's session id is the `user_id` of their `ChatSession` row on the "web"
channel. The /chat page keeps it in Flask's signed session cookie; the widget on
another site keeps a signed token in that site's localStorage instead, because
browsers do not send our cookie from someone else's page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from serving.db import Database
from serving.models import ChatSession, ChatState, StoredMessage

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


@dataclass(frozen=True)
class ChatView:
    """Where a visitor's conversation stands, as the page shows it."""

    exists: bool = False
    state: ChatState = ChatState.CHOOSING
    persona_id: int | None = None
    persona: str | None = None
    stored: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    def frame(self) -> dict[str, Any]:
        """The `history` frame sent when a visitor (re)connects."""
        return {
            "type": "history",
            "persona": self.persona if self.state == ChatState.CHATTING else None,
            "stored": self.stored,
            "messages": [
                {"from": "bot" if turn.get("persona") else "you", "text": turn["text"]}
                for turn in self.history
                if isinstance(turn.get("text"), str)
            ],
        }

    def persona_frame(self) -> dict[str, Any]:
        """Tells the page whom the visitor now talks to (and if it is kept)."""
        chatting = self.state == ChatState.CHATTING
        return {
            "type": "persona",
            "persona": self.persona if chatting else None,
            "stored": self.stored and chatting,
        }


def chat_view(db: Database, session_id: str) -> ChatView:
    """Read the visitor's `ChatSession` (an empty view if they have none yet)."""
    with db.session() as session:
        chat = session.scalar(
            select(ChatSession).where(
                ChatSession.channel == CHANNEL, ChatSession.user_id == session_id
            )
        )
        if chat is None:
            return ChatView()
        persona = chat.persona
        return ChatView(
            exists=True,
            state=chat.state,
            persona_id=persona.id if persona else None,
            persona=persona.name if persona else None,
            stored=bool(persona and persona.store_conversations),
            history=list(chat.history or []),
        )


def store_exchange(
    db: Database, persona_id: int, conversation: str, text: str, replies: list[str]
) -> None:
    """Keep one visitor message and the persona's answer for the owner."""
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
