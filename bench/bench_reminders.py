"""Benchmark: one reminder run (scan + send) over the generated portfolio, on PostgreSQL.

    .venv/bin/python bench/bench_reminders.py [--actions 100000]

Prints the seconds and the number of queries of a first run (every reminder new) and of
a second run (nothing new), at two portfolio sizes, to show the query count does not
grow with the number of actions. Uses DATABASE_URL (default: the tracker_bench database).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import bench_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    args = parser.parse_args()
    bench_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions.models import Action, Reminder
    from actions.reminders import reminders_run
    from bench.portfolio import generate

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    for size in sorted({args.actions // 5, args.actions}):
        commissioner = generate(size)
        commissioner.email = "bench.commissioner@example.nhs.uk"
        commissioner.save()
        Reminder.objects.all().delete()
        open_actions = Action.objects.open().count()
        print(f"portfolio: {Action.objects.count():,} actions ({open_actions:,} open)")
        for label in ("first run", "second run"):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = reminders_run()
                seconds = time.perf_counter() - started
            print(
                f"  {label:<11} {seconds:6.2f} s  {len(captured):4d} queries  "
                f"{result['created']:>7,} reminders written, {result['digests']} digests sent"
            )


if __name__ == "__main__":
    main()
