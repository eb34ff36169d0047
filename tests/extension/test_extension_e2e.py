"""Both creation paths through the real popup in headless Chromium, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from serving.api import EXTENSION
from serving.models import Job, Persona, PersonaStatus
from tests.extension.conftest import World
from tests.serving.chatting import said
from tests.serving.chatting import user as chat_user

pytestmark = pytest.mark.slow
BUILD_TIMEOUT_MS = 60_000


def set_backend(world: World) -> None:
    """Point the extension at the test's API through its options page."""
    options = world.extension_page("options.html")
    options.fill("#backend-url", world.api_url + "/")
    options.click("#save")
    options.wait_for_selector(f"#saved:has-text('Saved: {world.api_url}')")
    options.close()


def log_in_to_messenger(world: World):  # type: ignore[no-untyped-def]
    """Log in on the stand-in served as www.messenger.com; it sets c_user and xs."""
    page = world.context.new_page()  # type: ignore[attr-defined]
    page.goto("https://www.messenger.com/login.php")
    page.fill('input[name="email"]', "robin@example.com")
    page.fill('input[name="pass"]', world.site.password)
    page.click('input[name="login"]')
    page.wait_for_selector("#threadlist_rows")
    return page


def show_all(world: World, user: str) -> str:
    engine = world.app.extensions[EXTENSION].engine
    return " ".join(said(engine, chat_user(user, "web"), "%show all"))


def test_popup_creates_a_persona_from_the_open_messenger_tab(world: World) -> None:
    set_backend(world)
    messenger = log_in_to_messenger(world)
    cookies = {c["name"]: c for c in world.context.cookies("https://www.messenger.com")}  # type: ignore[attr-defined]
    assert cookies["xs"]["domain"] == ".messenger.com"

    popup = world.extension_page("popup.html")
    popup.check("#source-messenger")
    popup.wait_for_selector(
        "#tab-status:has-text('3 conversations on www.messenger.com')"
    )
    chosen = ["100001", "100008"]
    for thread_id in chosen:
        popup.check(f'input[name="thread"][value="{thread_id}"]')
    popup.fill("#name", "Robin")
    popup.fill("#password", "")
    popup.check("#public")
    popup.click("#create")
    popup.wait_for_selector(
        "#status.ready:has-text('Robin is ready')", timeout=BUILD_TIMEOUT_MS
    )
    assert popup.inner_text("#status") == "Robin is ready. Chat with it on any channel."
    assert len(popup.inner_text("#manage-token")) > 20
    # The service worker was told to follow the job: its badge shows it.
    badge = world.worker.evaluate("chrome.action.getBadgeText({})")  # type: ignore[attr-defined]
    assert badge in ("…", "✓")
    thread_reads = world.site.thread_reads()
    assert sorted(set(thread_reads)) == chosen  # only the ticked conversations
    assert len(thread_reads) == 4  # two pages each: "see older messages" followed
    with world.app.extensions[EXTENSION].services.db.session() as session:
        persona = session.scalars(select(Persona).where(Persona.name == "Robin")).one()
        assert persona.status == PersonaStatus.READY
        job = session.scalars(select(Job).where(Job.persona_id == persona.id)).one()
        assert "cookies_sealed" not in job.source  # used once, then dropped
        assert world.site.sessions & set(map(str, job.source.values())) == set()
    assert "Robin" in show_all(world, "e2e-user-1")
    messenger.close()
    popup.close()


def test_popup_creates_a_persona_from_an_export_zip(
    world: World, sample_zip: Path
) -> None:
    set_backend(world)
    popup = world.extension_page("popup.html")
    popup.check("#source-export")
    popup.set_input_files("#export", str(sample_zip))
    popup.fill("#name", "Romeo")
    popup.check("#public")
    popup.click("#create")
    popup.wait_for_selector(
        "#status.ready:has-text('Romeo is ready')", timeout=BUILD_TIMEOUT_MS
    )
    assert popup.inner_text("#status") == "Romeo is ready. Chat with it on any channel."
    assert "Romeo" in show_all(world, "e2e-user-2")
    popup.close()


def test_popup_shows_the_apis_refusal(world: World, sample_zip: Path) -> None:
    set_backend(world)
    popup = world.extension_page("popup.html")
    popup.check("#source-export")
    popup.set_input_files("#export", str(sample_zip))
    popup.fill("#name", "romeo")  # names are unique whatever their case
    popup.click("#create")
    popup.wait_for_selector("#error:not([hidden])")
    assert "already exists" in popup.inner_text("#error")


def test_popup_shows_why_a_scrape_failed(world: World) -> None:
    set_backend(world)
    messenger = log_in_to_messenger(world)
    world.site.checkpoint = True  # Facebook now wants a security check
    try:
        popup = world.extension_page("popup.html")
        popup.check("#source-messenger")
        popup.check('input[name="thread"][value="100015"]')
        popup.fill("#name", "Checkpointed")
        popup.click("#create")
        popup.wait_for_selector("#status.error", timeout=BUILD_TIMEOUT_MS)
    finally:
        world.site.checkpoint = False
    assert "Checkpointed could not be built: Facebook asks for a security check" in (
        popup.inner_text("#status")
    )
    messenger.close()


def test_popup_says_when_the_messenger_tab_is_logged_out(world: World) -> None:
    set_backend(world)
    messenger = log_in_to_messenger(world)
    world.context.clear_cookies()  # type: ignore[attr-defined]
    popup = world.extension_page("popup.html")
    popup.check("#source-messenger")
    popup.check('input[name="thread"][value="100001"]')
    popup.fill("#name", "Nobody")
    popup.click("#create")
    popup.wait_for_selector("#error:not([hidden])")
    assert "Not logged in to Messenger in that tab" in popup.inner_text("#error")
    messenger.close()
