"""Webhook bodies in the shapes Meta documents for Messenger Platform events.

https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/
Each builder returns one `messaging` item; `webhook()` wraps items into entries.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

PAGE_ID = "1234567890"
_mids = itertools.count(1)


def new_mid() -> str:
    """A fresh message id in Meta's style."""
    return f"m_standin-{next(_mids)}-{time.time_ns()}"


def _item(psid: str, **event: Any) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000),
        **event,
    }


def text(psid: str, body: str, mid: str | None = None) -> dict[str, Any]:
    """A person sent a text message."""
    return _item(psid, message={"mid": mid or new_mid(), "text": body})


def quick_reply(psid: str, title: str, payload: str) -> dict[str, Any]:
    """A person tapped a quick reply: the title as text, our payload beside it."""
    return _item(
        psid,
        message={"mid": new_mid(), "text": title, "quick_reply": {"payload": payload}},
    )


def postback(psid: str, payload: str, title: str = "Get Started") -> dict[str, Any]:
    """A person tapped a button (Get Started, a persistent-menu item)."""
    return _item(psid, postback={"mid": new_mid(), "title": title, "payload": payload})


def sticker(psid: str) -> dict[str, Any]:
    """A person sent a sticker (an image attachment with a sticker id)."""
    url = "https://scontent.example/sticker.png"
    return _item(
        psid,
        message={
            "mid": new_mid(),
            "sticker_id": 369239263222822,
            "attachments": [
                {
                    "type": "image",
                    "payload": {"url": url, "sticker_id": 369239263222822},
                }
            ],
        },
    )


def image(psid: str) -> dict[str, Any]:
    """A person sent a photo."""
    url = "https://scontent.example/photo.jpg"
    return _item(
        psid,
        message={
            "mid": new_mid(),
            "attachments": [{"type": "image", "payload": {"url": url}}],
        },
    )


def echo(psid: str, body: str) -> dict[str, Any]:
    """Our own message to a person, echoed back (sender is the page)."""
    return {
        "sender": {"id": PAGE_ID},
        "recipient": {"id": psid},
        "timestamp": int(time.time() * 1000),
        "message": {
            "is_echo": True,
            "app_id": 1517776481860111,
            "mid": new_mid(),
            "text": body,
        },
    }


def delivery(psid: str) -> dict[str, Any]:
    """A delivery receipt for messages we sent."""
    return _item(
        psid, delivery={"mids": [new_mid()], "watermark": int(time.time() * 1000)}
    )


def read(psid: str) -> dict[str, Any]:
    """A read receipt."""
    return _item(psid, read={"watermark": int(time.time() * 1000)})


def webhook(*entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A webhook body: one entry per list of messaging items."""
    return {
        "object": "page",
        "entry": [
            {"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": items}
            for items in entries
        ],
    }


def encode(payload: dict[str, Any]) -> bytes:
    """The raw body as Meta would send it."""
    return json.dumps(payload).encode()


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` header value for a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
