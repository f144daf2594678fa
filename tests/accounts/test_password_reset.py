"""Password reset by email: it never signs anyone in, and never skips the second factor.
Requests are rate-limited per address and emails per account, and the email leaves
after the response, so that neither the page nor its timing says whether an account
has the address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.test.client import ClientHandler
from django.urls import reverse

from audit.choices import AuditEvent
from audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"
EMAIL = "s.khan@example.nhs.uk"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def sends_in_process():
    """The email is sent in this process, as with no broker; CI sets REDIS_URL, and the
    hand-over to a broker is tested below."""
    from trackerapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def commissioner(cast):
    cast.commissioner.email = EMAIL
    cast.commissioner.save()
    return cast.commissioner


def ask(email: str, address: str = "127.0.0.1", browser: Client | None = None):
    """One reset request, run to the end: the email, if any, is handed over when the
    request's transaction commits, which the test's own transaction never does."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return (browser or Client()).post(
            reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address
        )


def answer(response) -> tuple[int, str, bytes]:
    return response.status_code, response.get("Location", ""), response.content


def reset_link(email: str, browser: Client) -> str:
    response = ask(email, browser=browser)
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert isinstance(body, str)
    link = re.search(r"https?://\S+/account/password-reset/\S+/", body)
    assert link is not None
    return link.group(0)


def test_it_links_to_the_reset_from_the_sign_in_page(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in page


def test_it_says_the_same_whether_or_not_the_address_has_an_account(commissioner):
    unknown = ask("nobody@example.org")
    assert unknown["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []

    assert answer(ask(EMAIL)) == answer(unknown)
    assert len(mail.outbox) == 1


def test_it_still_asks_for_the_code_after_a_password_reset(commissioner, settings):
    user = commissioner
    browser = Client()
    link = reset_link(user.email, browser)
    assert "two-factor sign-in does not change" in mail.outbox[0].body
    # Built from SITE_URL, not from the Host header of whoever asked.
    assert link.startswith(settings.SITE_URL + "/")

    set_password_page = browser.get(urlsplit(link).path, follow=True)
    assert b"Choose a new password" in set_password_page.content
    done = browser.post(
        set_password_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    # The reset signed nobody in.
    assert "_auth_user_id" not in browser.session
    assert browser.get(reverse("home"))["Location"].startswith(reverse("login"))

    browser.post(reverse("login"), {"username": "commissioner", "password": NEW_PASSWORD})
    assert browser.get(reverse("home"))["Location"].startswith(reverse("mfa:verify"))
    device = factories.totp_device(user)
    browser.post(reverse("mfa:verify"), {"code": factories.totp_code(device)})
    assert browser.get(reverse("home")).status_code == 200


def test_it_explains_a_used_or_broken_link(client):
    page = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "set-password"]))
    assert page.status_code == 200
    assert b"This link does not work" in page.content


def test_it_sends_no_more_than_the_limit_to_one_account_in_the_window(commissioner, settings):
    limit = settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT
    # From a different address each time: the account's own limit, not the address's.
    for n in range(limit):
        ask(EMAIL, address=f"10.1.0.{n}")
    assert len(mail.outbox) == limit

    held_back = ask(EMAIL, address="10.1.1.1")
    unknown = ask("nobody@example.org", address="10.1.1.2")

    assert len(mail.outbox) == limit
    assert answer(held_back) == answer(unknown)
    (entry,) = AuditEntry.objects.filter(event=AuditEvent.PASSWORD_RESET_THROTTLED)
    assert entry.object_id == str(commissioner.pk)
    assert entry.detail["limit"] == "account"
    assert entry.detail["requested_from"] == "10.1.1.1"


def test_it_sends_again_once_the_window_has_passed(commissioner, settings):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT + 1):
            ask(EMAIL, address="10.2.0.1")
        sent = len(mail.outbox)
        clock.shift(settings.PASSWORD_RESET_WINDOW + timedelta(minutes=1))

        ask(EMAIL, address="10.2.0.1")

    assert sent == settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT
    assert len(mail.outbox) == sent + 1


def test_it_stops_an_address_asking_for_more_than_its_limit(commissioner, settings):
    limit = settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS
    assert limit > settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT
    unknown = [ask(f"nobody{n}@example.org", address="10.3.0.1") for n in range(limit)]

    # An account that has had no email yet: the address's limit holds it back.
    held_back = ask(EMAIL, address="10.3.0.1")
    unknown_after = ask("nobody@example.org", address="10.3.0.1")

    assert mail.outbox == []
    assert answer(held_back) == answer(unknown[0]) == answer(unknown_after)
    entries = AuditEntry.objects.filter(event=AuditEvent.PASSWORD_RESET_THROTTLED)
    assert [(e.ip_address, e.detail["limit"], e.username) for e in entries] == [
        ("10.3.0.1", "address", "")
    ] * 2
    # From another address the account gets its email.
    ask(EMAIL, address="10.3.0.2")
    assert len(mail.outbox) == 1


def test_it_sends_the_email_only_after_the_request_has_committed(
    commissioner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = Client().post(reverse("accounts:password_reset"), {"email": EMAIL})
        assert response.status_code == 302
        assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_it_sends_the_email_only_once_the_response_has_been_sent(commissioner, monkeypatch):
    """With no broker the email is sent in this process, after the response: the test
    client, like a WSGI server, closes the response once it has it all, and only then."""
    outbox_when_answered = []
    get_response = ClientHandler.get_response

    def answered(handler, request):
        response = get_response(handler, request)
        outbox_when_answered.append(len(mail.outbox))
        return response

    monkeypatch.setattr(ClientHandler, "get_response", answered)

    response = Client().post(reverse("accounts:password_reset"), {"email": EMAIL})

    assert response.status_code == 302
    assert outbox_when_answered == [0]
    assert len(mail.outbox) == 1


def test_it_hands_the_same_to_the_broker_whether_or_not_the_account_exists(
    commissioner, monkeypatch
):
    """With a broker the request only publishes a task, the same one for any address;
    the worker looks the account up and sends."""
    from accounts.tasks import password_reset_email_send_run
    from trackerapp.celery import app

    app.conf.task_always_eager = False
    published = []
    monkeypatch.setattr(
        password_reset_email_send_run,
        "apply_async",
        lambda kwargs, **options: published.append(kwargs),
    )

    ask(EMAIL, address="10.4.0.1")
    ask("nobody@example.org", address="10.4.0.1")

    assert mail.outbox == []
    assert published == [
        {"email": EMAIL, "ip_address": "10.4.0.1"},
        {"email": "nobody@example.org", "ip_address": "10.4.0.1"},
    ]
    assert password_reset_email_send_run(**published[0]) == 1
    assert password_reset_email_send_run(**published[1]) == 0
    assert len(mail.outbox) == 1
