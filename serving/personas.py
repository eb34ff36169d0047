"""The persona registry: create, find, list and delete personas."""

from __future__ import annotations

import re

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from serving.models import (
    ChatSession,
    ChatState,
    PasswordAttempts,
    Persona,
    PersonaStatus,
)
from serving.security import hash_secret, new_token, verify_secret
from serving.storage import Storage

NAME_PATTERN = re.compile(r"^[^\W_][\w .'\-]{0,39}$")


class PersonaError(ValueError):
    """A persona request that cannot be carried out as asked."""


class InvalidPersonaNameError(PersonaError):
    """The name is empty, too long or uses characters we do not allow."""


class PersonaExistsError(PersonaError):
    """Another persona already has this name (names ignore case)."""


class UnknownPersonaError(LookupError):
    """No persona has this name."""


def name_key(name: str) -> str:
    """The case-insensitive key of a persona name."""
    return " ".join(name.split()).casefold()


def check_name(name: str) -> str:
    """The name with spaces tidied, or `InvalidPersonaNameError`."""
    tidy = " ".join(name.split())
    if not NAME_PATTERN.match(tidy) or tidy.startswith("%"):
        raise InvalidPersonaNameError(
            "a persona name is 1-40 letters, digits, spaces, dots, dashes or "
            "apostrophes, starting with a letter or digit"
        )
    return tidy


def create_persona(
    session: Session, name: str, public: bool, password: str | None
) -> tuple[Persona, str]:
    """Register a pending persona; return it with its one-time manage token."""
    tidy = check_name(name)
    if find_persona(session, tidy) is not None:
        raise PersonaExistsError(f"a persona called {tidy!r} already exists")
    if password is not None and not password:
        raise PersonaError("an empty password protects nothing; leave it out instead")
    token = new_token()
    persona = Persona(
        name=tidy,
        name_key=name_key(tidy),
        public=public,
        password_hash=hash_secret(password) if password else None,
        manage_token_hash=hash_secret(token),
        status=PersonaStatus.PENDING,
        figures={},
    )
    session.add(persona)
    session.flush()
    return persona, token


def find_persona(session: Session, name: str) -> Persona | None:
    """The persona with this name, whatever its case."""
    return session.scalar(select(Persona).where(Persona.name_key == name_key(name)))


def get_persona(session: Session, name: str) -> Persona:
    """The persona with this name, or `UnknownPersonaError`."""
    persona = find_persona(session, name)
    if persona is None:
        raise UnknownPersonaError(f"no persona is called {name!r}")
    return persona


def list_personas(session: Session, public_only: bool = True) -> list[Persona]:
    """Personas by name; only public ones unless asked otherwise."""
    query = select(Persona).order_by(Persona.name_key)
    if public_only:
        query = query.where(Persona.public.is_(True))
    return list(session.scalars(query))


def check_password(persona: Persona, password: str) -> bool:
    """Whether the password opens this persona (always true if it has none)."""
    return persona.password_hash is None or verify_secret(
        persona.password_hash, password
    )


def set_password(session: Session, persona: Persona, password: str | None) -> None:
    """Protect the persona with a new password, or open it to all (None).

    With a new password, whoever chats with it goes back to choosing (they got in
    under the old one) and wrong-password counts start over.
    """
    if password is not None and not password:
        raise PersonaError("an empty password protects nothing; remove it instead")
    persona.password_hash = hash_secret(password) if password else None
    if password is None:
        return
    session.execute(
        update(ChatSession)
        .where(ChatSession.persona_id == persona.id)
        .values(state=ChatState.CHOOSING, persona_id=None, history=[])
    )
    session.execute(
        delete(PasswordAttempts).where(PasswordAttempts.persona_id == persona.id)
    )


def check_manage_token(persona: Persona, token: str) -> bool:
    """Whether the token is the one handed out when the persona was created."""
    return verify_secret(persona.manage_token_hash, token)


def delete_persona(session: Session, storage: Storage, persona: Persona) -> None:
    """Remove a persona, its jobs and chat sessions, and every stored artifact."""
    storage.delete_tree(f"personas/{persona.id}")
    session.execute(delete(ChatSession).where(ChatSession.persona_id == persona.id))
    session.delete(persona)
