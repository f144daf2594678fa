"""Who made a change and why, for django-simple-history's history rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db import models

    from accounts.models import User

# The instance attributes django-simple-history reads when it writes the history row of
# a save or a delete (HistoricalRecords.get_history_user and
# utils.get_change_reason_from_object); the user outranks the one HistoryRequestMiddleware
# takes from the request.
_HISTORY_USER = "_history_user"
_CHANGE_REASON = "_change_reason"


def record_change(obj: models.Model, *, by: User, reason: str | None = None) -> None:
    """Make the next save (or delete) of obj record `by` as its author and, if given,
    `reason` as its change reason. Without a reason none is set, and the history row's
    reason is left empty (NULL) as before."""
    setattr(obj, _HISTORY_USER, by)
    if reason is not None:
        setattr(obj, _CHANGE_REASON, reason)
