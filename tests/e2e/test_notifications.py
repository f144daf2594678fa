"""After the reminder run, a provider lead sees the unread count and the notifications."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_demo_reminder_run_shows_up_in_the_browser(page, live_server, demo):
    call_command("send_reminders", stdout=StringIO())
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert len(recipients) == len(set(recipients)) > 0  # one digest per person
    assert "provider.lead@example.nhs.uk" in recipients
    mail.outbox.clear()
    call_command("send_reminders", stdout=StringIO())
    assert mail.outbox == []  # running it again sends nothing

    sign_in(page, live_server.url, "provider.lead", "demo-tracker-2026")
    link = page.locator("#notifications-link")
    assert "unread" in link.inner_text()
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Notifications"
    assert page.locator("#notifications tbody tr").count() > 0
    assert_accessible(page)
    page.click("text=Mark all as read")
    page.wait_for_load_state()
    assert "unread" not in page.locator("#notifications-link").inner_text()
