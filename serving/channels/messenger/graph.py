"""The Messenger Send API client: one error class per documented Graph error code.

`POST {graph}/me/messages` carries both messages and sender actions (`typing_on`).
The page token goes in the `Authorization: Bearer` header, never in the URL, so no
access log or proxy ever sees it. Transient failures (code 2, 1200, HTTP 5xx, a
dropped connection) are retried with exponential backoff by tenacity; the others
are raised at once as a named error for the caller to act on. Nothing here logs
the text of a message.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import requests
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
ATTEMPTS = 4


class GraphError(RuntimeError):
    """The Send API refused a call."""

    def __init__(
        self, message: str, code: int | None = None, subcode: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode


class BadTokenError(GraphError):
    """Code 190: the page access token is invalid or expired; nothing can be sent."""


class OutsideWindowError(GraphError):
    """Code 10, subcode 2018278: the person last wrote more than 24 hours ago."""


class PermissionDeniedError(GraphError):
    """Code 10 with any other subcode: the app or Page lacks a permission."""


class UserUnavailableError(GraphError):
    """Code 551: this person is not available (blocked the page, left Messenger)."""


class TransientGraphError(GraphError):
    """Code 2 or 1200, a 5xx or a lost connection: the call may succeed later."""


# Code 10 is "permission denied"; only this subcode says the 24-hour window closed.
OUTSIDE_WINDOW_SUBCODES = frozenset({2018278})

ERRORS_BY_CODE: dict[int, type[GraphError]] = {
    190: BadTokenError,
    10: PermissionDeniedError,
    551: UserUnavailableError,
    2: TransientGraphError,
    1200: TransientGraphError,
}


class GraphClient:
    """Sends messages and sender actions to one Page's conversations."""

    def __init__(
        self,
        graph_url: str,
        page_token: str,
        timeout_s: float = TIMEOUT_S,
        attempts: int = ATTEMPTS,
        backoff_s: float = 0.5,
    ) -> None:
        self.url = graph_url.rstrip("/") + "/me/messages"
        self._token = page_token
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self._local = threading.local()  # a requests.Session per thread

    def send_message(self, recipient: str, message: dict[str, Any]) -> dict[str, Any]:
        """Send one message (`{"text": ...}` with optional `quick_replies`)."""
        return self.post(
            {
                "recipient": {"id": recipient},
                "messaging_type": "RESPONSE",
                "message": message,
            }
        )

    def send_action(self, recipient: str, action: str) -> None:
        """Send a sender action: `typing_on`, `typing_off` or `mark_seen`."""
        self.post({"recipient": {"id": recipient}, "sender_action": action})

    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        """One Send API call, retried while it fails transiently."""
        retrying = Retrying(
            retry=retry_if_exception_type(TransientGraphError),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff_s, max=8.0)
            + wait_random(0, self.backoff_s),
            before_sleep=before_sleep_log(log, logging.INFO),
            reraise=True,
        )
        return retrying(self._post_once, payload)

    def _post_once(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._session().post(
                self.url, json=payload, timeout=self.timeout_s
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientGraphError(
                f"Send API unreachable ({type(error).__name__})"
            ) from None
        if response.ok:
            return _json(response)
        raise _error_from(response)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self._token}"
            self._local.session = session
        return session


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_from(response: requests.Response) -> GraphError:
    """The named error for a failed call; the Graph's own message is kept out."""
    error = _json(response).get("error")
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode")
    subcode = subcode if isinstance(subcode, int) else None
    kind = ERRORS_BY_CODE.get(code) if code is not None else None
    if kind is PermissionDeniedError and subcode in OUTSIDE_WINDOW_SUBCODES:
        kind = OutsideWindowError
    if kind is None:
        kind = TransientGraphError if response.status_code >= 500 else GraphError
    trace = error.get("fbtrace_id", "-")
    return kind(
        f"Send API error: HTTP {response.status_code}, code {code}, "
        f"subcode {subcode}, fbtrace_id {trace}",
        code,
        subcode,
    )
