"""An .xlsx whose zip lies or is broken is refused with a clear message before openpyxl
reads any of it, and nothing is saved."""

from __future__ import annotations

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import PlanImport
from imports.readers import SpreadsheetSource, UnreadableFile
from tests import hostile_zips
from tests.imports.workbooks import xlsx

pytestmark = pytest.mark.django_db

HEADINGS = ["Rec no.", "Recommendation", "Action", "Owner organisation", "Time frame", "Status"]
GOOD = xlsx([HEADINGS, [1, "Share information", "Agree a protocol", "PROV-A", "Q3", "Green"]])
SHEET = "xl/worksheets/sheet1.xml"
DAMAGED = "This workbook is damaged and cannot be opened."
PASSWORD = "This workbook is password-protected; remove the password and upload it again."


def post_file(client, cast, data: bytes):
    client.force_login(cast.commissioner)
    return client.post(reverse("imports:start"), {"file": SimpleUploadedFile("plan.xlsx", data)})


@pytest.mark.parametrize("member", ["[Content_Types].xml", SHEET])
def test_it_refuses_a_workbook_whose_directory_understates_a_member(client, cast, member):
    data = hostile_zips.lying(GOOD, member, 30)
    response = post_file(client, cast, data)
    assert response.status_code == 422
    assert "This workbook unpacks to more than its own index records" in response.content.decode()
    assert not PlanImport.objects.exists()


def test_openpyxl_never_inflates_what_the_directory_hides():
    data = hostile_zips.lying(GOOD, SHEET, 30)
    tracemalloc.start()
    try:
        with (
            pytest.raises(UnreadableFile, match="more than its own index records"),
            SpreadsheetSource(data, "plan.xlsx") as source,
        ):
            source.read()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"


@pytest.mark.parametrize("member", ["[Content_Types].xml", SHEET])
@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("wrong CRC", DAMAGED),
        ("zero compressed size", DAMAGED),
        ("local header name mismatch", DAMAGED),
        ("compression method 99", PASSWORD),
    ],
)
def test_it_refuses_a_broken_zip_member_clearly(client, cast, member, how, message):
    data = hostile_zips.tampered(GOOD, member, how)
    response = post_file(client, cast, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not PlanImport.objects.exists()


def test_it_counts_parts_against_the_import_limit(client, cast, settings):
    settings.IMPORT_ZIP_MAX_ENTRIES = 3
    response = post_file(client, cast, GOOD)
    assert response.status_code == 422
    assert "This file has too many parts" in response.content.decode()


def test_the_size_of_a_workbooks_part_list_is_a_setting(client, cast, settings):
    settings.UPLOAD_ZIP_INDEX_PART_MAX_BYTES = 10
    response = post_file(client, cast, GOOD)
    assert response.status_code == 422
    assert "This workbook unpacks to far more than a plan needs" in response.content.decode()
    assert not PlanImport.objects.exists()


def test_an_honest_workbook_built_the_same_way_is_accepted(client, cast):
    data = hostile_zips.build(hostile_zips.parts_of(GOOD))
    response = post_file(client, cast, data)
    assert response.status_code == 302
    assert PlanImport.objects.count() == 1
