from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from api.models import ApiToken


class SignedInWithinScope(permissions.BasePermission):
    """Signed in (a token or a verified session); writes only with a read-write token or
    a session. What the person may read or change is then the access policy's answer
    (accounts.access), exactly as on the pages."""

    message = "This token may only read: create a read-write token to post updates."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, ApiToken) or token.writes
