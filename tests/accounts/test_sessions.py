"""Sessions end after 30 minutes idle or 12 hours in all, and at once when an administrator
ends them or deactivates the account (security issue, item 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.services import user_sessions_end
from audit.choices import AuditEvent
from audit.models import AuditEntry
from tests.conftest import VerifiedClient
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def signed_in(user) -> VerifiedClient:
    """A browser of its own, signed in as `user`."""
    browser = VerifiedClient()
    browser.force_login(user)
    return browser


def is_bounced_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def sign_in_page_message(browser: VerifiedClient) -> str:
    return browser.get(reverse("login")).content.decode()


def test_it_ends_a_session_after_30_minutes_without_activity(cast):
    with time_machine.travel(START, tick=False) as clock:
        browser = signed_in(cast.commissioner)
        assert browser.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert browser.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=30))
        response = browser.get(reverse("notifications"))

    assert is_bounced_to_sign_in(response)
    assert response["Location"] == f"{reverse('login')}?next={reverse('notifications')}"
    assert "Your session ended after 30 minutes without activity" in sign_in_page_message(browser)
    assert "_auth_user_id" not in browser.session
    entry = AuditEntry.objects.get(event=AuditEvent.SESSION_EXPIRED)
    assert entry.user == cast.commissioner
    assert entry.detail == {"reason": "idle"}


def test_it_keeps_a_session_in_use_going_past_the_idle_timeout(cast):
    with time_machine.travel(START, tick=False) as clock:
        browser = signed_in(cast.commissioner)
        for _ in range(6):
            assert browser.get(reverse("home")).status_code == 200
            clock.shift(timedelta(minutes=25))
        assert browser.get(reverse("home")).status_code == 200
    assert not AuditEntry.objects.filter(event=AuditEvent.SESSION_EXPIRED).exists()


def test_it_ends_a_session_12_hours_after_sign_in_however_busy(cast):
    with time_machine.travel(START, tick=False) as clock:
        browser = signed_in(cast.commissioner)
        for _ in range(12 * 3 - 1):
            assert browser.get(reverse("home")).status_code == 200
            clock.shift(timedelta(minutes=20))
        assert browser.get(reverse("home")).status_code == 200  # 11 h 40 min in
        clock.shift(timedelta(minutes=20))
        response = browser.get(reverse("home"))

    assert is_bounced_to_sign_in(response)
    assert "Your session ended after 12 hours" in sign_in_page_message(browser)
    assert AuditEntry.objects.get(event=AuditEvent.SESSION_EXPIRED).detail == {"reason": "absolute"}


def test_it_starts_the_clocks_when_someone_signs_in(client, cast):
    with time_machine.travel(START, tick=False) as clock:
        client.post(reverse("login"), {"username": "commissioner", "password": "test-password-123"})
        assert "_auth_user_id" in client.session
        clock.shift(timedelta(minutes=31))
        assert is_bounced_to_sign_in(client.get(reverse("home")))


def test_it_reads_both_limits_from_settings(cast, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=5)
    settings.SESSION_ABSOLUTE_LIFETIME = timedelta(hours=1)
    with time_machine.travel(START, tick=False) as clock:
        idle = signed_in(cast.commissioner)
        busy = signed_in(cast.secretary)
        idle.get(reverse("home"))
        for step in range(15):
            assert busy.get(reverse("home")).status_code == 200
            clock.shift(timedelta(minutes=4))
            if step == 1:
                assert is_bounced_to_sign_in(idle.get(reverse("home")))
        assert is_bounced_to_sign_in(busy.get(reverse("home")))
    assert "after 5 minutes without activity" in sign_in_page_message(idle)
    assert "after 1 hour." in sign_in_page_message(busy)


def test_it_sends_an_htmx_request_to_sign_in_with_a_whole_page_load(cast):
    with time_machine.travel(START, tick=False) as clock:
        browser = signed_in(cast.commissioner)
        browser.get(reverse("home"))
        clock.shift(timedelta(minutes=45))
        response = browser.get(reverse("notifications"), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("login")


def test_deactivating_a_user_in_the_admin_ends_their_live_session_at_once(client, cast):
    person = signed_in(cast.provider_a_lead)
    assert person.get(reverse("home")).status_code == 200
    client.force_login(cast.admin)
    change = reverse("admin:accounts_user_change", args=[cast.provider_a_lead.pk])
    form = form_data(client.get(change).content.decode(), "user_form")
    assert form["is_active"] == ["on"]
    del form["is_active"]

    response = client.post(change, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    cast.provider_a_lead.refresh_from_db()
    assert cast.provider_a_lead.is_active is False
    assert is_bounced_to_sign_in(person.get(reverse("home")))
    # Reactivating the account does not bring the old session back.
    cast.provider_a_lead.is_active = True
    cast.provider_a_lead.save()
    assert is_bounced_to_sign_in(person.get(reverse("home")))
    entry = AuditEntry.objects.get(event=AuditEvent.SESSIONS_ENDED)
    assert (entry.user, entry.object_id) == (cast.admin, str(cast.provider_a_lead.pk))
    assert entry.detail == {"reason": "deactivated"}


def test_saving_a_user_in_the_admin_without_deactivating_keeps_their_session(client, cast):
    person = signed_in(cast.provider_a_lead)
    client.force_login(cast.admin)
    change = reverse("admin:accounts_user_change", args=[cast.provider_a_lead.pk])
    form = form_data(client.get(change).content.decode(), "user_form")
    form["job_title"] = ["Named nurse"]

    assert client.post(change, form).status_code == 302

    assert person.get(reverse("home")).status_code == 200
    assert not AuditEntry.objects.filter(event=AuditEvent.SESSIONS_ENDED).exists()


def test_the_admin_action_ends_every_session_of_the_selected_users(client, cast):
    laptop = signed_in(cast.provider_a_lead)
    phone = signed_in(cast.provider_a_lead)
    bystander = signed_in(cast.provider_b_lead)
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [cast.provider_a_lead.pk]},
        follow=True,
    )

    assert "Ended every session of 1 user(s)" in response.content.decode()
    assert is_bounced_to_sign_in(laptop.get(reverse("home")))
    assert is_bounced_to_sign_in(phone.get(reverse("home")))
    assert bystander.get(reverse("home")).status_code == 200
    cast.provider_a_lead.refresh_from_db()
    assert cast.provider_a_lead.is_active is True
    assert AuditEntry.objects.get(event=AuditEvent.SESSIONS_ENDED).detail == {
        "reason": "admin action"
    }


def test_an_administrator_ending_their_own_sessions_keeps_the_one_in_use(client, cast):
    elsewhere = signed_in(cast.admin)
    client.force_login(cast.admin)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [cast.admin.pk]},
    )
    assert client.get(reverse("admin:index")).status_code == 200
    assert elsewhere.get(reverse("admin:index")).status_code == 302


def test_only_someone_who_may_change_users_may_end_sessions(cast):
    with pytest.raises(PermissionDenied):
        user_sessions_end(user=cast.provider_a_lead, by=cast.commissioner)


def test_a_new_password_still_ends_the_other_sessions(cast):
    browser = signed_in(cast.viewer)
    cast.viewer.set_password("a-brand-new-long-passphrase")
    cast.viewer.save()
    assert is_bounced_to_sign_in(browser.get(reverse("home")))
