"""gunicorn's logger with the access log's request path redacted (a calendar feed's
address carries its secret)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn ships no types

from trackerapp.logs import redact_secrets


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        found = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "f"):
            if isinstance(found.get(key), str):
                found[key] = redact_secrets(found[key])
        return found
