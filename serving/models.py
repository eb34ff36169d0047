"""The persistent state: personas, jobs, chat sessions, password attempts, API keys."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        )


class Base(DeclarativeBase):
    """Declarative base for every table."""


class PersonaStatus(enum.StrEnum):
    PENDING = "pending"
    TRAINING = "training"
    READY = "ready"
    FAILED = "failed"


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ChatState(enum.StrEnum):
    CHOOSING = "choosing"
    AWAITING_PASSWORD = "awaiting_password"
    CHATTING = "chatting"


class Persona(Base):
    """A chatbot built from someone's history."""

    __tablename__ = "personas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # Lower-cased name: unique, so "Romeo" and "romeo" are the same persona.
    name_key: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    public: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    manage_token_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    status: Mapped[PersonaStatus] = mapped_column(
        Enum(PersonaStatus, native_enum=False, length=16), default=PersonaStatus.PENDING
    )
    artifact_key: Mapped[str | None] = mapped_column(String(255), default=None)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Other sites whose pages may embed this persona's web chat widget.
    embed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Keep web chat conversations for the owner to export (off unless they ask).
    store_conversations: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    jobs: Mapped[list[Job]] = relationship(
        back_populates="persona", cascade="all, delete-orphan"
    )

    @property
    def protected(self) -> bool:
        """Whether chatting needs a password."""
        return self.password_hash is not None


class Job(Base):
    """One persona-building run; restartable from its checkpoint."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    persona_id: Mapped[int] = mapped_column(
        ForeignKey("personas.id", ondelete="CASCADE")
    )
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=16), default=JobState.QUEUED
    )
    progress: Mapped[float] = mapped_column(default=0.0)
    stage: Mapped[str] = mapped_column(String(40), default="queued")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # What the job reads: a folder or file under MIMICAL_HOME/uploads, and options.
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checkpoint_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # What the owner's build page shows, written by the job only: the import's
    # counts, the corpus and its candidate owners, the latest training figures and
    # a thinned loss history. Nothing secret; candidates go when the job ends.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Who runs it ("host:pid:nonce") and when it last said so: a job whose runner
    # died is taken over, one whose runner lives is left alone.
    worker: Mapped[str | None] = mapped_column(String(160), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    persona: Mapped[Persona] = relationship(back_populates="jobs")


class ChatSession(Base):
    """One user on one channel: whom they talk to and what was said lately."""

    __tablename__ = "chat_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[ChatState] = mapped_column(
        Enum(ChatState, native_enum=False, length=24), default=ChatState.CHOOSING
    )
    persona_id: Mapped[int | None] = mapped_column(
        ForeignKey("personas.id", ondelete="SET NULL"), default=None
    )
    # Recent turns, oldest first: [{"persona": bool, "text": str}, ...]
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    persona: Mapped[Persona | None] = relationship()

    __table_args__ = (UniqueConstraint("channel", "user_id"),)


class SeenEvent(Base):
    """A platform message id already handled, so retries never double-reply."""

    __tablename__ = "seen_events"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoredMessage(Base):
    """A web chat message kept because the persona's owner turned storing on."""

    __tablename__ = "stored_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    persona_id: Mapped[int] = mapped_column(
        ForeignKey("personas.id", ondelete="CASCADE"), index=True
    )
    # A digest of the visitor's session, never the session id itself.
    conversation: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    from_persona: Mapped[bool] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PasswordAttempts(Base):
    """Wrong passwords one requester gave one persona lately, on any channel.

    Kept apart from chat sessions so a new session, another channel or another
    server process never starts the count again.
    """

    __tablename__ = "password_attempts"

    persona_id: Mapped[int] = mapped_column(
        ForeignKey("personas.id", ondelete="CASCADE"), primary_key=True
    )
    # "ip:203.0.113.7", "messenger:PSID", "terminal:alice": who is guessing.
    requester: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    # When the first failure still counted was made (failures older than the
    # window are forgotten), and until when the requester is locked out.
    window_started: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ApiKey(Base):
    """A key the owner made so programs may use a private persona (/v1 routes)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    persona_id: Mapped[int] = mapped_column(
        ForeignKey("personas.id", ondelete="CASCADE"), index=True
    )
    # A keyed SHA-256 of the key: enough for 256 random bits, and found by index.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, so the owner can tell keys apart in a list.
    prefix: Mapped[str] = mapped_column(String(24))
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeferredEvent(Base):
    """A Messenger event accepted (Meta got its 200) but not answered yet.

    Kept when the reply queue is full, when answering it failed, or when the
    server stopped first; any server process answers it later. Its text is
    sealed (it may be a password), and `due_at` is pushed forward by whoever
    takes it, so a taker that dies leaves it to another.
    """

    __tablename__ = "deferred_events"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    sealed_text: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
