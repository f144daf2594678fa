"""Action plans exported to Excel (docs/papers.md): what the workbook holds, who may have
one, and that it costs the same few queries however long the plan is."""

from __future__ import annotations

import io
import typing
import zipfile
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from actions.choices import STATUS_STYLE, Status
from governance.plan_workbook import (
    EXPORT_COLUMNS,
    XLSX_CONTENT_TYPE,
    ExportMarking,
    actions_workbook,
    export_filename,
    sheet_name,
)
from reviews.selectors import review_plan_for
from tests import factories
from tests.actions.test_query_counts import grow

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Review reference",
    "Review type",
    "Review title",
    "Grouped by",
    "Rec no.",
    "Recommendation",
    "Action no.",
    "Action",
    "Owner organisation",
    "Lead",
    "Time frame",
    "Due date",
    "Revised due date",
    "Status",
    "Latest update",
    "Evidence count",
    "Tracker id",
]


def grant_export(user) -> None:
    """What an administrator does on the person's page in the admin."""
    user.user_permissions.add(Permission.objects.get(codename="export_action_plans"))


def export(client, user, name, *args, params=None):
    client.force_login(user)
    return client.get(reverse(name, args=args), params or {})


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content))


def plan_sheet(response):
    """The sheet after the Classification sheet."""
    return workbook_of(response).worksheets[1]


def cover_of(response) -> dict[str, str]:
    """The Classification sheet's lines, label → text."""
    sheet = workbook_of(response)["Classification"]
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3) if row[0].value}


