from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.choices import Role
from accounts.models import Membership
from imports.choices import ImportState, ReviewSource
from imports.readers import CSV, XLSX
from trackerapp.storage import private_storage

if TYPE_CHECKING:
    from accounts.models import User


def random_import_name(_instance: object, filename: str) -> str:
    """Stored under a random name in private storage; the person's name is display text."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"imports/{uuid.uuid4().hex}{suffix}"


class PlanImportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PlanImportQuerySet:
        """Only commissioners import. They see the finished imports of the safeguarding
        teams they are on (the record of what came in) and their own unfinished ones;
        administrators see all (docs/access.md)."""
        r = access.reach(user)
        if r.admin:
            return self.all()
        if not r.commissioner:
            return self.none()
        colleagues = Membership.objects.filter(
            organisation_id__in=r.commissioner, role=Role.SAFEGUARDING_LEAD
        ).values("user_id")
        return self.filter(
            Q(state=ImportState.COMMITTED, uploaded_by__in=colleagues) | Q(uploaded_by=user)
        )

    def committed(self) -> PlanImportQuerySet:
        return self.filter(state=ImportState.COMMITTED)


class PlanImport(models.Model):
    """An action plan brought in from Excel or CSV.

    Between the steps (upload → columns → preview → import) it holds the uploaded file,
    kept privately with its SHA-256, and the person's choices; once imported it is the
    record of the import: who, when, which file, into which reviews, and how many rows
    became what."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_imports"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    original_filename = models.CharField(max_length=255, help_text="Display text only.")
    source_file = models.FileField(
        storage=private_storage, upload_to=random_import_name, max_length=200
    )
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    file_kind = models.CharField(
        max_length=10, choices=[(XLSX, "Excel workbook"), (CSV, "CSV file")]
    )

    # The person's choices on the column page.
    sheet_name = models.CharField(max_length=100, blank=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    columns = models.JSONField(
        default=dict, blank=True, help_text="Column index → field, e.g. {'0': 'rec_number'}."
    )
    review_source = models.CharField(
        max_length=10, choices=ReviewSource.choices, default=ReviewSource.EXISTING
    )
    review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The existing review chosen for the rows.",
    )
    new_review_reference = models.CharField(max_length=60, blank=True)
    new_review_title = models.CharField(max_length=200, blank=True)
    new_review_type = models.ForeignKey(
        "reviews.ReviewType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commissioning_body = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For reviews the import creates.",
    )
    default_owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Owner of rows that name no organisation.",
    )
    plan_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="First year of the financial year, e.g. 2018 for 2018/19."
    )
    position_date = models.DateField(
        null=True,
        blank=True,
        help_text="The date the plan's updates and statuses describe (its “position as at”); "
        "imported progress updates carry it.",
    )
    # Answers on the preview page, keyed by the name or word as normalised.
    organisation_choices = models.JSONField(default=dict, blank=True)
    lead_choices = models.JSONField(default=dict, blank=True)
    status_choices = models.JSONField(default=dict, blank=True)

    # The record, once imported.
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.DRAFT)
    update_in_place = models.BooleanField(default=False)
    committed_at = models.DateTimeField(null=True, blank=True)
    reviews = models.ManyToManyField("reviews.Review", blank=True, related_name="plan_imports")
    rows_read = models.PositiveIntegerField(default=0)
    actions_created = models.PositiveIntegerField(default=0)
    actions_updated = models.PositiveIntegerField(default=0)
    actions_unchanged = models.PositiveIntegerField(
        default=0, help_text="Rows that matched an action and changed nothing."
    )
    recommendations_created = models.PositiveIntegerField(default=0)
    reviews_created = models.PositiveIntegerField(default=0)
    organisations_created = models.PositiveIntegerField(default=0)

    objects = PlanImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            # Two people importing the same file at once: the database lets one through.
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(state="committed", update_in_place=False),
                name="plan_import_file_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_committed(self) -> bool:
        return self.state == ImportState.COMMITTED

    def change_reason(self, by: User) -> str:
        """What every history entry the import writes says."""
        verb = "Updated in place from" if self.update_in_place else "Imported from"
        return f"{verb} {self.original_filename} (sha256 {self.sha256[:12]}…) by {by.display_name}"


class SavedMappingQuerySet(models.QuerySet):
    def for_team_of(self, user: User) -> SavedMappingQuerySet:
        """Column choices saved by the person's own safeguarding team(s): another
        organisation's choices, and the names of who saved them, are not theirs."""
        r = access.reach(user)
        if r.admin:
            return self.all()
        return self.filter(Q(organisation_id__in=r.commissioner) | Q(organisation__isnull=True))


class SavedMapping(models.Model):
    """Column choices a safeguarding team saved for plans whose row of headings reads
    the same, so that the team's next upload of the same layout is mapped at once."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        related_name="saved_mappings",
        help_text="The team that saved the choices; empty when an administrator did.",
    )
    headings_key = models.CharField(max_length=64)
    headings = models.JSONField(default=list)
    columns = models.JSONField(default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="saved_mappings"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    objects = SavedMappingQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "headings_key"], name="saved_mapping_once_per_team"
            )
        ]

    def __str__(self) -> str:
        return ", ".join(h for h in self.headings if h)[:120] or "Saved columns"
