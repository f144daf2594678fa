"""Celery tasks: thin wrappers that call the services."""

from __future__ import annotations

from celery import shared_task

from actions import reminders


@shared_task(name="actions.tasks.reminders_run")
def reminders_run() -> dict[str, int]:
    """The periodic scan (beat, every few minutes). Safe to run twice at once."""
    return reminders.reminders_run()
