"""Headless Chromium from Debian (/usr/bin/chromium), driven by Playwright.

Playwright's own browser downloads are never used. Pages are also checked with the
axe-core engine for serious or critical WCAG 2.2 AA violations, and every browser context
a test opens reports Content-Security-Policy violations: a test with any fails.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser import AXE_OPTIONS


@pytest.fixture
def demo(settings):
    """The demo data (README), whose accounts sign in with the demo password. A fast
    hasher: load_demo sets a password for every account, and the default one costs
    seconds each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", "--quiet", stdout=StringIO())


@pytest.fixture
def page(browser, csp_violations):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def assert_accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], f"{page.url}: " + "; ".join(serious)


def accessibility_violations(page) -> list[str]:
    """Every axe-core violation on the page, of any impact (minor and moderate too), one
    line each: rule, impact, help and the first few elements. Reuses an axe-core the page
    already has (a context's init script, as the page walk adds), else injects it."""
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(Axe().axe_script)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
    ]


def assert_fully_accessible(page) -> None:
    """assert_accessible at every impact: no axe-core violation at all."""
    violations = accessibility_violations(page)
    assert violations == [], f"{page.url}: " + "; ".join(violations)


def assert_fits(page) -> None:
    """The page does not scroll sideways at the window's width."""
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url}: {scroll} px wide in a {client} px window"


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Signs in as a real user does: password, then the code from their authenticator
    app (given the known test key if they have none), unless the password was refused."""
    from accounts.models import User
    from tests import factories

    user = User.objects.filter(username=username).first()
    if user is not None:
        factories.totp_device(user)
    page.goto(f"{base_url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/account/two-factor/check/" not in page.url:
        return
    page.fill("#id_code", _unused_totp_code(user))
    page.click("#main-form button[type=submit]")
    page.wait_for_load_state()


def _unused_totp_code(user) -> str:
    """A code the server will accept now. Each time step is accepted once, so a second
    sign-in within the same 30 seconds types the next step's code (inside the device's
    tolerance of one step), and a third waits for the clock to move on."""
    import time

    from tests import factories

    device = factories.totp_device(user)
    device.refresh_from_db()
    while True:
        now = factories.totp_step(device)
        wanted = max(now, device.last_t + 1)
        if wanted <= now + device.tolerance:
            return factories.totp_code(device, step=wanted)
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
