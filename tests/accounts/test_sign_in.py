from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_the_code_and_lands_on_home(client, cast):
    response = client.post(
        reverse("login"),
        {"username": "commissioner", "password": "test-password-123"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("mfa:verify") + "?next=%2F"
    device = factories.totp_device(cast.commissioner)
    response = client.post(
        reverse("mfa:verify"), {"code": factories.totp_code(device), "next": "/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"<h1>Dashboard</h1>" in response.content


def test_it_explains_a_failed_sign_in_and_keeps_the_user_out(client, cast):
    response = client.post(reverse("login"), {"username": "commissioner", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_it_signs_out_with_a_post(client, cast):
    client.force_login(cast.commissioner)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
