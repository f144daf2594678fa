from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from actions.reminders import reminders_run


class Command(BaseCommand):
    help = (
        "Runs the reminder scan once and sends the digests: the same job Celery beat runs "
        "every minute. For the embedded default without a broker, or for cron. Exits "
        "non-zero when a digest could not be sent or the mail server could not be reached."
    )

    def handle(self, *args, **options) -> None:
        result = reminders_run()
        if result["stood_down"]:
            self.stdout.write(
                "Another reminder run is in progress: this run stood down and sent nothing."
            )
            return
        self.stdout.write(
            f"Reminder run: {result['created']} new reminders; {result['digests']} digests "
            f"sent, {result['failed']} failed ({result['undeliverable']} reminders could not "
            f"be delivered and will not be retried); {result['withdrawn']} withdrawn as no "
            f"longer due; {result['skipped']} not emailed; {result['released']} recovered "
            "from an interrupted run."
        )
        if result["cut_short"]:
            self.stdout.write(
                f"The run reached its time limit: {result['deferred']} reminders wait for "
                "the next run."
            )
        if result["mail_server_down"]:
            raise CommandError(
                f"The mail server could not be reached: {result['deferred']} reminders wait "
                "for the next run."
            )
        if result["failed"]:
            raise CommandError(
                f"{result['failed']} digests could not be sent (see the log; undelivered "
                "reminders are listed in the app)."
            )
