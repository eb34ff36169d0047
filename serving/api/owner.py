"""The owner's credential: the persona's manage token as `Authorization: Bearer`
(or, on the owner's pages, their cookie).

Owner routes are rate-limited per address before any token is looked at, and a
token not of our form is refused without hashing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Response, request
from sqlalchemy.orm import Session

from serving.api.errors import NotFound, Unauthorized
from serving.api.state import app_state
from serving.channels.base import ip_requester
from serving.models import Persona
from serving.personas import check_manage_token, find_persona


def bearer_token() -> str:
    """The bearer token of this request, or `Unauthorized`."""
    token = _sent_bearer()
    if token is None:
        raise Unauthorized("send the manage token as 'Authorization: Bearer TOKEN'")
    return token


def _sent_bearer() -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header, if one was sent."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@contextmanager
def owned_persona(name: str) -> Iterator[tuple[Session, Persona]]:
    """The persona, in a database session, if the bearer token manages it."""
    token = bearer_token()
    limit_owner_tries()
    with persona_for_owner(
        name,
        lambda persona: check_manage_token(persona, token),
        "this token does not manage this persona",
    ) as found:
        yield found


@contextmanager
def persona_for_owner(
    name: str, is_owner: Callable[[Persona], bool], refusal: str
) -> Iterator[tuple[Session, Persona]]:
    """The persona, in a database session, if `is_owner` says the caller owns it
    (the bearer token here, the owner's cookie on the pages)."""
    with app_state().services.db.session() as session:
        persona = find_persona(session, name)
        if persona is None:
            raise NotFound(f"no persona is called {name!r}")
        if not is_owner(persona):
            raise Unauthorized(refusal)
        yield session, persona


def limit_owner_tries() -> None:
    """`RateLimited` past `MIMICAL_RATE_OWNER` tries from this address."""
    state = app_state()
    state.limits.check(
        "owner requests", state.services.config.rate_owner, ip_requester(client_ip())
    )


def client_ip() -> str:
    """The caller's address (the proxy's X-Forwarded-For when one is trusted)."""
    return request.remote_addr or "?"


def owner_token(persona: Persona) -> bool:
    """Whether this request carries the persona's manage token (no token: False)."""
    token = _sent_bearer()
    if token is None:
        return False
    limit_owner_tries()
    return check_manage_token(persona, token)


def ask_for_bearer(response: Response) -> Response:
    """A 401 says which credentials to send (RFC 6750); an `after_request` hook."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="mimical"'
    return response
