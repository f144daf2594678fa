"""The action page in the browser at phone and desktop widths: nothing scrolls sideways,
where the action stands and its status form come before the evidence, a refused status
change leaves focus on the error summary, and axe-core finds no violation of any impact."""

from __future__ import annotations

import pytest

from actions.choices import Status
from actions.models import Action
from tests.e2e.conftest import assert_fits, assert_fully_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-tracker-2026"


def top_of(page, selector: str) -> float:
    return page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().top + window.scrollY", selector
    )


def open_action(browser, live_server, username: str, width: int, action: Action):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, username, PASSWORD)
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("width", [390, 1280])
def test_the_team_sees_the_status_first_and_a_refused_change_focuses_the_error(
    browser, live_server, demo, width
):
    action = Action.objects.filter(status=Status.ON_TRACK).order_by("pk").first()
    assert action is not None
    page = open_action(browser, live_server, "commissioner", width, action)
    assert page.locator("h1").inner_text().startswith("Action")
    assert_fits(page)
    assert top_of(page, "#action-status") < 900
    assert top_of(page, "#change-status") < top_of(page, "#evidence")
    assert_fully_accessible(page)

    # Closing needs a reason: the service refuses, and says so at the top of the page.
    page.check("input[name=status][value=closed]")
    page.fill("textarea[name=note]", "Superseded by the new plan.")
    page.click("#save-status")
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary")
    assert "Say why the action is closed" in summary.inner_text()
    page.wait_for_function(
        "() => document.activeElement && "
        "document.activeElement.classList.contains('nhsuk-error-summary')"
    )
    assert top_of(page, ".nhsuk-error-summary") < top_of(page, "h1")
    assert_fits(page)
    assert_fully_accessible(page)
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("username", ["provider.lead", "viewer"])
def test_the_provider_and_the_viewer_get_a_page_that_fits(
    browser, live_server, demo, width, username
):
    action = (
        Action.objects.filter(
            owner_organisation__memberships__user__username="provider.lead",
            status__in=[Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK],
            evidence__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    assert action is not None
    page = open_action(browser, live_server, username, width, action)
    assert_fits(page)
    assert top_of(page, "#action-status") < 900
    if username == "provider.lead":
        assert top_of(page, "#change-status") < top_of(page, "#evidence")
        assert "Completed: needs evidence first" in page.locator("#status-unavailable").inner_text()
        assert page.locator("#next-step").inner_text().endswith("Upload evidence")
    else:
        assert page.locator("#save-status").count() == 0
    assert_fully_accessible(page)