def rows_of(sheet) -> list[dict[str, object]]:
    headings = [cell.value for cell in sheet[1]]
    return [
        dict(zip(headings, (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]


def cells_by_action(sheet) -> dict[str, dict[str, Cell]]:
    """Each data row's cells (the openpyxl objects) keyed by heading, by action text."""
    headings = [cell.value for cell in sheet[1]]
    rows = {}
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(headings, row, strict=True))
        rows[cells["Action"].value] = cells
    return rows


def exported_actions(response) -> list[str]:
    # `cast` is the people fixture in this module; the Action column holds text.
    return [typing.cast(str, row["Action"]) for row in rows_of(plan_sheet(response))]


# --- the workbook ------------------------------------------------------------------


def test_it_writes_the_exact_heading_row(client, cast):
    assert list(EXPORT_COLUMNS) == HEADINGS
    sheet = plan_sheet(export(client, cast.commissioner, "actions:export"))
    assert [cell.value for cell in sheet[1]] == HEADINGS
    assert all(cell.font.bold for cell in sheet[1])


def test_it_writes_one_row_per_visible_action_with_its_values(client, cast):
    trust = Organisation.objects.create(
        name="Acme Community Trust", short_name="", kind=OrganisationKind.PROVIDER
    )
    action = factories.action(
        on=cast.recommendation,
        owner=trust,
        status=Status.AT_RISK,
        due=date(2026, 3, 31),
        revised=date(2026, 6, 30),
        lead_role_title="Deputy Chief Nurse",
        lead_user=cast.provider_a_lead,
        original_time_frame="Quarter 2/3",
    )
    now = timezone.now()
    action.updates.create(
        author=cast.commissioner, text="Audit done.", status=Status.AT_RISK, created_at=now
    )
    action.updates.create(
        author=cast.commissioner,
        text="Audit booked.",
        status=Status.ON_TRACK,
        created_at=now - timedelta(days=30),
    )
    factories.evidence(on=action, by=cast.commissioner)
    factories.evidence(on=action, by=cast.commissioner)

    response = export(client, cast.secretary, "reviews:export", cast.review.pk)

    rows = {row["Action"]: row for row in rows_of(plan_sheet(response))}
    assert set(rows) == {cast.action_a.description, cast.action_b.description, action.description}
    assert rows[action.description] == {
        "Review reference": cast.review.reference,
        "Review type": "DHR",
        "Review title": cast.review.title,
        "Grouped by": "Recommendation",
        "Rec no.": cast.recommendation.number,
        "Recommendation": "Do better.",
        "Action no.": None,
        "Action": action.description,
        "Owner organisation": "Acme Community Trust",
        "Lead": "Deputy Chief Nurse (a.lead)",
        "Time frame": "Quarter 2/3",
        "Due date": datetime(2026, 3, 31),
        "Revised due date": datetime(2026, 6, 30),
        "Status": "At risk",
        "Latest update": "Audit done.",
        "Evidence count": 2,
        "Tracker id": action.pk,
    }
    assert rows[cast.action_a.description]["Owner organisation"] == "PROV-A"
    assert rows[cast.action_a.description]["Evidence count"] == 1
    assert rows[cast.action_b.description]["Latest update"] is None


def test_it_fills_each_status_cell_with_the_status_colour(client, cast):
    review = factories.review(body=cast.csp)
    recommendation = factories.recommendation(review)
    described = {
        status: factories.action(
            on=recommendation,
            owner=cast.provider_a,
            status=status,
            closure_rationale="Superseded.",
        ).description
        for status in Status.values
    }

    sheet = plan_sheet(export(client, cast.commissioner, "reviews:export", review.pk))

    cells = {status: cells_by_action(sheet)[text] for status, text in described.items()}
    assert cells[Status.ON_TRACK]["Status"].fill.fgColor.rgb == "FFCCE2D8"  # green
    assert cells[Status.AT_RISK]["Status"].fill.fgColor.rgb == "FFFFDC8E"  # amber
    assert cells[Status.OFF_TRACK]["Status"].fill.fgColor.rgb == "FFF4CDC6"  # red
    for status in Status.values:
        status_cell = cells[status]["Status"]
        assert status_cell.value == Status(status).label
        assert status_cell.fill.fill_type == "solid"
        assert status_cell.fill.fgColor.rgb == "FF" + STATUS_STYLE[status].fill[1:]
        assert status_cell.font.color.rgb == "FF" + STATUS_STYLE[status].text[1:]
    assert cells[Status.ON_TRACK]["Action"].fill.fill_type is None


def test_it_writes_dates_as_excel_dates_and_leaves_missing_ones_empty(client, cast):
    cast.action_a.due_date = date(2026, 1, 15)
    cast.action_a.save()

    sheet = plan_sheet(export(client, cast.commissioner, "reviews:export", cast.review.pk))

    cells = cells_by_action(sheet)
    due = cells[cast.action_a.description]["Due date"]
    assert due.is_date and due.value == datetime(2026, 1, 15)
    assert due.number_format == "dd/mm/yyyy"
    assert cells[cast.action_a.description]["Revised due date"].value is None
    assert cells[cast.action_b.description]["Due date"].value is None


def test_it_freezes_the_headings_and_filters_the_whole_range(client, cast):
    sheet = plan_sheet(export(client, cast.commissioner, "actions:export"))

    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 4  # headings and the commissioner's three actions
    assert sheet.auto_filter.ref == "A1:Q4"
    widths = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]}
    assert widths["Action"] > widths["Rec no."] > 0
    assert cells_by_action(sheet)[cast.action_a.description]["Action"].alignment.wrap_text


