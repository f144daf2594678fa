from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.choices import (
    ROLE_ORGANISATION_KINDS,
    DigestFrequency,
    OrganisationKind,
    PasswordResetCount,
    Role,
)

if TYPE_CHECKING:
    from accounts.access import Reach


class Organisation(models.Model):
    """A body that commissions, provides or oversees care: an ICB, a trust, a GP
    federation, a Community Safety Partnership or a Safeguarding Adults Board."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(
        max_length=30, unique=True, help_text="Abbreviation used in tables, e.g. BSMHFT."
    )
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    commissioned_by = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="commissioned_providers",
        help_text=(
            "The commissioning organisations this one works with (for a provider, those "
            "it holds contracts with). Their safeguarding teams may assign it actions "
            "(docs/access.md)."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name


class User(AbstractUser):
    """A person who signs in. What they see and may change comes from their memberships
    (docs/access.md); superusers are the administrators."""

    job_title = models.CharField(max_length=150, blank=True)
    digest_frequency = models.CharField(
        max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.DAILY
    )
    # Part of every session's signature (below): raising it ends all of this person's
    # sessions at their next request, whichever browser or device they are in.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    if TYPE_CHECKING:
        # Not fields: set on the request's user while it is served.
        _access_reach: Reach  # accounts.access.reach, worked out once per request

        def is_verified(self) -> bool:
            """Whether this session has passed the second factor (set by django-otp's
            OTPMiddleware)."""
            ...

    def __str__(self) -> str:
        return self.display_name

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django signs a session with the password hash, so a new password ends the other
        # sessions; the generation lets an administrator, or deactivation, do the same.
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        """'J. Smith' style, as used in history timelines and papers."""
        if self.first_name and self.last_name:
            return f"{self.first_name[0]}. {self.last_name}"
        return self.get_full_name() or self.username

    @cached_property
    def _memberships(self) -> list[tuple[str, int, str]]:
        return list(self.memberships.values_list("role", "organisation_id", "organisation__kind"))

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _org, _kind in self._memberships)

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.is_superuser

    # What the roles allow is the access policy's to say (accounts.access), not the
    # user's: one home for every rule.


class Membership(models.Model):
    """A user's role in an organisation. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]
        ordering = ["organisation__name", "role"]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"

    def clean(self) -> None:
        allowed = ROLE_ORGANISATION_KINDS[self.role] if self.role else frozenset()
        if self.organisation_id and self.role and self.organisation.kind not in allowed:
            raise ValidationError(
                {
                    "role": f"A {self.get_role_display().lower()} must belong to "
                    f"a {' or '.join(sorted(allowed)).replace('_', ' ')} organisation."
                }
            )


class PasswordResetRecord(models.Model):
    """One request for a password-reset email from an address, or one reset email sent to
    an account: what the reset rate limits count. Kept only for the window they look
    back over, then deleted (accounts.services.password_reset_request)."""

    kind = models.CharField(max_length=10, choices=PasswordResetCount.choices)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["kind", "ip_address", "at"], name="reset_by_address"),
            models.Index(fields=["kind", "user", "at"], name="reset_by_account"),
            models.Index(fields=["at"], name="reset_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
