"""The persona registry: create, find, list and delete personas."""

from __future__ import annotations

import re

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serving.models import (
    ChatSession,
    ChatState,
    PasswordAttempts,
    Persona,
    PersonaStatus,
)
from serving.names import (
    lookalike_of_mixed_scripts,
    normalise,
    skeleton,
    untypeable_password,
)
from serving.security import (
    hash_secret,
    hash_token,
    needs_rehash,
    new_token,
    verify_secret,
    verify_token,
)
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
    """The key of a persona name: names that differ only in case or lookalike
    characters (`serving.names`) share it."""
    return skeleton(name)


def check_name(name: str) -> str:
    """The name normalised (NFKC, spaces tidied), or `InvalidPersonaNameError`."""
    tidy = normalise(name)
    if not NAME_PATTERN.match(tidy) or tidy.startswith("%"):
        raise InvalidPersonaNameError(
            "a persona name is 1-40 letters, digits, spaces, dots, dashes or "
            "apostrophes, starting with a letter or digit"
        )
    if lookalike_of_mixed_scripts(tidy):
        raise InvalidPersonaNameError(
            "a persona name cannot mix scripts with letters that look alike "
            "(a Cyrillic о in a Latin name, say)"
        )
    return tidy


def check_password_typeable(password: str) -> None:
    """`PersonaError` if the password could never be typed into a chat."""
    why = untypeable_password(password)
    if why is not None:
        raise PersonaError(why)


def create_persona(
    session: Session, name: str, public: bool, password: str | None
) -> tuple[Persona, str]:
    """Register a pending persona; return it with its one-time manage token."""
    tidy = check_name(name)
    existing = find_persona(session, tidy)
    if existing is not None:
        raise PersonaExistsError(_taken(tidy, existing))
    if password is not None and not password:
        raise PersonaError("an empty password protects nothing; leave it out instead")
    if password:
        check_password_typeable(password)
    token = new_token()
    persona = Persona(
        name=tidy,
        name_key=name_key(tidy),
        public=public,
        password_hash=hash_secret(password) if password else None,
        manage_token_hash=hash_token(token),
        status=PersonaStatus.PENDING,
        figures={},
    )
    try:
        with session.begin_nested():  # another process may take the name first
            session.add(persona)
    except IntegrityError:
        raise PersonaExistsError(f"a persona called {tidy!r} already exists") from None
    return persona, token


def _taken(name: str, existing: Persona) -> str:
    if existing.name.casefold() == name.casefold():
        return f"a persona called {name!r} already exists"
    return f"{name!r} looks too much like the persona {existing.name!r}"


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
    if password:
        check_password_typeable(password)
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
    """Whether the token is the one handed out when the persona was created.

    A token still hashed the old, slow way is re-hashed the fast way on success
    (the caller's session commits it).
    """
    if not verify_token(persona.manage_token_hash, token):
        return False
    if needs_rehash(persona.manage_token_hash):
        persona.manage_token_hash = hash_token(token)
    return True


def delete_persona(session: Session, storage: Storage, persona: Persona) -> None:
    """Remove a persona, its jobs and chat sessions, and every stored artifact."""
    storage.delete_tree(f"personas/{persona.id}")
    session.execute(delete(ChatSession).where(ChatSession.persona_id == persona.id))
    session.delete(persona)
