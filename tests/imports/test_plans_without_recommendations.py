"""Plans as people write them: strategy plans grouped by workstreams (objectives,
priorities, themes, areas) or not grouped at all, the columns page's defaults, the
"position as at" date, and preview counts that the import then matches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl.writer.theme import theme_xml

from actions.choices import Status
from actions.models import Action, ProgressUpdate
from governance.selectors import paper_snapshot
from imports.choices import WHOLE_PLAN, Field, ReviewSource
from imports.headings import grouping_of, recognise_heading
from imports.readers import colour_word, theme_colours, tinted
from reviews.choices import PlanGrouping
from reviews.models import Review
from tests import factories
from tests.imports.workbooks import (
    choose,
    commit,
    confirm_columns,
    csv_file,
    preview,
    upload,
    upload_through_the_page,
    xlsx,
)

pytestmark = pytest.mark.django_db


def new_plan(cast, reference: str = "TCP 2017/19", **overrides) -> dict:
    return {
        "review_source": ReviewSource.NEW,
        "new_review_reference": reference,
        "new_review_title": "Transforming Care plan",
        "new_review_type": factories.review_type("PLAN"),
        "commissioning_body": cast.icb,
        "default_owner": cast.icb,
        "position_date": date(2018, 3, 31),
        **overrides,
    }


@pytest.mark.parametrize(
    ("heading", "grouping"),
    [
        ("Workstream", PlanGrouping.WORKSTREAM),
        ("Work stream", PlanGrouping.WORKSTREAM),
        ("Workstream & Objective", PlanGrouping.WORKSTREAM),
        ("Objective", PlanGrouping.OBJECTIVE),
        ("Strategic objective", PlanGrouping.OBJECTIVE),
        ("Priority", PlanGrouping.PRIORITY),
        ("Key priorities", PlanGrouping.PRIORITY),
        ("Theme", PlanGrouping.THEME),
        ("Area", PlanGrouping.AREA),
        ("Area of review", PlanGrouping.AREA),
    ],
)
def test_it_guesses_a_grouping_column_from_its_heading(heading, grouping):
    assert recognise_heading(heading) == Field.GROUP
    assert grouping_of(heading) == grouping


def test_a_workstream_plan_imports_with_workstreams_standing_where_recommendations_would(cast):
    rows: list[list[object]] = [
        ["Workstream", "Ref", "Action", "Lead", "Timescale", "RAG", "Update"],
        ["Community based care", "Y1.01", "Implement blue light CTRs", "LD lead", "Q2 2017/18", "Green", "In place."],
        [None, "Y1.02", "Admission avoidance registers", "LD lead", "Sept 17", "Amber", None],
        ["Inpatient care", "Y1.03", "Review out of borough placements", "LD lead", "June 17", "Red", None],
    ]  # fmt: skip
    plan_import = choose(
        upload(cast.commissioner, csv_file(rows), "y1.csv"), cast.commissioner, **new_plan(cast)
    )
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0 and plan.grouping == PlanGrouping.WORKSTREAM
    assert [r.rec_number for r in plan.rows] == ["1", "1", "2"]
    done = commit(plan_import, cast.commissioner)
    review = Review.objects.get(reference="TCP 2017/19")
    assert review.plan_grouping == PlanGrouping.WORKSTREAM and review.grouping_label == "Workstream"
    assert list(review.recommendations.values_list("text", flat=True)) == [
        "Community based care",
        "Inpatient care",
    ]
    assert (done.actions_created, done.recommendations_created) == (3, 2)
    assert set(
        Action.objects.filter(recommendation__review=review).values_list("number", flat=True)
    ) == {
        "Y1.01",
        "Y1.02",
        "Y1.03",
    }


def test_a_plan_with_no_grouping_at_all_keeps_its_actions_under_one_whole_plan(cast):
    rows = [
        ["Action", "Lead", "Due"],
        ["Audit CTRs", "LD lead", "31/03/2018"],
        ["Train staff", "LD lead", "Jan 18"],
    ]
    plan_import = choose(
        upload(cast.commissioner, csv_file(rows), "p.csv"), cast.commissioner, **new_plan(cast)
    )
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0
    assert any("Whole plan" in note for note in plan.file_notes)
    commit(plan_import, cast.commissioner)
    review = Review.objects.get(reference="TCP 2017/19")
    assert list(review.recommendations.values_list("text", flat=True)) == [WHOLE_PLAN]
    assert review.recommendations.get().actions.count() == 2


def test_the_review_page_and_the_paper_name_workstreams(client, cast):
    review = factories.review(code="PLAN", body=cast.csp)
    review.plan_grouping = PlanGrouping.WORKSTREAM
    review.save()
    workstream = factories.recommendation(review)
    factories.action(on=workstream, owner=cast.provider_a)
    client.force_login(cast.commissioner)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Workstreams and actions" in page and f"Workstream {workstream.number}" in page
    assert "Recommendations and actions" not in page

    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    review.monitoring_forums.add(forum)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)
    snapshot = paper_snapshot(paper)
    detail = next(r for r in snapshot["reviews"] if r["reference"] == review.reference)
    assert detail["grouping"] == "Workstream"
    from governance.rendering import render_paper_html

    html = render_paper_html(snapshot, draft=True, for_pdf=False)
    assert f"Workstream {workstream.number}: " in html


def test_the_columns_page_proposes_the_importers_organisation_and_labels_nothing_optional_that_is_needed(
    client, cast
):
    client.force_login(cast.commissioner)
    rows = [["Workstream", "Action"], ["Housing", "Find sites"]]
    plan_import = upload_through_the_page(client, csv_file(rows), "p.csv")
    page = client.get(reverse("imports:columns", args=[plan_import.pk])).content.decode()
    for label in (
        "Body that commissioned the reviews this import creates",
        "Owner organisation for rows that name none",
        "Position as at",
    ):
        assert f"{label}</label>" in page, label
    assert "(optional)</label>" not in page.split('id="main-form"')[1].split("Owners and dates")[0]
    for name in ("commissioning_body", "default_owner"):
        select = page.split(f'name="{name}"')[1].split("</select>")[0]
        assert f'value="{cast.icb.pk}" selected' in select
    # No recommendation column is asked for.
    response = confirm_columns(
        client,
        plan_import,
        review="",
        review_source="new",
        new_review_reference="HOUSING 1",
        new_review_title="Housing plan",
        new_review_type=str(factories.review_type("PLAN").pk),
        position_date="31/03/2018",
    )
    assert response.status_code == 302, response.content.decode()


def test_it_reads_the_position_date_from_the_title_block_and_dates_updates_by_it(cast):
    rows = [
        ["BHR TCP plan – year one review"],
        ["Position as at 31 March 2018"],
        ["Workstream", "Action", "RAG", "Update"],
        ["Housing", "Find sites", "Green", "Site list agreed."],
    ]
    plan_import = upload(cast.commissioner, xlsx(rows), "y1.xlsx")
    from imports.selectors import mapping_view

    assert mapping_view(plan_import).position_date == date(2018, 3, 31)
    choose(plan_import, cast.commissioner, **new_plan(cast, position_date=date(2018, 3, 31)))
    commit(plan_import, cast.commissioner)
    update = ProgressUpdate.objects.get(text="Site list agreed.")
    assert timezone.localtime(update.created_at).date() == date(2018, 3, 31)


def test_it_refuses_a_position_date_in_the_future(cast):
    plan_import = upload(cast.commissioner, csv_file([["Action"], ["Find sites"]]), "p.csv")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        choose(plan_import, cast.commissioner, **new_plan(cast, position_date=tomorrow))


def test_preview_counts_are_what_the_import_then_does(cast):
    """Added, updated and unchanged rows in one file: the preview's counts, the import's
    record and the database agree."""
    first = [["Rec no.", "Recommendation", "Action no.", "Action", "Owner", "RAG"]]
    first += [["1", "Share", "1.1", "Agree a protocol", "PROV-A", "Green"]]
    first += [["1", "Share", "1.2", "Train staff", "PROV-A", "Amber"]]
    commit(
        choose(upload(cast.commissioner, xlsx(first)), cast.commissioner, review=cast.review),
        cast.commissioner,
    )
    second = [first[0], first[1], ["1", "Share", "1.2", "Train staff", "PROV-A", "Red"]]
    second += [["1", "Share", "1.3", "Audit", "PROV-A", "Green"]]
    plan_import = choose(
        upload(cast.commissioner, xlsx(second), "v2.xlsx"), cast.commissioner, review=cast.review
    )
    plan = preview(plan_import, cast.commissioner, update=True)
    counts = (plan.actions_to_create, plan.actions_to_update, plan.actions_unchanged)
    assert counts == (1, 1, 1)
    done = commit(plan_import, cast.commissioner, update=True)
    assert (done.actions_created, done.actions_updated, done.actions_unchanged) == counts
    assert Action.objects.get(description="Train staff").status == Status.OFF_TRACK


@pytest.mark.parametrize(
    ("rgb", "word"),
    [
        ("FF0000", "Red"),
        ("C00000", "Red"),
        ("FFC000", "Amber"),
        ("FFFF00", "Amber"),
        ("00B050", "Green"),
        ("92D050", "Green"),
        ("0070C0", "Blue"),
        ("A6A6A6", "Grey"),
        ("FFFFFF", ""),
        ("7030A0", ""),
    ],
)
def test_it_reads_a_rag_colour(rgb, word):
    assert colour_word(rgb) == word


def test_a_heading_row_across_the_table_groups_the_rows_below_it(cast):
    rows: list[list[object]] = [
        ["Ref", "Action", "Lead", "Timescale", "RAG"],
        ["Priority 1 – Care homes"],
        ["CH.1", "Connect care homes with neighbourhood teams", "Lead", "Q3 2021/22", "Green"],
        ["CH.2", "Write the business case", "Lead", "Q4 2021/22", "Amber"],
        ["Priority 2 – Mental health"],
        ["MH.1", "Widen the mental health offer", "Lead", "2022/23", "Amber"],
    ]
    data = xlsx(rows, merges=["A2:E2", "A5:E5"])
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, **new_plan(cast))
    plan = preview(plan_import, cast.commissioner)
    assert plan.grouping == PlanGrouping.PRIORITY
    assert plan.rows_skipped == 0  # the headings are listed as such, not as empty rows
    assert [(r.number, r.rec_number, r.action_number) for r in plan.rows] == [
        (3, "1", "CH.1"),
        (4, "1", "CH.2"),
        (6, "2", "MH.1"),
    ]
    assert {(r.number, r.text) for r in plan.recommendations.values()} == {
        ("1", "Care homes"),
        ("2", "Mental health"),
    }
    assert plan.error_count == 0


def test_a_merge_over_a_few_cells_of_a_data_row_is_not_a_heading(cast):
    """Two cells merged within an action's row (its lead across two columns), or a
    heading row in a plan that has recommendations, never becomes a group or an action."""
    rows: list[list[object]] = [
        ["Rec no.", "Recommendation", "Action", "Lead", "Timescale", "RAG"],
        ["Section A: information sharing"],
        [1, "Share information", "Agree a protocol", "Named nurse", None, "Green"],
        [None, None, "Train the front door", None, None, "Amber"],
    ]
    data = xlsx(rows, merges=["A2:F2", "D3:E3"])
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, **new_plan(cast))
    plan = preview(plan_import, cast.commissioner)
    assert plan.grouping == PlanGrouping.RECOMMENDATION
    assert [(r.number, r.rec_number, r.description) for r in plan.rows] == [
        (3, "1", "Agree a protocol"),
        (4, "1", "Train the front door"),
    ]
    assert plan.rows[0].lead_role_title == "Named nurse"
    assert "Row 2 is a heading across the table, not actions." in plan.file_notes


def test_theme_colours_are_read_with_their_tint():
    colours = theme_colours(theme_xml.encode())
    # Excel numbers the light background before the dark one.
    assert colours[:2] == ["FFFFFF", "000000"] and colours[9] == "F79646"
    assert colour_word(tinted("70AD47", 0.3999755851924192)) == "Green"  # lighter 40%
    assert colour_word(tinted("FFC000", 0.3999755851924192)) == "Amber"
    assert colour_word(tinted("C00000", -0.249977111117893)) == "Red"  # darker 25%
    assert colour_word(tinted("70AD47", 0.95)) == ""  # near white says nothing
    assert theme_colours(None) == [] and tinted("70AD47", 0) == "70AD47"
