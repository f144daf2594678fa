"""The import itself: all or nothing, recorded in history and in the import record,
the same file refused twice unless updating in place, and the status rules of an
import that loads history."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation
from actions.choices import Status
from actions.models import Action, ProgressUpdate
from actions.selectors import action_timeline
from imports import services
from imports.choices import ImportState, ReviewSource
from imports.models import PlanImport, SavedMapping
from reviews.models import Recommendation, Review
from tests import factories
from tests.imports.workbooks import choose, commit, preview, upload, xlsx

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Rec no.",
    "Recommendation",
    "Action",
    "Owner organisation",
    "Lead",
    "Time frame",
    "RAG",
    "Latest update",
]


def plan_file(*rows) -> bytes:
    return xlsx([HEADINGS, *rows])


FIRST = [
    1,
    "Share information",
    "Agree a protocol",
    "PROV-A",
    "Named Nurse",
    "Q3 2018/19",
    "Green",
    "Draft agreed",
]
SECOND = [
    2,
    "Train staff",
    "Deliver training",
    "PROV-B",
    "Head of Safeguarding",
    "Aug 17",
    "Amber",
    None,
]


def imported(cast, data: bytes, filename: str = "plan.xlsx", **choices) -> PlanImport:
    choices.setdefault("review", cast.review)
    plan_import = choose(upload(cast.commissioner, data, filename), cast.commissioner, **choices)
    return commit(plan_import, cast.commissioner)


def test_each_imported_action_records_the_import_in_its_history(cast):
    cast.commissioner.first_name, cast.commissioner.last_name = "Sarah", "Khan"
    cast.commissioner.save()
    data = plan_file(FIRST, SECOND)
    done = imported(cast, data, "DHR plan.xlsx")
    action = Action.objects.get(description="Agree a protocol")
    record = action.history.get()
    digest = hashlib.sha256(data).hexdigest()
    assert record.history_user == cast.commissioner
    assert (
        record.history_change_reason
        == f"Imported from DHR plan.xlsx (sha256 {digest[:12]}…) by S. Khan"
    )
    assert action_timeline(action)[0].note == record.history_change_reason
    assert Recommendation.objects.get(
        review=cast.review, number="1"
    ).history.get().history_change_reason == (record.history_change_reason)
    assert ProgressUpdate.objects.get(action=action).text == "Draft agreed"

    assert done.state == ImportState.COMMITTED and done.committed_at is not None
    assert done.sha256 == digest and done.original_filename == "DHR plan.xlsx"
    assert done.uploaded_by == cast.commissioner
    assert list(done.reviews.all()) == [cast.review]
    assert (
        done.rows_read,
        done.actions_created,
        done.actions_updated,
        done.recommendations_created,
    ) == (2, 2, 0, 2)


def test_a_failure_part_way_through_saves_nothing(cast, monkeypatch):
    plan_import = choose(
        upload(cast.commissioner, plan_file(FIRST, SECOND)), cast.commissioner, review=cast.review
    )
    before = (
        Action.objects.count(),
        Recommendation.objects.count(),
        ProgressUpdate.objects.count(),
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ProgressUpdate.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        commit(plan_import, cast.commissioner)
    assert (
        Action.objects.count(),
        Recommendation.objects.count(),
        ProgressUpdate.objects.count(),
    ) == before
    plan_import.refresh_from_db()
    assert plan_import.state == ImportState.DRAFT


def test_the_same_file_twice_is_refused(client, cast):
    data = plan_file(FIRST, SECOND)
    imported(cast, data)
    again = choose(
        upload(cast.commissioner, data, "plan copy.xlsx"), cast.commissioner, review=cast.review
    )
    plan = preview(again, cast.commissioner)
    assert plan.file_errors[0].startswith("This file was already imported on")
    with pytest.raises(services.ImportRefused):
        commit(again, cast.commissioner)
    assert Action.objects.filter(description="Agree a protocol").count() == 1

    client.force_login(cast.commissioner)
    page = client.get(reverse("imports:preview", args=[again.pk])).content.decode()
    assert "This file was imported before" in page
    assert "update existing actions in place" in page


def test_the_same_file_with_update_in_place_updates_the_actions_by_reference(cast):
    imported(cast, plan_file(FIRST, SECOND))
    action = Action.objects.get(description="Agree a protocol")
    version = action.version

    # The same file again, and an edited one: neither duplicates. The same file changes
    # nothing, and the preview says so, as the import then does.
    again = choose(
        upload(cast.commissioner, plan_file(FIRST, SECOND)), cast.commissioner, review=cast.review
    )
    plan = preview(again, cast.commissioner, update=True)
    assert plan.error_count == 0
    assert (plan.actions_to_create, plan.actions_to_update, plan.actions_unchanged) == (0, 0, 2)
    done = commit(again, cast.commissioner, update=True)
    assert (done.actions_created, done.actions_updated, done.actions_unchanged) == (0, 0, 2)

    edited = list(FIRST)
    edited[2] = "AGREE a  protocol"  # the reference ignores case and spacing
    edited[5], edited[6], edited[7] = "Q4 2018/19", "Red", "Partner withdrew"
    third = [3, "Improve crisis care", "Open a crisis café", "PROV-A", None, "TBC", "Grey", None]
    later = choose(
        upload(cast.commissioner, plan_file(edited, SECOND, third), "plan v2.xlsx"),
        cast.commissioner,
        review=cast.review,
    )
    done = commit(later, cast.commissioner, update=True)
    assert (done.actions_created, done.actions_updated) == (1, 1)
    action.refresh_from_db()
    assert action.status == Status.OFF_TRACK and action.due_date == date(2019, 3, 31)
    assert action.description == "AGREE a  protocol" and action.version == version + 1
    latest = action.history.first()
    assert latest.history_change_reason.startswith("Updated in place from plan v2.xlsx")
    assert list(action.updates.values_list("text", flat=True)) == [
        "Partner withdrew",
        "Draft agreed",
    ]
    assert (
        Action.objects.filter(
            recommendation__review=cast.review, description__iexact="agree a protocol"
        ).count()
        == 0
    )
    assert Action.objects.filter(recommendation__review=cast.review).count() == 2 + 3


def test_a_plan_with_action_numbers_updates_by_number(cast):
    headings = ["Rec no.", "Recommendation", "Action no.", "Action", "Owner", "RAG"]
    imported(cast, xlsx([headings, [1, "Share", "1.1", "Agree a protocol", "PROV-A", "Green"]]))
    reworded = xlsx(
        [headings, [1, "Share", "1.1", "Agree and sign a protocol", "PROV-A", "Complete"]]
    )
    plan_import = choose(
        upload(cast.commissioner, reworded, "v2.xlsx"), cast.commissioner, review=cast.review
    )
    done = commit(plan_import, cast.commissioner, update=True)
    assert done.actions_updated == 1
    action = Action.objects.get(recommendation__review=cast.review, number="1.1")
    assert (action.description, action.status) == ("Agree and sign a protocol", Status.COMPLETED)


def test_without_update_in_place_an_action_already_in_the_review_is_warned_about(cast):
    imported(cast, plan_file(FIRST))
    plan_import = choose(
        upload(cast.commissioner, plan_file(FIRST, SECOND), "other.xlsx"),
        cast.commissioner,
        review=cast.review,
    )
    plan = preview(plan_import, cast.commissioner)
    assert plan.rows[0].warnings == [
        f"{cast.review.reference} recommendation 1 already has this action. Importing adds a "
        "second copy; choose “update existing actions in place” to update it instead."
    ]


def test_status_rules_of_an_import_that_loads_history(cast):
    rows = [
        [1, "Share", "Completed one", "PROV-A", None, "Q3 2018/19", "Completed", None],
        [1, "Share", "Blue one", "PROV-A", None, "Q3 2018/19", "Blue", None],
        [
            1,
            "Share",
            "Closed with a reason",
            "PROV-A",
            None,
            "Q3 2018/19",
            "Closed",
            "Superseded by the 2019 policy",
        ],
        [1, "Share", "Closed without", "PROV-A", None, "Ongoing", "Closed", None],
        [1, "Share", "No status", "PROV-A", None, "Q3 2018/19", None, None],
    ]
    plan_import = choose(
        upload(cast.commissioner, plan_file(*rows)), cast.commissioner, review=cast.review
    )
    plan = preview(plan_import, cast.commissioner)
    completed, blue, closed, closed_without, blank = plan.rows
    assert completed.warnings == [
        "Completed with no evidence on file; evidence can be added after import."
    ]
    assert blue.status == Status.COMPLETED
    assert blue.warnings[0].startswith(
        "“Blue” means assured, which needs a commissioner to accept evidence"
    )
    assert closed.warnings == []
    assert closed_without.warnings == [
        "Closed with no reason in the plan: add the reason after import."
    ]
    assert blank.warnings == ["No status given: imported as not started."]
    commit(plan_import, cast.commissioner)
    assert Action.objects.get(description="Blue one").status == Status.COMPLETED
    assert Action.objects.get(description="Blue one").assured_by is None
    assert (
        Action.objects.get(description="Closed with a reason").closure_rationale
        == "Superseded by the 2019 policy"
    )
    assert "gives no reason" in Action.objects.get(description="Closed without").closure_rationale
    assert Action.objects.get(description="No status").status == Status.NOT_STARTED


def test_organisations_and_leads_are_matched_by_name_and_abbreviation(cast):
    trust = Organisation.objects.create(
        name="Birmingham and Solihull Mental Health NHS Foundation Trust",
        short_name="BSMHFT",
        kind="provider",
    )
    trust.commissioned_by.add(cast.icb)
    cast.provider_a_lead.first_name, cast.provider_a_lead.last_name = "Priya", "Patel"
    cast.provider_a_lead.save()
    rows = [
        [1, "Share", "By abbreviation", "bsmhft", "Named Nurse (P. Patel)", "Q3 2018/19", "Green", None],
        [1, "Share", "By name without NHS", "Birmingham & Solihull Mental Health Foundation Trust", "Priya Patel", "Q3 2018/19", "Green", None],
        [1, "Share", "By short name of the cast", "prov-a", "a.lead", "Q3 2018/19", "Green", None],
    ]  # fmt: skip
    plan_import = choose(
        upload(cast.commissioner, plan_file(*rows)), cast.commissioner, review=cast.review
    )
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0
    assert [r.owner_id for r in plan.rows] == [trust.pk, trust.pk, cast.provider_a.pk]
    assert [(r.lead_role_title, r.lead_user_id) for r in plan.rows] == [
        ("Named Nurse", cast.provider_a_lead.pk),
        ("", cast.provider_a_lead.pk),
        ("", cast.provider_a_lead.pk),
    ]


def test_a_lead_two_people_answer_to_is_kept_as_written(cast):
    for user in (cast.provider_a_lead, cast.provider_b_lead):
        user.first_name, user.last_name = "Sam", "Jones"
        user.save()
    rows = [[1, "Share", "Agree", "PROV-A", "S. Jones", "Q3 2018/19", "Green", None]]
    plan_import = choose(
        upload(cast.commissioner, plan_file(*rows)), cast.commissioner, review=cast.review
    )
    row = preview(plan_import, cast.commissioner).rows[0]
    assert (row.lead_role_title, row.lead_user_id) == ("S. Jones", None)


def test_a_lead_can_be_linked_to_a_person(cast):
    rows = [
        [1, "Share", "Agree", "PROV-A", "Named Nurse for Safeguarding", "Q3 2018/19", "Green", None]
    ]
    plan_import = choose(
        upload(cast.commissioner, plan_file(*rows)), cast.commissioner, review=cast.review
    )
    assert list(preview(plan_import, cast.commissioner).leads_without_account) == [
        "named nurse for safeguarding"
    ]
    services.plan_import_resolve(
        plan_import=plan_import,
        by=cast.commissioner,
        leads={"named nurse for safeguarding": str(cast.provider_a_lead.pk)},
    )
    commit(plan_import, cast.commissioner)
    action = Action.objects.get(description="Agree", recommendation__review=cast.review)
    assert (action.lead_role_title, action.lead_user) == (
        "Named Nurse for Safeguarding",
        cast.provider_a_lead,
    )


def test_rows_can_name_their_reviews_new_and_existing(cast):
    headings = [
        "Review reference",
        "Review type",
        "Review title",
        "Rec no.",
        "Recommendation",
        "Action",
        "Owner organisation",
    ]
    rows = [
        headings,
        [cast.review.reference, None, None, 9, "Existing review", "First", "PROV-A"],
        ["SAR 2019/04", "SAR", "Ms C", 1, "New review", "Second", "PROV-B"],
        [None, None, None, None, None, "Third", "PROV-B"],
        [cast.restricted_review.reference, None, None, 1, "Hidden", "Fourth", "PROV-A"],
    ]
    plan_import = choose(
        upload(cast.commissioner, xlsx(rows)),
        cast.commissioner,
        review_source=ReviewSource.COLUMN,
        commissioning_body=cast.csp,
    )
    plan = preview(plan_import, cast.commissioner)
    assert [r.review_label for r in plan.rows[:3]] == [
        cast.review.reference,
        "SAR 2019/04",
        "SAR 2019/04",
    ]
    assert plan.rows[3].errors == []  # the commissioner is named on the restricted review
    colleague = factories.user("c3", organisation=cast.icb, role="safeguarding_lead")
    other = choose(
        upload(colleague, xlsx(rows)),
        colleague,
        review_source=ReviewSource.COLUMN,
        commissioning_body=cast.csp,
    )
    hidden = preview(other, colleague).rows[3]
    assert hidden.errors[0].startswith(
        f"The reference {cast.restricted_review.reference} belongs to a review you cannot open"
    )

    done = commit(plan_import, cast.commissioner)
    assert done.reviews_created == 1 and done.reviews.count() == 3
    created = Review.objects.get(reference="SAR 2019/04")
    assert (created.title, created.review_type.code, created.commissioning_body) == (
        "Ms C",
        "SAR",
        cast.csp,
    )
    assert created.history.get().history_change_reason.startswith("Imported from plan.xlsx")
    assert list(created.recommendations.get().actions.values_list("description", flat=True)) == [
        "Second",
        "Third",
    ]


def test_column_choices_saved_for_next_time_are_used_for_the_same_headings(cast):
    data = xlsx([["Ref", "What", "Who", "Org"], ["1", "Agree", "Nurse", "PROV-A"]])
    first = upload(cast.commissioner, data)
    choose(
        first,
        cast.commissioner,
        header_row=1,
        columns={0: "rec_number", 1: "action", 2: "lead", 3: "owner"},
        review=cast.review,
        save_mapping=True,
    )
    assert SavedMapping.objects.count() == 1
    from imports.selectors import mapping_view

    again = upload(
        cast.commissioner, xlsx([["Ref", "What", "Who", "Org"], ["2", "Train", "Lead", "PROV-B"]])
    )
    view = mapping_view(again)
    assert view.saved is not None
    assert {c.index: c.field for c in view.columns} == {
        0: "rec_number",
        1: "action",
        2: "lead",
        3: "owner",
    }


def test_only_commissioners_import(cast):
    with pytest.raises(PermissionDenied):
        upload(cast.provider_a_lead, plan_file(FIRST))
    plan_import = choose(
        upload(cast.commissioner, plan_file(FIRST)), cast.commissioner, review=cast.review
    )
    for who in (cast.provider_a_lead, cast.viewer, cast.secretary):
        with pytest.raises(PermissionDenied):
            services.plan_import_commit(plan_import=plan_import, by=who)
    with pytest.raises(PermissionDenied):
        services.plan_import_commit(plan_import=plan_import, by=cast.other_commissioner)
    assert not Action.objects.filter(description="Agree a protocol").exists()


def test_a_committed_import_cannot_be_committed_again(cast):
    done = imported(cast, plan_file(FIRST))
    with pytest.raises(ValidationError):
        services.plan_import_commit(plan_import=done, by=cast.commissioner)


def test_another_organisations_saved_column_choices_are_neither_used_nor_named(cast):
    from accounts.choices import OrganisationKind, Role
    from imports.selectors import mapping_view

    headings = ["Ref", "What", "Who", "Org"]
    choose(
        upload(cast.commissioner, xlsx([headings, ["1", "Agree", "Nurse", "PROV-A"]])),
        cast.commissioner,
        header_row=1,
        columns={0: "ignore", 1: "action", 2: "ignore", 3: "ignore"},
        review=cast.review,
        save_mapping=True,
    )
    black_country = factories.organisation(OrganisationKind.COMMISSIONER, "BC ICB")
    theirs = factories.user("bc.lead", organisation=black_country, role=Role.SAFEGUARDING_LEAD)
    view = mapping_view(upload(theirs, xlsx([headings, ["2", "Train", "Lead", "X"]])))
    assert view.saved is None
    assert {c.index: c.field for c in view.columns}[0] != "ignore"  # recognised afresh
    # Their own save does not overwrite the first team's.
    choose(
        upload(theirs, xlsx([headings, ["3", "Plan", "Lead", "X"]])),
        theirs,
        header_row=1,
        columns={0: "rec_number", 1: "action", 2: "lead", 3: "owner"},
        review=factories.review(body=black_country, owner=black_country),
        save_mapping=True,
    )
    assert SavedMapping.objects.count() == 2
    assert SavedMapping.objects.for_team_of(cast.commissioner).get().columns == {"1": "action"}


def test_the_database_lets_one_import_of_a_file_through(cast):
    # The same bytes twice: a workbook built again a second later carries another
    # timestamp, and so another SHA-256.
    data = plan_file(FIRST)
    done = imported(cast, data)
    twin = upload(cast.commissioner, data)
    twin.state = ImportState.COMMITTED
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert PlanImport.objects.committed().filter(sha256=done.sha256).count() == 1


def test_the_preview_writes_nothing_and_costs_the_same_queries_however_long_the_plan(client, cast):
    client.force_login(cast.commissioner)
    counts = []
    for size in (3, 120):
        rows = [
            [n, f"Rec {n}", f"Action {n}", "PROV-A", "Nurse", "Q3 2018/19", "Green", "Update"]
            for n in range(1, size + 1)
        ]
        plan_import = choose(
            upload(cast.commissioner, plan_file(*rows), f"plan{size}.xlsx"),
            cast.commissioner,
            review=cast.review,
        )
        url = reverse("imports:preview", args=[plan_import.pk])
        client.get(url)  # the first request after signing in also refreshes the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        ours = ("accounts_", "reviews_", "actions_", "imports_")
        writes = [
            q["sql"]
            for q in queries
            if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
            and any(table in q["sql"] for table in ours)
        ]
        assert writes == []
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_import_page_lists_finished_imports(client, cast):
    done = imported(cast, plan_file(FIRST))
    client.force_login(cast.other_commissioner)
    page = client.get(reverse("imports:start")).content.decode()
    assert done.get_absolute_url() in page
    detail = client.get(done.get_absolute_url()).content.decode()
    assert done.sha256 in detail and "1 added, 0 updated" in detail


def test_someone_elses_unfinished_import_is_not_found(client, cast):
    draft = upload(cast.commissioner, plan_file(FIRST))
    client.force_login(cast.other_commissioner)
    for name in ("imports:detail", "imports:columns", "imports:preview"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404
    assert client.post(reverse("imports:commit", args=[draft.pk])).status_code == 404