def test_it_adds_a_key_to_the_status_colours(client, cast):
    workbook = workbook_of(export(client, cast.commissioner, "actions:export"))

    key = workbook["Key"]
    rows = list(key.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == [label for _value, label in Status.choices]
    assert rows[1][0].fill.fgColor.rgb == "FFCCE2D8" and rows[1][1].value == "green"
    assert "time scale" in rows[1][2].value


def test_it_writes_text_that_looks_like_a_formula_as_text(client, cast):
    cast.action_a.description = '=HYPERLINK("https://example.com","Click")'
    cast.action_a.save()
    cast.action_b.description = "Pasted from Word\x0bwith a vertical tab"
    cast.action_b.save()

    cells = cells_by_action(plan_sheet(export(client, cast.commissioner, "actions:export")))

    formula_like = cells['=HYPERLINK("https://example.com","Click")']["Action"]
    assert formula_like.data_type == "s"
    assert "Pasted from Wordwith a vertical tab" in cells


def test_it_names_the_sheet_and_file_within_excel_and_filesystem_limits():
    name = sheet_name("DHR 2012/03: [draft] *plan?* for the Safeguarding Adults Board")
    assert len(name) <= 31
    assert not set(name) & set("[]:*?/\\")
    assert name.startswith("DHR 2012-03- -draft- -plan-")
    assert sheet_name("history") != "history"
    assert sheet_name("Classification") != "Classification"
    marked = "OFFICIAL-SENSITIVE"
    assert export_filename("DHR 2012/03 plan", classification=marked) == (
        "OFFICIAL-SENSITIVE-DHR-2012-03-plan.xlsx"
    )
    assert export_filename('../../etc/passwd"\r\n', classification=marked) == (
        "OFFICIAL-SENSITIVE-etc-passwd.xlsx"
    )
    assert export_filename("", classification='"; OFFICIAL & co') == "OFFICIAL-co-actions.xlsx"


def test_it_writes_the_same_workbook_for_the_same_actions(cast):
    plan = list(review_plan_for(cast.commissioner, cast.review))
    marking = ExportMarking(
        classification="OFFICIAL-SENSITIVE",
        holds="the plan",
        exported_by="J. Smith",
        exported_at=datetime(2026, 11, 22, 12, tzinfo=timezone.get_current_timezone()),
    )

    first = zipfile.ZipFile(
        io.BytesIO(actions_workbook(actions=plan, title="Plan", marking=marking))
    )
    second = zipfile.ZipFile(
        io.BytesIO(actions_workbook(actions=plan, title="Plan", marking=marking))
    )

    # docProps/core.xml holds the creation time: workbook metadata, not content.
    parts = sorted(n for n in first.namelist() if n != "docProps/core.xml")
    assert parts == sorted(n for n in second.namelist() if n != "docProps/core.xml")
    assert "xl/worksheets/sheet1.xml" in parts
    for part in parts:
        assert first.read(part) == second.read(part), part


# --- the classification marking ---------------------------------------------------


@pytest.mark.parametrize("name", ["actions:export", "reviews:export"])
def test_it_prints_the_marking_at_the_top_and_bottom_of_every_sheet(client, cast, name):
    args = [cast.review.pk] if name == "reviews:export" else []
    workbook = workbook_of(export(client, cast.secretary, name, *args))

    assert [sheet.title for sheet in workbook.worksheets][::2] == ["Classification", "Key"]
    for sheet in workbook.worksheets:
        assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE", sheet.title
        assert sheet.oddFooter.center.text == "OFFICIAL-SENSITIVE", sheet.title
        assert sheet.oddFooter.right.text == "Page &P of &N"


def test_it_opens_on_a_sheet_saying_the_marking_what_the_file_holds_who_and_when(client, cast):
    cast.secretary.first_name, cast.secretary.last_name = "Priya", "Shah"
    cast.secretary.save()
    with time_machine.travel(datetime(2026, 11, 22, 12, 5, tzinfo=timezone.get_current_timezone())):
        response = export(
            client, cast.secretary, "actions:export", params={"owner": cast.provider_a.pk}
        )

    workbook = workbook_of(response)
    assert workbook.active.title == "Classification"
    assert workbook["Classification"]["A1"].value == "OFFICIAL-SENSITIVE"
    cover = cover_of(response)
    assert cover["This file holds"].startswith("1 action from the action list, one a row")
    assert cover["Filters"] == "Owner organisation: PROV-A"
    assert cover["Restricted reviews"].startswith("None.")
    assert cover["Exported by"] == "Priya Shah (secretary)"
    assert cover["Exported at"] == "22/11/2026 12:05 (GMT)"
    assert "OFFICIAL-SENSITIVE and must be handled accordingly" in cover["Handling"]


def test_it_says_on_every_page_when_the_file_holds_restricted_reviews(client, cast):
    response = export(client, cast.commissioner, "reviews:export", cast.restricted_review.pk)

    cover = cover_of(response)
    assert cast.restricted_review.reference in cover["Restricted reviews"]
    assert "Share them only with the people named" in cover["Restricted reviews"]
    assert "Filters" not in cover  # a review's plan has none
    marked = "OFFICIAL-SENSITIVE – includes restricted reviews (named people only)"
    for sheet in workbook_of(response).worksheets:
        assert sheet.oddHeader.center.text == marked


def test_it_keeps_the_file_name_safe_whatever_the_review_is_called(client, cast):
    cast.review.reference = 'DHR "2012/03"\r\n; filename=evil.exe'
    cast.review.save()

    response = export(client, cast.commissioner, "reviews:export", cast.review.pk)

    assert response["Content-Disposition"] == (
        'attachment; filename="OFFICIAL-SENSITIVE-DHR-2012-03-filename-evil-exe-plan.xlsx"'
    )


# --- the portfolio export ------------------------------------------------------------


def test_it_applies_the_action_list_filters_and_sort(client, cast):
    cast.action_a.due_date = date(2026, 1, 1)
    cast.action_a.save()
    cast.action_b.due_date = date(2026, 2, 1)
    cast.action_b.status = Status.OFF_TRACK
    cast.action_b.save()
    a, b = cast.action_a.description, cast.action_b.description

    def exported(**params):
        return exported_actions(export(client, cast.secretary, "actions:export", params=params))

    assert exported() == [a, b]
    assert exported(sort="-due") == [b, a]
    assert exported(status=Status.OFF_TRACK) == [b]
    assert exported(owner=cast.provider_a.pk) == [a]
    assert exported(due_from="15/01/2026") == [b]


def test_it_exports_every_page_of_the_list(client, cast):
    grow(cast, 30)
    response = export(client, cast.secretary, "actions:export", params={"page": "2"})
    assert len(exported_actions(response)) == 32  # the 30 added, action A and action B


@pytest.mark.parametrize("who", ["viewer", "secretary", "other_commissioner"])
def test_it_leaves_out_restricted_actions_for_people_not_named(client, cast, who):
    grant_export(cast.viewer)
    response = export(client, getattr(cast, who), "actions:export")
    assert sorted(exported_actions(response)) == sorted(
        [cast.action_a.description, cast.action_b.description]
    )
    restricted = export(client, getattr(cast, who), "reviews:export", cast.restricted_review.pk)
    assert restricted.status_code == 404


def test_it_includes_restricted_actions_for_the_people_named(client, cast):
    response = export(client, cast.commissioner, "actions:export")
    assert cast.restricted_action_a.description in exported_actions(response)
    plan = export(client, cast.commissioner, "reviews:export", cast.restricted_review.pk)
    assert exported_actions(plan) == [cast.restricted_action_a.description]


def test_it_leaves_restricted_reviews_out_of_an_admins_export_unless_named(client, cast):
    response = export(client, cast.admin, "actions:export")
    assert cast.restricted_action_a.description not in exported_actions(response)
    assert sorted(exported_actions(response)) == sorted(
        [cast.action_a.description, cast.action_b.description]
    )

    cast.restricted_review.named_people.add(cast.admin)
    named = export(client, cast.admin, "actions:export")
    assert cast.restricted_action_a.description in exported_actions(named)


# Providers export their own organisation's actions only
# (tests/actions/test_bulk_status_and_provider_list.py).
@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_it_refuses_the_portfolio_export_to_outsiders_and_viewers_without_the_grant(
    client, cast, who
):
    response = export(client, getattr(cast, who), "actions:export")
    assert response.status_code == 403
    assert response["Content-Type"] != XLSX_CONTENT_TYPE


def test_it_sends_the_workbook_as_an_attachment_that_is_never_cached(client, cast):
    with time_machine.travel(datetime(2026, 11, 22, 12, tzinfo=timezone.get_current_timezone())):
        response = export(client, cast.secretary, "actions:export")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="OFFICIAL-SENSITIVE-actions-2026-11-22.xlsx"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert workbook_of(response).worksheets[1].title == "Actions 22-11-2026"


def test_it_answers_only_to_get(client, cast):
    client.force_login(cast.commissioner)
    assert client.post(reverse("actions:export")).status_code == 405
    assert client.post(reverse("reviews:export", args=[cast.review.pk])).status_code == 405


# --- the review plan export --------------------------------------------------------


def test_it_names_the_review_plan_after_the_review(client, cast):
    cast.review.reference = "DHR 2012/03"
    cast.review.save()

    response = export(client, cast.commissioner, "reviews:export", cast.review.pk)

    assert response["Content-Disposition"] == (
        'attachment; filename="OFFICIAL-SENSITIVE-DHR-2012-03-plan.xlsx"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert workbook_of(response).worksheets[1].title == "DHR 2012-03 plan"


@pytest.mark.parametrize("who", ["provider_a_lead", "provider_a_contributor"])
def test_it_refuses_a_plan_to_a_provider_even_one_granted_exports(client, cast, who):
    provider = getattr(cast, who)
    response = export(client, provider, "reviews:export", cast.review.pk)
    assert response.status_code == 403
    assert response["Content-Type"] != XLSX_CONTENT_TYPE

    grant_export(provider)
    assert export(client, provider, "reviews:export", cast.review.pk).status_code == 403
    # The action list's export is theirs, grant or not: their own actions only.
    own = export(client, provider, "actions:export")
    assert own.status_code == 200
    assert exported_actions(own) == [cast.action_a.description]


def test_it_refuses_a_restricted_plan_to_an_admin_not_named_on_it(client, cast):
    url = reverse("reviews:export", args=[cast.restricted_review.pk])
    assert (
        export(client, cast.admin, "reviews:export", cast.restricted_review.pk).status_code == 403
    )
    page = client.get(reverse("reviews:detail", args=[cast.restricted_review.pk]))
    assert page.status_code == 200 and f'href="{url}"' not in page.content.decode()

    cast.restricted_review.named_people.add(cast.admin)
    response = export(client, cast.admin, "reviews:export", cast.restricted_review.pk)
    assert exported_actions(response) == [cast.restricted_action_a.description]


def test_it_hides_another_providers_review_plan(client, cast):
    review_a = factories.review(body=cast.csp)
    factories.action(on=factories.recommendation(review_a, cast.provider_a), owner=cast.provider_a)

    response = export(client, cast.provider_b_lead, "reviews:export", review_a.pk)

    assert response.status_code == 404
    assert export(client, cast.outsider, "reviews:export", review_a.pk).status_code == 404


# --- who may export (docs/access.md: bulk exports only where granted) -------------------


def test_it_refuses_both_exports_to_a_viewer_without_the_grant(client, cast):
    for name, args in (("actions:export", []), ("reviews:export", [cast.review.pk])):
        response = export(client, cast.viewer, name, *args)
        assert response.status_code == 403, name
        assert response["Content-Type"] != XLSX_CONTENT_TYPE


def test_it_lets_a_viewer_export_once_an_administrator_grants_it(client, cast):
    grant_export(cast.viewer)

    listed = export(client, cast.viewer, "actions:export")
    plan = export(client, cast.viewer, "reviews:export", cast.review.pk)

    both = sorted([cast.action_a.description, cast.action_b.description])
    assert sorted(exported_actions(listed)) == both
    assert sorted(exported_actions(plan)) == both


def test_it_hides_the_export_links_from_a_viewer_without_the_grant(client, cast):
    list_url, review_url = reverse("actions:list"), reverse("reviews:detail", args=[cast.review.pk])
    client.force_login(cast.viewer)
    assert "Export to Excel" not in client.get(list_url).content.decode()
    assert "Export to Excel" not in client.get(review_url).content.decode()

    grant_export(cast.viewer)
    assert f'href="{reverse("actions:export")}"' in client.get(list_url).content.decode()
    review_page = client.get(review_url).content.decode()
    assert f'href="{reverse("reviews:export", args=[cast.review.pk])}"' in review_page


def test_it_hides_the_plan_export_link_from_providers(client, cast):
    client.force_login(cast.provider_a_lead)
    page = client.get(reverse("reviews:detail", args=[cast.review.pk])).content.decode()
    assert "Export to Excel" not in page


def test_it_lets_an_administrator_grant_exports_on_the_user_page(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("admin:accounts_user_change", args=[cast.viewer.pk]))
    assert "Can export action plans to Excel" in page.content.decode()


# --- the links -----------------------------------------------------------------------


def test_it_links_the_action_list_to_its_export_with_the_current_filters(client, cast):
    client.force_login(cast.secretary)
    page = client.get(reverse("actions:list"), {"status": "on_track", "sort": "-due"})
    assert (
        f'href="{reverse("actions:export")}?status=on_track&amp;sort=-due"' in page.content.decode()
    )
    none_match = client.get(reverse("actions:list"), {"status": Status.ASSURED})
    assert "Export to Excel" not in none_match.content.decode()


@pytest.mark.parametrize("who", ["commissioner", "secretary"])
def test_it_links_the_review_page_to_its_plan_export(client, cast, who):
    client.force_login(getattr(cast, who))
    page = client.get(reverse("reviews:detail", args=[cast.review.pk])).content.decode()
    assert f'href="{reverse("reviews:export", args=[cast.review.pk])}"' in page


def test_it_offers_no_export_of_a_plan_with_no_actions(client, cast):
    review = factories.review(body=cast.csp)
    factories.recommendation(review)
    client.force_login(cast.commissioner)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Export to Excel" not in page


# --- queries -------------------------------------------------------------------------


def count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured), len(rows_of(plan_sheet(response)))


def test_it_reads_the_portfolio_in_the_same_queries_for_one_or_many_actions(client, cast):
    client.force_login(cast.secretary)
    url = reverse("actions:export")
    few_queries, few_rows = count_queries(client, url)
    grow(cast, 40)
    many_queries, many_rows = count_queries(client, url)
    assert (few_rows, many_rows) == (2, 42)
    assert few_queries == many_queries <= 10


def test_it_reads_a_plan_in_the_same_queries_for_one_or_many_actions(client, cast):
    review = factories.review(body=cast.csp)
    statuses = list(Status.values)

    def add_action(i: int) -> None:
        lead = factories.user(organisation=cast.provider_a, role=Role.PROVIDER_LEAD)
        action = factories.action(
            on=factories.recommendation(review),
            owner=factories.organisation(),
            status=statuses[i % len(statuses)],
            due=date(2026, 1, 1) + timedelta(days=i),
            lead_user=lead,
            closure_rationale="Superseded.",
        )
        factories.evidence(on=action, by=cast.commissioner)
        action.updates.create(author=lead, text=f"Update {i}", status=action.status)

    client.force_login(cast.commissioner)
    url = reverse("reviews:export", args=[review.pk])
    add_action(0)
    one_queries, one_row = count_queries(client, url)
    for i in range(1, 30):
        add_action(i)
    many_queries, many_rows = count_queries(client, url)
    assert (one_row, many_rows) == (1, 30)
    assert one_queries == many_queries <= 10
