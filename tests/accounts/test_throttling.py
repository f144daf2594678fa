"""Sign-in throttling (security issue, items 4 and 5): wrong passwords are counted for one
username from one address (AXES_FAILURE_LIMIT), for one username from any address
(SIGN_IN_ACCOUNT_FAILURE_LIMIT) and for one address whatever the username
(SIGN_IN_ADDRESS_FAILURE_LIMIT). Past any of the limits that sign-in is refused for the
cool-off, with the sign-in page saying why, and the audit log records the lock-out."""

from __future__ import annotations

import re
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


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


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
    assert entry.detail == {
        "lock": "account_at_address",
        "failure_limit": limit,
        "cool_off_minutes": 15,
    }


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


def test_it_locks_out_an_account_guessed_at_from_many_addresses(cast, settings):
    limit = settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    answers = [fail(Client(), 1, address=f"10.0.1.{n}")[0].status_code for n in range(limit)]
    assert answers == [200] * (limit - 1) + [429]

    # The right password, from an address that never failed.
    response = sign_in(Client(), "commissioner", PASSWORD, address="10.0.2.1")

    assert response.status_code == 429
    assert b"Too many failed attempts. Try again in 15 minutes" in response.content
    entry = events(AuditEvent.SIGN_IN_LOCKED)[-1]
    assert (entry.username, entry.ip_address) == ("commissioner", "10.0.2.1")
    assert entry.detail["lock"] == "account"
    assert entry.detail["failure_limit"] == limit


def test_it_locks_out_an_address_trying_many_usernames(cast, settings):
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT
    browser = Client()
    answers = [
        sign_in(browser, f"guess{n}", "wrong", address="10.0.3.1").status_code for n in range(limit)
    ]
    assert answers == [200] * (limit - 1) + [429]

    # Someone else's right password from that address is refused too, with the same page
    # an unknown username gets: the lock says nothing about which accounts exist.
    known = sign_in(Client(), "secretary", PASSWORD, address="10.0.3.1")
    unknown = sign_in(Client(), "nobody-by-this-name", PASSWORD, address="10.0.3.1")

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert without_csrf_token(known) == without_csrf_token(unknown)
    assert events(AuditEvent.SIGN_IN_LOCKED)[-1].detail["lock"] == "address"
    # Elsewhere, the same person signs in.
    assert sign_in(Client(), "secretary", PASSWORD, address="10.0.3.2").status_code == 302


def test_it_lets_the_owner_in_after_fewer_failures_elsewhere_than_the_account_limit(cast, settings):
    """A regression guard for the policy rather than for the old code: someone mistyping
    (or guessing) from other addresses must not lock the owner out below the limit, and
    the owner's right password starts the count again."""
    below = settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT - 1
    for n in range(below):
        fail(Client(), 1, address=f"10.0.4.{n}")

    assert sign_in(Client(), "commissioner", PASSWORD, address="192.168.1.20").status_code == 302
    for n in range(below):
        fail(Client(), 1, address=f"10.0.5.{n}")
    assert sign_in(Client(), "commissioner", PASSWORD, address="192.168.1.20").status_code == 302


def test_it_keeps_counting_an_address_when_someone_there_signs_in(cast, settings):
    """Axes forgets everything counted against an address when anyone signs in there;
    a guesser with an account of their own would sign in between guesses."""
    browser = Client()
    for n in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT - 1):
        sign_in(browser, f"guess{n}", "wrong", address="10.0.6.1")
    assert sign_in(Client(), "outsider", PASSWORD, address="10.0.6.1").status_code == 302

    assert sign_in(browser, "guess-again", "wrong", address="10.0.6.1").status_code == 429


def test_it_turns_the_account_and_address_counts_off_at_zero(cast, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 0
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 0
    for n in range(25):
        sign_in(Client(), f"guess{n}", "wrong", address="10.0.7.1")
    for n in range(12):
        fail(Client(), 1, address=f"10.0.8.{n}")

    assert sign_in(Client(), "commissioner", PASSWORD, address="10.0.7.1").status_code == 302
