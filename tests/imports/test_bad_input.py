"""Every kind of bad input gets a clear message of its own, and nothing is saved: not
the upload (when the file cannot be read) and never an organisation, review,
recommendation or action (when rows have problems)."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Organisation
from actions.models import Action, ProgressUpdate
from imports import services
from imports.choices import Field
from imports.models import PlanImport
from reviews.models import Recommendation, Review
from tests import evidence_samples as samples
from tests.imports.workbooks import (
    choose,
    commit,
    csv_file,
    preview,
    upload,
    with_cached_values,
    xlsx,
)

pytestmark = pytest.mark.django_db

HEADINGS = ["Rec no.", "Recommendation", "Action", "Owner organisation", "Time frame", "Status"]


def a_plan(*rows):
    return [HEADINGS, *rows]


def nothing_saved() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "reviews": Review.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "actions": Action.objects.count(),
        "updates": ProgressUpdate.objects.count(),
    }


def post_file(client, user, data: bytes, name: str):
    client.force_login(user)
    return client.post(reverse("imports:start"), {"file": SimpleUploadedFile(name, data)})


def zip_of(parts: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return output.getvalue()


def password_protected() -> bytes:
    """The shape Excel gives a workbook with a password to open: an OLE compound file
    holding EncryptionInfo and EncryptedPackage streams."""
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 40
    directory += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 40
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + directory + b"\x00" * 512


def legacy_xls() -> bytes:
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "Workbook".encode("utf-16-le")
        + b"\x00" * 512
    )


GOOD = xlsx(a_plan([1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Green"]))

REFUSED_FILES = [
    ("plan.xlsx", samples.pdf(), "This file is a PDF, not a spreadsheet."),
    ("plan.xlsx", samples.png(), "This file is an image (PNG), not a spreadsheet."),
    ("plan.csv", b"<!DOCTYPE html><html><body>plan</body></html>", "web page or other markup"),
    (
        "plan.xlsx",
        b"Rec no.,Action\n1,Train\n",
        "This file is plain text, but its name ends in .xlsx.",
    ),
    ("plan.csv", b"\x00\x01\x02binary\x00", "This file is not a spreadsheet."),
    ("plan.docx", samples.office("docx"), "This is a Word document, not a spreadsheet."),
    ("plan.zip", zip_of({"notes.txt": b"hello"}), "This is a zip archive, not a spreadsheet."),
    (
        "plan.xlsx",
        password_protected(),
        "This workbook is password-protected; remove the password and upload it again.",
    ),
    ("plan.xls", legacy_xls(), "older Excel or Office file (.xls)"),
    ("plan.xlsx", GOOD[: len(GOOD) // 2], "This workbook is damaged and cannot be opened."),
    (
        "plan.xlsx",
        zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml at all"}),
        "This workbook is damaged and cannot be opened.",
    ),
    (
        "plan.xlsm",
        zip_of(
            {
                "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
                "xl/workbook.xml": b"<workbook/>",
            }
        ),
        "This workbook contains macros (.xlsm).",
    ),
    ("plan.csv", "Rec no.,Action".encode("utf-16"), "Unicode text (UTF-16)"),
]


@pytest.mark.parametrize(
    ("name", "data", "message"), REFUSED_FILES, ids=[m[:30] for _n, _d, m in REFUSED_FILES]
)
def test_a_file_that_is_not_a_readable_spreadsheet_is_refused_with_its_own_message(
    client, cast, name, data, message
):
    before = nothing_saved()
    response = post_file(client, cast.commissioner, data, name)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert PlanImport.objects.count() == 0
    assert nothing_saved() == before


def test_an_empty_file_is_refused(client, cast):
    response = post_file(client, cast.commissioner, b"", "plan.xlsx")
    assert response.status_code == 422
    assert "empty" in response.content.decode()
    assert PlanImport.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(client, cast, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    big = csv_file(
        a_plan(*([1, "Rec", "x" * 1000, "PROV-A", "Q3 2018/19", "Green"] for _ in range(3000)))
    )
    response = post_file(client, cast.commissioner, big, "plan.csv")
    assert response.status_code == 422
    assert "larger than 2 MB" in response.content.decode()
    assert PlanImport.objects.count() == 0


def test_a_sheet_with_no_recognisable_headings_says_so_and_cannot_be_imported(client, cast):
    data = xlsx([["Name", "Address", "Phone"], ["Mr A", "1 High St", "0121"]])
    plan_import = upload(cast.commissioner, data)
    client.force_login(cast.commissioner)
    page = client.get(reverse("imports:columns", args=[plan_import.pk])).content.decode()
    assert "No column headings were recognised in the first 20 rows" in page
    response = client.post(
        reverse("imports:columns", args=[plan_import.pk]),
        {
            "sheet": "Plan",
            "header_row": "1",
            "column_0": "ignore",
            "column_1": "ignore",
            "column_2": "ignore",
            "review_source": "existing",
            "review": cast.review.pk,
        },
    )
    assert response.status_code == 422
    assert "Choose the column that holds the actions." in response.content.decode()
    plan_import.refresh_from_db()
    assert plan_import.columns == {}


def test_merged_recommendation_cells_apply_to_every_row_they_cover_and_the_preview_says_so(cast):
    data = xlsx(
        a_plan(
            [
                7,
                "Review the admissions policy",
                "Audit admissions",
                "PROV-A",
                "Q3 2018/19",
                "Green",
            ],
            [None, None, "Train ward staff", "PROV-A", "Q4 2018/19", "Amber"],
            [None, None, "Report to CQRG", "PROV-B", "Q1 2019/20", "Red"],
            [8, "Share information", "Agree a protocol", "PROV-B", "Aug 17", "Grey"],
        ),
        merges=["A2:A4", "B2:B4"],
    )
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, review=cast.review)
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0
    assert [r.rec_number for r in plan.rows] == ["7", "7", "7", "8"]
    assert any("merged cells A2:A4" in n for n in plan.rows[1].notes)
    assert any("Merged cells" in n for n in plan.file_notes)
    commit(plan_import, cast.commissioner)
    recommendation = Recommendation.objects.get(review=cast.review, number="7")
    assert recommendation.text == "Review the admissions policy"
    assert recommendation.actions.count() == 3


def test_ten_thousand_empty_trailing_rows_are_ignored_cheaply(cast):
    data = xlsx(
        a_plan([1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Green"]),
        trailing_formatted_rows=10_000,
    )
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, review=cast.review)
    started = time.perf_counter()
    plan = preview(plan_import, cast.commissioner)
    assert time.perf_counter() - started < 5
    assert len(plan.rows) == 1 and plan.rows_skipped == 0 and plan.error_count == 0


def test_ten_thousand_empty_trailing_csv_lines_are_ignored(cast):
    data = csv_file(
        a_plan([1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Green"])
    )
    data += b",,,,,\r\n" * 10_000
    plan_import = choose(
        upload(cast.commissioner, data, "plan.csv"), cast.commissioner, review=cast.review
    )
    plan = preview(plan_import, cast.commissioner)
    assert len(plan.rows) == 1 and plan.error_count == 0


def test_a_formula_with_no_saved_result_is_reported_by_cell_and_nothing_is_saved(cast):
    data = xlsx(
        a_plan(
            [1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Green"],
            [2, "Train staff", "Deliver training", "PROV-A", '=E2&""', "Green"],
        )
    )
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, review=cast.review)
    plan = preview(plan_import, cast.commissioner)
    assert plan.rows[1].errors == [
        "Cell E3 holds a formula with no saved result. Open the file in Excel, save it, and "
        "upload it again."
    ]
    before = nothing_saved()
    with pytest.raises(services.ImportRefused):
        commit(plan_import, cast.commissioner)
    assert nothing_saved() == before


def test_a_formula_with_a_saved_result_is_read_as_that_result(cast):
    data = xlsx(
        a_plan(
            [1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Green"],
            [2, "Train staff", "Deliver training", "PROV-A", '=E2&""', "Green"],
        )
    )
    data = with_cached_values(data, {"E3": "Q4 2018/19"})
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, review=cast.review)
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0
    assert plan.rows[1].time_frame == "Q4 2018/19"
    assert "1 formula cell read as the values Excel last saved." in plan.file_notes


def test_dates_written_as_text_are_read_day_first_and_impossible_ones_stop_the_import(cast):
    rows: list[list[object]] = [
        ["Rec no.", "Recommendation", "Action", "Owner organisation", "Due date"],
        [1, "Share information", "Agree a protocol", "PROV-A", "03/04/2019"],
        [1, "Share information", "Train staff", "PROV-A", "31/02/2019"],
    ]
    plan_import = choose(
        upload(cast.commissioner, xlsx(rows)), cast.commissioner, review=cast.review
    )
    plan = preview(plan_import, cast.commissioner)
    first, second = plan.rows
    assert first.due.isoformat() == "2019-04-03"
    assert any("read as 3 April 2019" in n for n in first.notes)
    assert second.errors == [
        "Due date: “31/02/2019” is not a real date (dates are read day/month/year)."
    ]
    before = nothing_saved()
    with pytest.raises(services.ImportRefused):
        commit(plan_import, cast.commissioner)
    assert nothing_saved() == before


def test_a_row_naming_an_unknown_organisation_is_listed_and_nothing_is_saved_until_it_is_answered(
    client, cast
):
    data = xlsx(
        a_plan(
            [1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Green"],
            [
                2,
                "Improve crisis care",
                "Open a crisis café",
                "Birmingham Mind",
                "Q4 2018/19",
                "Amber",
            ],
        )
    )
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, review=cast.review)
    client.force_login(cast.commissioner)
    page = client.get(reverse("imports:preview", args=[plan_import.pk])).content.decode()
    assert "Organisations not recognised" in page
    assert "Row 3: Organisation “Birmingham Mind” is not in the tracker" in page
    before = nothing_saved()
    response = client.post(
        reverse("imports:commit", args=[plan_import.pk]), {"update_in_place": "0"}
    )
    assert response.status_code == 422
    assert "Nothing was imported: 1 problem to fix first." in response.content.decode()
    assert nothing_saved() == before

    services.plan_import_resolve(
        plan_import=plan_import, by=cast.commissioner, organisations={"birmingham mind": "new"}
    )
    commit(plan_import, cast.commissioner)
    created = Organisation.objects.get(name="Birmingham Mind")
    assert Action.objects.get(description="Open a crisis café").owner_organisation == created


def test_a_csv_in_windows_encoding_with_semicolons_is_read(cast):
    rows = a_plan(
        [1, "Share information", "Agree a protocol – £5k budget", "PROV-A", "Q3 2018/19", "Green"]
    )
    data = csv_file(rows, encoding="cp1252", delimiter=";")
    plan_import = choose(
        upload(cast.commissioner, data, "plan.csv"), cast.commissioner, review=cast.review
    )
    assert plan_import.file_kind == "csv"
    plan = preview(plan_import, cast.commissioner)
    assert plan.rows[0].description == "Agree a protocol – £5k budget"


def test_the_first_sheet_with_headings_is_proposed(cast):
    data = xlsx(
        a_plan([1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Green"]),
        sheet="Action plan",
        before=[("Cover", [["Birmingham DHR action plan"], ["Version 3"]])],
    )
    plan_import = upload(cast.commissioner, data)
    assert plan_import.sheet_name == "Action plan"


def test_a_status_word_the_tracker_does_not_know_is_listed_until_given_a_meaning(cast):
    data = xlsx(
        a_plan([1, "Share information", "Agree a protocol", "PROV-A", "Q3 2018/19", "Purple"])
    )
    plan_import = choose(upload(cast.commissioner, data), cast.commissioner, review=cast.review)
    plan = preview(plan_import, cast.commissioner)
    assert list(plan.unknown_statuses) == ["purple"]
    assert plan.rows[0].errors[0].startswith("Status “Purple” is not recognised")
    services.plan_import_resolve(
        plan_import=plan_import, by=cast.commissioner, statuses={"purple": "at_risk"}
    )
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0 and plan.rows[0].status == "at_risk"


def test_columns_page_refuses_one_field_for_two_columns(client, cast):
    plan_import = upload(cast.commissioner, GOOD)
    client.force_login(cast.commissioner)
    response = client.post(
        reverse("imports:columns", args=[plan_import.pk]),
        {
            "sheet": "Plan",
            "header_row": "1",
            "column_0": Field.REC_NUMBER,
            "column_1": Field.REC_TEXT,
            "column_2": Field.ACTION,
            "column_3": Field.ACTION,
            "column_4": Field.TIME_FRAME,
            "column_5": Field.STATUS,
            "review_source": "existing",
            "review": cast.review.pk,
        },
    )
    assert response.status_code == 422
    assert "Action is already chosen for column C: choose one column." in response.content.decode()
