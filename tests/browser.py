"""The browser fixtures shared by tests/e2e and tests/production: one headless Chromium
from Debian (/usr/bin/chromium) for the whole run, driven by Playwright (its own browser
downloads are never used), and a watch on every context for Content-Security-Policy
violations. Registered in tests/conftest.py, so that both suites share the one browser:
Playwright's sync API cannot run two at once in one process."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make between page actions are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def csp_violations(request, monkeypatch) -> Iterator[list[str]]:
    """Watches every context the test opens, the `page` fixture's or its own
    `browser.new_context()`, for the console errors Chromium writes when the
    Content-Security-Policy blocks something, and fails the test if there were any."""
    if "browser" not in request.fixturenames:
        yield []
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []
    opened: list[BrowserContext] = []
    new_context = browser.new_context

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("console", lambda message: _note_csp_violation(message, violations))
        opened.append(context)
        return context

    monkeypatch.setattr(browser, "new_context", watched_new_context)
    yield violations
    # Closing delivers any console messages still in flight (a no-op if already closed).
    for context in opened:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


def _note_csp_violation(message, violations: list[str]) -> None:
    if "Content Security Policy" in message.text:
        where = message.location.get("url") or (message.page.url if message.page else "")
        violations.append(f"{where}: {message.text}")
