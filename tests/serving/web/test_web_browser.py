"""The chat page and the widget in headless Chromium (Debian's, never a download)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from serving.channels.web.limits import WebLimits
from serving.chat import texts
from tests.serving.web.conftest import World

pytestmark = pytest.mark.slow


def test_visitor_picks_a_persona_chats_and_finds_it_after_reload(
    world: World, page: Page
) -> None:
    requested: list[str] = []
    frames: list[dict] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda data: frames.append(json.loads(data))),
    )
    page.goto(f"{world.url}/chat")
    personas = page.locator("#persona-list .mc-persona")
    expect(personas).to_have_text(["Juliet", "Mercutio", "Romeo"])
    bot = page.locator(".mc-log .mc-bot")
    expect(bot.first).to_have_text(texts.DISCLOSURE)
    expect(bot.nth(1)).to_have_text(texts.GREETING)

    personas.filter(has_text="Romeo").click()
    expect(page.locator(".mc-title")).to_have_text("Chatting with Romeo")
    expect(personas.filter(has_text="Romeo")).to_have_attribute("aria-pressed", "true")
    expect(bot.last).to_have_text(texts.CHATTING.format(name="Romeo"))

    page.locator(".mc-input").fill("hey how are you")
    page.keyboard.press("Enter")
    expect(page.locator(".mc-you")).to_have_text(["hey how are you"])
    # The disclosure, greeting, list, confirmation, the answer.
    expect(bot).to_have_count(5)
    answer = bot.last.text_content()
    assert answer and answer.strip()
    typing = [f["on"] for f in frames if f["type"] == "typing"]
    assert typing == [True, False]
    expect(page.locator(".mc-typing")).to_be_hidden()

    page.reload()
    expect(page.locator(".mc-title")).to_have_text("Chatting with Romeo")
    expect(page.locator(".mc-log .mc-msg")).to_have_text(["hey how are you", answer])
    assert all(url.startswith(world.url) for url in requested), requested


def test_page_fits_a_phone_screen(world: World, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640})
    try:
        phone = context.new_page()
        phone.goto(f"{world.url}/chat")
        expect(phone.locator(".mc-log .mc-bot").nth(1)).to_have_text(texts.GREETING)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
        box = phone.locator(".mc-send").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360
        assert box["y"] + box["height"] <= 640
    finally:
        context.close()


def test_widget_chats_on_a_site_its_owner_allowed(world: World, page: Page) -> None:
    page.goto(f"{world.host_url}/?persona=Juliet&server={world.url}")
    bot = page.locator(".mimical-widget .mc-bot")
    expect(bot).to_have_text([texts.DISCLOSURE, texts.CHATTING.format(name="Juliet")])
    page.locator(".mimical-widget .mc-input").fill("did you eat yet?")
    page.keyboard.press("Enter")
    expect(bot).to_have_count(3)

    page.reload()
    expect(page.locator(".mimical-widget .mc-you")).to_have_text(["did you eat yet?"])


def test_widget_is_refused_on_a_site_until_the_owner_allows_it(
    world: World, page: Page
) -> None:
    embed = f"{world.host_url}/?persona=Romeo&server={world.url}"
    page.goto(embed)
    expect(page.locator(".mimical-widget .mc-system")).to_have_text(
        ["This chat is not available on this site."]
    )
    expect(page.locator(".mimical-widget .mc-bot")).to_have_count(0)

    world.set_persona("Romeo", embed_origins=[world.host_url])
    try:
        page.reload()
        expect(page.locator(".mimical-widget .mc-bot")).to_have_text(
            [texts.DISCLOSURE, texts.CHATTING.format(name="Romeo")]
        )
    finally:
        world.set_persona("Romeo", embed_origins=[])


def test_page_reconnects_and_resumes_after_an_idle_close(
    start_server: Callable[[WebLimits], World], page: Page
) -> None:
    server = start_server(WebLimits(idle_timeout_s=1.0))
    page.goto(f"{server.url}/chat?persona=Mercutio")
    expect(page.locator(".mc-title")).to_have_text("Chatting with Mercutio")
    expect(page.locator(".mc-status")).to_have_text(
        "Disconnected after a quiet while. Send a message to continue."
    )
    page.locator(".mc-input").fill("are you still there?")
    page.keyboard.press("Enter")
    expect(page.locator(".mc-log .mc-msg")).to_have_count(2)  # the history, resumed
    expect(page.locator(".mc-log .mc-you")).to_have_text(["are you still there?"])
    expect(page.locator(".mc-title")).to_have_text("Chatting with Mercutio")
