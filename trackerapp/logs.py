"""Logging for operators: a request id on every line, JSON lines when asked for, and no
tracebacks for the refusals that are part of normal use.

Log messages carry ids (request, user, object), never names, email addresses or the
content of reviews: a log collector is not cleared to hold safeguarding data.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

# An id handed in by the load balancer is kept so one request can be followed across
# both logs, but only if it looks like an id: it is copied into every log line.
_INCOMING_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Gives the request an id (request.request_id), makes it and the signed-in user's
    id available to every log line written while the request runs, and returns it in
    the X-Request-ID header so that a person reporting a problem can quote it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = (  # type: ignore[attr-defined]  # this middleware's own attribute
            incoming if _INCOMING_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        )
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]  # set above
        return response


def _user_id(request: HttpRequest | None) -> int | None:
    """The id of the user the request has already loaded. Never loads it here: a log
    line must not run a query (it may be written from inside the database layer)."""
    user = getattr(request, "_cached_user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record ("-" and None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a request's error status after the middleware has returned, with
        # the request attached to the record.
        request = _current_request.get() or getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", "-")
        record.user_id = _user_id(request)
        return True


# Addresses whose path is itself a key: a calendar feed's secret (feeds/urls.py). They
# are cut from every log line, ours and gunicorn's access log alike.
_SECRET_PATHS = re.compile(r"(/calendar/)[^/\s\"'?]+(\.ics)")


def redact_secrets(text: str) -> str:
    return _SECRET_PATHS.sub(r"\1[secret]\2", text)


class RedactSecretsFilter(logging.Filter):
    """Replaces the secret in a calendar feed's address, wherever a message quotes a
    path (Django's "Not Found: /calendar/…" among them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class NoTracebackForRefusalsFilter(logging.Filter):
    """Django logs every 403 and 404 with the exception's traceback. They are the
    expected answer to a person without access (scoping answers 404 on purpose) and the
    audit log records them, so one line says enough; a 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message,
    request_id, user_id, status_code when Django gave one, and the traceback as
    `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", None),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status_code"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Error reporting to Sentry, only when SENTRY_DSN is set. send_default_pii stays
    off, so no names, addresses, cookies or request bodies leave the service."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
    )
