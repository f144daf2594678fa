"""Celery application: reminders, escalations and paper builds run here.

With no REDIS_URL the settings make every task run in-process (eager), so the
embedded default needs no broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackerapp.settings")

app = Celery("trackerapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
