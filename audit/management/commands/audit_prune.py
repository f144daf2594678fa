from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_prune


class Command(BaseCommand):
    help = (
        "Deletes audit entries older than AUDIT_RETENTION_DAYS and records how many. "
        "Run it daily (cron or a scheduler); 0 keeps every entry."
    )

    def handle(self, *args, **options) -> None:
        days = settings.AUDIT_RETENTION_DAYS
        if days == 0:
            self.stdout.write("AUDIT_RETENTION_DAYS is 0: every entry is kept.")
            return
        if days < 0:
            raise CommandError("AUDIT_RETENTION_DAYS must be 0 (keep all) or a number of days.")
        deleted = audit_prune(retention_days=days)
        self.stdout.write(f"Deleted {deleted} audit entries older than {days} days.")
