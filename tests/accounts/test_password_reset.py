"""Password reset by email: it never signs anyone in, and never skips the second factor."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def reset_link(email: str, browser: Client) -> str:
    response = browser.post(reverse("accounts:password_reset"), {"email": email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+/account/password-reset/\S+/", mail.outbox[0].body).group(0)


def test_it_links_to_the_reset_from_the_sign_in_page(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in page


def test_it_says_the_same_whether_or_not_the_address_has_an_account(client, cast):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_it_still_asks_for_the_code_after_a_password_reset(cast, settings):
    user = cast.commissioner
    user.email = "s.khan@example.nhs.uk"
    user.save()
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
