"""The real thing: beat's task goes through Redis to a Celery worker, which scans
PostgreSQL and sends the digests over SMTP to a local sink."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from actions.choices import ReminderState, Status
from actions.models import Action, Evidence, Reminder
from actions.tasks import reminders_run
from tests import factories
from tests.mail_servers import RecordingHandler, RecordingServer, wait_for

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (always set in CI)",
    ),
]


@pytest.fixture
def smtp_sink():
    with RecordingServer(RecordingHandler()) as server:
        yield server.handler, server.port


class Worker:
    """A real Celery worker process on a queue of its own, pointed at the test database
    and the test's SMTP server; it can be started again after it was killed."""

    def __init__(self, smtp_port: int):
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        database = urlparse(os.environ["DATABASE_URL"])
        test_db = urlunparse(database._replace(path="/" + connection.settings_dict["NAME"]))
        self.env = {
            **os.environ,
            "DATABASE_URL": test_db,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "DJANGO_SETTINGS_MODULE": "trackerapp.settings",
            "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "trackerapp",
                "worker",
                "--pool=solo",
                "-Q",
                self.queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost node would: no clean-up at all."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def worker(smtp_sink):
    _sink, port = smtp_sink
    running = Worker(port)
    running.start()
    yield running.queue
    running.stop()


def test_a_reminder_goes_through_the_broker_and_lands_in_the_outbox(cast, smtp_sink, worker):
    sink, _port = smtp_sink
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    Evidence.objects.all().delete()
    cast.provider_a_contributor.email = "contributor@example.nhs.uk"
    cast.provider_a_contributor.save()
    forum = factories.forum(organisation=cast.icb)
    action = cast.action_a
    action.due_date = timezone.localdate() - timedelta(days=2)
    action.lead_user = cast.provider_a_contributor
    action.monitoring_forum = forum
    action.save()

    result = reminders_run.apply_async(queue=worker).get(timeout=90)
    assert result["digests"] == 1, result
    assert wait_for(lambda: sink.messages)
    assert len(sink.messages) == 1
    recipients, content = sink.messages[0]
    assert recipients == ["contributor@example.nhs.uk"]
    assert "1 overdue" in content
    assert f"/actions/{action.pk}/" in content

    again = reminders_run.apply_async(queue=worker).get(timeout=90)
    assert again["digests"] == 0
    assert len(sink.messages) == 1


def test_a_paper_is_built_by_the_worker_and_the_page_can_fetch_it(cast, worker, client):
    from django.urls import reverse

    from governance.choices import BuildState
    from governance.models import Paper
    from governance.tasks import paper_build

    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cast.review.monitoring_forums.add(forum)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)
    # As paper_build_request leaves it, but sent to this test's own queue.
    Paper.objects.filter(pk=paper.pk).update(build_state=BuildState.QUEUED)

    assert paper_build.apply_async(args=[paper.pk], queue=worker).get(timeout=120) == "ready"
    paper.refresh_from_db()
    assert paper.page_count and paper.pdf_sha256
    client.force_login(cast.secretary)
    response = client.get(reverse("governance:paper_download", args=[paper.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_worker_killed_mid_run_is_recovered_by_the_very_next_run(cast, smtp_sink):
    """kill -9 of the worker while it sends 30 digests: the next run, started at once,
    delivers the rest; at most the digest in flight when it died goes out twice."""
    sink, port = smtp_sink
    sink.delay = 0.2  # a slow relay, so the kill lands mid-run
    Evidence.objects.all().delete()
    Action.objects.update(status=Status.CLOSED, closure_rationale="Not part of this test.")
    expected = set()
    for n in range(30):
        lead = factories.user(f"lead{n}", email=f"lead{n}@example.nhs.uk")
        factories.action(
            on=cast.recommendation,
            owner=cast.provider_a,
            lead_user=lead,
            due=timezone.localdate() - timedelta(days=2),
        )
        expected.add(lead.email)
    worker = Worker(port)
    worker.start()
    try:
        reminders_run.apply_async(queue=worker.queue)
        assert wait_for(lambda: len(sink.messages) >= 5, timeout=90)
        worker.kill()
        assert Reminder.objects.filter(state=ReminderState.CLAIMED).exists()
        worker.start()
        result = reminders_run.apply_async(queue=worker.queue).get(timeout=120)
    finally:
        worker.stop()
    assert result["stood_down"] == 0 and result["released"] > 0
    delivered = sink.delivered_to()
    duplicates = sum(count - 1 for count in delivered.values())
    lost = expected - set(delivered)
    print(
        f"killed worker: {len(expected)} expected, {len(delivered)} delivered, "
        f"{duplicates} duplicates, {len(lost)} lost"
    )
    assert lost == set() and duplicates <= 1
    # The review's commissioners are told too; the cast's have no email address.
    to_leads = Reminder.objects.filter(recipient__email__startswith="lead")
    assert set(to_leads.values_list("state", flat=True)) == {ReminderState.SENT}
