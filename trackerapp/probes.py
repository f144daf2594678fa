"""Container health checks for docker-compose.yml: `python -m trackerapp.probes web|worker|beat`.

- web: /healthz answers 200 on this container's gunicorn.
- worker: this container's Celery worker answers a ping through the broker.
- beat: the beat schedule file was written recently (beat rewrites it as it sends the
  five-minute reminder run, so a stuck or dead beat lets it age).
Exit 0 when healthy, 1 otherwise, with one line saying why.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.request

BEAT_SCHEDULE_FILE = os.environ.get("CELERY_BEAT_SCHEDULE_FILE", "/tmp/celerybeat-schedule")
BEAT_STALE_SECONDS = 15 * 60


def web() -> str | None:
    port = os.environ.get("PORT", "8000")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4) as answer:
        return None if answer.status == 200 else f"/healthz answered {answer.status}"


def worker() -> str | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackerapp.settings")
    # Imported here: the Celery app reads the settings module named just above.
    from trackerapp.celery import app

    node = f"celery@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=5)
    return None if replies else f"{node} did not answer a ping"


def beat() -> str | None:
    # The schedule is a shelve: one file, or .dat/.dir/.bak, by the dbm module at hand.
    candidates = [BEAT_SCHEDULE_FILE] + [BEAT_SCHEDULE_FILE + s for s in (".db", ".dat", ".dir")]
    ages = [time.time() - os.path.getmtime(p) for p in candidates if os.path.exists(p)]
    if not ages:
        return f"no beat schedule file at {BEAT_SCHEDULE_FILE}"
    age = min(ages)
    return None if age < BEAT_STALE_SECONDS else f"beat schedule not written for {age:.0f} s"


PROBES = {"web": web, "worker": worker, "beat": beat}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PROBES:
        print("usage: python -m trackerapp.probes web|worker|beat", file=sys.stderr)
        return 2
    try:
        problem = PROBES[argv[0]]()
    except Exception as error:  # any failure to check is unhealthy
        problem = f"{type(error).__name__}: {error}"
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
