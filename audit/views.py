"""The site's 403 and 404 pages (handler403/handler404 in trackerapp.urls): Django's own,
with an audit entry when a signed-in person is refused or asks for something they may
not see. Scoping answers 404 for another organisation's objects, so a 404 is how probing
shows up."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from audit.choices import AuditEvent
from audit.services import audit_record


def access_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _signed_in(request):
        audit_record(event=AuditEvent.ACCESS_DENIED, request=request, reason=str(exception))
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _signed_in(request):
        audit_record(event=AuditEvent.NOT_FOUND, request=request)
    return defaults.page_not_found(request, exception)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
