"""Browser tests' fixtures: the app on a real port, Debian's headless Chromium driven by Playwright, a clerk."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Error, Page, sync_playwright
from werkzeug.serving import make_server

from service.access.accounts import create_user
from service.access.roles import Role
from service.config import PROJECT_ROOT

# Debian's chromium package (scripts/setup-system.sh); Playwright's own browser download is never used.
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
SCREENSHOTS = PROJECT_ROOT / "var" / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
# A render takes about a second; a preview of a few pages, or a first render on a cold converter, takes longer.
TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


@dataclass(frozen=True)
class Clerk:
    login: str
    password: str
    name: str


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The test's app (real LibreOffice, its own data dir) served over HTTP on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def add_person(app: Flask, person: Clerk, role: Role) -> Clerk:
    """`person` as a user of the app with `role`, who can sign in to the pages."""
    create_user(
        app.extensions["gongwen.database"],
        login=person.login,
        name=person.name,
        password=person.password,
        roles=[role],
        actor="test",
    )
    return person


@pytest.fixture
def clerk(app: Flask) -> Clerk:
    """A person with the clerk (文秘人员) role, who signs in to the pages."""
    return add_person(app, Clerk(login="wangwenmi", password="qingshan-2026-clerk", name="王文秘"), Role.CLERK)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session. Never skipped: without it every browser test fails saying why."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium with `make system`", pytrace=False)
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Error as error:
        playwright.stop()
        pytest.fail(f"{CHROMIUM} did not start ({error}); reinstall it with `make system`", pytrace=False)
    yield launched
    launched.close()
    playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test (no cookies carried over), in Chinese, that accepts downloads.

    An uncaught exception in a page's script fails the test: a broken script often leaves a page that looks fine.
    """
    context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    script_errors: list[str] = []
    opened.on("pageerror", lambda error: script_errors.append(str(error)))
    yield opened
    context.close()
    assert not script_errors, f"the page's scripts failed: {script_errors}"


@pytest.fixture
def signed_in(page: Page, live_server: LiveServer, clerk: Clerk) -> Page:
    """The page with the clerk's session cookie (signed in through the API: the sign-in page has its own tests)."""
    response = page.request.post(
        f"{live_server.url}/api/v1/session", data={"login": clerk.login, "password": clerk.password}
    )
    assert response.status == 200, response.text()
    return page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the run leaves screenshots of the main pages (git-ignored), emptied at the start of the session."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
