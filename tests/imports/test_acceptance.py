"""The acceptance plans (tests/imports/acceptance/, written from the seed papers by
build.py there) imported through the pages as a commissioner would: upload, confirm the
guessed columns, check the preview, import. Nothing is typed: every screen is posted as
the browser would send it untouched, the new review named from the file (GUESSED).
Each goes in with no error and no answer to give, in the same four screens, and
docs/imports.md lists what each became (the EXPECTED table below)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from actions.choices import Status
from actions.models import Action, ProgressUpdate
from imports.models import PlanImport
from reviews.choices import PlanGrouping
from reviews.models import Review, ReviewType
from tests import factories
from tests.html_forms import form_data
from tests.imports.workbooks import confirm_columns, upload_through_the_page

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent / "acceptance"


@dataclass(frozen=True)
class Expected:
    rows: int
    actions: int
    groups: int
    grouping: str
    warnings: int
    position: date


# file: rows read, actions created, groups, grouped by, warnings, position as at
EXPECTED = {
    "000-mr-a-mr-b-qa-review-ccg-response.xlsx": Expected(14, 14, 5, PlanGrouping.RECOMMENDATION, 2, date(2018, 11, 29)),
    "001-link-mhag-report-back-oct-2011.csv": Expected(8, 8, 6, PlanGrouping.THEME, 3, date(2011, 11, 30)),
    "002-bicp-annual-report-next-steps-2021.xlsx": Expected(11, 11, 5, PlanGrouping.PRIORITY, 1, date(2021, 12, 31)),
    "004-bhr-tcp-workstream-1-plan-2017-19.xlsx": Expected(15, 15, 7, PlanGrouping.OBJECTIVE, 0, date(2017, 5, 12)),
    "004-bhr-tcp-year-one-review-2018.csv": Expected(29, 29, 8, PlanGrouping.WORKSTREAM, 9, date(2018, 3, 31)),
    "005-bhr-tcp-year-one-review-2018-by-workstream.xlsx": Expected(29, 29, 8, PlanGrouping.WORKSTREAM, 9, date(2018, 3, 31)),
    "006-mr-a-mr-b-qa-review-ccg-response-theme-colours.xlsx": Expected(14, 14, 5, PlanGrouping.RECOMMENDATION, 4, date(2019, 1, 31)),
}  # fmt: skip

# file: the new review's reference, title and type as the column page proposes them
GUESSED = {
    "000-mr-a-mr-b-qa-review-ccg-response.xlsx": ("QAR Mr A and Mr B 2018", "NHS Birmingham and Solihull CCG – response to the NHS England quality assurance review of the DHRs of Mr A and Mr B", "QAR"),
    "001-link-mhag-report-back-oct-2011.csv": ("Birmingham LINk plan 2011", "Birmingham LINk – Mental Health Action Group: report back actions – Joint Health & Social Care Commissioner Liaison, Ciba Building, Oct 5th 2011", "PLAN"),
    "002-bicp-annual-report-next-steps-2021.xlsx": ("BICP plan 2021", "Birmingham Integrated Care Partnership (BICP) – annual report next steps", "PLAN"),
    "004-bhr-tcp-workstream-1-plan-2017-19.xlsx": ("BHRTCP plan 2017-19", "Barking, Havering and Redbridge Transforming Care Partnership – Workstream 1: Community based care and support – plan 17-19", "PLAN"),
    "004-bhr-tcp-year-one-review-2018.csv": ("BHR TCP plan 2017-19", "BHR Transforming Care Partnership – plan 2017-19, year one review", "PLAN"),
    "005-bhr-tcp-year-one-review-2018-by-workstream.xlsx": ("BHR TCP plan 2017-19", "BHR TCP plan 2017–19: year one review by workstream", "PLAN"),
    "006-mr-a-mr-b-qa-review-ccg-response-theme-colours.xlsx": ("QAR Mr A and Mr B 2019", "Mr A and Mr B – Quality Assurance Review – CCG response", "QAR"),
}  # fmt: skip


@pytest.fixture
def tracker(db):
    """The tracker of an ICB that already knows the providers the plans name."""
    ccg = Organisation.objects.create(
        name="NHS Birmingham and Solihull CCG",
        short_name="BSol CCG",
        kind=OrganisationKind.COMMISSIONER,
    )
    for short, name in (
        ("UHB", "University Hospitals Birmingham NHS Foundation Trust"),
        ("BCHC", "Birmingham Community Healthcare NHS Foundation Trust"),
        ("BSMHFT", "Birmingham and Solihull Mental Health NHS Foundation Trust"),
        ("BCC", "Birmingham City Council"),
    ):
        provider = Organisation.objects.create(
            name=name, short_name=short, kind=OrganisationKind.PROVIDER
        )
        provider.commissioned_by.add(ccg)
    commissioner = factories.user("lead", organisation=ccg, role=Role.SAFEGUARDING_LEAD)
    factories.totp_device(commissioner)
    for code in ("QAR", "PLAN"):
        factories.review_type(code)
    return commissioner


@dataclass
class Outcome:
    screens: list[str]
    plan_import: PlanImport
    warnings: int
    errors: int


def post_as_shown(client, page: str, form_id: str, url: str):
    """Submits the form as the browser would with nothing touched."""
    data = {k: v[0] if len(v) == 1 else v for k, v in form_data(page, form_id).items()}
    return client.post(url, data)


def import_as_a_commissioner(client, name: str, **typed: str) -> Outcome:
    """What a person does, screen by screen. With nothing `typed`, every screen is
    posted as shown: the guessed columns and new review, the preview's import button."""
    screens = []
    page = client.get(reverse("imports:start"))
    assert page.status_code == 200
    screens.append("upload")
    plan_import = upload_through_the_page(client, (FILES / name).read_bytes(), name)

    assert client.get(reverse("imports:columns", args=[plan_import.pk])).status_code == 200
    screens.append("columns")
    response = confirm_columns(client, plan_import, **typed)
    assert response.status_code == 302, response.content.decode()

    preview = client.get(reverse("imports:preview", args=[plan_import.pk])).content.decode()
    screens.append("preview")
    error_count = re.search(r'id="error-count">(\d+) to fix', preview)
    warning_count = re.search(r'id="error-count">\d+ to fix, (\d+) warning', preview)
    assert error_count is not None and warning_count is not None, preview
    errors, warnings = int(error_count.group(1)), int(warning_count.group(1))
    assert errors == 0, re.findall(r"<strong>Error:</strong>([^<]*)", preview)[:5]

    response = post_as_shown(
        client, preview, "commit-import-form", reverse("imports:commit", args=[plan_import.pk])
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    screens.append("imported")
    plan_import.refresh_from_db()
    return Outcome(screens, plan_import, warnings, errors)


def columns_page(client, name: str) -> str:
    plan_import = upload_through_the_page(client, (FILES / name).read_bytes(), name)
    return client.get(reverse("imports:columns", args=[plan_import.pk])).content.decode()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_columns_page_names_the_new_review_from_the_file(client, tracker, name):
    client.force_login(tracker)
    page = columns_page(client, name)
    shown = form_data(page, "main-form")
    reference, title, code = GUESSED[name]
    assert shown["review_source"] == ["new"]
    assert shown["new_review_reference"] == [reference]
    assert shown["new_review_title"] == [title]
    assert shown["new_review_type"] == [str(ReviewType.objects.get(code=code).pk)]


def test_a_guessed_reference_already_taken_is_made_unique(client, tracker):
    client.force_login(tracker)
    name = "002-bicp-annual-report-next-steps-2021.xlsx"
    owner = Organisation.objects.get(short_name="BSol CCG")
    for reference in ("BICP plan 2021", "bicp plan 2021 (2)"):
        taken = factories.review(body=owner, owner=owner, code="PLAN")
        Review.objects.filter(pk=taken.pk).update(reference=reference)
    shown = form_data(columns_page(client, name), "main-form")
    assert shown["new_review_reference"] == ["BICP plan 2021 (3)"]


def test_a_plan_whose_review_is_in_the_tracker_goes_into_it(client, tracker):
    """A later version of a plan already imported: its title names the review."""
    client.force_login(tracker)
    name = "004-bhr-tcp-year-one-review-2018.csv"
    owner = Organisation.objects.get(short_name="BSol CCG")
    review = factories.review(body=owner, owner=owner, code="PLAN")
    Review.objects.filter(pk=review.pk).update(title=GUESSED[name][1])
    shown = form_data(columns_page(client, name), "main-form")
    assert shown["review_source"] == ["existing"]
    assert shown["review"] == [str(review.pk)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_acceptance_plan_imports_by_confirming_the_guessed_columns(client, tracker, name):
    client.force_login(tracker)
    outcome = import_as_a_commissioner(client, name)
    expected = EXPECTED[name]
    done = outcome.plan_import
    reference, title, code = GUESSED[name]
    review = Review.objects.get(reference=reference)
    assert (review.title, review.review_type.code) == (title, code)
    assert outcome.screens == ["upload", "columns", "preview", "imported"]
    assert (done.rows_read, done.actions_created, done.recommendations_created) == (
        expected.rows,
        expected.actions,
        expected.groups,
    )
    assert review.plan_grouping == expected.grouping
    assert outcome.warnings == expected.warnings
    assert done.position_date == expected.position
    dated = ProgressUpdate.objects.filter(action__recommendation__review=review)
    assert {u.created_at.date() for u in dated} <= {expected.position}


def test_the_rag_given_only_as_colour_is_read(client, tracker):
    client.force_login(tracker)
    import_as_a_commissioner(
        client, "000-mr-a-mr-b-qa-review-ccg-response.xlsx", new_review_reference="QAR 1"
    )
    actions = Action.objects.filter(recommendation__review__reference="QAR 1")

    def status_of(start: str) -> str:
        return actions.get(description__startswith=start).status

    assert status_of("CCG attendance at bed management") == Status.ON_TRACK  # green fill
    assert status_of("Plan to implement the BSMHFT") == Status.OFF_TRACK  # red
    assert status_of("Agree via CQRG and the Birmingham") == Status.AT_RISK  # amber
    assert status_of("Start the Designated Professionals") == Status.NOT_STARTED  # no fill


def test_the_year_one_review_keeps_the_plans_refs_and_workstreams(client, tracker):
    client.force_login(tracker)
    import_as_a_commissioner(
        client, "004-bhr-tcp-year-one-review-2018.csv", new_review_reference="TCP Y1"
    )
    review = Review.objects.get(reference="TCP Y1")
    numbers = list(
        Action.objects.filter(recommendation__review=review)
        .order_by("pk")
        .values_list("number", flat=True)
    )
    assert numbers[:3] == ["Y1.01", "Y1.02", "Y1.03"] and numbers[-1] == "Y1.29"
    workstreams = list(review.recommendations.order_by("pk").values_list("text", flat=True))
    assert workstreams[0] == "Community based care and support"
    assert workstreams[7] == "Integrated & personalised commissioning"
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Workstreams and actions" in page and "Workstream 8" in page


def test_the_rag_given_as_theme_colours_is_read(client, tracker):
    """Excel's colour picker fills from the workbook theme ("Green, Accent 6, Lighter
    40%"): the theme's colour, lightened or darkened by the tint, is the RAG."""
    client.force_login(tracker)
    import_as_a_commissioner(client, "006-mr-a-mr-b-qa-review-ccg-response-theme-colours.xlsx")
    actions = Action.objects.filter(recommendation__review__reference="QAR Mr A and Mr B 2019")

    def status_of(start: str) -> str:
        return actions.get(description__startswith=start).status

    assert status_of("CCG attendance at bed management") == Status.ON_TRACK  # green accent
    assert status_of("Agree via CQRG and the Birmingham") == Status.AT_RISK  # gold accent
    assert status_of("Identify any current DHRs") == Status.COMPLETED  # blue accent
    assert status_of("Plan to implement the BSMHFT") == Status.OFF_TRACK  # standard red
    assert status_of("Start the Designated Professionals") == Status.NOT_STARTED  # no fill


def test_workstreams_written_as_heading_rows_group_the_rows_below_them(client, tracker):
    client.force_login(tracker)
    name = "005-bhr-tcp-year-one-review-2018-by-workstream.xlsx"
    plan_import = upload_through_the_page(client, (FILES / name).read_bytes(), name)
    confirm_columns(client, plan_import)
    preview = client.get(reverse("imports:preview", args=[plan_import.pk])).content.decode()
    assert "are headings across the table, not actions" in preview
    assert "written as headings across the table" in preview
    client.post(reverse("imports:commit", args=[plan_import.pk]), {"update_in_place": "0"})

    review = Review.objects.get(reference="BHR TCP plan 2017-19")
    assert review.plan_grouping == PlanGrouping.WORKSTREAM
    workstreams = list(review.recommendations.order_by("pk").values_list("number", "text"))
    assert workstreams[0] == ("1", "Community based care and support")
    assert workstreams[7] == ("8", "Integrated & personalised commissioning")
    under = Action.objects.filter(recommendation__review=review)
    assert under.filter(recommendation__number="1").count() == 6
    assert under.get(number="Y1.07").recommendation.text == "Inpatient care"
    assert not under.filter(description__startswith="Workstream").exists()
