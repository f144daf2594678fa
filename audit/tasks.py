"""Celery tasks: thin wrappers that call the services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from audit.services import audit_prune


@shared_task(name="audit.tasks.audit_prune_run")
def audit_prune_run() -> int:
    """Daily (beat): the retention rule. Running it twice deletes nothing more."""
    if settings.AUDIT_RETENTION_DAYS < 1:
        return 0
    return audit_prune(retention_days=settings.AUDIT_RETENTION_DAYS)
