"""Each role's home page, at phone and desktop width: no sideways scrolling, and
axe-core finds nothing at any impact."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_fits, assert_fully_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = {
    "commissioner": "Dashboard",
    "secretary": "Your committees",
    "provider.lead": "Your organisation's actions",
    "provider.contributor": "Your organisation's actions",
    "viewer": "The portfolio at a glance",
}


@pytest.mark.parametrize("username", list(PEOPLE))
def test_each_home_fits_a_phone_and_a_desktop(page, live_server, demo, username):
    sign_in(page, live_server.url, username, "demo-tracker-2026")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == PEOPLE[username]
        assert_fits(page)
        assert_fully_accessible(page)


def test_the_team_sees_the_evidence_count_in_the_header(page, live_server, demo):
    sign_in(page, live_server.url, "commissioner", "demo-tracker-2026")
    link = page.locator(".nhsuk-header__navigation-link", has_text="Evidence to review")
    assert "waiting)" in link.inner_text() or link.locator(".app-count").count() == 1
    assert page.locator("#waiting-evidence .nhsuk-tag").count() == 1
