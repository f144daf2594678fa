"""The round trip through the app's own pages: export a review's plan to Excel, import
the file into a database with no reviews, recommendations, actions or provider
organisations, export again: the same rows, in every column.

People's accounts stay (someone has to sign in to import); the plan names its lead by
role and person, and the person is found again by name."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from actions.choices import Status
from actions.models import Action, ProgressUpdate
from governance.plan_workbook import EXPORT_COLUMNS
from imports.models import PlanImport
from reviews.models import Recommendation, Review
from tests import factories
from tests.imports.workbooks import confirm_columns, upload_through_the_page

pytestmark = pytest.mark.django_db


def plan_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[1]  # after the Classification
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


@pytest.fixture
def plan(cast):
    """An evidence-free plan with every status an import keeps, revised dates, a lead
    with a person, wordings with and without a date, and updates."""
    cast.commissioner.first_name, cast.commissioner.last_name = "Sarah", "Khan"
    cast.commissioner.save()
    trust = factories.organisation(OrganisationKind.PROVIDER, "BSMHFT")
    practice = factories.organisation(OrganisationKind.PROVIDER, "Modality")
    partnership = factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, "BCSP")
    review = Review.objects.create(
        review_type=factories.review_type("DHR"),
        reference="DHR 2012/03",
        title="Mr A",
        commissioning_body=partnership,
        owner=cast.icb,
    )
    admissions = Recommendation.objects.create(
        review=review, number="3", text="Review the admissions policy."
    )
    protocol = Recommendation.objects.create(
        review=review, number="7:7", text="Agree an admissions protocol with primary care."
    )
    learning = Recommendation.objects.create(
        review=review, number="10", text="Share the learning with all staff."
    )
    specs = [
        (admissions, "Audit admissions against the policy", trust, "Deputy Chief Nurse", cast.commissioner, "Q3 2018/19", date(2018, 12, 31), None, Status.ON_TRACK, "Audit started in October."),
        (admissions, "Train ward staff", trust, "Ward Manager", None, "Aug 17", date(2017, 8, 31), date(2017, 12, 31), Status.OFF_TRACK, ""),
        (protocol, "Agree the admissions protocol", practice, "", None, "Ongoing", None, None, Status.NOT_STARTED, ""),
        (protocol, "Report to the CQRG", practice, "Practice Manager", None, "Quarter 2/3", date(2018, 12, 31), None, Status.COMPLETED, "Reported on 20 September 2018."),
        (learning, "Publish the learning newsletter", trust, "Named Nurse", None, "December 2018/January 2019", date(2019, 1, 31), None, Status.CLOSED, "Superseded by the 2019 newsletter."),
        (learning, "Brief GP practices", practice, "Named GP", None, "Sept 17", date(2017, 9, 30), None, Status.AT_RISK, "Two practices left."),
    ]  # fmt: skip
    for rec, text, owner, role, person, wording, due, revised, status, update in specs:
        action = Action.objects.create(
            recommendation=rec,
            description=text,
            owner_organisation=owner,
            lead_role_title=role,
            lead_user=person,
            original_time_frame=wording,
            due_date=due,
            revised_due_date=revised,
            status=status,
            closure_rationale=update if status == Status.CLOSED else "",
        )
        if update:
            ProgressUpdate.objects.create(
                action=action, author=cast.commissioner, text=update, status=status
            )
    return review


def empty_the_database(review: Review) -> None:
    actions = Action.objects.filter(recommendation__review=review)
    owners = set(actions.values_list("owner_organisation", flat=True))
    ProgressUpdate.objects.filter(action__in=actions).delete()
    actions.delete()
    Recommendation.objects.filter(review=review).delete()
    body = review.commissioning_body
    review.delete()
    body.delete()
    for owner in owners:
        Organisation.objects.filter(pk=owner).delete()
    assert not (
        Review.objects.filter(reference="DHR 2012/03").exists()
        or Action.objects.filter(description__startswith="Audit admissions").exists()
    )


def import_through_the_pages(client, cast, content: bytes) -> PlanImport:
    plan_import = upload_through_the_page(client, content, "DHR-2012-03-plan.xlsx")
    response = confirm_columns(client, plan_import, commissioning_body=str(cast.icb.pk))
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("imports:preview", args=[plan_import.pk])).content.decode()
    answers = dict.fromkeys(re.findall(r'<select name="(org_[0-9a-f]+)"', page), "new")
    assert len(answers) == 2  # BSMHFT and Modality are not in the emptied database
    client.post(
        reverse("imports:answers", args=[plan_import.pk]), {**answers, "update_in_place": "0"}
    )
    response = client.post(
        reverse("imports:commit", args=[plan_import.pk]), {"update_in_place": "0"}
    )
    assert response.status_code == 302, response.content.decode()
    return PlanImport.objects.get(pk=plan_import.pk)


def without_tracker_ids(rows: list[tuple]) -> list[tuple]:
    """The tracker id is the action's id in the database it was exported from, so a copy
    in another database has its own."""
    column = EXPORT_COLUMNS.index("Tracker id")
    return [row[:column] + row[column + 1 :] for row in rows]


def test_export_import_into_an_empty_database_export_again_gives_the_same_rows(client, cast, plan):
    client.force_login(cast.commissioner)
    first = client.get(reverse("reviews:export", args=[plan.pk])).content
    before = plan_rows(first)
    assert before[0] == tuple(EXPORT_COLUMNS) and len(before) == 7

    empty_the_database(plan)
    done = import_through_the_pages(client, cast, first)
    assert (
        done.actions_created,
        done.recommendations_created,
        done.reviews_created,
        done.organisations_created,
    ) == (6, 3, 1, 2)

    review = Review.objects.get(reference="DHR 2012/03")
    second = client.get(reverse("reviews:export", args=[review.pk])).content
    after = plan_rows(second)
    assert without_tracker_ids(after) == without_tracker_ids(before)
    evidence_count = EXPORT_COLUMNS.index("Evidence count")
    assert {row[evidence_count] for row in after[1:]} == {0}
    lead = Action.objects.get(description="Audit admissions against the policy")
    assert (lead.lead_role_title, lead.lead_user) == ("Deputy Chief Nurse", cast.commissioner)


def reimport(client, content: bytes, filename: str = "plan.xlsx") -> tuple[str, PlanImport]:
    """Uploads, confirms the guessed columns, reads the preview's counts and imports,
    without ticking "update in place": the tracker ids are what match the rows."""
    plan_import = upload_through_the_page(client, content, filename)
    response = confirm_columns(client, plan_import)
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("imports:preview", args=[plan_import.pk])).content.decode()
    found = re.search(r'id="action-counts">([^<]*)<', page)
    assert found is not None, page
    counts = found.group(1)
    client.post(reverse("imports:commit", args=[plan_import.pk]), {"update_in_place": "0"})
    return counts, PlanImport.objects.get(pk=plan_import.pk)


def test_an_export_imported_back_unchanged_changes_nothing_and_says_so(client, cast, plan):
    client.force_login(cast.commissioner)
    exported = client.get(reverse("reviews:export", args=[plan.pk])).content
    actions = Action.objects.filter(recommendation__review=plan)
    history = Action.history.filter(id__in=actions.values("pk")).count()
    updates = ProgressUpdate.objects.count()

    counts, done = reimport(client, exported)

    assert counts == "0 to add, 0 to update in place, 6 unchanged"
    assert (done.actions_created, done.actions_updated, done.actions_unchanged) == (0, 0, 6)
    assert Action.history.filter(id__in=actions.values("pk")).count() == history
    assert ProgressUpdate.objects.count() == updates
    assert plan_rows(client.get(reverse("reviews:export", args=[plan.pk])).content) == plan_rows(
        exported
    )
    # The same export again is no duplicate either: it adds nothing.
    counts, again = reimport(client, exported)
    assert (again.state, again.actions_created, again.actions_unchanged) == ("committed", 0, 6)


def test_an_export_with_one_cell_changed_updates_exactly_that_action_naming_the_import(
    client, cast, plan
):
    client.force_login(cast.commissioner)
    exported = client.get(reverse("reviews:export", args=[plan.pk])).content
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook.worksheets[1]
    status = EXPORT_COLUMNS.index("Status") + 1
    action_column = EXPORT_COLUMNS.index("Action") + 1
    row = next(r for r in range(2, 8) if sheet.cell(r, action_column).value == "Train ward staff")
    sheet.cell(row, status).value = "At risk"
    changed = io.BytesIO()
    workbook.save(changed)
    train = Action.objects.get(description="Train ward staff")

    counts, done = reimport(client, changed.getvalue(), "plan edited.xlsx")

    assert counts == "0 to add, 1 to update in place, 5 unchanged"
    assert (done.actions_created, done.actions_updated, done.actions_unchanged) == (0, 1, 5)
    train.refresh_from_db()
    assert train.status == Status.AT_RISK
    latest = train.history.first()
    assert latest.history_change_reason.startswith("Updated in place from plan edited.xlsx")
    assert latest.history_user == cast.commissioner


def test_the_export_keeps_the_plans_own_action_numbers(client, cast, plan):
    Action.objects.filter(description="Train ward staff").update(number="Y1.01")
    client.force_login(cast.commissioner)
    rows = plan_rows(client.get(reverse("reviews:export", args=[plan.pk])).content)
    number = EXPORT_COLUMNS.index("Action no.")
    tracker_id = EXPORT_COLUMNS.index("Tracker id")
    train = Action.objects.get(description="Train ward staff")
    assert ("Y1.01", train.pk) in {(r[number], r[tracker_id]) for r in rows[1:]}


def test_a_row_moved_to_another_recommendation_in_the_file_stays_where_it_is(client, cast, plan):
    client.force_login(cast.commissioner)
    exported = client.get(reverse("reviews:export", args=[plan.pk])).content
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook.worksheets[1]
    rec_no = EXPORT_COLUMNS.index("Rec no.") + 1
    action_column = EXPORT_COLUMNS.index("Action") + 1
    row = next(r for r in range(2, 8) if sheet.cell(r, action_column).value == "Train ward staff")
    sheet.cell(row, rec_no).value = "99"
    moved = io.BytesIO()
    workbook.save(moved)

    counts, done = reimport(client, moved.getvalue(), "moved.xlsx")

    # Unchanged, but not silently: the row says the action stays where it is.
    assert counts == "0 to add, 0 to update in place, 6 unchanged"
    plan_import = PlanImport.objects.get(pk=done.pk)
    from imports.selectors import plan_for

    rows = plan_for(plan_import, user=cast.commissioner, update_in_place=True).rows
    moved_row = next(r for r in rows if r.description == "Train ward staff")
    assert moved_row.warnings[0].startswith("The action is under recommendation 3")
    assert done.recommendations_created == 0
    assert not Recommendation.objects.filter(review=plan, number="99").exists()
