"""The evidence queue, the meetings list, the evidence upload and a paper built with no
broker, at phone and desktop widths: nothing scrolls sideways and axe-core finds no
violation of any impact."""

from __future__ import annotations

import threading

import pytest

from accounts.models import User
from actions.models import Action
from governance.choices import BuildState
from governance.models import Forum, Paper
from tests import factories
from tests.e2e.conftest import assert_fits, assert_fully_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-tracker-2026"
WIDTHS = [390, 1280]


def signed_in(browser, live_server, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, live_server.url, username, PASSWORD)
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_evidence_queue_and_meetings_fit_and_pass_axe(browser, live_server, demo, width):
    context, page = signed_in(browser, live_server, "commissioner", width)
    page.goto(f"{live_server.url}/actions/evidence/review/")
    assert "waiting" in page.content()
    assert page.locator(".app-evidence-queue__item").count() > 0
    assert page.locator(".app-evidence-queue__waited").first.inner_text()
    assert_fits(page)
    assert_fully_accessible(page)

    page.goto(f"{live_server.url}/meetings/")
    assert page.locator("#upcoming-heading").is_visible()
    assert page.locator("details.app-forum-meetings").count() > 0
    assert_fits(page)
    assert_fully_accessible(page)
    page.locator("details.app-forum-meetings summary").first.click()
    assert_fits(page)
    assert_fully_accessible(page)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_evidence_upload_fits_and_passes_axe(browser, live_server, demo, width, tmp_path):
    action = Action.objects.get(description__startswith="Deliver mental capacity refresher")
    context, page = signed_in(browser, live_server, "provider.lead", width)
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    upload = page.locator(".nhsuk-file-upload").first
    upload.scroll_into_view_if_needed()
    assert_fits(page)
    assert_fully_accessible(page)
    register = tmp_path / "register.csv"
    register.write_bytes(b"ward,trained\r\nWard 3,38\r\n")
    page.set_input_files("input[name=files]", str(register))
    page.fill("input[name=description]", "Training register")
    page.click("#upload-evidence")
    page.wait_for_load_state()
    banner = page.locator(".nhsuk-notification-banner--success")
    assert "1 file added as evidence" in banner.inner_text()
    assert_fits(page)
    assert_fully_accessible(page)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_paper_built_with_no_broker_shows_its_progress(
    browser, live_server, demo, settings, monkeypatch, width
):
    from governance import services
    from trackerapp.celery import app

    release = threading.Event()
    real_build = services.paper_build

    def held_build(*, paper_id: int) -> Paper:
        services._progress(paper_id, 40, "Laying out the pages.")
        release.wait(60)
        return real_build(paper_id=paper_id)

    monkeypatch.setattr(services, "paper_build", held_build)
    eager_before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.PAPER_BUILD_IN_BACKGROUND = True
    sag = Forum.objects.get(short_name="SAG")
    meeting = sag.meetings.upcoming().order_by("held_on").first()
    assert meeting is not None
    paper = factories.paper(meeting=meeting, by=User.objects.get(username="secretary"))
    context, page = signed_in(browser, live_server, "secretary", width)
    try:
        page.goto(f"{live_server.url}/papers/{paper.pk}/")
        page.click("#build-paper")
        page.wait_for_load_state()
        # The request came back before the PDF was done, to the page that polls for it.
        assert page.url.endswith(f"/papers/{paper.pk}/")
        page.wait_for_selector("text=Laying out the pages.")
        assert page.locator("#paper-build progress").is_visible()
        assert_fits(page)
        assert_fully_accessible(page)
        release.set()
        page.wait_for_selector("#download-paper", timeout=120_000)
        paper.refresh_from_db()
        assert paper.build_state == BuildState.READY
        assert_fits(page)
        assert_fully_accessible(page)
    finally:
        release.set()
        context.close()
        app.conf.task_always_eager = eager_before
