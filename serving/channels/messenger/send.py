"""The Messenger output side: texts cut to size, quick replies, typing, error policy.

Messenger refuses texts over 2,000 characters and shows at most 13 quick replies of
20 characters each; longer texts are cut at sentence ends, longer lists are sent as
plain text. What to do when the Send API refuses is decided here by error code, and
logged with the code and the recipient only, never the text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from serving.channels.base import deliver
from serving.channels.messenger.graph import (
    BadTokenError,
    GraphClient,
    GraphError,
    OutsideWindowError,
    PermissionDeniedError,
    TransientGraphError,
    UserUnavailableError,
)
from serving.channels.pieces import split_text
from serving.chat import Reply

log = logging.getLogger(__name__)

MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20


def quick_reply_buttons(options: tuple[str, ...]) -> list[dict[str, str]]:
    """Messenger quick replies: the title may be shortened, the payload is whole."""
    return [
        {
            "content_type": "text",
            "title": option
            if len(option) <= MAX_QUICK_REPLY_TITLE
            else option[: MAX_QUICK_REPLY_TITLE - 1] + "…",
            "payload": option,
        }
        for option in options
    ]


class MessengerOutput:
    """Sends replies to Messenger users through the Send API."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def send_text(self, user_id: str, text: str) -> None:
        """Send a text, in several messages if it is too long for one."""
        for piece in split_text(text):
            self.client.send_message(user_id, {"text": piece})

    def send_quick_replies(
        self, user_id: str, text: str, options: tuple[str, ...]
    ) -> None:
        """Send a text with buttons; too many options for buttons go as plain text."""
        if not options or len(options) > MAX_QUICK_REPLIES:
            self.send_text(user_id, text)
            return
        pieces = split_text(text) or ["…"]
        for piece in pieces[:-1]:
            self.client.send_message(user_id, {"text": piece})
        self.client.send_message(
            user_id,
            {"text": pieces[-1], "quick_replies": quick_reply_buttons(options)},
        )

    def send_typing(self, user_id: str, on: bool) -> None:
        """Show or hide the typing indicator."""
        self.client.send_action(user_id, "typing_on" if on else "typing_off")


def send_replies(
    output: MessengerOutput, user_id: str, replies: Sequence[Reply]
) -> bool:
    """Deliver replies, handling refusals by their code; whether all were sent."""
    try:
        deliver(replies, output, user_id)
        return True
    except GraphError as error:
        log_refusal(error, user_id)
        return False


def send_typing(output: MessengerOutput, user_id: str) -> None:
    """Turn the typing indicator on; a refusal only costs the indicator."""
    try:
        output.send_typing(user_id, True)
    except GraphError as error:
        log_refusal(error, user_id)


def log_refusal(error: GraphError, user_id: str) -> None:
    """Say why the Send API refused, by code; the message text is never logged."""
    if isinstance(error, BadTokenError):
        log.error(
            "Send API refused the page token (code 190): set a valid "
            "FB_PAGE_ACCESS_TOKEN; reply to %s dropped",
            user_id,
        )
    elif isinstance(error, OutsideWindowError):
        log.info(
            "reply to %s dropped: outside the 24-hour messaging window (code 10)",
            user_id,
        )
    elif isinstance(error, PermissionDeniedError):
        log.error(
            "Send API refused for lack of permission (code 10, subcode %s): check "
            "the app's permissions and the Page's role; reply to %s dropped",
            error.subcode,
            user_id,
        )
    elif isinstance(error, UserUnavailableError):
        log.info("reply to %s dropped: person unavailable (code 551)", user_id)
    elif isinstance(error, TransientGraphError):
        log.warning("reply to %s dropped after retries: %s", user_id, error)
    else:
        log.warning("reply to %s refused: %s", user_id, error)
