"""Office evidence whose zip lies or is broken is refused with a clear message, through
the upload page, and nothing is stored: the zip's directory is never believed about
how much a member holds."""

from __future__ import annotations

import html
import tracemalloc
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions import services
from actions.models import Evidence
from tests import evidence_samples as samples
from tests import hostile_zips

pytestmark = pytest.mark.django_db

LYING_MEGABYTES = 30


def upload(client, cast, name: str, data: bytes):
    client.force_login(cast.provider_a_lead)
    return client.post(
        reverse("actions:evidence_upload", args=[cast.action_a.pk]),
        {"files": [samples.upload(name, data)], "description": "Ward audit"},
    )


def stored(settings) -> tuple[int, list[Path]]:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return Evidence.objects.count(), sorted(p for p in root.rglob("*") if p.is_file())


def lying_docx() -> bytes:
    """About 30 KB, whose directory says [Content_Types].xml is the usual hundred-odd
    bytes (with their CRC) while its data inflates to 30 MB."""
    return hostile_zips.lying(samples.office("docx"), "[Content_Types].xml", LYING_MEGABYTES)


def test_it_refuses_a_docx_whose_directory_understates_a_member(client, cast, settings):
    before = stored(settings)
    response = upload(client, cast, "minutes.docx", lying_docx())
    assert response.status_code == 422
    assert "minutes.docx: expands to far more than its size" in html.unescape(
        response.content.decode()
    )
    assert stored(settings) == before


def test_checking_a_lying_docx_costs_a_few_chunks_of_memory_not_what_it_inflates_to(cast):
    data = lying_docx()
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match="zip bomb"):
            services.evidence_attach(
                action=cast.action_a,
                by=cast.provider_a_lead,
                files=[samples.upload("minutes.docx", data)],
                description="Ward audit",
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"


@pytest.mark.parametrize("member", ["[Content_Types].xml", "word/document.xml"])
@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("wrong CRC", "is damaged and cannot be opened"),
        ("zero compressed size", "is damaged and cannot be opened"),
        ("local header name mismatch", "is damaged and cannot be opened"),
        ("compression method 99", "is password-protected"),
    ],
)
def test_it_refuses_a_broken_zip_member_clearly(client, cast, settings, member, how, message):
    data = hostile_zips.tampered(samples.office("docx"), member, how)
    before = stored(settings)
    response = upload(client, cast, "minutes.docx", data)
    assert response.status_code == 422
    assert f"minutes.docx: {message}" in html.unescape(response.content.decode())
    assert stored(settings) == before


def test_an_honest_docx_built_the_same_way_is_accepted(client, cast):
    # The hand-written zips above differ from a good one only in what was tampered.
    data = hostile_zips.build(hostile_zips.parts_of(samples.office("docx")))
    response = upload(client, cast, "minutes.docx", data)
    assert response.status_code == 302
    assert cast.action_a.evidence.filter(original_filename="minutes.docx").exists()
