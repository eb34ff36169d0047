"""The output side: engine replies as Discord messages, buttons and a password form.

Texts over Discord's 2,000 characters go as several messages; persona names
offered as quick replies become buttons (at most 25: five rows of five); a reply
that asks for a password carries a button that opens a private form, so nobody
has to type a password where others read. No message may ping anyone: a
persona's words never mention @everyone or a user.

`ChannelOutput` posts in a channel (the gateway bot); `InteractionOutput` fills
in a deferred interaction response and adds follow-ups (the endpoint).
"""

from __future__ import annotations

from typing import Any

from serving.channels.discord.events import (
    CHOOSE_PREFIX,
    PASSWORD_BUTTON,
    PASSWORD_FIELD,
    PASSWORD_FORM,
)
from serving.channels.discord.rest import DiscordRest
from serving.channels.pieces import split_text

MAX_BUTTONS, PER_ROW = 25, 5
MAX_LABEL = 80
EPHEMERAL = 1 << 6  # message flag: only the user who interacted sees it
NO_PINGS: dict[str, Any] = {"parse": []}
PASSWORD_LABEL = "Enter the password"
FORM_TITLE = "Password"
FORM_FIELD_LABEL = "Password (only the bot sees it)"


def choice_rows(options: tuple[str, ...]) -> list[dict[str, Any]]:
    """Persona names as rows of buttons."""
    buttons = [
        {
            "type": 2,
            "style": 2,
            "label": name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…",
            "custom_id": CHOOSE_PREFIX + name,
        }
        for name in options
    ]
    return [
        {"type": 1, "components": buttons[i : i + PER_ROW]}
        for i in range(0, len(buttons), PER_ROW)
    ]


def password_row() -> list[dict[str, Any]]:
    """The button that opens the private password form."""
    button = {"type": 2, "style": 1, "label": PASSWORD_LABEL}
    return [{"type": 1, "components": [{**button, "custom_id": PASSWORD_BUTTON}]}]


def password_form() -> dict[str, Any]:
    """The interaction response that opens the password form (a modal)."""
    field = {
        "type": 4,
        "custom_id": PASSWORD_FIELD,
        "label": FORM_FIELD_LABEL,
        "style": 1,
        "min_length": 1,
        "max_length": 200,
        "required": True,
    }
    return {
        "type": 9,
        "data": {
            "custom_id": PASSWORD_FORM,
            "title": FORM_TITLE,
            "components": [{"type": 1, "components": [field]}],
        },
    }


class DiscordOutput:
    """Renders replies as message payloads; subclasses say where they go."""

    def send_text(self, user_id: str, text: str) -> None:
        """Send a text, in several messages if it is too long for one."""
        self._send_pieces(text, [])

    def send_quick_replies(
        self, user_id: str, text: str, options: tuple[str, ...]
    ) -> None:
        """Send a text with a button per option (plain text past 25 options)."""
        rows = choice_rows(options) if 0 < len(options) <= MAX_BUTTONS else []
        self._send_pieces(text, rows)

    def send_password_prompt(self, user_id: str, text: str) -> None:
        """Send the engine's request for a password, with the form's button."""
        self._send_pieces(text, password_row())

    def send_typing(self, user_id: str, on: bool) -> None:
        """Show typing where the platform can (see the subclasses)."""

    def _send_pieces(self, text: str, rows: list[dict[str, Any]]) -> None:
        pieces = split_text(text) or ["…"]
        for index, piece in enumerate(pieces):
            message: dict[str, Any] = {"content": piece, "allowed_mentions": NO_PINGS}
            if rows and index == len(pieces) - 1:
                message["components"] = rows
            self._send(message)

    def _send(self, message: dict[str, Any]) -> None:
        raise NotImplementedError


class ChannelOutput(DiscordOutput):
    """Messages in one channel; in a server, the first one answers the user's."""

    def __init__(
        self, rest: DiscordRest, channel_id: str, reply_to: str | None = None
    ) -> None:
        self.rest, self.channel_id, self.reply_to = rest, channel_id, reply_to

    def send_typing(self, user_id: str, on: bool) -> None:
        """Discord shows typing for 10 s or until the next message: no 'off'."""
        if on:
            self.rest.trigger_typing(self.channel_id)

    def _send(self, message: dict[str, Any]) -> None:
        if self.reply_to is not None:
            message["message_reference"] = {
                "message_id": self.reply_to,
                "fail_if_not_exists": False,
            }
            self.reply_to = None
        self.rest.create_message(self.channel_id, message)


class InteractionOutput(DiscordOutput):
    """The deferred response first, then follow-ups; all seen by the user only."""

    def __init__(self, rest: DiscordRest, application_id: str, token: str) -> None:
        self.rest, self.application_id, self.token = rest, application_id, token
        self.sent = 0

    def _send(self, message: dict[str, Any]) -> None:
        # Discord's "thinking…" shows while the engine and the model work.
        if self.sent == 0:
            self.rest.edit_original(self.application_id, self.token, message)
        else:
            message["flags"] = EPHEMERAL
            self.rest.follow_up(self.application_id, self.token, message)
        self.sent += 1
