"""Stateless completions: a whole conversation in, the persona's next turn out.

This is what the OpenAI-compatible API needs: the caller keeps the conversation
and sends it each time, so there is no session, greeting or password here, only
the rule of who may use which persona. A persona that is public and has no
password is open to anyone; any other needs an API key its owner made for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from corpus import Turn
from serving.chat.errors import PersonaNotReadyError, PersonaUnavailableError
from serving.chat.options import GenerationOptions, ModelLoader
from serving.chat.turns import split_turn
from serving.db import Database
from serving.models import Persona, PersonaStatus
from serving.personas import find_persona, list_personas

# The longest turn a caller may ask for, in characters (the model writes
# characters, so a "token" is one character here).
MAX_COMPLETION_CHARS = 2000
MAX_CHOICES = 8


@dataclass(frozen=True)
class Access:
    """The private personas a caller may use (those its API key was made for)."""

    persona_ids: frozenset[int] = frozenset()

    def opens(self, persona: Persona) -> bool:
        """Whether this caller may talk to the persona."""
        open_to_all = persona.public and not persona.protected
        return open_to_all or persona.id in self.persona_ids


@dataclass(frozen=True)
class CompletionRequest:
    """The conversation so far and how to sample the persona's next turn."""

    persona: str
    turns: tuple[Turn, ...]
    n: int = 1
    temperature: float | None = None  # None: the deployment's default
    max_chars: int | None = None  # None: MIMICAL_REPLY_MAX_CHARS, else the habit
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completion:
    """One written turn: its messages, and why it ended ("stop" or "length")."""

    messages: tuple[str, ...]
    finish_reason: str

    @property
    def text(self) -> str:
        """The turn as one text, its messages on separate lines."""
        return "\n".join(self.messages)


@dataclass(frozen=True)
class PersonaCard:
    """A persona as a model list shows it."""

    name: str
    created_at: datetime


def usable_personas(db: Database, access: Access) -> list[PersonaCard]:
    """The ready personas this caller may use, by name."""
    with db.session() as session:
        return [
            PersonaCard(persona.name, persona.created_at)
            for persona in list_personas(session, public_only=False)
            if persona.status == PersonaStatus.READY and access.opens(persona)
        ]


def complete(
    db: Database,
    load_model: ModelLoader,
    options: GenerationOptions,
    request: CompletionRequest,
    access: Access,
) -> tuple[str, list[Completion]]:
    """The persona's name and `n` turns it writes after the conversation."""
    with db.session() as session:
        persona_name, artifact_key = _open_persona(session, request.persona, access)
    max_chars = min(
        request.max_chars or options.max_chars or MAX_COMPLETION_CHARS,
        MAX_COMPLETION_CHARS,
    )
    temperature = (
        options.temperature if request.temperature is None else request.temperature
    )
    model = load_model(artifact_key)
    # One character more than allowed: a turn that reaches it was cut by the
    # limit ("length"); one that ends before it, the model ended ("stop").
    turns = model.reply_batch(
        [request.turns] * request.n, temperature=temperature, max_chars=max_chars + 1
    )
    return persona_name, [_completion(t, request.stop, max_chars) for t in turns]


def _open_persona(session: Session, name: str, access: Access) -> tuple[str, str]:
    persona = find_persona(session, name)
    if persona is None or not access.opens(persona):
        # The same refusal whether it does not exist or is not the caller's: a
        # private persona's name is not given away.
        raise PersonaUnavailableError(
            f"The persona {name!r} does not exist or you do not have access to it."
        )
    if persona.status != PersonaStatus.READY or persona.artifact_key is None:
        raise PersonaNotReadyError(f"{persona.name} is still being built.")
    return persona.name, persona.artifact_key


def _completion(turn: str, stop: tuple[str, ...], max_chars: int) -> Completion:
    """Cut the turn at the first stop sequence or the limit; split it in messages."""
    cuts = [index for index in (turn.find(s) for s in stop if s) if index >= 0]
    if cuts and min(cuts) <= max_chars:
        return Completion(tuple(split_turn(turn[: min(cuts)])), "stop")
    if len(turn) > max_chars:
        return Completion(tuple(split_turn(turn[:max_chars])), "length")
    return Completion(tuple(split_turn(turn)), "stop")
