"""How long a signed-in session lasts: SESSION_IDLE_TIMEOUT without a request, and
SESSION_ABSOLUTE_LIFETIME after sign-in however busy (security issue, item 3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone

from audit.choices import AuditEvent
from audit.services import audit_record

SIGNED_IN_AT = "accounts.signed_in_at"
LAST_ACTIVE_AT = "accounts.last_active_at"
# Recording every request would write the session row every time; a minute's precision
# on a 30-minute timeout is plenty.
ACTIVITY_PRECISION_SECONDS = 60


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def session_start_clocks(request: HttpRequest) -> None:
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVE_AT] = now


def session_start_clocks_on_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Every sign-in starts both clocks afresh (connected to user_logged_in in apps.py),
    also when the same person signs in again in a session that is still open."""
    if request is not None and hasattr(request, "session"):
        session_start_clocks(request)


class SessionLifetimeMiddleware:
    """Ends a signed-in session that has been idle too long or has lasted too long,
    records SESSION_EXPIRED and sends the person to sign in again with the reason.

    Both times live in the session itself. Signing in starts both clocks; a session
    found without them (one from before this rule) starts them at its next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            ended = self._end_if_expired(request)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _end_if_expired(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = timezone.now().timestamp()
        signed_in_at = session.get(SIGNED_IN_AT)
        if signed_in_at is None:
            session_start_clocks(request)
            return None
        last_active_at = session.get(LAST_ACTIVE_AT, signed_in_at)
        lifetime = settings.SESSION_ABSOLUTE_LIFETIME
        idle = settings.SESSION_IDLE_TIMEOUT
        if now - signed_in_at >= lifetime.total_seconds():
            return self._end(request, "absolute", f"after {_duration(lifetime)}")
        if now - last_active_at >= idle.total_seconds():
            return self._end(request, "idle", f"after {_duration(idle)} without activity")
        if now - last_active_at >= ACTIVITY_PRECISION_SECONDS:
            session[LAST_ACTIVE_AT] = now
        return None

    def _end(self, request: HttpRequest, reason: str, why: str) -> HttpResponse:
        audit_record(event=AuditEvent.SESSION_EXPIRED, request=request, reason=reason)
        # Not logout(): nobody signed out, and its signal would record that they had.
        request.session.flush()
        request.user = AnonymousUser()
        messages.info(request, f"Your session ended {why}. Sign in again to continue.")
        if request.headers.get("HX-Request"):
            # A fragment request: htmx follows HX-Redirect with a whole-page load rather
            # than swapping the sign-in form into the fragment (as mfa.middleware does).
            response = HttpResponse(status=401)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return response
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect(settings.LOGIN_URL)
