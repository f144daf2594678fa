from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-tracker-2026"


def test_the_sign_in_page_is_accessible(page, live_server):
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/sign-in/?next=/")
    assert page.locator("h1").inner_text() == "Sign in"
    assert_accessible(page)


def test_a_wrong_password_shows_an_error_summary(page, live_server, demo):
    sign_in(page, live_server.url, "commissioner", "not-the-password")
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("username", "heading", "expected"),
    [
        ("commissioner", "Dashboard", "Completed or on track"),
        ("secretary", "Your committees", "Papers due"),
        ("provider.lead", "Your organisation's actions", "Waiting on you"),
        ("provider.contributor", "Your organisation's actions", "Waiting on you"),
        ("provider.b", "Your organisation's actions", "Your organisation's open actions"),
        ("viewer", "The portfolio at a glance", "Overdue across the portfolio"),
        ("admin", "Dashboard", "Administration"),
    ],
)
def test_each_demo_role_signs_in_to_a_sensible_home_page(
    page, live_server, demo, username, heading, expected
):
    sign_in(page, live_server.url, username, DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == heading
    assert expected in page.content()
    assert_accessible(page)
    page.click("text=Sign out")
    page.wait_for_load_state()
    assert "/sign-in/" in page.url


def test_provider_b_never_sees_provider_a_actions(page, live_server, demo):
    sign_in(page, live_server.url, "provider.b", DEMO_PASSWORD)
    content = page.content()
    assert "UHB" in content
    assert "BSMHFT" not in content
