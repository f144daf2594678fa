"""Provider A uploads evidence and marks the action completed; the commissioner finds
it in the queue, opens the file, accepts it and assures the action; provider B can find
neither the action nor the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.choices import EvidenceReviewState, Status
from actions.models import Action, Evidence, EvidenceDownload
from tests import evidence_samples as samples
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-tracker-2026"


def test_evidence_journey_from_provider_to_assurance(browser, live_server, demo, tmp_path):
    action = Action.objects.get(description__startswith="Deliver mental capacity refresher")
    pdf_path = tmp_path / "MCA training register.pdf"
    pdf_path.write_bytes(samples.pdf())

    provider = browser.new_context(viewport={"width": 1280, "height": 900})
    page = provider.new_page()
    sign_in(page, live_server.url, "provider.lead", PASSWORD)
    assert "Your organisation's open actions" in page.content()
    page.click(f"a[href='/actions/{action.pk}/']")
    page.wait_for_load_state()
    assert_accessible(page)
    page.set_input_files("input[name=files]", str(pdf_path))
    page.fill("input[name=description]", "Training register: 38 of 40 staff trained")
    page.click("#upload-evidence")
    page.wait_for_load_state()
    assert "1 file added as evidence" in page.content()
    page.check("input[name=status][value=completed]")
    page.fill("textarea[name=note]", "Training delivered; register attached.")
    page.click("#save-status")
    # A function, not an expression: Playwright evaluates a bare expression with eval(),
    # which the page's Content-Security-Policy refuses.
    page.wait_for_function(
        "() => document.querySelector('#action-status').innerText.includes('Completed')"
    )
    provider.close()
    evidence = Evidence.objects.get(action=action, original_filename="MCA training register.pdf")

    commissioner = browser.new_context(viewport={"width": 1280, "height": 900})
    page = commissioner.new_page()
    sign_in(page, live_server.url, "commissioner", PASSWORD)
    page.click("header >> text=Evidence to review")
    page.wait_for_load_state()
    assert "MCA training register.pdf" in page.content()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.click(f"a[href='/actions/evidence/{evidence.pk}/download/']")
    download = download_info.value
    assert download.suggested_filename == "MCA training register.pdf"
    assert Path(download.path()).read_bytes() == samples.pdf()
    assert EvidenceDownload.objects.filter(
        evidence=evidence, user__username="commissioner"
    ).exists()
    page.check(f"#accept-{evidence.pk}")
    page.click(f"#review-{evidence.pk}")
    page.wait_for_load_state()
    assert "MCA training register.pdf accepted" in page.content()
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    page.check("input[name=status][value=assured]")
    page.fill("textarea[name=note]", "Register checked against ESR.")
    page.click("#save-status")
    page.wait_for_function(
        "() => document.querySelector('#action-status').innerText.includes('Assured')"
    )
    assert_accessible(page)
    commissioner.close()
    action.refresh_from_db()
    evidence.refresh_from_db()
    assert action.status == Status.ASSURED
    assert evidence.review_state == EvidenceReviewState.ACCEPTED

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    page = other.new_page()
    sign_in(page, live_server.url, "provider.b", PASSWORD)
    assert action.description not in page.content()
    response = page.goto(f"{live_server.url}/actions/{action.pk}/")
    assert response.status == 404
    response = page.request.get(f"{live_server.url}/actions/evidence/{evidence.pk}/download/")
    assert response.status == 404
    other.close()
