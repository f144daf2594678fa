"""One way to hand a private file (evidence, issued papers, Excel exports) to a browser."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

Response = TypeVar("Response", bound=HttpResponseBase)


def private_file_response(file_field, *, filename: str, content_type: str) -> HttpResponseBase:
    """An attachment the browser must save, never render: RFC 6266 filename encoding,
    no sniffing, a sandbox policy should it be opened inline anyway, and no caching.
    With EVIDENCE_X_ACCEL_REDIRECT_PREFIX set, nginx sends the bytes instead."""
    prefix = settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX
    response: HttpResponseBase
    if prefix:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + file_field.name
        response["Content-Disposition"] = _attachment(filename)
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
    response["Content-Disposition"] = _attachment(filename)
    return _kept_private(response)


def image_response(png: bytes) -> HttpResponse:
    """A PNG this app drew (an evidence thumbnail) for an <img> on our own pages: shown
    inline, as an image only, and never cached, as it shows what its viewer may see."""
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = "inline"
    return _kept_private(response)


def _attachment(filename: str) -> str:
    header = content_disposition_header(True, filename)
    assert header is not None  # None only for an inline response without a filename
    return header


def _kept_private(response: Response) -> Response:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-store"
    return response
