"""The commissioner imports a spreadsheet action plan in the browser: upload, check the
columns, preview (an unknown organisation is answered by creating it), import, and find
the actions on the new review. Every page is checked with axe."""

from __future__ import annotations

from typing import cast

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import Organisation
from actions.choices import Status
from actions.models import Action
from imports.models import PlanImport
from reviews.models import Review
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def plan_workbook(path) -> None:
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "SAR action plan"
    sheet.append(["Safeguarding Adults Review: Ms E – action plan"])
    sheet.append([])
    sheet.append(["Review reference", "Review type", "Review title", "Rec no.", "Recommendation", "Action", "Organisation", "Lead", "Timescale", "RAG"])  # fmt: skip
    sheet.append(["SAR 2026/11", "SAR", "Ms E", 1, "Improve self-neglect training", "Deliver self-neglect training to community teams", "BSMHFT", "Named Nurse for Safeguarding", "Q3 2018/19", "Green"])  # fmt: skip
    sheet.append([None, None, None, None, None, "Audit uptake of the training", "BSMHFT", "Named Nurse for Safeguarding", "Quarter 4 2018/19", "Amber"])  # fmt: skip
    sheet.append([None, None, None, 2, "Offer crisis support", "Open a crisis café in Erdington", "Birmingham Mind", "Service Manager", "Ongoing", "Not started"])  # fmt: skip
    workbook.save(path)


def test_commissioner_imports_a_plan_from_upload_to_commit(page, live_server, demo, tmp_path):
    path = tmp_path / "Ms E action plan.xlsx"
    plan_workbook(path)
    sign_in(page, live_server.url, "commissioner", "demo-tracker-2026")

    page.click("header >> text=Reviews")
    page.wait_for_load_state()
    page.click("#import-plan-link")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Import an action plan"
    assert_accessible(page)
    page.set_input_files("input[name=file]", str(path))
    page.click("#upload-plan")
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Choose what each column holds"
    assert "Row 3 of “SAR action plan” holds the headings" in page.content()
    assert page.locator("select[name=column_6]").input_value() == "owner"
    assert page.locator("input[name=review_source][value=column]").is_checked()
    assert_accessible(page)
    page.select_option("#id_commissioning_body", label="BSAB")
    # The title block gives no "position as at" date: the person types it.
    page.fill("#id_position_date", "31/12/2018")
    page.click("#to-preview")
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Check the import"
    assert "Organisation “Birmingham Mind” is not in the tracker" in page.content()
    assert page.locator("#commit-import").count() == 0
    assert_accessible(page)
    answer = page.locator("#answers-form select").first
    answer.select_option("new")
    page.click("#save-answers")
    page.wait_for_load_state()
    assert "Import 3 new actions" in page.locator("#commit-import").inner_text()
    assert "Due 31 Dec 2018" in page.locator("#row-4").inner_text()
    assert "Needs attention" in page.locator("#row-6").inner_text()
    assert not Review.objects.filter(reference="SAR 2026/11").exists()
    assert_accessible(page)
    page.click("#commit-import")
    page.wait_for_load_state()

    assert "Imported: 3 actions added, 0 updated, 0 unchanged." in page.content()
    assert_accessible(page)
    review = Review.objects.get(reference="SAR 2026/11")
    assert review.commissioning_body.short_name == "BSAB"
    cafe = Action.objects.get(description="Open a crisis café in Erdington")
    assert cafe.owner_organisation == Organisation.objects.get(name="Birmingham Mind")
    assert cafe.status == Status.NOT_STARTED and cafe.due_date is None
    record = PlanImport.objects.get()
    assert (record.original_filename, record.actions_created) == ("Ms E action plan.xlsx", 3)

    page.click(f"a[href='{review.get_absolute_url()}']")
    page.wait_for_load_state()
    assert "Deliver self-neglect training to community teams" in page.content()
