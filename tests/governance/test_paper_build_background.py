"""With no broker (`make run`) a paper is built in a thread after the response, so the
request returns at once to the paper page, which shows the build's progress and polls
for it; with a broker the worker builds it as before."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from governance import services
from governance.choices import BuildState
from governance.models import Paper
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)  # the thread reads what the view wrote


@pytest.fixture
def in_process(settings):
    from trackerapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.PAPER_BUILD_IN_BACKGROUND = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def held_build(monkeypatch):
    """The build waits for the test to let it go, so the test sees the page mid-build."""
    release = threading.Event()
    real_build = services.paper_build

    def build(*, paper_id: int) -> Paper:
        services._progress(paper_id, 40, "Laying out the pages.")
        assert release.wait(30)
        return real_build(paper_id=paper_id)

    monkeypatch.setattr(services, "paper_build", build)
    yield release
    release.set()


def build_thread(paper: Paper) -> threading.Thread:
    [thread] = [t for t in threading.enumerate() if t.name == f"paper-build-{paper.pk}"]
    return thread


def test_it_returns_at_once_and_the_page_polls_the_progress(client, cast, in_process, held_build):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cast.review.monitoring_forums.add(forum)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)
    client.force_login(cast.secretary)

    response = client.post(reverse("governance:paper_build", args=[paper.pk]), follow=True)

    thread = build_thread(paper)
    page = response.content.decode()
    # Waiting for the thread to start, or already laying out: either way in progress.
    assert '<progress class="app-progress"' in page
    assert reverse("governance:paper_progress", args=[paper.pk]) in page
    assert 'hx-trigger="every 2s"' in page
    progress = client.get(reverse("governance:paper_progress", args=[paper.pk])).content.decode()
    assert "Laying out the pages." in progress and "40% done" in progress
    # The steps above the panel are swapped with it, so they agree with it.
    assert 'id="paper-steps" hx-swap-oob="true"' in progress
    steps = progress[progress.index('id="paper-steps"') :]
    assert "Build the PDF" in steps and "In progress" in steps
    assert "Steps to issue the paper" in page

    held_build.set()
    thread.join(60)
    paper.refresh_from_db()
    assert paper.build_state == BuildState.READY, paper.build_message
    done = client.get(reverse("governance:paper_progress", args=[paper.pk])).content.decode()
    assert "hx-trigger" not in done
    assert "Download the draft PDF" in done
    steps = done[done.index('id="paper-steps"') :]
    assert "In progress" not in steps and "Cannot start yet" not in steps
    assert reverse("governance:paper_issue", args=[paper.pk]) in steps


def test_it_records_a_failed_background_build_on_the_paper(client, cast, in_process, monkeypatch):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cast.review.monitoring_forums.add(forum)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)
    client.force_login(cast.secretary)

    def no_pdf(html):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(services, "render_pdf", no_pdf)
    client.post(reverse("governance:paper_build", args=[paper.pk]))
    build_thread(paper).join(60)

    paper.refresh_from_db()
    assert paper.build_state == BuildState.FAILED
    assert "no fonts" in paper.build_message


def test_with_a_broker_nothing_is_built_in_the_web_process(client, cast, settings, monkeypatch):
    """The production path: the task is published, not run in a thread."""
    from governance import tasks

    settings.PAPER_BUILD_IN_BACKGROUND = True
    published: list[object] = []
    monkeypatch.setattr(
        tasks.paper_build, "apply_async", lambda **kwargs: published.append(kwargs["args"])
    )
    from trackerapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
        paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)
        client.force_login(cast.secretary)
        client.post(reverse("governance:paper_build", args=[paper.pk]))
    finally:
        app.conf.task_always_eager = before

    assert published == [[paper.pk]]
    assert not [t for t in threading.enumerate() if t.name == f"paper-build-{paper.pk}"]
    paper.refresh_from_db()
    assert paper.build_state == BuildState.QUEUED
