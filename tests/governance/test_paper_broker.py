"""Committee papers when the paper builder's broker (Redis) cannot be reached: the real
failure, a Redis address where nothing listens, not a stand-in for Celery."""

from __future__ import annotations

import base64
import json
import os
import socket
import socketserver
import threading
from contextlib import contextmanager, suppress
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from governance.choices import BuildState, PaperState
from governance.models import Paper
from tests import factories
from tests.ports import free_port

pytestmark = pytest.mark.django_db(transaction=True)  # publish on commit, as in production

UNREACHABLE = "The paper builder could not be reached"


@contextmanager
def broker_at(url: str):
    """Points the Celery app at this broker with tasks really published, as a web
    process configured with REDIS_URL does. The connection pools are built from the URL
    when first used, so they are dropped on the way in and out."""
    from trackerapp.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, app._pool)
    saved_producers = app.amqp._producer_pool
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager, app._pool = saved
        app.amqp._producer_pool = saved_producers


class RedisDoor:
    """The test Redis behind a port of our own that the test opens and shuts: shut, the
    port refuses connections just as a stopped Redis does."""

    def __init__(self, redis_url: str) -> None:
        target = urlparse(redis_url)
        self.target = (target.hostname or "127.0.0.1", target.port or 6379)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}{target.path or '/0'}"
        self.server: socketserver.ThreadingTCPServer | None = None

    def open(self) -> None:
        target = self.target

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with socket.create_connection(target) as upstream:
                    back = threading.Thread(target=_copy, args=(upstream, self.request))
                    back.start()
                    _copy(self.request, upstream)
                    back.join()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Pipe)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def shut(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _copy(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):  # either end closing is the end of the conversation
        while data := source.recv(65536):
            sink.sendall(data)
    for end in (source, sink):
        with suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def paper(cast):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cast.review.monitoring_forums.add(forum)
    return factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)


def build_request(client, paper: Paper):
    return client.post(reverse("governance:paper_build", args=[paper.pk]), follow=True)


def test_it_says_the_builder_is_unreachable_and_offers_the_build_again(client, cast, paper):
    client.force_login(cast.secretary)
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        page = build_request(client, paper)
    assert page.status_code == 200
    text = page.content.decode()
    assert UNREACHABLE in text
    assert "Try building it again" in text and "hx-trigger" not in text
    paper.refresh_from_db()
    assert paper.build_state == BuildState.FAILED


def test_a_rebuild_the_builder_could_not_take_keeps_the_draft_already_built(client, cast, paper):
    Paper.objects.filter(pk=paper.pk).update(build_state=BuildState.READY, snapshot={})
    client.force_login(cast.secretary)
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        text = build_request(client, paper).content.decode()
    assert UNREACHABLE in text and "Download the draft PDF" in text
    paper.refresh_from_db()
    assert paper.build_state == BuildState.READY


def test_an_issue_the_builder_could_not_take_goes_back_to_the_checked_draft(client, cast, paper):
    Paper.objects.filter(pk=paper.pk).update(build_state=BuildState.READY, snapshot={})
    client.force_login(cast.secretary)
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        page = client.post(
            reverse("governance:paper_issue", args=[paper.pk]), {"confirm": "yes"}, follow=True
        )
    assert page.status_code == 200
    text = page.content.decode()
    assert UNREACHABLE in text and "Issue the paper" in text
    paper.refresh_from_db()
    assert (paper.state, paper.build_state, paper.issued_at) == (
        PaperState.DRAFT,
        BuildState.READY,
        None,
    )


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (always in CI)")
def test_a_build_asked_for_again_once_redis_is_back_is_queued(client, cast, paper):
    import redis

    door = RedisDoor(os.environ["REDIS_URL"])
    client.force_login(cast.secretary)
    with broker_at(door.url):
        build_request(client, paper)
        paper.refresh_from_db()
        assert paper.build_state == BuildState.FAILED
        door.open()
        try:
            page = build_request(client, paper)
        finally:
            door.shut()
    assert UNREACHABLE not in page.content.decode()
    paper.refresh_from_db()
    assert paper.build_state == BuildState.QUEUED
    # The message is on the broker, for a worker to take; taken off again here.
    queue = redis.Redis.from_url(os.environ["REDIS_URL"])
    messages = queue.lrange("celery", 0, -1)
    assert isinstance(messages, list)  # a synchronous client's answer, not an awaitable
    ours = [
        message
        for message in messages
        if json.loads(message)["headers"]["task"] == "governance.tasks.paper_build"
        and json.loads(base64.b64decode(json.loads(message)["body"]))[0] == [paper.pk]
    ]
    assert len(ours) == 1
    queue.lrem("celery", 1, ours[0])
