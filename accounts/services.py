"""Writes to users and their accounts."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest

from accounts.models import User
from audit.choices import AuditEvent
from audit.services import audit_record


def user_sessions_end(
    *, user: User, by: User, request: HttpRequest | None = None, reason: str = ""
) -> None:
    """Ends every session `user` has, in every browser, at their next request (an
    administrator's "End all sessions", or the account being deactivated).

    Raising the session generation changes the signature Django checks on each request
    (User._get_session_auth_hash), so each old session is refused and flushed wherever
    it is stored. If `by` ends their own sessions, the one they are using carries on."""
    if not by.has_perm("accounts.change_user"):
        raise PermissionDenied("Only an administrator may end someone's sessions.")
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    if request is not None and request.user.pk == user.pk:
        update_session_auth_hash(request, user)
    audit_record(
        event=AuditEvent.SESSIONS_ENDED, request=request, user=by, target=user, reason=reason
    )
