"""The browser enforces the Content-Security-Policy, and the suite notices when it has to:
every other browser test fails on a violation (conftest.csp_violations), so the journeys
prove that htmx and the NHS.UK frontend work under the policy."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_browser_refuses_injected_inline_script_and_style(page, live_server, csp_violations):
    page.goto(f"{live_server.url}/sign-in/")
    # The NHS.UK frontend's script ran: it marks the page as able to run its components.
    assert "js-enabled" in (page.locator("body").get_attribute("class") or "")

    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => document.body.insertAdjacentHTML('beforeend',
                '<p id="injected-style" style="color: rgb(255, 0, 0)">x</p>')"""
        )
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'document.title = "injected"';
                document.body.append(script);
            }"""
        )

    colour = page.eval_on_selector("#injected-style", "node => getComputedStyle(node).color")
    assert colour != "rgb(255, 0, 0)"
    assert page.title() != "injected"
    assert len(csp_violations) == 2
    # The refusals were the point of this test; any other test with one fails.
    csp_violations.clear()


def test_the_django_admin_works_under_the_policy(page, live_server, demo):
    person = User.objects.get(username="provider.lead")
    sign_in(page, live_server.url, "admin", "demo-tracker-2026")

    page.goto(f"{live_server.url}/admin/accounts/user/{person.pk}/change/")
    # The admin's own scripts ran: the permissions chooser and the date shortcuts.
    page.locator(".selector-filter").first.wait_for()
    page.locator(".datetimeshortcuts").first.wait_for()
    page.goto(f"{live_server.url}/admin/accounts/user/")
    page.check(f"input[name=_selected_action][value='{person.pk}']")
    page.select_option("select[name=action]", "end_sessions")
    page.click("button[name=index]")
    assert "Ended every session of 1 user(s)" in page.locator(".messagelist").inner_text()
