from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from mfa.services import totp_device_for
from trackerapp.types import AuthenticatedRequest

# What a session that has passed the password but not the second factor may reach.
OPEN_BEFORE_SECOND_FACTOR = frozenset({"mfa:enrol", "mfa:verify", "mfa:verify_recovery", "logout"})


class SecondFactorRequiredMiddleware:
    """Until the session has passed the second factor (django-otp's `is_verified`), every
    page but enrolment, verification and sign-out sends the user to set up or enter their
    code. Goes after OTPMiddleware; does nothing when settings.MFA_REQUIRED is off (the
    local demo only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        # Signed in (checked above), so the request is an authenticated one.
        return second_factor_redirect(cast(AuthenticatedRequest, request))


def second_factor_redirect(request: AuthenticatedRequest) -> HttpResponse:
    """To the code page, or to enrolment for someone with no app yet; back to the page
    they asked for afterwards. htmx requests get a 401 with HX-Redirect, which htmx
    follows with a full page load rather than swapping the form into a fragment."""
    target = reverse("mfa:verify" if totp_device_for(request.user) else "mfa:enrol")
    if request.headers.get("HX-Request"):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path + (f"?{current.query}" if current.query else "")
        response = HttpResponse(status=401)
        response["HX-Redirect"] = f"{target}?{urlencode({'next': back})}" if back else target
        return response
    if request.method == "GET":
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
    return redirect(target)
