"""Two-factor sign-in in the browser: a first sign-in sets up the authenticator app,
with every page accessible and nothing the Content-Security-Policy blocks."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from tests import factories
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-tracker-2026"


def test_a_first_sign_in_sets_up_the_app_and_shows_recovery_codes(page, live_server, demo):
    viewer = User.objects.get(username="viewer")
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/account/two-factor/set-up/" in page.url
    assert page.locator("h1").inner_text() == "Set up two-factor sign-in"
    assert page.locator("svg.app-qr-code").is_visible()
    assert_accessible(page)

    page.click("text=I cannot scan the QR code")
    assert page.locator("#setup-key").is_visible()
    page.fill("#id_code", "000000")
    page.click("#main-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)

    device = TOTPDevice.objects.get(user=viewer)
    page.fill("#id_code", factories.totp_code(device))
    # Wrong codes are throttled (1 s after the first); let that pass.
    page.wait_for_timeout(1100)
    page.click("#main-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Save your recovery codes"
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page)

    page.click("#codes-saved")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "The portfolio at a glance"
    page.click("#account-link")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Two-factor sign-in"
    assert "10 unused" in page.locator("#codes-left").inner_text()
    assert_accessible(page)


def test_a_returning_user_enters_the_code(page, live_server, demo):
    sign_in(page, live_server.url, "commissioner", PASSWORD)
    assert page.locator("h1").inner_text() == "Dashboard"
    page.click("text=Sign out")
    page.wait_for_load_state()
    # Signing in again at once: the helper uses the next step's code, never the same one.
    sign_in(page, live_server.url, "commissioner", PASSWORD)
    assert page.locator("h1").inner_text() == "Dashboard"


def test_the_code_pages_are_accessible(page, live_server, demo):
    factories.totp_device(User.objects.get(username="secretary"))
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Enter your security code"
    assert page.locator("nav[aria-label=Menu]").count() == 0
    assert_accessible(page)
    page.click("#use-recovery-code")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Use a recovery code"
    page.fill("#id_recovery_code", "abcd-2345")
    page.click("#main-form button[type=submit]")
    page.wait_for_load_state()
    assert (
        "not correct or has already been used" in page.locator(".nhsuk-error-summary").inner_text()
    )
    assert_accessible(page)
