"""Evidence uploads scanned by a real ClamAV daemon (the `clamd` fixture), through the
upload page as the provider: the EICAR test file is refused, a clean file is stored as
scanned clean, and a configured scanner that has stopped refuses uploads rather than
letting them through unscanned."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from actions.models import Evidence
from tests import evidence_samples as samples
from tests.clamd import EICAR_SIGNATURE_NAME, eicar

pytestmark = pytest.mark.django_db


def upload(client, user, action, name: str, data: bytes):
    client.force_login(user)
    return client.post(
        reverse("actions:evidence_upload", args=[action.pk]),
        {"files": [samples.upload(name, data)], "description": "Ward audit"},
    )


def stored_files(settings) -> list[Path]:
    """Every file in private storage, the cast's own evidence included."""
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_it_refuses_the_eicar_file_and_stores_nothing(client, cast, settings, clamd, caplog):
    settings.CLAMAV_ADDRESS = clamd.address
    before, files_before = Evidence.objects.count(), stored_files(settings)
    with caplog.at_level("WARNING", logger="actions.evidence_files"):
        response = upload(client, cast.provider_a_lead, cast.action_a, "eicar.txt", eicar())
    assert response.status_code == 422
    page = response.content.decode()
    assert "eicar.txt: was found to contain a virus and has not been stored." in page
    assert Evidence.objects.count() == before
    assert stored_files(settings) == files_before
    # The log names what clamd found; the page does not need to.
    assert "Virus scanner refused eicar.txt" in caplog.text
    assert f"{EICAR_SIGNATURE_NAME}.UNOFFICIAL FOUND" in caplog.text


def test_it_accepts_a_clean_text_file_and_records_it_as_scanned_clean(
    client, cast, settings, clamd
):
    settings.CLAMAV_ADDRESS = clamd.address
    response = upload(
        client, cast.provider_a_lead, cast.action_a, "notes.txt", b"Audit complete.\n"
    )
    assert response.status_code == 302
    item = Evidence.objects.get(action=cast.action_a, original_filename="notes.txt")
    assert item.virus_scan == "clean (ClamAV)"
    assert Path(item.file.path).read_bytes() == b"Audit complete.\n"


def test_it_refuses_uploads_while_the_configured_clamd_is_stopped(client, cast, settings, clamd):
    settings.CLAMAV_ADDRESS = clamd.address
    clamd.stop()
    before, files_before = Evidence.objects.count(), stored_files(settings)
    response = upload(
        client, cast.provider_a_lead, cast.action_a, "notes.txt", b"Audit complete.\n"
    )
    assert response.status_code == 422
    assert "notes.txt: could not be checked for viruses just now." in response.content.decode()
    assert Evidence.objects.count() == before
    assert stored_files(settings) == files_before
