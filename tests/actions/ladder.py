"""Time travel for the reminder tests: the ladder's due date, a moment on a day, and a
run of the job on that day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from actions import reminders

DUE = date(2027, 3, 31)


def at(day: date, later: timedelta = timedelta()):
    """07:00 on the day, or `later` than that."""
    return time_machine.travel(
        timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=7))
        + later,
        tick=False,
    )


def run_on(day: date, later: timedelta = timedelta()) -> dict[str, list[str]]:
    """Runs the job on a day; returns each recipient's digest subject and body."""
    mail.outbox.clear()
    with at(day, later):
        reminders.reminders_run()
    return {message.to[0].split("@")[0]: [message.subject, message.body] for message in mail.outbox}
