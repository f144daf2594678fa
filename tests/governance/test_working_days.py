"""Paper deadlines on working days (England and Wales bank holidays from `holidays`)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from governance.models import Meeting
from governance.working_days import is_working_day, next_working_day, previous_working_day
from tests import factories

pytestmark = pytest.mark.django_db


def deadline(cast, held_on: date, days: int = 21) -> date:
    forum = factories.forum(organisation=cast.icb)
    forum.paper_deadline_days = days
    forum.save()
    return Meeting.objects.create(forum=forum, held_on=held_on).paper_deadline


def test_it_brings_a_christmas_day_deadline_forward_to_christmas_eve(cast):
    # 21 days before 15 January 2027 is Friday 25 December 2026.
    assert deadline(cast, date(2027, 1, 15)) == date(2026, 12, 24)


def test_it_brings_a_weekend_deadline_forward_to_the_friday(cast):
    # 19 days before Thursday 26 November 2026 is Saturday 7 November.
    assert deadline(cast, date(2026, 11, 26), days=19) == date(2026, 11, 6)


def test_it_skips_easter_back_to_the_thursday_before_good_friday(cast):
    # 21 days before 19 April 2027 is Easter Monday; Good Friday is 26 March.
    assert deadline(cast, date(2027, 4, 19)) == date(2027, 3, 25)


def test_it_leaves_a_working_day_deadline_alone(cast):
    assert deadline(cast, date(2026, 11, 23)) == date(2026, 11, 2)


def test_it_knows_substitute_bank_holidays():
    # Boxing Day 2026 is a Saturday: the bank holiday is Monday 28 December.
    assert not is_working_day(date(2026, 12, 28))
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert previous_working_day(date(2026, 12, 29)) == date(2026, 12, 29)


def test_it_puts_every_demo_meeting_on_a_working_day():
    call_command("load_demo", stdout=io.StringIO())
    meetings = list(Meeting.objects.all())
    assert meetings
    for meeting in meetings:
        assert is_working_day(meeting.held_on), meeting
        assert is_working_day(meeting.paper_deadline), meeting
