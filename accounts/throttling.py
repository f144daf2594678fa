"""Sign-in throttling with django-axes: how it names the account an attempt was for
(AXES_USERNAME_CALLABLE), and the handler that gives each kind of lock-out its own limit
(AXES_HANDLER)."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

# Axes writes the name typed into this column; a longer one raised DataError on
# PostgreSQL in axes' failure handler, a 500 before anyone was signed in.
STORED_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempt_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username typed, cut to the length axes can store. No account's name is that
    long, so two long names that share a prefix only share a lock-out, and a long name
    is still counted and locked out like any other."""
    field = settings.AXES_USERNAME_FORM_FIELD  # type: ignore[misc]  # axes.conf sets its default
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field)
    return None if username is None else str(username)[:STORED_LENGTH]


def failure_counts() -> list[tuple[str, str | list[str], int]]:
    """Each count of failures kept, as (name, axes lockout parameter, limit). The first
    is always kept; a limit of 0 turns either of the others off."""
    counts: list[tuple[str, str | list[str], int]] = [
        ("account_at_address", ["username", "ip_address"], settings.AXES_FAILURE_LIMIT),
        ("account", "username", settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT),
        ("address", "ip_address", settings.SIGN_IN_ADDRESS_FAILURE_LIMIT),
    ]
    return [counts[0]] + [count for count in counts[1:] if count[2] > 0]


def lockout_parameters(request: object = None, credentials: dict | None = None) -> list:
    """AXES_LOCKOUT_PARAMETERS: what axes counts failures by, each counted separately."""
    return [parameter for _name, parameter, _limit in failure_counts()]


class SignInThrottle(AxesDatabaseHandler):
    """Axes' database handler with a limit for each count it keeps.

    Axes counts the failures in the cool-off for each entry of AXES_LOCKOUT_PARAMETERS
    (this username from this address; this username from anywhere; anything from this
    address) but compares only the largest with one AXES_FAILURE_LIMIT. Here each count
    is measured against its own limit, and the failures reported to axes are those of
    the count nearest its limit, scaled to AXES_FAILURE_LIMIT: axes locks out exactly
    when one of the counts has reached its own limit, and the answer for the
    username-and-address count alone is axes' own."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        attempts_list = self.get_user_attempts(request, credentials)
        headroom, lock, limit = min(
            (limit - (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0), lock, limit)
            for (lock, _parameter, limit), attempts in zip(
                failure_counts(), attempts_list, strict=True
            )
        )
        # For the audit entry of a lock-out: which limit it was.
        request.sign_in_lock = {"lock": lock, "failure_limit": limit}  # type: ignore[attr-defined]  # read by audit.receivers
        return settings.AXES_FAILURE_LIMIT - headroom

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """After a right password, only that account's failures are forgotten, from
        every address. Axes would also clear everything counted against the address,
        so anyone with an account could sign in between guesses at others to keep the
        address below its limit."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
