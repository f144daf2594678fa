"""The one way to write to the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.choices import AuditEvent
from audit.models import AuditEntry


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: behind a proxy, the proxy must set it (e.g. gunicorn's
    # --forwarded-allow-ips); trusting X-Forwarded-For here would let anyone forge it.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    event: AuditEvent | str,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    target: models.Model | None = None,
    **detail: Any,
) -> AuditEntry:
    """Records one event. `user` defaults to the request's signed-in user; `username`
    is for events without one (a failed sign-in records the name typed)."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    entry = AuditEntry(
        event=event,
        user=user if user is not None and getattr(user, "pk", None) else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        detail={key: value for key, value in detail.items() if value not in (None, "")},
    )
    if request is not None:
        entry.ip_address = _client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        entry.path = request.get_full_path()[:500]
    if target is not None:
        entry.object_type = target._meta.label
        entry.object_id = str(target.pk)
        entry.object_repr = str(target)[:300]
    entry.save()
    return entry


def audit_prune(*, retention_days: int, now: datetime | None = None) -> int:
    """Deletes the entries older than the retention period and records how many went.

    The one deletion the log allows: records are kept for a set time (NHS records
    management), not for ever. It goes round the queryset's append-only guard on
    purpose, with a raw DELETE (no signals; nothing refers to an entry)."""
    if retention_days < 1:
        raise ValueError("The retention period must be at least one day.")
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    expired = AuditEntry.objects.filter(at__lt=cutoff)
    with transaction.atomic(using=expired.db):
        deleted = expired._raw_delete(expired.db)
        audit_record(
            event=AuditEvent.AUDIT_PRUNED,
            deleted=deleted,
            retention_days=retention_days,
            older_than=cutoff.astimezone(UTC).isoformat(),
        )
    return deleted
