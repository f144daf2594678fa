"""Health endpoints for load balancers, orchestrators and the compose healthchecks.

- `/healthz`: the process is alive and answering. Touches nothing else, so a database
  outage does not make every web node look dead and get restarted.
- `/readyz`: this node can serve people: the database answers, every migration is
  applied, Redis answers (when REDIS_URL is set) and private storage takes a write.

Both answer JSON with no sign-in and carry no data: only the name of each check and
"ok" or "failed" (the reason goes to the log, never to the response). They are answered
by the first middleware, before the host, HTTPS and session machinery, because a load
balancer probes a node by its own address over plain http and must not create sessions.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse

from trackerapp.storage import private_storage

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def database_check() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def migrations_check() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migrations not applied")


def redis_check() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def storage_check() -> None:
    """Writes, reads back and deletes a small file where evidence is kept: a full disk,
    a read-only mount or a bucket without write permission all fail here."""
    storage = private_storage()
    probe = f"health/{uuid.uuid4().hex}.txt"
    name = storage.save(probe, ContentFile(b"ready"))
    try:
        with storage.open(name, "rb") as stored:
            if stored.read() != b"ready":
                raise RuntimeError("storage returned other bytes")
    finally:
        storage.delete(name)


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {
        "database": database_check,
        "migrations": migrations_check,
    }
    if settings.REDIS_URL:
        checks["redis"] = redis_check
    checks["storage"] = storage_check
    return checks


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception:
            # The reason is for operators, in the log; the response names only the check.
            logger.exception("Readiness check %s failed", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    return all(result == "ok" for result in results.values()), results


def _json(status: int, body: dict[str, object]) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the two health paths (GET or HEAD) and passes every
    other request on untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in (HEALTH_PATH, READY_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = _json(405, {"status": "method not allowed"})
            response["Allow"] = "GET, HEAD"
            return response
        if request.path_info == HEALTH_PATH:
            return _json(200, {"status": "ok"})
        ready, results = readiness()
        return _json(
            200 if ready else 503, {"status": "ok" if ready else "failed", "checks": results}
        )
