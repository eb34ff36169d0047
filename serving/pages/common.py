"""What every owner's page shares: the grant check, rendering with a strict
policy, and the errors a form can meet, shown as a page rather than JSON."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request
from sqlalchemy.orm import Session

from serving.api.errors import DOMAIN_ERRORS, ApiError, error_response
from serving.api.owner import persona_for_owner
from serving.channels.base import per_app
from serving.channels.web.origins import OriginError
from serving.channels.web.routes import PAGE_POLICY
from serving.jobs.owner import OwnerChoiceError
from serving.models import Persona
from serving.pages.csrf import CsrfError, csrf_token
from serving.pages.grants import Grants

LOCKED = "unlock this persona with its manage token first"
# Errors a form can meet, besides the API's: (status, code) for each.
PAGE_ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (CsrfError, 403, "csrf_failed"),
    (OwnerChoiceError, 409, "owner_choice"),
    (OriginError, 400, "invalid_origin"),
)


def grants() -> Grants:
    """This app's owner-cookie signer."""
    return per_app("mimical_grants", lambda app: Grants(app.config["SECRET_KEY"]))


@contextmanager
def owned_here(name: str) -> Iterator[tuple[Session, Persona]]:
    """The persona, in a session, if this browser holds a grant for it."""
    with persona_for_owner(
        name, lambda persona: grants().holds(request, persona), LOCKED
    ) as found:
        yield found


def owns(persona: Persona) -> bool:
    """Whether this browser may manage `persona`."""
    return grants().holds(request, persona)


def page(template: str, status: int = 200, **context: Any) -> Response:
    """A rendered page: nothing from elsewhere, never framed, never cached."""
    html = render_template(template, csrf_token=csrf_token(), **context)
    response = current_app.make_response((html, status))
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    # Owner pages carry private figures and, once, secrets: keep them out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def register_page_errors(app: Flask) -> None:
    """JSON answers for the errors the pages add (their scripts read them)."""
    for kind, status, code in PAGE_ERRORS:

        def as_json(error: Exception, status: int = status, code: str = code) -> Any:
            return error_response(status, code, str(error))

        app.register_error_handler(kind, as_json)


def show_errors_as_pages(blueprint: Blueprint) -> None:
    """Errors met by the HTML forms of `blueprint` answer with a page, not JSON.

    Called once, when the blueprint's module is imported (a blueprint cannot be
    changed after its first app registered it).
    """

    def as_page(error: Exception) -> Response:
        message = error.message if isinstance(error, ApiError) else str(error)
        return page("pages/message.html", _status_of(error),
                    title="That did not work", message=message)  # fmt: skip

    for kind in (ApiError, *(k for k, _s, _c in (*DOMAIN_ERRORS, *PAGE_ERRORS))):
        blueprint.register_error_handler(kind, as_page)


def _status_of(error: Exception) -> int:
    if isinstance(error, ApiError):
        return error.status
    for kind, status, _code in (*PAGE_ERRORS, *DOMAIN_ERRORS):
        if isinstance(error, kind):
            return status
    return 400
