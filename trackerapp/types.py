"""Types shared across the apps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request from a signed-in person: what every view receives except those marked
    `login_not_required` (the sign-in page), since LoginRequiredMiddleware turns everyone
    else away first. For annotations only; Django still passes an HttpRequest."""

    user: User
