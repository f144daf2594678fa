from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def second_factor(request: HttpRequest) -> dict[str, object]:
    """`mfa_required` drives the demo warning; `second_factor_pending` hides the menu from
    a session that has passed the password but not yet the code."""
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    pending = bool(
        settings.MFA_REQUIRED
        and user is not None
        and user.is_authenticated
        and is_verified is not None
        and not is_verified()
    )
    return {"mfa_required": settings.MFA_REQUIRED, "second_factor_pending": pending}
