"""Input longer than any account can have is refused as a failed attempt, never a 500,
and still counts towards the lock-out."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

LONG_USERNAME = "u" * 300


def test_it_refuses_a_username_longer_than_any_account_with_the_usual_message(client, cast):
    response = client.post(reverse("login"), {"username": LONG_USERNAME, "password": "wrong"})
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_it_counts_a_long_username_towards_the_lock_out(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    responses = [
        client.post(reverse("login"), {"username": LONG_USERNAME, "password": "wrong"})
        for _ in range(3)
    ]
    assert [r.status_code for r in responses] == [200, 429, 429]
    assert b"Too many failed attempts" in responses[-1].content
    assert AccessAttempt.objects.get().username == LONG_USERNAME[:255]


def test_it_refuses_a_long_email_on_the_password_reset_form(client, cast, mailoutbox):
    email = "a" * 300 + "@example.nhs.uk"
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert mailoutbox == []
