"""Browser fixtures: Debian's headless Chromium driven by Playwright, and the test app served
on a free local port.

Chromium is never downloaded (`playwright install` needs a network this project doesn't have):
without /usr/bin/chromium the browser tests skip, except under CI where they fail.
"""

import os
import threading
from pathlib import Path

import pytest
from account_factories import make_user, signed_in  # noqa: F401  (fixtures)
from factories import make_buyer, make_opportunity, make_plan  # noqa: F401  (fixtures)
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One Chromium for the session; each test gets fresh contexts (no shared cookies)."""
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser):
    """new_context() -> a fresh browser context as a visitor in Peru sees the site (Spanish
    first), closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(locale="es-PE", timezone_id="America/Lima")
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def live_server(app):
    """The test `app` served over HTTP in a daemon thread, on SQLite or PostgreSQL like every
    other test. Each request thread pushes its own app and request context (and so gets its own
    database session); the test's own context keeps making data through `session`."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def outbox(app) -> Path:
    """Where the file mailer writes the .eml files the flow test reads its links from."""
    return Path(app.config["PORTAL_OUTBOX_DIR"])


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Screenshots of failed checks land here (kept by pytest under its basetemp)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder
