"""The real thing: beat's task goes through Redis to a Celery worker, which scans
PostgreSQL and sends the digests over SMTP to a local sink."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from actions.models import Evidence
from actions.tasks import reminders_run
from tests import factories

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (always set in CI)",
    ),
]


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def worker(smtp_sink):
    _sink, port = smtp_sink
    queue = f"test-{uuid.uuid4().hex[:8]}"
    database = urlparse(os.environ["DATABASE_URL"])
    test_db = urlunparse(database._replace(path="/" + connection.settings_dict["NAME"]))
    env = {
        **os.environ,
        "DATABASE_URL": test_db,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "trackerapp.settings",
        "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "trackerapp",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
    deadline = time.time() + 10
    while not sink.messages and time.time() < deadline:
        time.sleep(0.1)
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
