"""Celery tasks: thin wrappers that call the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from actions import reminders

logger = logging.getLogger(__name__)


# The run bounds itself (REMINDER_RUN_MAX_SECONDS, EMAIL_TIMEOUT per SMTP operation);
# the hard limit is the last resort, and a run killed by it is recovered by the next.
@shared_task(
    name="actions.tasks.reminders_run",
    time_limit=settings.REMINDER_RUN_MAX_SECONDS + 4 * settings.EMAIL_TIMEOUT + 60,
)
def reminders_run() -> dict[str, int]:
    """The periodic scan (beat, every minute). Safe to run twice at once."""
    result = reminders.reminders_run()
    if result.get("failed") or result.get("mail_server_down"):
        logger.error("Reminder run finished with failures: %s", result)
    return result
