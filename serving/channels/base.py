"""Channels: an input side that calls the engine, an output side that sends text.

The conversation logic lives once in `serving.chat`; a channel only turns platform
events into `(channel, user_id, text)` and sends back the replies.
"""

from __future__ import annotations

from typing import Protocol

from serving.chat import Reply


class OutputChannel(Protocol):
    """What a platform must offer to carry replies back to a user."""

    def send_text(self, user_id: str, text: str) -> None: ...

    def send_quick_replies(
        self, user_id: str, text: str, options: tuple[str, ...]
    ) -> None: ...

    def send_typing(self, user_id: str, on: bool) -> None: ...


def deliver(replies: list[Reply], output: OutputChannel, user_id: str) -> None:
    """Send each reply, with quick replies where it has them."""
    for reply in replies:
        if reply.quick_replies:
            output.send_quick_replies(user_id, reply.text, reply.quick_replies)
        else:
            output.send_text(user_id, reply.text)
