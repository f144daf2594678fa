"""Sign-in throttling (security issue, item 4): after AXES_FAILURE_LIMIT wrong passwords
for one username from one address, that pair is refused for the cool-off, with the
sign-in page saying why, and the audit log records the lock-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.choices import AuditEvent
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sign_in(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, times: int, username: str = "commissioner", address: str = "127.0.0.1"):
    return [sign_in(client, username, "wrong", address) for _ in range(times)]


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def events(event: AuditEvent) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event).order_by("pk"))


def test_it_locks_out_after_the_failure_limit_and_says_why(client, cast, settings):
    limit = settings.AXES_FAILURE_LIMIT
    before = fail(client, limit - 1)
    assert {response.status_code for response in before} == {200}
    assert b"Enter a correct username and password" in before[-1].content

    locked = fail(client, 1)[0]

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed attempts. Try again in 15 minutes" in page
    assert "nhsuk-error-summary" in page and "<h1>Sign in</h1>" in page
    assert len(events(AuditEvent.SIGN_IN_FAILED)) == limit
    (entry,) = events(AuditEvent.SIGN_IN_LOCKED)
    assert (entry.username, entry.ip_address, entry.path) == (
        "commissioner",
        "127.0.0.1",
        reverse("login"),
    )
    assert entry.detail == {"failure_limit": limit, "cool_off_minutes": 15}


def test_it_refuses_the_right_password_while_locked_out(client, cast, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)

    response = sign_in(client, "commissioner", PASSWORD)

    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert not is_signed_in(client)
    # A refused attempt is recorded once, as a lock-out; no password was checked.
    assert len(events(AuditEvent.SIGN_IN_LOCKED)) == 2
    assert len(events(AuditEvent.SIGN_IN_FAILED)) == settings.AXES_FAILURE_LIMIT
    assert not events(AuditEvent.SIGN_IN)


def test_it_reads_the_limit_and_the_cool_off_from_settings(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)

    first, second = fail(client, 2)

    assert (first.status_code, second.status_code) == (200, 429)
    assert b"Try again in 30 minutes" in second.content


def test_it_lets_the_person_sign_in_once_the_cool_off_has_passed(client, cast, settings):
    with time_machine.travel(START, tick=False) as clock:
        fail(client, settings.AXES_FAILURE_LIMIT)
        clock.shift(timedelta(minutes=14))
        assert sign_in(client, "commissioner", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=2))

        response = sign_in(client, "commissioner", PASSWORD)

        assert response.status_code == 302
        assert is_signed_in(client)
    assert events(AuditEvent.SIGN_IN)[-1].user == cast.commissioner


def test_it_clears_the_count_on_a_successful_sign_in(client, cast, settings):
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, limit - 1)
    assert sign_in(client, "commissioner", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    again = fail(client, limit - 1)

    assert again[-1].status_code == 200
    assert sign_in(client, "commissioner", PASSWORD).status_code == 302
    assert not events(AuditEvent.SIGN_IN_LOCKED)


def test_it_locks_only_that_username_from_that_address(cast, settings):
    fail(Client(), settings.AXES_FAILURE_LIMIT, username="commissioner", address="10.0.0.1")

    other_person = sign_in(Client(), "secretary", PASSWORD, address="10.0.0.1")
    other_address = sign_in(Client(), "commissioner", PASSWORD, address="10.0.0.2")

    assert other_person.status_code == 302
    assert other_address.status_code == 302
