"""Instagram's "Download your information" messages, JSON and HTML.

Instagram writes its threads exactly as Facebook does (`messages/inbox/<thread>/
message_N.json` or `.html`, the same keys, the same latin-1 mojibake, the same
page layout), since 2023 under `your_instagram_activity/`. So the Facebook
readers read them; what differs is that a download tells where it comes from
(`detect.Opening.instagram`), its thread ids start with `instagram-` so they
never meet a Facebook thread of the same name, and its notices ("Liked a
message") are in `scraper.meta_notices`.
"""

from __future__ import annotations

from functools import partial

from scraper import facebook_html, facebook_json
from scraper.detect import Opening
from scraper.options import Reader

JSON_NAME = "instagram-json"
HTML_NAME = "instagram-html"
PREFIX = "instagram-"


def sniff_json(opening: Opening) -> bool:
    """A thread file of an Instagram download."""
    return opening.instagram and facebook_json.is_thread(opening)


def sniff_html(opening: Opening) -> bool:
    """A thread page of an Instagram download."""
    return opening.instagram and facebook_html.is_thread_page(opening)


JSON_READER = Reader(
    JSON_NAME, "json", sniff_json, partial(facebook_json.read, prefix=PREFIX)
)
HTML_READER = Reader(
    HTML_NAME, "html", sniff_html, partial(facebook_html.read, prefix=PREFIX)
)
