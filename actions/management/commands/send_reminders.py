from __future__ import annotations

from django.core.management.base import BaseCommand

from actions.reminders import reminders_run


class Command(BaseCommand):
    help = (
        "Runs the reminder scan once and sends the digests: the same job Celery beat runs "
        "every few minutes. For the embedded default without a broker, or for cron."
    )

    def handle(self, *args, **options) -> None:
        result = reminders_run()
        self.stdout.write(
            f"{result['created']} new reminders; {result['digests']} digests sent, "
            f"{result['failed']} failed (kept for the next run), {result['skipped']} not emailed."
        )
