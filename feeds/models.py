from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


def secret_hash(secret: str) -> str:
    """What is stored of a feed's secret (256 random bits: one SHA-256 is enough)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's calendar feed (docs/calendar.md). Its address carries a secret, since
    calendar apps cannot sign in; only its hash is kept, and a new address replaces the
    old one, which then answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
