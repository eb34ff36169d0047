"""Discord's HTTP API, as the channel uses it: messages, typing, interactions.

One small client for everything the channel sends (the gateway bot's messages as
well as interaction responses), so one policy covers them: a 429 is waited out
for the `retry_after` Discord gives (in the JSON body, else the `Retry-After`
header) and the call is made again; a 5xx or a dropped connection is retried
with backoff; any other refusal raises `DiscordApiError` with Discord's error
code. The bot token goes in the `Authorization` header and is never logged; an
interaction's token is part of its webhook URL, so URLs are never logged either,
only the name of the call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
ATTEMPTS = 5
# A rate limit longer than this is not waited out in a reply: the call fails.
MAX_RETRY_AFTER_S = 60.0


class DiscordApiError(RuntimeError):
    """Discord refused a call (its HTTP status and JSON error code)."""

    def __init__(self, message: str, status: int, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class DiscordUnavailableError(DiscordApiError):
    """Discord could not be reached, or kept answering 5xx or 429, after retries."""


class DiscordRest:
    """Calls Discord's HTTP API at a configurable base URL (a stand-in in tests)."""

    def __init__(
        self,
        api_url: str,
        bot_token: str | None,
        timeout_s: float = TIMEOUT_S,
        attempts: int = ATTEMPTS,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = bot_token
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.sleep = sleep
        self._local = threading.local()  # a requests.Session per thread

    # -- the calls ---------------------------------------------------------------

    def create_message(self, channel_id: str, message: dict[str, Any]) -> None:
        """Post a message in a channel (a DM or a server channel)."""
        self.call("create message", "POST", f"/channels/{channel_id}/messages", message)

    def trigger_typing(self, channel_id: str) -> None:
        """Show the bot typing in a channel (for 10 s, or until it posts)."""
        self.call("typing", "POST", f"/channels/{channel_id}/typing")

    def interaction_callback(
        self, interaction_id: str, token: str, response: dict[str, Any]
    ) -> None:
        """Answer an interaction that came over the gateway."""
        path = f"/interactions/{interaction_id}/{token}/callback"
        self.call("interaction callback", "POST", path, response, auth=False)

    def edit_original(
        self, application_id: str, token: str, message: dict[str, Any]
    ) -> None:
        """Fill in a deferred interaction response."""
        path = f"/webhooks/{application_id}/{token}/messages/@original"
        self.call("edit original", "PATCH", path, message, auth=False)

    def delete_original(self, application_id: str, token: str) -> None:
        """Take back a deferred response that turned out to have nothing to say."""
        path = f"/webhooks/{application_id}/{token}/messages/@original"
        self.call("delete original", "DELETE", path, auth=False)

    def follow_up(
        self, application_id: str, token: str, message: dict[str, Any]
    ) -> None:
        """Send one more message in answer to an interaction."""
        path = f"/webhooks/{application_id}/{token}"
        self.call("follow-up", "POST", path, message, auth=False)

    def put_commands(
        self,
        application_id: str,
        commands: list[dict[str, Any]],
        guild_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Replace the application's slash commands (global, or one server's)."""
        path = f"/applications/{application_id}/commands"
        if guild_id is not None:
            path = f"/applications/{application_id}/guilds/{guild_id}/commands"
        answer = self.call("register commands", "PUT", path, commands)
        return answer if isinstance(answer, list) else []

    # -- the policy --------------------------------------------------------------

    def call(
        self,
        name: str,
        method: str,
        path: str,
        body: Any = None,
        auth: bool = True,
    ) -> Any:
        """One API call, waiting out 429s and retrying transient failures."""
        last = "no attempt"
        for attempt in range(self.attempts):
            try:
                response = self._session().request(
                    method,
                    self.api_url + path,
                    json=body,
                    headers=self._headers(auth),
                    timeout=self.timeout_s,
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                last = f"unreachable ({type(error).__name__})"
                self.sleep(self.backoff_s * 2**attempt)
                continue
            if response.status_code == 429:
                wait = _retry_after(response)
                if wait > MAX_RETRY_AFTER_S:
                    raise DiscordUnavailableError(
                        f"{name}: rate limited for {wait:.0f} s", 429
                    )
                log.info("%s: rate limited, retrying in %.2f s", name, wait)
                last = "rate limited"
                self.sleep(wait)
                continue
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                self.sleep(self.backoff_s * 2**attempt)
                continue
            if response.ok:
                return _json(response)
            raise _error(name, response)
        raise DiscordUnavailableError(f"{name}: {last} after {self.attempts} tries", 0)

    def _headers(self, auth: bool) -> dict[str, str]:
        if auth and self._token:
            return {"Authorization": f"Bot {self._token}"}
        return {}

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["User-Agent"] = "DiscordBot (mimical-bot, 0.1)"
        return session


def _json(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: requests.Response) -> float:
    """Seconds to wait: the body's `retry_after`, else the header, else one."""
    body = _json(response)
    value = body.get("retry_after") if isinstance(body, dict) else None
    if value is None:
        value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


def _error(name: str, response: requests.Response) -> DiscordApiError:
    """The named error; Discord's message is kept, the URL is not."""
    body = _json(response)
    body = body if isinstance(body, dict) else {}
    code = body.get("code") if isinstance(body.get("code"), int) else None
    return DiscordApiError(
        f"{name}: HTTP {response.status_code}, code {code}: {body.get('message', '')}",
        response.status_code,
        code,
    )
