from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler


def field_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as the API's 400 with field errors."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, also turning a service's ValidationError into a 400 (never a 500)
    and a refusal into a 403 with the policy's words."""
    if isinstance(exc, DjangoValidationError):
        exc = field_errors(exc)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_handler(exc, context)
