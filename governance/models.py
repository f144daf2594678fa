from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from governance.choices import DEFAULT_CLASSIFICATION, Cadence, ForumKind, PaperState
from trackerapp.storage import private_storage, random_paper_name


class Forum(models.Model):
    """A governance body that monitors reviews and actions (SAG, CQRG, QSC, Board).

    Forums report upward, by exception: CQRG → SAG → QSC → Board."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=ForumKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="forums",
        help_text="The organisation that holds the forum.",
    )
    provider = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_forums",
        help_text="For a CQRG: the provider whose contract it reviews.",
    )
    reports_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reporting_forums"
    )
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    paper_deadline_days = models.PositiveSmallIntegerField(
        default=21, help_text="Papers are due this many days before each meeting."
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_forums",
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_forums",
    )
    terms_of_reference = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name

    def clean(self) -> None:
        if self.reports_to_id and self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": "A forum cannot report to itself."})


class Meeting(models.Model):
    """A dated sitting of a forum; papers are due `paper_deadline_days` before it."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "held_on"], name="meeting_one_per_day")
        ]
        indexes = [models.Index(fields=["held_on"], name="meeting_held_on_idx")]

    def __str__(self) -> str:
        return f"{self.forum.short_name} {self.held_on:%d %b %Y}"

    @property
    def paper_deadline(self) -> date:
        return self.held_on - timedelta(days=self.forum.paper_deadline_days)

    @property
    def is_past(self) -> bool:
        return self.held_on < timezone.localdate()


class Paper(models.Model):
    """A committee paper generated for a meeting. Once issued it is frozen: its PDF and
    the data snapshot behind it never change; a correction is a new version."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="papers")
    title = models.CharField(max_length=200)
    author = models.CharField(max_length=150)
    agenda_item = models.CharField(max_length=20, blank=True)
    period = models.CharField(max_length=20, blank=True, help_text='e.g. "Q3 2018/19".')
    purpose = models.TextField(blank=True)
    asks = models.JSONField(default=list, blank=True, help_text='"The Committee is asked to" list.')
    classification = models.CharField(max_length=40, default=DEFAULT_CLASSIFICATION)
    state = models.CharField(max_length=10, choices=PaperState.choices, default=PaperState.DRAFT)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    pdf = models.FileField(
        storage=private_storage, upload_to=random_paper_name, blank=True, max_length=200
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_papers"
    )
    created_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_papers",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
