"""Work that must not hold up the response it follows, run in this process once the
response has been sent.

Django sends `request_finished` when the server closes the response, after it has
written all of it to the client (gunicorn, runserver; under ASGI after the last body
message), so a callback queued here costs the person nothing they can see or time.
It is for the embedded default without a Celery broker; with a broker, such work is a
task. Outside a request (a command, a worker, a test calling the callback itself) the
callback runs at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)

# One request at a time per thread, under WSGI; the list is this request's queue.
_pending = threading.local()


def run_after_response(callback: Callable[[], object]) -> None:
    queue: list[Callable[[], object]] | None = getattr(_pending, "callbacks", None)
    if queue is None:
        callback()
    else:
        queue.append(callback)


def _request_started(**kwargs: object) -> None:
    _pending.callbacks = []


def _request_finished(**kwargs: object) -> None:
    callbacks = getattr(_pending, "callbacks", None) or []
    _pending.callbacks = None
    for callback in callbacks:
        # The response has gone: a failure here can only be logged, and must not stop
        # the callbacks after it.
        try:
            callback()
        except Exception:
            logger.exception("Work queued to run after a response failed")


def connect() -> None:
    """From AppConfig.ready()."""
    request_started.connect(_request_started, dispatch_uid="trackerapp.after_response.started")
    request_finished.connect(_request_finished, dispatch_uid="trackerapp.after_response.finished")
