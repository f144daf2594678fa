"""The calendar feed: a secret, replaceable address; parsed with icalendar it holds the
person's meetings, paper deadlines and due dates (whole days, Europe/London), and no
secret reaches the logs."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from actions.models import Action
from audit.choices import AuditEvent
from audit.models import AuditEntry
from tests import factories
from tests.conftest import VerifiedClient
from trackerapp.logs import RedactSecretsFilter, redact_secrets

pytestmark = pytest.mark.django_db


def new_address(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("feeds:create"))
    assert response.status_code == 200
    return response.context["address"]


def events(address: str) -> dict[str, Any]:
    response = Client().get(address)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["X-WR-TIMEZONE"] == "Europe/London"
    assert any(tz["TZID"] == "Europe/London" for tz in calendar.walk("VTIMEZONE"))
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_each_feed_parses_and_holds_the_persons_dates(client, cast):
    today = timezone.localdate()
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    meeting = factories.meeting(forum=forum, in_days=40)
    Action.objects.filter(pk=cast.action_a.pk).update(due_date=today + timedelta(days=10))
    Action.objects.filter(pk=cast.restricted_action_a.pk).update(
        due_date=today + timedelta(days=12)
    )
    Action.objects.filter(pk=cast.action_b.pk).update(due_date=today + timedelta(days=11))

    secretary = events(new_address(client, cast.secretary))
    meeting_event = secretary[f"{forum.short_name} meeting"]
    assert meeting_event.decoded("DTSTART") == meeting.held_on
    assert isinstance(meeting_event.decoded("DTSTART"), date)
    deadline = next(e for s, e in secretary.items() if s.startswith("Papers due"))
    assert deadline.decoded("DTSTART") == meeting.paper_deadline

    provider = events(new_address(VerifiedClient(), cast.provider_a_lead))
    due = [e for s, e in provider.items() if " due (" in s]
    assert {e.decoded("DTSTART") for e in due} == {
        today + timedelta(days=10),
        today + timedelta(days=12),
    }
    # Its action on the restricted review is there, the review's reference is not.
    assert cast.restricted_review.reference not in "".join(provider)
    assert any("a restricted review" in s for s in provider)
    assert not any(s.endswith("meeting") for s in provider)  # providers see no forums

    address = new_address(VerifiedClient(), cast.commissioner)
    commissioner = events(address)
    uids = [str(e["UID"]) for e in Calendar.from_ical(Client().get(address).content).walk("VEVENT")]
    # The three actions of the ICB's reviews, the restricted one included (named).
    assert len([u for u in uids if u.startswith("action-")]) == 3

    # Never an action's text: calendars are copied to phones and cloud services.
    for feed in (secretary, provider, commissioner):
        assert not any("Action 7" in str(e.get("DESCRIPTION", "")) for e in feed.values())


def test_a_new_address_replaces_the_old_and_a_stopped_one_is_404(client, cast):
    first = new_address(client, cast.viewer)
    second = new_address(client, cast.viewer)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    client.post(reverse("feeds:revoke"))
    assert Client().get(second).status_code == 404
    assert Client().get(reverse("feeds:feed", args=["unknown"])).status_code == 404
    events_logged = AuditEntry.objects.filter(user=cast.viewer).values_list("event", flat=True)
    assert list(events_logged).count(AuditEvent.CALENDAR_FEED_CREATED) == 2
    assert AuditEvent.CALENDAR_FEED_REVOKED in events_logged


def test_the_secret_is_kept_out_of_the_logs(client, cast, caplog):
    address = new_address(client, cast.viewer)
    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert redact_secrets(f"GET /calendar/{secret}.ics") == "GET /calendar/[secret].ics"
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        "",
        0,
        "Not Found: %s",
        (f"/calendar/{secret}.ics",),
        None,
    )
    RedactSecretsFilter().filter(record)
    assert secret not in record.getMessage()
    from trackerapp.gunicorn_logging import RedactingLogger

    assert RedactingLogger.atoms is not None  # gunicorn's access log goes through it


def test_the_committees_and_notifications_pages_offer_to_subscribe(client, cast):
    client.force_login(cast.viewer)
    for name in ("governance:meeting_list", "notifications"):
        assert reverse("feeds:manage") in client.get(reverse(name)).content.decode()


def test_the_meetings_list_filters_by_forum_and_shows_a_month(client, cast):
    one = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    two = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    first = factories.meeting(forum=one, in_days=40)
    factories.meeting(forum=two, in_days=41)
    client.force_login(cast.secretary)
    listed = client.get(reverse("governance:meeting_list"), {"forum": one.pk}).context["calendar"]
    assert [m.forum_id for m in listed.upcoming] == [one.pk]
    month = client.get(
        reverse("governance:meeting_list"),
        {"view": "month", "month": f"{first.held_on:%Y-%m}", "forum": one.pk},
    )
    body = month.content.decode()
    assert month.status_code == 200 and 'id="month-table"' in body
    assert f"{one.short_name} meeting" in body and f"{two.short_name} meeting" not in body
