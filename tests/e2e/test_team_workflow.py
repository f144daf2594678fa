"""The commissioner's quarter in the browser: filter the list, open an action, change
its status with a note, and see the history entry. Every page is checked with axe."""

from __future__ import annotations

import pytest

from actions.choices import Status
from actions.models import Action
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_commissioner_filters_opens_an_action_and_changes_its_status(page, live_server, demo):
    sign_in(page, live_server.url, "commissioner", "demo-tracker-2026")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert_accessible(page)

    page.click("header >> text=Actions")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Actions"
    page.click("text=Filter and sort")
    page.check("input[name=status][value=off_track]")
    page.click("#apply-filters")
    page.wait_for_load_state()
    assert "status=off_track" in page.url
    rows = page.locator("#action-table tbody tr")
    expected = Action.objects.filter(status=Status.OFF_TRACK).count()
    assert rows.count() == expected > 0
    assert page.locator("#action-table").get_by_text("Off track").count() == expected
    assert_accessible(page)

    target = Action.objects.filter(status=Status.OFF_TRACK).order_by("effective_due", "pk").first()
    assert target is not None
    page.click(f"#action-table a[href='/actions/{target.pk}/']")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Action")
    assert_accessible(page)

    page.check("input[name=status][value=at_risk]")
    page.fill("textarea[name=note]", "Recovery plan agreed at CQRG; two tasks left.")
    page.click("#save-status")
    # The page comes back with the change at the top of the history, with the note.
    history = page.locator("#history li").first
    history.wait_for()
    # A function, not an expression: Playwright evaluates a bare expression with eval(),
    # which the page's Content-Security-Policy refuses.
    page.wait_for_function(
        "() => document.querySelector('#history li') && "
        "document.querySelector('#history li').innerText"
        ".includes('Status changed from off track to at risk')"
    )
    assert "S. Khan" in history.inner_text()
    assert "Recovery plan agreed at CQRG" in history.inner_text()
    assert "At risk" in page.locator("#action-status").inner_text()
    assert_accessible(page)

    target.refresh_from_db()
    assert target.status == Status.AT_RISK
    assert target.history.first().history_user.username == "commissioner"


def test_status_change_shows_errors_in_place(page, live_server, demo):
    sign_in(page, live_server.url, "commissioner", "demo-tracker-2026")
    target = Action.objects.filter(status=Status.ON_TRACK).order_by("pk").first()
    assert target is not None
    page.goto(f"{live_server.url}/actions/{target.pk}/")
    page.check("input[name=status][value=closed]")
    page.fill("textarea[name=note]", "Closing it.")
    page.click("#save-status")
    page.locator(".nhsuk-error-summary").first.wait_for()
    assert "Say why the action is closed" in page.content()
    assert_accessible(page)
    target.refresh_from_db()
    assert target.status == Status.ON_TRACK


def test_review_register_and_review_page_are_accessible(page, live_server, demo):
    sign_in(page, live_server.url, "commissioner", "demo-tracker-2026")
    page.goto(f"{live_server.url}/reviews/")
    assert page.locator("h1").inner_text() == "Reviews"
    assert_accessible(page)
    page.click("#review-table >> text=NHSE QAR 2018/01")
    page.wait_for_load_state()
    assert "Recommendations and actions" in page.content()
    assert_accessible(page)
