"""The meetings list opens on the next few meetings with their paper deadlines; later
and past meetings are grouped by forum behind details, with counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.selectors import NEXT_MEETINGS
from tests import factories

pytestmark = pytest.mark.django_db

MEETINGS = reverse("governance:meeting_list")


@pytest.fixture
def forums(cast):
    sag = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cqrg = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    for days in range(10, 200, 14):
        factories.meeting(forum=sag, in_days=days)
        factories.meeting(forum=cqrg, in_days=days + 3)
    for days in (-20, -50, -80):
        factories.meeting(forum=sag, in_days=days)
    factories.meeting(forum=cqrg, in_days=-30)
    return sag, cqrg


def test_it_leads_with_the_next_meetings_and_groups_the_rest_by_forum(client, cast, forums):
    sag, cqrg = forums
    client.force_login(cast.viewer)
    response = client.get(MEETINGS)
    page = response.content.decode()
    calendar = response.context["calendar"]

    assert len(calendar.next) == NEXT_MEETINGS
    assert [m.held_on for m in calendar.next] == sorted(m.held_on for m in calendar.upcoming)[
        :NEXT_MEETINGS
    ]
    first_table = page[page.index('id="upcoming-heading"') : page.index('id="later-heading"')]
    assert first_table.count("nhsuk-table__row") == NEXT_MEETINGS
    assert "Papers due" in first_table
    assert f"{len(calendar.upcoming)} arranged" in page
    later = len(calendar.upcoming) - NEXT_MEETINGS
    assert f"{later} more, by forum" in page
    assert f'id="later-{sag.pk}"' in page and f'id="later-{cqrg.pk}"' in page
    assert "4 held" in page
    assert f"{sag.short_name}: 3 meetings" in page
    assert f"{cqrg.short_name}: 1 meeting<" in page
    assert page.index(f'id="past-{sag.pk}"') > page.index('id="past-heading"')


def test_a_forum_with_more_past_meetings_than_are_listed_says_so(client, cast, forums, monkeypatch):
    from governance import selectors

    sag, _cqrg = forums
    monkeypatch.setattr(selectors, "PAST_MEETINGS_SHOWN", 2)
    client.force_login(cast.viewer)
    page = client.get(MEETINGS).content.decode()
    assert f"{sag.short_name}: 3 meetings" in page
    assert "1 of 3 shown, the latest first" in page
    assert f'href="?forum={sag.pk}"' in page


def test_it_shows_another_organisations_meetings_to_nobody(client, cast, forums):
    sag, _cqrg = forums
    other_icb = factories.organisation(cast.icb.kind, "ICB-2")
    other = factories.forum(organisation=other_icb)
    factories.meeting(forum=other, in_days=5)
    client.force_login(cast.viewer)
    page = client.get(MEETINGS).content.decode()
    assert other.short_name not in page


def test_the_list_runs_the_same_queries_for_more_meetings(client, cast, forums):
    sag, cqrg = forums
    client.force_login(cast.viewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MEETINGS).status_code == 200
        return len(captured)

    small = count()
    extra = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    for days in range(-300, 300, 9):
        factories.meeting(forum=extra, in_days=days)
    assert count() == small


def add_meeting(client, forum, **data):
    return client.post(reverse("governance:meeting_create", args=[forum.pk]), data)


def test_a_meeting_date_is_entered_as_day_month_and_year(client, cast, forums):
    sag, _cqrg = forums
    client.force_login(cast.secretary)
    form = client.get(reverse("governance:meeting_create", args=[sag.pk])).content.decode()
    assert 'class="nhsuk-date-input"' in form
    for part in ("day", "month", "year"):
        assert f'name="held_on_{part}"' in form
    # The error summary and the legend's question link to the day box.
    assert 'id="id_held_on"' in form

    response = add_meeting(
        client, sag, held_on_day="3", held_on_month="3", held_on_year="2031", location="Teams"
    )
    assert response.status_code == 302
    assert sag.meetings.filter(held_on="2031-03-03").exists()


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({}, "Enter the date of the meeting"),
        ({"held_on_day": "3"}, "Date of the meeting must include a month and a year"),
        ({"held_on_day": "3", "held_on_year": "2031"}, "Date of the meeting must include a month"),
        (
            {"held_on_day": "31", "held_on_month": "2", "held_on_year": "2031"},
            "Date of the meeting must be a real date",
        ),
        (
            {"held_on_day": "x", "held_on_month": "2", "held_on_year": "2031"},
            "Date of the meeting must be a real date",
        ),
        ({"held_on_day": "3", "held_on_month": "2", "held_on_year": "31"}, "Year must include 4"),
    ],
)
def test_a_wrong_meeting_date_says_what_is_wrong_and_keeps_what_was_typed(
    client, cast, forums, parts, message
):
    sag, _cqrg = forums
    client.force_login(cast.secretary)
    data = {"held_on_day": "", "held_on_month": "", "held_on_year": "", **parts}
    response = add_meeting(client, sag, location="Teams", **data)
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert "nhsuk-error-summary" in page and 'href="#id_held_on"' in page
    assert "nhsuk-input--error" in page
    if parts.get("held_on_day"):
        assert f'value="{parts["held_on_day"]}"' in page
