"""How django-axes names the account an attempt was for (AXES_USERNAME_CALLABLE)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest

# Axes writes the name typed into this column; a longer one raised DataError on
# PostgreSQL in axes' failure handler, a 500 before anyone was signed in.
STORED_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempt_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username typed, cut to the length axes can store. No account's name is that
    long, so two long names that share a prefix only share a lock-out, and a long name
    is still counted and locked out like any other."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field)
    return None if username is None else str(username)[:STORED_LENGTH]
