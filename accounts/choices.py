from __future__ import annotations

from django.db import models


class OrganisationKind(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER = "provider", "Provider"
    PARTNERSHIP_BOARD = "partnership_board", "Partnership board"


# The kinds of organisation that own reviews: ICBs, councils and NHS England regions
# (commissioners), Community Safety Partnerships and safeguarding boards.
REVIEW_OWNER_KINDS = frozenset({OrganisationKind.COMMISSIONER, OrganisationKind.PARTNERSHIP_BOARD})


class Role(models.TextChoices):
    """The roles of docs/access.md. Administrators are Django superusers, not a membership."""

    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead (commissioner)"
    COMMITTEE_SECRETARY = "committee_secretary", "Committee secretary"
    PROVIDER_LEAD = "provider_lead", "Provider lead"
    PROVIDER_CONTRIBUTOR = "provider_contributor", "Provider contributor"
    VIEWER = "viewer", "Viewer"


# Roles that see only the actions their own organisation owns.
PROVIDER_ROLES = frozenset({Role.PROVIDER_LEAD, Role.PROVIDER_CONTRIBUTOR})

# Which kind of organisation each role may be held in.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    # A Community Safety Partnership or a safeguarding board owns its reviews as an ICB
    # does, with its own safeguarding team and secretary.
    Role.SAFEGUARDING_LEAD: frozenset(
        {OrganisationKind.COMMISSIONER, OrganisationKind.PARTNERSHIP_BOARD}
    ),
    Role.COMMITTEE_SECRETARY: frozenset(
        {OrganisationKind.COMMISSIONER, OrganisationKind.PARTNERSHIP_BOARD}
    ),
    Role.PROVIDER_LEAD: frozenset({OrganisationKind.PROVIDER}),
    Role.PROVIDER_CONTRIBUTOR: frozenset({OrganisationKind.PROVIDER}),
    Role.VIEWER: frozenset(OrganisationKind.values),
}


class DigestFrequency(models.TextChoices):
    """How often the non-urgent reminders arrive. Overdue actions and escalations are
    always sent at once."""

    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly (Mondays)"


class PasswordResetCount(models.TextChoices):
    """What the password-reset rate limits count (accounts.services)."""

    REQUEST = "request", "Reset asked for, from an address"
    EMAIL = "email", "Reset email sent, to an account"
