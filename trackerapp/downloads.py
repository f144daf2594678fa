"""One way to hand a private file (evidence, issued papers, Excel exports) to a browser."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(file_field, *, filename: str, content_type: str) -> HttpResponse:
    """An attachment the browser must save, never render: RFC 6266 filename encoding,
    no sniffing, a sandbox policy should it be opened inline anyway, and no caching.
    With EVIDENCE_X_ACCEL_REDIRECT_PREFIX set, nginx sends the bytes instead."""
    prefix = settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + file_field.name
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(
            file_field.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type=content_type or "application/octet-stream",
        )
    return _kept_private(response)


def generated_file_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A file built for this request (an Excel export) with the same protections as a
    private file: it carries what this person may see, so it is never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _kept_private(response)


def _kept_private(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-store"
    return response
