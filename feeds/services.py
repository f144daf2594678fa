"""Calendar feed addresses: created (replacing any earlier one) and stopped, audited."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from audit.choices import AuditEvent
from audit.services import audit_record
from feeds.models import CalendarFeed, secret_hash

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User


def calendar_feed_create(*, user: User, request: HttpRequest | None = None) -> str:
    """A new secret for the person's feed, returned once; the previous address stops."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        feed = CalendarFeed.objects.create(user=user, secret_hash=secret_hash(secret))
        audit_record(
            event=AuditEvent.CALENDAR_FEED_CREATED, request=request, user=user, target=feed
        )
    return secret


def calendar_feed_revoke(*, user: User, request: HttpRequest | None = None) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        audit_record(event=AuditEvent.CALENDAR_FEED_REVOKED, request=request, user=user)
    return bool(deleted)


def calendar_feed_owner(secret: str) -> User | None:
    """The active person whose feed this secret opens, or None."""
    feed = (
        CalendarFeed.objects.select_related("user").filter(secret_hash=secret_hash(secret)).first()
    )
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    # Calendar apps poll often; one write an hour is enough to show it is in use.
    if feed.last_fetched_at is None or now - feed.last_fetched_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    return feed.user
