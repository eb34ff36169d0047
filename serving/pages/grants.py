"""The owner's cookie: which personas this browser may manage.

Typing the manage token once (or creating the persona here) gives this browser a
grant: the persona's id and a fingerprint of its token hash, signed with
`MIMICAL_SECRET_KEY` and timed, in an HttpOnly, SameSite=Strict cookie (Secure
on HTTPS). The token itself is never in the cookie, a URL, a log or the
database: the cookie is useless for the API, and a persona deleted and made
again under the same name, or a changed secret key, voids it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from serving.models import Persona

COOKIE = "mimical_owner"
SALT = "mimical.owner"
MAX_AGE_S = 30 * 24 * 3600
MAX_GRANTS = 20  # personas one browser manages at once (keeps the cookie small)


class Grants:
    """Reads and writes the owner's cookie for one app (one secret key)."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self._key = hashlib.sha256(f"{SALT}|{secret_key}".encode()).digest()

    def fingerprint(self, persona: Persona) -> str:
        """What ties a grant to this persona's token: a keyed digest of its hash."""
        stored = (persona.manage_token_hash or "").encode()
        return hmac.new(self._key, stored, "sha256").hexdigest()[:32]

    def read(self, request: Request) -> list[list[Any]]:
        """The `[persona id, fingerprint]` grants in the request's cookie."""
        value = request.cookies.get(COOKIE)
        if not value or len(value) > 4096:
            return []
        try:
            grants = self._serializer.loads(value, max_age=MAX_AGE_S)
        except BadSignature:
            return []
        if not isinstance(grants, list):
            return []
        return [g for g in grants if isinstance(g, list) and len(g) == 2]

    def holds(self, request: Request, persona: Persona) -> bool:
        """Whether this browser was given the right to manage `persona`."""
        wanted = self.fingerprint(persona)
        return any(
            pid == persona.id and hmac.compare_digest(str(fp), wanted)
            for pid, fp in self.read(request)
        )

    def persona_ids(self, request: Request) -> list[int]:
        """The personas this browser holds grants for, newest first (unchecked)."""
        return [pid for pid, _fp in self.read(request) if isinstance(pid, int)]

    def grant(self, request: Request, response: Response, persona: Persona) -> None:
        """Add (or renew) the grant for `persona` to the response's cookie."""
        others = [g for g in self.read(request) if g[0] != persona.id]
        grants = [[persona.id, self.fingerprint(persona)], *others][:MAX_GRANTS]
        self._set(request, response, grants)

    def revoke(self, request: Request, response: Response, persona_id: int) -> None:
        """Drop this browser's grant for a persona (locked again, or deleted)."""
        grants = [g for g in self.read(request) if g[0] != persona_id]
        self._set(request, response, grants)

    def _set(self, request: Request, response: Response, grants: list[Any]) -> None:
        if not grants:
            response.delete_cookie(COOKIE, path="/", samesite="Strict", httponly=True)
            return
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(grants),
            max_age=MAX_AGE_S,
            path="/",
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
