from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from api.choices import TokenScope


def token_hash(secret: str) -> str:
    """What is stored of a token. The secret is 256 random bits, so one SHA-256 is enough:
    there is nothing to guess that a slow hash would protect."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def of(self, user) -> ApiTokenQuerySet:
        return self.filter(user=user)


class ApiToken(models.Model):
    """A personal API token (docs/api.md): it acts as its owner, with their access, and
    no more than its scope allows. Only a hash of it is kept; the token itself is shown
    once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text='What uses it, e.g. "Power BI".')
    # The token's first characters, shown on the profile page and in the admin so that
    # people can tell their tokens apart; far too short to use.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revoked_api_tokens",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def writes(self) -> bool:
        return self.scope == TokenScope.READ_WRITE
