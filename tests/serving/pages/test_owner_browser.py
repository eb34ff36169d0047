"""The owner's pages in headless Chromium (Debian's, never a download): a persona
made from an export zip, watched, reported on, switched and deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from serving.models import ApiKey, ChatSession, Job, Persona, StoredMessage
from serving.pages.grants import COOKIE
from serving.personas import find_persona
from tests.serving.api_helpers import small_export_zip
from tests.serving.pages.conftest import Site

pytestmark = pytest.mark.slow

BUILD_TIMEOUT_MS = 180_000  # a real build on a busy 2-core machine


def _show_all(page: Page, site: Site) -> str:
    """What the chat answers to `%show all`."""
    page.goto(f"{site.url}/chat")
    bot = page.locator(".mc-log .mc-bot")
    expect(bot.first).to_be_visible()
    count = bot.count()
    page.locator(".mc-input").fill("%show all")
    page.keyboard.press("Enter")
    expect(bot).to_have_count(count + 1)
    return bot.last.text_content() or ""


def _charts(page: Page) -> list[list[int]]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('img[data-chart]'))"
        ".map(i => [i.complete ? 1 : 0, i.naturalWidth, i.naturalHeight])"
    )


def test_a_persona_made_in_the_browser_from_upload_to_delete(
    site: Site, page: Page, tmp_path: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site.url}/create")
    page.get_by_label("Name", exact=True).fill("Benvolio")
    export = tmp_path / "facebook-export.zip"
    export.write_bytes(small_export_zip())
    page.locator("#export").set_input_files(export)
    expect(page.locator("#file-name")).to_contain_text("facebook-export.zip")
    page.get_by_role("button", name="Upload and build").click()

    # The token, once; then the build, which a reload does not lose.
    expect(page.locator("#token")).to_be_visible()
    token = page.locator("#token-value").text_content() or ""
    assert len(token) >= 40
    expect(page.locator("#reading-text")).to_have_text(
        "Read 144 messages in 3 conversations (facebook-json)."
    )
    owner_form = page.locator("#owner-form")
    expect(owner_form).to_be_visible(timeout=60_000)
    page.reload()
    expect(page.locator("#build-name")).to_have_text("Benvolio")
    expect(page.locator("#token")).to_be_hidden()
    expect(page.locator("#create")).to_be_hidden()
    romeo = page.get_by_label("Romeo — 72 messages in 3 conversations")
    expect(romeo).to_be_checked()
    romeo.focus()
    page.keyboard.press("Enter")  # the keyboard confirms the guess
    expect(page.locator("#corpus-text")).to_have_text("Training on Romeo's replies.")
    expect(page.locator("#step-ready")).to_have_attribute(
        "data-state", "done", timeout=BUILD_TIMEOUT_MS
    )
    expect(page.locator("#loss-chart polyline")).to_have_count(1)

    # The report's pictures, drawn by the server, all there and whole.
    page.get_by_role("link", name="See how it sounds and manage it").click()
    expect(page.get_by_role("heading", name="Does it sound like you?")).to_be_visible()
    page.wait_for_load_state("load")
    assert _charts(page) == [[1, 640, 360]] * 4
    expect(page.locator(".mo-examples li")).not_to_have_count(0)

    # Kept conversations on, then a visitor chats; public off leaves %show all.
    page.get_by_label("Keep visitors' web chats for me").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Settings saved.")
    assert "Benvolio" in _show_all(page, site)
    page.locator(".mc-input").fill("Benvolio")
    page.keyboard.press("Enter")
    expect(page.locator(".mc-title")).to_have_text("Chatting with Benvolio")
    page.locator(".mc-input").fill("are you up?")
    page.keyboard.press("Enter")
    expect(page.locator(".mc-log .mc-bot").last).not_to_have_text(
        "You are now chatting with Benvolio. Type %restart to pick a new persona."
    )
    page.goto(f"{site.url}/personas/Benvolio/manage")
    page.get_by_label("Public: listed when someone types").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Settings saved.")
    assert "Benvolio" not in _show_all(page, site)

    # An API key, then delete: the confirmation lists what goes, then all is gone.
    with site.services.db.session() as session:
        persona = find_persona(session, "Benvolio")
        assert persona is not None
        persona_id = persona.id
        jobs = [(job.id, job.source["upload_id"]) for job in persona.jobs]
    page.goto(f"{site.url}/personas/Benvolio/manage")
    page.get_by_role("button", name="Make a key").click()
    expect(page.locator("#new-key")).to_contain_text("mimical-")
    page.get_by_role("link", name="Delete Benvolio…").click()
    inventory = page.locator(".mo-inventory")
    expect(inventory).to_contain_text("2 kept web chat messages")
    expect(inventory).to_contain_text("1 API key")
    expect(inventory).to_contain_text("1 build: their corpora")
    page.get_by_role("button", name="Delete Benvolio for good").click()
    expect(page.locator(".mo-message")).to_have_text(
        "Benvolio and everything it held are gone."
    )

    with site.services.db.session() as session:
        assert session.get(Persona, persona_id) is None
        for table in (Job, ApiKey, StoredMessage, ChatSession):
            left = session.query(table).filter_by(persona_id=persona_id).count()
            assert left == 0, table
    storage, home = site.services.storage, site.services.config.home
    assert not storage.exists(f"personas/{persona_id}")
    for job_id, upload_id in jobs:
        assert not storage.exists(f"jobs/{job_id}")
        assert not (home / "jobs" / str(job_id)).exists()
        assert not (home / "uploads" / upload_id).exists()
    assert COOKIE not in {cookie["name"] for cookie in page.context.cookies()}
    assert page.goto(f"{site.url}/personas/Benvolio/manage").status == 404
    assert all(url.startswith(site.url) for url in requested), requested


def test_the_owners_page_opens_only_with_its_token_and_fits_a_phone(
    site: Site, browser: Browser
) -> None:
    token = site.add_persona("Nurse")
    context = browser.new_context(viewport={"width": 360, "height": 640})
    try:
        phone = context.new_page()
        phone.goto(f"{site.url}/personas/Nurse/manage")
        field = phone.get_by_label("Manage token")
        field.fill("not-the-token")
        phone.keyboard.press("Enter")
        expect(phone.get_by_role("alert")).to_have_text(
            "That is not the manage token of this persona."
        )
        expect(phone.get_by_label("Manage token")).to_have_attribute(
            "aria-invalid", "true"
        )

        phone.get_by_label("Manage token").fill(token)
        phone.keyboard.press("Enter")
        expect(phone.get_by_role("heading", name="Nurse", exact=True)).to_be_visible()
        phone.wait_for_load_state("load")
        assert _charts(phone) == [[1, 640, 360]] * 4
        for path in ("/personas/Nurse/manage", "/create"):
            phone.goto(f"{site.url}{path}")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        phone.keyboard.press("Tab")  # the skip link comes first, then the content
        phone.keyboard.press("Enter")
        focused = phone.evaluate("document.activeElement.id")
        assert focused == "main"
    finally:
        context.close()
