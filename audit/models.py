from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.choices import AuditEvent


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - a guard, exercised by tests
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One security-relevant event: who, what, when (UTC), from where. Append-only from
    the application's point of view: entries are created, never changed or deleted (the
    retention job in `audit_prune` is the one exception, by age, outside the app)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=30, choices=AuditEvent.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    # Kept as text too: the entry must still say who after the account is gone, and a
    # failed sign-in has only the name that was typed.
    username = models.CharField(max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC {self.get_event_display()} {self.username}"

    def save(self, *args, **kwargs) -> None:
        # Integrity, not business logic: an entry that exists is never rewritten.
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
