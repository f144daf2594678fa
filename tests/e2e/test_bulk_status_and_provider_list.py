"""The bulk status change (select all, set a status, read what happened; a missing
field) and the provider's own action list (filter, export), at phone and desktop
widths, with no sideways scrolling and no axe-core violation of any impact."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from accounts.models import Organisation
from actions.choices import Status
from actions.models import Action
from tests.e2e.conftest import assert_fits, assert_fully_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-tracker-2026"
WIDTHS = [390, 1280]


def checked_rows(page) -> list[bool]:
    rows = page.locator("#action-table tbody input[name=selected]")
    return [rows.nth(i).is_checked() for i in range(rows.count())]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_team_sets_a_status_on_every_action_of_a_page(browser, live_server, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, "commissioner", PASSWORD)
    page.goto(f"{live_server.url}/actions/?status=not_started")
    expected = Action.objects.filter(status=Status.NOT_STARTED).count()
    assert 1 < expected <= 25
    assert_fits(page)
    assert_fully_accessible(page)

    # A missing field: the error summary, focused, with the ticks and choices kept.
    page.locator("#action-table tbody input[name=selected]").first.check()
    page.check("input[name=operation][value=set_status]")
    page.select_option("select[name=status]", Status.AT_RISK)
    page.click("#apply-bulk")
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".nhsuk-error-summary")
    assert "Say what has changed." in summary.inner_text()
    page.wait_for_function("() => document.activeElement.closest('.nhsuk-error-summary')")
    assert checked_rows(page) == [True] + [False] * (expected - 1)
    assert page.is_checked("input[name=operation][value=set_status]")
    assert page.locator("select[name=status]").input_value() == Status.AT_RISK
    assert_fits(page)
    assert_fully_accessible(page)

    # Select all, then the status with its note.
    page.check("#select-all")
    assert checked_rows(page) == [True] * expected
    page.fill("textarea[name=text]", "Agreed at the assurance group: no start date yet.")
    page.click("#apply-bulk")
    page.wait_for_load_state()
    banner = page.locator(".nhsuk-notification-banner--success")
    assert f"{expected} actions set to at risk." in banner.inner_text()
    assert Action.objects.filter(status=Status.NOT_STARTED).count() == 0
    assert_fits(page)
    assert_fully_accessible(page)

    # A status the rules refuse for some: each refused one is named with its reason.
    page.goto(f"{live_server.url}/actions/?status=at_risk")
    page.check("#select-all")
    page.check("input[name=operation][value=set_status]")
    page.select_option("select[name=status]", Status.ASSURED)
    page.fill("textarea[name=text]", "Assured at the group.")
    page.click("#apply-bulk")
    page.wait_for_load_state()
    refused = page.locator("#bulk-refused")
    assert "not changed" in refused.inner_text()
    assert "Accept at least one evidence item" in refused.inner_text()
    assert_fits(page)
    assert_fully_accessible(page)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_provider_lists_filters_and_exports_its_own_actions(browser, live_server, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, "provider.lead", PASSWORD)
    page.click("header >> a:text-is('Actions')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "All your organisation's actions"
    own = Organisation.objects.get(memberships__user__username="provider.lead")
    owners = page.locator("#action-table tbody td:nth-child(3)")
    assert owners.count() > 0
    for i in range(owners.count()):
        # At phone width each cell starts with its column's name (a stacked table).
        shown = owners.nth(i).inner_text().removeprefix("Owner and lead").strip()
        assert shown.startswith(own.short_name)
    assert_fits(page)
    assert_fully_accessible(page)

    page.click("text=Filter and sort")
    page.check("input[name=overdue]")
    page.click("#apply-filters")
    page.wait_for_load_state()
    overdue = Action.objects.filter(owner_organisation=own).overdue().count()
    assert page.locator("#action-table tbody tr").count() == min(overdue, 25)
    assert_fits(page)
    assert_fully_accessible(page)

    with page.expect_download() as download_info:
        page.click("#export-actions")
    saved = Path(download_info.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(saved))
    text = "\n".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )
    others = Action.objects.exclude(owner_organisation=own)
    assert not [a.description for a in others if a.description in text]
    context.close()
