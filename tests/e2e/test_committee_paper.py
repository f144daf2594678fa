"""The committee secretary builds, previews, issues and downloads the SAG's paper for
its next meeting, from the demo data, in the browser."""

from __future__ import annotations

import hashlib

import pytest

from governance.choices import PaperState
from governance.models import Forum, Paper, PaperDownload
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-tracker-2026"


@pytest.fixture
def builds_in_process():
    """The build runs in the request, as with no broker; CI sets REDIS_URL, and no
    worker listens during browser tests."""
    from trackerapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_secretary_builds_issues_and_downloads_a_paper(
    browser, live_server, demo, builds_in_process, tmp_path
):
    sag = Forum.objects.get(short_name="SAG")
    meeting = sag.meetings.upcoming().order_by("held_on").first()
    assert meeting is not None

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, live_server.url, "secretary", PASSWORD)
    page.click("header >> text=Committees")
    page.wait_for_load_state()
    assert "Upcoming meetings" in page.content()
    assert_accessible(page)
    page.click(f"a[href='/meetings/{meeting.pk}/']")
    page.wait_for_load_state()
    assert "Papers due" in page.content()
    page.click("#new-paper")
    page.wait_for_load_state()
    assert_accessible(page)
    page.select_option("select[name=meeting]", str(meeting.pk))
    page.fill("input[name=title]", "Learning reviews quarterly assurance report")
    page.fill("input[name=agenda_item]", "6.2")
    page.fill("textarea[name=purpose]", "To assure the group on the reviews it monitors.")
    page.click("#main-form button[type=submit]")
    page.wait_for_load_state()
    paper = Paper.objects.get(title="Learning reviews quarterly assurance report")
    assert page.url.endswith(f"/papers/{paper.pk}/")
    assert_accessible(page)

    page.click("#preview-paper")
    page.wait_for_load_state()
    assert "The Committee is asked to:" in page.content()
    assert "OFFICIAL-SENSITIVE" in page.content()
    page.screenshot(path=str(tmp_path / "preview.png"))
    page.go_back()
    page.wait_for_load_state()

    page.click("#build-paper")
    page.wait_for_selector("#download-paper")
    page.click("#issue-paper")
    page.wait_for_load_state()
    assert "cannot be undone" in page.content()
    assert_accessible(page)
    page.click("#confirm-issue")
    page.wait_for_load_state()
    page.wait_for_selector("text=Issued")
    paper.refresh_from_db()
    assert paper.state == PaperState.ISSUED
    page.screenshot(path=str(tmp_path / "issued.png"), full_page=True)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.click("#download-paper")
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == paper.pdf_sha256
    assert download.suggested_filename.endswith("-v1.pdf")
    assert PaperDownload.objects.filter(paper=paper).count() == 1
    context.close()
