"""Every periodic task, in one place (STYLE: all beat schedules in one module)."""

from __future__ import annotations

from datetime import timedelta

BEAT_SCHEDULE = {
    # One short scan: finds what is due with set-based queries and sends the digests.
    # Never a long-ETA task per action (Redis would redeliver those). Every minute, so a
    # run that died is picked up within about a minute; a run with nothing new to do
    # takes a quarter of a second on 100,000 actions (bench/bench_reminders.py).
    "reminders-scan-and-send": {
        "task": "actions.tasks.reminders_run",
        "schedule": timedelta(minutes=1),
    },
    # Similar recommendations: a recompute asked for but never handed over (the broker
    # was down when the recommendation was saved) runs within ten minutes; otherwise a
    # no-op that reads one row.
    "similarities-recompute-if-stale": {
        "task": "reviews.tasks.similarities_recompute_run",
        "schedule": timedelta(minutes=10),
    },
    # Retention: audit entries older than AUDIT_RETENTION_DAYS are deleted once a day.
    "audit-prune": {
        "task": "audit.tasks.audit_prune_run",
        "schedule": timedelta(days=1),
    },
}
