"""CSRF: a synchronizer token on every request of the pages that changes something.

Each browser session gets a random token in Flask's signed session cookie. Every
page with a form embeds it (a hidden field, and a meta tag that scripts send back
as `X-CSRF-Token`), and every state-changing request must return it, compared in
constant time. Another site's page can neither read the token nor set the
header. Independently, a request whose `Origin` names another site is refused,
and the owner's cookie is SameSite=Strict, so it never rides along anyway.

Not Flask-WTF: its CSRF protection is this same scheme, but comes with WTForms
and a global guard that the bearer-authenticated API, the webhooks and /v1 (which
no cookie authorises) would all have to be exempted from.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from serving.channels.web.origins import same_origin

SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfError(PermissionError):
    """The request did not come from one of our own pages."""


def csrf_token() -> str:
    """This browser session's token (made on first use), for forms and scripts."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def check_csrf() -> None:
    """Refuse a state-changing request that lacks the token or comes from elsewhere.

    The header is read first, so an upload's body is not parsed before the check.
    """
    origin = request.headers.get("Origin")
    if origin and not same_origin(origin, request.host):
        raise CsrfError("this form was sent from another site")
    expected = session.get(SESSION_KEY)
    given = request.headers.get(HEADER) or request.form.get(FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(
        given.encode(), expected.encode()
    ):
        raise CsrfError(
            "this form has expired or did not come from this site; reload the page "
            "and try again"
        )
