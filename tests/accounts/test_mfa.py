"""Two-factor sign-in (security issue): a password alone reaches nothing but the pages
that set up or check the second factor; codes work once; admins can reset it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import AuditEvent
from audit.models import AuditEntry
from mfa.middleware import OPEN_BEFORE_SECOND_FACTOR
from tests import factories
from tests.url_walk import concrete_path, iter_patterns

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
EVERY_ROLE = [
    "admin",
    "commissioner",
    "other_commissioner",
    "secretary",
    "provider_a_lead",
    "provider_a_contributor",
    "provider_b_lead",
    "viewer",
    "outsider",
]
# Five seconds into a 30-second step: "now" stays one step until the test moves the clock.
NOON = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def password_only(user) -> Client:
    """A session that has passed the password but not the second factor."""
    browser = Client()
    browser.force_login(user)
    return browser


def sign_in_with_password(browser: Client, username: str, password: str = PASSWORD):
    return browser.post(reverse("login"), {"username": username, "password": password})


def events(event: str, **filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event, **filters))


def is_verified(browser: Client) -> bool:
    response = browser.get(reverse("home"))
    return response.status_code == 200


def get_routes() -> list[tuple[str, str]]:
    return sorted(
        (route, name) for route, name in iter_patterns() if name not in OPEN_BEFORE_SECOND_FACTOR
    )


@pytest.mark.parametrize("who", EVERY_ROLE)
def test_it_sends_a_password_only_session_of_every_role_to_the_code_page(cast, who):
    browser = password_only(getattr(cast, who))
    verify = reverse("mfa:verify")
    wrong = {}
    for route, _name in get_routes():
        path = concrete_path(route)
        response = browser.get(path)
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(verify):
            wrong[path] = (response.status_code, location)
    assert wrong == {}
    assert len(get_routes()) > 50


def test_it_sends_someone_without_an_app_to_enrolment_and_back_afterwards(cast):
    TOTPDevice.objects.filter(user=cast.viewer).delete()
    browser = password_only(cast.viewer)
    response = browser.get(reverse("reviews:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa:enrol") + "?next=%2Freviews%2F"


def test_it_lets_a_password_only_session_reach_only_the_second_factor_pages(cast):
    browser = password_only(cast.commissioner)
    page = browser.get(reverse("mfa:verify"))
    assert page.status_code == 200
    assert b"Enter your security code" in page.content
    # No menu to pages the session cannot reach yet.
    assert b'aria-label="Menu"' not in page.content
    assert browser.get(reverse("mfa:verify_recovery")).status_code == 200
    assert browser.get(reverse("mfa:enrol"))["Location"] == reverse("mfa:verify")
    assert browser.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in browser.session


def test_it_answers_an_htmx_request_with_401_and_where_to_go(cast):
    browser = password_only(cast.commissioner)
    response = browser.get(
        reverse("actions:detail", args=[cast.action_a.pk]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/actions/?page=2"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("mfa:verify") + "?next=%2Factions%2F%3Fpage%3D2"


def test_it_refuses_a_post_from_a_password_only_session(cast):
    browser = password_only(cast.commissioner)
    response = browser.post(reverse("actions:status", args=[cast.action_a.pk]), {"status": "x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa:verify")


def test_it_sets_up_the_app_with_a_right_code_and_shows_recovery_codes_once(cast):
    user = factories.user("new.starter")
    browser = Client()
    sign_in_with_password(browser, "new.starter")
    page = browser.get(reverse("mfa:enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'aria-label="QR code' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", html), "key in groups of 4"
    # The same key on a reload, so a code already scanned still works.
    browser.get(reverse("mfa:enrol"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = browser.post(reverse("mfa:enrol"), {"code": factories.totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    assert is_verified(browser)
    assert events(AuditEvent.MFA_ENROLLED, user=user)
    assert events(AuditEvent.RECOVERY_CODES_ISSUED, user=user)

    codes_page = browser.get(reverse("mfa:recovery_codes")).content.decode()
    shown = re.findall(r'<span class="app-code">([a-z2-7]{4}-[a-z2-7]{4})</span>', codes_page)
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert {code.replace("-", "") for code in shown} == stored
    assert browser.post(reverse("mfa:recovery_codes"))["Location"] == reverse("home")
    # Never shown again.
    again = browser.get(reverse("mfa:recovery_codes"))
    assert again["Location"] == reverse("mfa:manage")
    assert shown[0] not in browser.get(reverse("mfa:manage")).content.decode()


def test_it_refuses_a_wrong_code_at_enrolment(cast):
    user = factories.user("new.starter")
    browser = Client()
    sign_in_with_password(browser, "new.starter")
    browser.get(reverse("mfa:enrol"))
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(factories.totp_code(device)) + 1) % 1_000_000:06d}"
    response = browser.post(reverse("mfa:enrol"), {"code": wrong})
    assert response.status_code == 422
    assert b"There is a problem" in response.content
    assert b"The security code is not correct" in response.content
    device.refresh_from_db()
    assert not device.confirmed
    assert not is_verified(browser)
    assert events(AuditEvent.MFA_FAILED, user=user)
    assert not events(AuditEvent.MFA_ENROLLED, user=user)
    assert browser.post(reverse("mfa:enrol"), {"code": "12ab"}).status_code == 422


def test_it_draws_the_qr_code_without_script_or_inline_style(cast):
    factories.user("new.starter")
    browser = Client()
    sign_in_with_password(browser, "new.starter")
    html = browser.get(reverse("mfa:enrol")).content.decode()
    # The Content-Security-Policy allows neither (script-src 'self'; style-src 'self').
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert re.search(r'<svg [^>]*role="img"', html)


def test_it_verifies_with_the_code_and_returns_to_the_page_asked_for(cast):
    browser = Client()
    sign_in_with_password(browser, "commissioner")
    response = browser.get(reverse("reviews:list"))
    assert response["Location"] == reverse("mfa:verify") + "?next=%2Freviews%2F"
    device = factories.totp_device(cast.commissioner)
    response = browser.post(
        reverse("mfa:verify"), {"code": factories.totp_code(device), "next": "/reviews/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/reviews/"
    assert is_verified(browser)
    assert events(AuditEvent.MFA_VERIFIED, user=cast.commissioner)


def test_it_never_sends_the_user_off_site_after_the_code(cast):
    browser = Client()
    sign_in_with_password(browser, "commissioner")
    device = factories.totp_device(cast.commissioner)
    response = browser.post(
        reverse("mfa:verify"), {"code": factories.totp_code(device), "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("home")


def test_it_refuses_a_reused_code(cast, clock):
    device = factories.totp_device(cast.commissioner)
    code = factories.totp_code(device)
    first = Client()
    sign_in_with_password(first, "commissioner")
    assert first.post(reverse("mfa:verify"), {"code": code}).status_code == 302
    assert is_verified(first)

    clock.shift(timedelta(seconds=3))
    second = Client()
    sign_in_with_password(second, "commissioner")
    response = second.post(reverse("mfa:verify"), {"code": code})
    assert response.status_code == 422
    assert b"not correct or has already been used" in response.content
    assert not is_verified(second)
    # Nor the step before, which the tolerance of one step would otherwise allow.
    clock.shift(timedelta(seconds=3))
    earlier = factories.totp_code(device, step=factories.totp_step(device) - 1)
    assert second.post(reverse("mfa:verify"), {"code": earlier}).status_code == 422
    assert not is_verified(second)
    assert len(events(AuditEvent.MFA_FAILED, user=cast.commissioner)) == 2


def test_it_accepts_one_step_of_clock_difference_but_no_more(cast, clock):
    device = factories.totp_device(cast.commissioner)
    now = factories.totp_step(device)
    browser = Client()
    sign_in_with_password(browser, "commissioner")
    far = factories.totp_code(device, step=now + 2)
    assert browser.post(reverse("mfa:verify"), {"code": far}).status_code == 422
    clock.shift(timedelta(seconds=10))
    near = factories.totp_code(device, step=now + 1)
    assert browser.post(reverse("mfa:verify"), {"code": near}).status_code == 302


def test_it_slows_down_wrong_codes_with_a_clear_message(cast, clock):
    device = factories.totp_device(cast.commissioner)
    browser = Client()
    sign_in_with_password(browser, "commissioner")
    wrong = f"{(int(factories.totp_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(3):
        browser.post(reverse("mfa:verify"), {"code": wrong})
        clock.shift(timedelta(seconds=0.5))
    # The second came too soon to be checked at all; after two wrong codes even the
    # right one is refused for 2 seconds.
    response = browser.post(reverse("mfa:verify"), {"code": factories.totp_code(device)})
    assert response.status_code == 422
    assert b"You have entered too many wrong codes. Wait 2 seconds, then try again." in (
        response.content
    )
    assert not is_verified(browser)
    clock.shift(timedelta(seconds=2))
    assert (
        browser.post(reverse("mfa:verify"), {"code": factories.totp_code(device)}).status_code
        == 302
    )


def issue_recovery_codes(browser: Client) -> list[str]:
    page = browser.get(reverse("mfa:recovery_codes")).content.decode()
    browser.post(reverse("mfa:recovery_codes"))
    return re.findall(r'<span class="app-code">([a-z2-7]{4}-[a-z2-7]{4})</span>', page)


def regenerate(browser: Client, device: TOTPDevice) -> HttpResponseBase:
    return browser.post(reverse("mfa:recovery_codes_new"), {"code": factories.totp_code(device)})


def test_it_accepts_each_recovery_code_once(cast, client, clock):
    device = factories.totp_device(cast.provider_a_lead)
    client.force_login(cast.provider_a_lead)
    assert regenerate(client, device)["Location"] == reverse("mfa:recovery_codes")
    codes = issue_recovery_codes(client)
    assert len(codes) == 10

    browser = Client()
    sign_in_with_password(browser, "a.lead")
    response = browser.post(reverse("mfa:verify_recovery"), {"recovery_code": codes[0]})
    assert response["Location"] == reverse("home")
    assert is_verified(browser)
    assert events(AuditEvent.RECOVERY_CODE_USED, user=cast.provider_a_lead)[0].detail == {
        "codes_left": 9
    }

    again = Client()
    sign_in_with_password(again, "a.lead")
    response = again.post(reverse("mfa:verify_recovery"), {"recovery_code": codes[0]})
    assert response.status_code == 422
    assert b"The recovery code is not correct or has already been used" in response.content
    assert not is_verified(again)
    clock.shift(timedelta(seconds=5))
    # Typed in capitals, without the hyphen: still the code.
    other = codes[1].replace("-", "").upper()
    response = again.post(reverse("mfa:verify_recovery"), {"recovery_code": other})
    assert response.status_code == 302
    assert b"You have 8 left" in again.get(reverse("home")).content


def test_it_gives_new_recovery_codes_only_for_a_fresh_code(cast, client, clock):
    device = factories.totp_device(cast.secretary)
    client.force_login(cast.secretary)
    response = client.post(reverse("mfa:recovery_codes_new"), {"code": ""})
    assert response.status_code == 422
    assert b"Enter the security code" in response.content
    assert not StaticToken.objects.filter(device__user=cast.secretary).exists()
    regenerate(client, device)
    old = issue_recovery_codes(client)
    # The same code twice is refused: a new one is needed.
    assert regenerate(client, device).status_code == 422
    clock.shift(timedelta(seconds=30))
    regenerate(client, device)
    new = issue_recovery_codes(client)
    assert len(new) == 10 and not set(old) & set(new)
    stored = set(
        StaticToken.objects.filter(device__user=cast.secretary).values_list("token", flat=True)
    )
    assert stored == {code.replace("-", "") for code in new}
    assert len(events(AuditEvent.RECOVERY_CODES_ISSUED, user=cast.secretary)) == 2


def test_it_shows_when_the_app_was_set_up(cast, client):
    client.force_login(cast.viewer)
    page = client.get(reverse("mfa:manage")).content.decode()
    assert "Set up on" in page
    assert 'id="codes-left">0 unused' in page
    assert 'id="account-link"' in client.get(reverse("home")).content.decode()


def test_an_admin_resets_a_second_factor_and_the_user_sets_it_up_again(cast, client):
    phone_lost = Client()
    sign_in_with_password(phone_lost, "a.lead")
    device = factories.totp_device(cast.provider_a_lead)
    phone_lost.post(reverse("mfa:verify"), {"code": factories.totp_code(device)})
    assert is_verified(phone_lost)

    client.force_login(cast.admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [cast.provider_a_lead.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.provider_a_lead).exists()
    entry = events(AuditEvent.MFA_RESET)[0]
    assert entry.username == "admin"
    assert entry.object_id == str(cast.provider_a_lead.pk)
    # Their session is over, and the next sign-in asks them to set up the app again.
    assert phone_lost.get(reverse("home"))["Location"].startswith(reverse("login"))
    sign_in_with_password(phone_lost, "a.lead")
    assert phone_lost.get(reverse("home"))["Location"].startswith(reverse("mfa:enrol"))


def test_it_refuses_a_reset_from_someone_who_is_not_an_administrator(cast):
    from django.core.exceptions import PermissionDenied

    from mfa.services import second_factor_reset

    with pytest.raises(PermissionDenied):
        second_factor_reset(user=cast.viewer, by=cast.commissioner)
    assert TOTPDevice.objects.filter(user=cast.viewer).exists()


def test_the_admin_lists_apps_without_their_keys_and_never_lists_recovery_codes(cast, client):
    device = factories.totp_device(cast.viewer)
    client.force_login(cast.admin)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert listing.status_code == 200
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    assert device.key.encode() not in change.content
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
