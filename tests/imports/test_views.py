"""The import pages as a commissioner uses them, without JavaScript: upload, columns,
preview, answers, import; the template workbook; the link from the reviews list."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Organisation
from actions.choices import Status
from actions.models import Action
from governance.plan_workbook import EXPORT_COLUMNS
from imports.models import PlanImport
from reviews.models import Review
from tests.imports.workbooks import (
    choose,
    commit,
    confirm_columns,
    selected_columns,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_a_commissioner_uploads_maps_previews_answers_and_imports(client, cast):
    client.force_login(cast.commissioner)
    data = xlsx(
        [
            ["Action plan: DHR 2019/02"],
            [
                "Review reference",
                "Review type",
                "Review title",
                "Rec no.",
                "Recommendation",
                "Action",
                "Owner",
                "Timescale",
                "RAG",
            ],
            [
                "DHR 2019/02",
                "DHR",
                "Mrs D",
                "1",
                "Share information",
                "Agree a protocol",
                "PROV-A",
                "Q3 2018/19",
                "Green",
            ],
            [
                None,
                None,
                None,
                None,
                None,
                "Train the front door team",
                "Forward Thinking Birmingham",
                "Sept 17",
                "Blue",
            ],
        ],
        sheet="Plan",
    )
    response = client.post(
        reverse("imports:start"), {"file": SimpleUploadedFile("DHR plan.xlsx", data)}
    )
    plan_import = PlanImport.objects.get()
    assert response["Location"] == reverse("imports:columns", args=[plan_import.pk])

    page = client.get(response["Location"]).content.decode()
    assert (
        "Column F: Action" in page
        and "For example: Agree a protocol; Train the front door team" in page
    )
    columns = selected_columns(page)
    assert columns["column_0"] == "review_reference" and columns["column_8"] == "status"
    assert re.search(r'value="column"[^>]*checked', page)  # the rows name their review
    # The title gives no "position as at" date: the page asks for it.
    response = confirm_columns(client, plan_import, commissioning_body=str(cast.csp.pk))
    assert response.status_code == 422
    assert "Enter the date the plan&#x27;s position is as at" in response.content.decode()
    response = confirm_columns(
        client, plan_import, commissioning_body=str(cast.csp.pk), position_date="31/03/2019"
    )
    assert response["Location"] == reverse("imports:preview", args=[plan_import.pk])

    page = client.get(response["Location"]).content.decode()
    assert "Organisations not recognised" in page
    assert "Row 4: Organisation “Forward Thinking Birmingham” is not in the tracker" in page
    assert "commit-import" not in page  # nothing can be imported yet
    question = re.search(r'<select name="(org_[0-9a-f]+)"', page)
    assert question is not None
    answer = question.group(1)
    response = client.post(
        reverse("imports:answers", args=[plan_import.pk]), {answer: "new", "update_in_place": "0"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Forward Thinking Birmingham (listed as Forward Thinking Birmingham, a provider)" in page
    assert "new DHR review" in page
    assert "Import 2 new actions" in page
    assert Review.objects.filter(reference="DHR 2019/02").count() == 0  # the preview saved nothing

    response = client.post(
        reverse("imports:commit", args=[plan_import.pk]), {"update_in_place": "0"}
    )
    assert response["Location"] == plan_import.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Imported: 2 actions added, 0 updated, 0 unchanged." in page
    review = Review.objects.get(reference="DHR 2019/02")
    assert review.title == "Mrs D" and review.commissioning_body == cast.csp
    trained = Action.objects.get(description="Train the front door team")
    assert trained.owner_organisation == Organisation.objects.get(
        name="Forward Thinking Birmingham"
    )
    assert trained.status == Status.COMPLETED and trained.original_time_frame == "Sept 17"
    from audit.models import AuditEntry

    entry = AuditEntry.objects.get(event="import")
    assert entry.user == cast.commissioner and entry.object_id == str(plan_import.pk)
    assert entry.detail["actions_created"] == 2 and entry.detail["sha256"] == plan_import.sha256


def test_the_columns_page_shows_another_sheet(client, cast):
    data = xlsx(
        [["Action", "Lead"], ["Agree", "Nurse"]],
        sheet="Second",
        before=[("First", [["Rec no.", "Action"], ["1", "Train"]])],
    )
    client.force_login(cast.commissioner)
    client.post(reverse("imports:start"), {"file": SimpleUploadedFile("plan.xlsx", data)})
    plan_import = PlanImport.objects.get()
    url = reverse("imports:columns", args=[plan_import.pk])
    assert "Column B: Action" in client.get(url).content.decode()
    page = client.get(url, {"sheet": "Second", "header_row": "1"}).content.decode()
    assert "Column A: Action" in page and "Column B: Lead" in page


def test_the_template_workbook_has_the_export_headings_and_guidance(client, cast):
    client.force_login(cast.commissioner)
    response = client.get(reverse("imports:template"))
    assert response["Content-Disposition"] == 'attachment; filename="action-plan-template.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Action plan", "Guidance"]
    assert tuple(c.value for c in workbook["Action plan"][1]) == tuple(EXPORT_COLUMNS)
    guidance = " ".join(
        str(c.value) for row in workbook["Guidance"].iter_rows() for c in row if c.value
    )
    assert "Quarter 2/3" in guidance and "Ongoing" in guidance


def test_a_filled_in_template_imports(client, cast):
    client.force_login(cast.commissioner)
    workbook = load_workbook(io.BytesIO(client.get(reverse("imports:template")).content))
    sheet = workbook["Action plan"]
    filled_in = {
        "Review reference": cast.review.reference,
        "Review type": "DHR",
        "Review title": "x",
        "Rec no.": "4",
        "Recommendation": "Share",
        "Action": "Agree a protocol",
        "Owner organisation": "PROV-A",
        "Lead": "Nurse",
        "Time frame": "Q3 2018/19",
        "Status": "On track",
        "Latest update": "Started",
    }
    sheet.append([filled_in.get(heading) for heading in EXPORT_COLUMNS])
    filled = io.BytesIO()
    workbook.save(filled)
    client.post(
        reverse("imports:start"), {"file": SimpleUploadedFile("filled.xlsx", filled.getvalue())}
    )
    plan_import = PlanImport.objects.get()
    page = client.get(reverse("imports:columns", args=[plan_import.pk])).content.decode()
    columns = selected_columns(page)
    assert len(columns) == len(EXPORT_COLUMNS) and "ignore" not in columns.values()
    response = confirm_columns(client, plan_import, position_date="01/04/2019")
    assert response.status_code == 302
    client.post(reverse("imports:commit", args=[plan_import.pk]), {"update_in_place": "0"})
    assert Action.objects.get(description="Agree a protocol").recommendation.review == cast.review


def test_the_reviews_list_links_to_the_import_for_commissioners_only(client, cast):
    client.force_login(cast.commissioner)
    assert reverse("imports:start") in client.get(reverse("reviews:list")).content.decode()
    client.force_login(cast.viewer)
    assert reverse("imports:start") not in client.get(reverse("reviews:list")).content.decode()


def test_an_unfinished_import_can_be_discarded_with_its_file(
    client, cast, settings, django_capture_on_commit_callbacks
):
    client.force_login(cast.commissioner)
    client.post(
        reverse("imports:start"),
        {"file": SimpleUploadedFile("plan.csv", b"Rec no.,Action\r\n1,Agree\r\n")},
    )
    plan_import = PlanImport.objects.get()
    stored = settings.PRIVATE_STORAGE_ROOT / plan_import.source_file.name
    assert stored.exists() and "imports/" in plan_import.source_file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:discard", args=[plan_import.pk]))
    assert response["Location"] == reverse("imports:start")
    assert not PlanImport.objects.exists()
    assert not stored.exists()


def test_the_uploaded_file_is_kept_privately_under_a_random_name(client, cast, settings):
    client.force_login(cast.commissioner)
    client.post(
        reverse("imports:start"),
        {"file": SimpleUploadedFile("../../etc/plan.csv", b"Rec no.,Action\r\n1,Agree\r\n")},
    )
    plan_import = PlanImport.objects.get()
    assert plan_import.original_filename == "plan.csv"
    assert re.fullmatch(r"imports/[0-9a-f]{32}\.csv", plan_import.source_file.name)
    assert (
        settings.PRIVATE_STORAGE_ROOT / plan_import.source_file.name
    ).read_bytes() == b"Rec no.,Action\r\n1,Agree\r\n"


def test_an_import_into_a_restricted_review_does_not_name_it_to_others(client, cast):
    data = xlsx(
        [
            ["Rec no.", "Recommendation", "Action", "Owner organisation"],
            [1, "Share", "Agree", "PROV-A"],
        ]
    )
    plan_import = choose(
        upload(cast.commissioner, data), cast.commissioner, review=cast.restricted_review
    )
    commit(plan_import, cast.commissioner)
    client.force_login(cast.commissioner)
    assert (
        cast.restricted_review.reference
        in client.get(plan_import.get_absolute_url()).content.decode()
    )
    client.force_login(cast.other_commissioner)
    for url in (reverse("imports:start"), plan_import.get_absolute_url()):
        assert cast.restricted_review.reference not in client.get(url).content.decode()


def test_the_steps_of_a_finished_import_lead_to_its_record(client, cast):
    data = xlsx(
        [
            ["Rec no.", "Recommendation", "Action", "Owner organisation"],
            [1, "Share", "Agree", "PROV-A"],
        ]
    )
    plan_import = commit(
        choose(upload(cast.commissioner, data), cast.commissioner, review=cast.review),
        cast.commissioner,
    )
    client.force_login(cast.commissioner)
    for name, method in (
        ("imports:columns", "get"),
        ("imports:preview", "get"),
        ("imports:commit", "post"),
    ):
        response = getattr(client, method)(reverse(name, args=[plan_import.pk]))
        assert response["Location"] == plan_import.get_absolute_url()
    assert (
        Action.objects.filter(description="Agree", recommendation__review=cast.review).count() == 1
    )
