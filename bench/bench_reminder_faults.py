"""Benchmark: the reminder run under faults, counted at the mail server.

    .venv/bin/python bench/bench_reminder_faults.py [--people 200] [--trials 3]

For each fault, the number of digests expected, delivered, delivered twice and lost,
with real pieces: SMTP servers on 127.0.0.1 (one that records, refuses some addresses
for good or for now, or is slow; one that never answers), a real Celery worker killed
with SIGKILL mid-run, and two runs started at once on PostgreSQL. "Lost" means neither
delivered nor shown in the app as undelivered. Needs PostgreSQL (DATABASE_URL, default
the tracker_bench_faults database) and Redis (REDIS_URL, default db 13).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import ROOT, bench_django  # noqa: E402

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    bench_django("postgres://postgres@127.0.0.1:5432/tracker_bench_faults")

    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The figures are the output; the run's own warnings about each refusal are not.
    for name in ("actions.reminders", "mail.log"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 2
    people = _portfolio(args.people)
    print(f"{len(people)} people, each the lead of one overdue action (one digest each)\n")
    print(
        f"{'fault':<64} {'expected':>8} {'delivered':>9} {'twice':>5} {'undeliv.':>8} {'lost':>4}"
    )
    _healthy(people)
    _hanging_then_healthy(people)
    _refusals(people)
    for trial in range(1, args.trials + 1):
        _killed_worker(people, trial)
    for trial in range(1, args.trials + 1):
        _two_runs_at_once(people, trial)


def _portfolio(size: int) -> list[str]:
    """`size` people at one provider, each leading one action two days overdue. Built
    afresh each time, so the figures are about this data only."""
    from django.utils import timezone

    from accounts.choices import OrganisationKind, Role
    from accounts.models import User
    from actions.models import Action, Reminder
    from reviews.models import Recommendation, Review
    from tests import factories

    Reminder.objects.all().delete()
    Action.objects.all().delete()
    Recommendation.objects.all().delete()
    Review.objects.all().delete()
    User.objects.filter(username__startswith="fault.").delete()
    run = uuid.uuid4().hex[:6]
    provider = factories.organisation(OrganisationKind.PROVIDER, f"FAULT-P-{run}")
    body = factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, f"FAULT-B-{run}")
    recommendation = factories.recommendation(factories.review(body=body))
    due = timezone.localdate() - timedelta(days=2)
    emails = []
    for n in range(size):
        lead = factories.user(
            f"fault.{n}",
            organisation=provider,
            role=Role.PROVIDER_CONTRIBUTOR,
            email=f"lead{n}@example.nhs.uk",
        )
        factories.action(on=recommendation, owner=provider, lead_user=lead, due=due)
        emails.append(lead.email)
    return emails


def _reset() -> None:
    from actions.models import Reminder

    Reminder.objects.all().delete()


def _report(label: str, expected: list[str], delivered: Counter) -> None:
    from actions.choices import ReminderState
    from actions.models import Reminder

    undelivered = set(
        Reminder.objects.filter(state=ReminderState.FAILED).values_list(
            "recipient__email", flat=True
        )
    )
    twice = sum(count - 1 for count in delivered.values() if count > 1)
    lost = set(expected) - set(delivered) - undelivered
    print(
        f"{label:<64} {len(expected):>8} {len(delivered):>9} {twice:>5} "
        f"{len(undelivered):>8} {len(lost):>4}"
    )


def _run(port: int, at: datetime | None = None) -> dict:
    import time_machine
    from django.conf import settings

    from actions.reminders import reminders_run

    settings.EMAIL_PORT = port
    if at is None:
        return reminders_run()
    with time_machine.travel(at, tick=True):
        return reminders_run()


def _healthy(people: list[str]) -> None:
    from tests.mail_servers import RecordingHandler, RecordingServer

    _reset()
    with RecordingServer(RecordingHandler()) as server:
        _run(server.port)
        _report("none (a healthy mail server)", people, server.handler.delivered_to())


def _hanging_then_healthy(people: list[str]) -> None:
    from actions.choices import ReminderState
    from actions.models import Reminder
    from tests.mail_servers import HangingServer, RecordingHandler, RecordingServer

    _reset()
    with HangingServer() as hanging:
        started = time.monotonic()
        result = _run(hanging.port)
        seconds = time.monotonic() - started
    claimed = Reminder.objects.filter(state=ReminderState.CLAIMED).count()
    with RecordingServer(RecordingHandler()) as server:
        _run(server.port)
        _report(
            f"server never answers ({seconds:.1f} s, {claimed} left claimed), then answers",
            people,
            server.handler.delivered_to(),
        )
    assert result["mail_server_down"] == 1


def _refusals(people: list[str]) -> None:
    """One in ten refused for good (550), one in ten busy (451) for two attempts and then
    accepted, one in ten busy for ever; runs every 5 minutes for four hours."""
    from django.utils import timezone

    from tests.mail_servers import RecordingHandler, RecordingServer

    _reset()
    refused = {email for n, email in enumerate(people) if n % 10 == 1}
    clears = {email for n, email in enumerate(people) if n % 10 == 2}
    busy = {email for n, email in enumerate(people) if n % 10 == 3}

    class Flaky(RecordingHandler):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            self.rcpt_attempts[address] += 1
            if address in refused:
                return "550 5.1.1 No such mailbox"
            if address in busy or (address in clears and self.rcpt_attempts[address] <= 2):
                return "451 4.2.1 Mailbox busy"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    start = timezone.now()
    with RecordingServer(Flaky()) as server:
        for minute in range(0, 4 * 60, 5):
            _run(server.port, start + timedelta(minutes=minute))
        tries = server.handler.rcpt_attempts
        _report(
            "10% refused (550), 10% busy then fine, 10% busy (451)",
            people,
            server.handler.delivered_to(),
        )
    print(
        f"{'':<4}tries per refused address: {max(tries[a] for a in refused)}; "
        f"per busy-for-ever address: {max(tries[a] for a in busy)}"
    )


def _killed_worker(people: list[str], trial: int) -> None:
    from django.db import connection

    from actions.choices import ReminderState
    from actions.models import Reminder
    from actions.tasks import reminders_run
    from tests.mail_servers import RecordingHandler, RecordingServer, wait_for

    _reset()
    handler = RecordingHandler(delay=0.02)
    with RecordingServer(handler) as server:
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(server.port),
            "DATABASE_URL": os.environ["DATABASE_URL"],
        }
        command = [sys.executable, "-m", "celery", "-A", "trackerapp", "worker", "--pool=solo"]
        command += ["-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += ["--loglevel=ERROR"]

        def worker() -> subprocess.Popen:
            return subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )

        process = worker()
        reminders_run.apply_async(queue=queue)
        wait_for(lambda: len(handler.messages) >= len(people) // 3, timeout=120)
        process.kill()
        process.wait()
        killed_at = time.monotonic()
        left = Reminder.objects.filter(state=ReminderState.CLAIMED).count()
        connection.close()
        process = worker()
        try:
            reminders_run.apply_async(queue=queue).get(timeout=300)
            recovered = time.monotonic() - killed_at
        finally:
            process.terminate()
            process.wait(timeout=30)
        _report(
            f"worker killed -9 mid-run, trial {trial} ({left} claimed; {recovered:.0f} s)",
            people,
            handler.delivered_to(),
        )


def _two_runs_at_once(people: list[str], trial: int) -> None:
    from django.db import connection

    from tests.mail_servers import RecordingHandler, RecordingServer

    _reset()
    with RecordingServer(RecordingHandler()) as server:
        barrier = threading.Barrier(2)
        outcomes = []

        def run() -> None:
            barrier.wait()
            try:
                outcomes.append(_run(server.port)["stood_down"])
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _report(
            f"two runs at once, trial {trial} ({sum(outcomes)} stood down)",
            people,
            server.handler.delivered_to(),
        )


if __name__ == "__main__":
    main()
