"""Schema additions: the error answers every operation can give, so that the OpenAPI
document states every status the API sends (schemathesis holds it to that)."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or non_field_errors) to a list of messages.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}
COMMON = {
    "401": "Not signed in: no token, or a token that is not valid, has expired or was revoked.",
    "403": "Signed in, but not allowed this (the access policy, or a read-only token).",
    "429": "Too many requests with this token: wait for the Retry-After seconds.",
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON.items():
                responses.setdefault(code, _json(ERROR, description))
            # Lists (an unknown cursor) and objects (not found, or not yours to see).
            responses.setdefault("404", _json(ERROR, "Not found, or not visible to you."))
            if operation.get("parameters") or method in {"post", "put", "patch"}:
                responses.setdefault("400", _json(FIELD_ERRORS, "Bad input, with field errors."))
            if method == "get" and path.endswith("/pdf/"):
                responses["200"].setdefault("description", "The PDF.")
    return result


# How the schema describes the two ways in (drf-spectacular extensions, loaded by
# ApiConfig.ready).
from drf_spectacular.extensions import OpenApiAuthenticationExtension  # noqa: E402


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your account page (lrt_…).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.VerifiedSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
