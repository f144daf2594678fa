"""Time travel for the reminder tests: the ladder's due date, a moment on a day, and a
run of the job on that day."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import cast

import time_machine
from django.core import mail
from django.db import connection
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
    return {
        # The job sends digests, whose subject and body are rendered templates: str.
        message.to[0].split("@")[0]: [cast(str, message.subject), cast(str, message.body)]
        for message in mail.outbox
    }


@contextmanager
def run_lock_held_elsewhere() -> Iterator[None]:
    """Another session holds the reminder run lock, as a run in progress on another
    worker would. Unlocked explicitly on the way out: the server lets go of a closed
    session's locks a moment after the close, and a run straight after must not race
    that."""
    import psycopg2

    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
    )
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [reminders.REMINDER_RUN_LOCK])
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [reminders.REMINDER_RUN_LOCK])
        other.close()
