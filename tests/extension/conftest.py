"""One headless Chromium with the extension, the stand-in Messenger site served as
https://www.messenger.com, and the real API in a thread, shared by this package."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from serving import create_app
from serving.app import shutdown_app
from serving.config import Config
from tests.conftest import REPO, SAMPLE_EXPORT
from tests.local_http import CHROMIUM, CHROMIUM_FLAGS, serving_in_thread
from tests.standins.messenger_history import generate_history
from tests.standins.messenger_site import MessengerSite
from tests.standins.selfsigned import make_certificate

EXTENSION_DIR = REPO / "extension"


@dataclass
class World:
    """What the tests drive and inspect."""

    site: MessengerSite
    api_url: str
    app: Flask
    context: object  # playwright BrowserContext
    worker: object  # playwright Worker: the extension's service worker
    extension_id: str

    def extension_page(self, name: str):  # type: ignore[no-untyped-def]
        """Open one of the extension's pages in a tab, as a user would see it."""
        page = self.context.new_page()  # type: ignore[attr-defined]
        page.goto(f"chrome-extension://{self.extension_id}/{name}")
        page.wait_for_selector("body[data-ready=true]")
        return page


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Stand-in site (HTTPS), API server and browser, started once for the package."""
    if not Path(CHROMIUM).exists():
        pytest.fail("no /usr/bin/chromium: run scripts/install-system-deps.sh")
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("extension-e2e")
    tls = make_certificate(root / "tls", ("www.messenger.com", "*.messenger.com"))
    site = MessengerSite(
        generate_history(threads=3, messages=60), page_size=30, list_page_size=10
    )
    with pytest.MonkeyPatch.context() as env, site.serve(tls) as site_url:
        # The backend's scraper trusts the stand-in's certificate, and nothing else.
        env.setenv("REQUESTS_CA_BUNDLE", str(tls.cert))
        config = Config(
            home=root / "home",
            secret_key="e2e-secret-key-of-at-least-32-chars",
            messenger_url=site_url,
            train_minutes=0.03,
        )
        app = create_app(config)
        site_port = site_url.rsplit(":", 1)[1]
        args = [
            *CHROMIUM_FLAGS,
            f"--disable-extensions-except={EXTENSION_DIR}",
            f"--load-extension={EXTENSION_DIR}",
            f"--host-resolver-rules=MAP www.messenger.com 127.0.0.1:{site_port}",
        ]
        try:
            with serving_in_thread(app) as server:
                with sync_playwright() as playwright:
                    context = playwright.chromium.launch_persistent_context(
                        str(root / "profile"),
                        executable_path=str(CHROMIUM),
                        # The new headless mode, which runs extensions.
                        channel="chromium",
                        headless=True,
                        args=args,
                        ignore_https_errors=True,
                    )
                    try:
                        worker = (
                            context.service_workers[0]
                            if context.service_workers
                            else context.wait_for_event("serviceworker")
                        )
                        yield World(
                            site,
                            f"http://127.0.0.1:{server.server_port}",
                            app,
                            context,
                            worker,
                            worker.url.split("/")[2],
                        )
                    finally:
                        context.close()
        finally:
            shutdown_app(app, wait=True)


@pytest.fixture(scope="package")
def sample_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample export, zipped as Facebook delivers it."""
    path = tmp_path_factory.mktemp("upload") / "facebook-romeo.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(SAMPLE_EXPORT.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(SAMPLE_EXPORT))
    return path
