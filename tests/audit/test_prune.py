"""Retention: `audit_prune` deletes entries older than AUDIT_RETENTION_DAYS, the one
deletion the log allows, and records that it did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from audit.choices import AuditEvent
from audit.models import AuditEntry
from audit.services import audit_record
from audit.tasks import audit_prune_run

pytestmark = pytest.mark.django_db

NOW = datetime(2033, 6, 1, 12, 0, tzinfo=UTC)


def written(days_ago: int, username: str) -> AuditEntry:
    with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
        return audit_record(event=AuditEvent.SIGN_IN_FAILED, username=username)


def usernames() -> set[str]:
    return set(
        AuditEntry.objects.filter(event=AuditEvent.SIGN_IN_FAILED).values_list(
            "username", flat=True
        )
    )


def test_it_deletes_entries_past_retention_and_records_how_many(settings):
    settings.AUDIT_RETENTION_DAYS = 2555
    written(2556, "too-old")
    written(2600, "older-still")
    written(2554, "kept")
    written(1, "recent")
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("audit_prune", stdout=out)

    assert usernames() == {"kept", "recent"}
    pruned = AuditEntry.objects.get(event=AuditEvent.AUDIT_PRUNED)
    assert pruned.at == NOW
    assert pruned.detail == {
        "deleted": 2,
        "retention_days": 2555,
        "older_than": (NOW - timedelta(days=2555)).isoformat(),
    }
    assert "Deleted 2 audit entries older than 2555 days." in out.getvalue()


def test_it_keeps_everything_when_retention_is_zero(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    written(9000, "ancient")

    call_command("audit_prune", stdout=StringIO())
    audit_prune_run()

    assert usernames() == {"ancient"}
    assert not AuditEntry.objects.filter(event=AuditEvent.AUDIT_PRUNED).exists()


def test_the_daily_task_applies_the_same_rule(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    written(31, "old")
    written(29, "new")

    with time_machine.travel(NOW, tick=False):
        assert audit_prune_run() == 1
        assert audit_prune_run() == 0

    assert usernames() == {"new"}
    assert AuditEntry.objects.filter(event=AuditEvent.AUDIT_PRUNED).count() == 2
