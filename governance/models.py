from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from accounts import access
from governance.choices import (
    DEFAULT_CLASSIFICATION,
    AssuranceLevel,
    BuildState,
    Cadence,
    ForumKind,
    PaperState,
)
from governance.working_days import previous_working_day
from trackerapp.storage import private_storage, random_paper_name


class ForumQuerySet(models.QuerySet):
    def visible_to(self, user) -> ForumQuerySet:
        """Forums, their terms and meetings are open to the commissioners, secretaries
        and viewers of the organisation that holds them (docs/access.md); providers see
        their actions, not forums."""
        return self.filter(access.forum_read_q(user))


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
    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("governance:forum_detail", args=[self.pk])

    def clean(self) -> None:
        if self.reports_to_id and self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": "A forum cannot report to itself."})


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        return self.filter(access.forum_read_q(user, to_forum="forum__"))

    def arranged_by(self, user) -> MeetingQuerySet:
        """Meetings this person arranges papers for (Verb.MANAGE_PAPERS)."""
        return self.filter(access.paper_managing_q(user, to_forum="forum__"))

    def upcoming(self, today: date | None = None) -> MeetingQuerySet:
        return self.filter(held_on__gte=today or timezone.localdate())


class Meeting(models.Model):
    """A dated sitting of a forum; papers are due `paper_deadline_days` before it."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["held_on"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "held_on"], name="meeting_one_per_day")
        ]
        indexes = [models.Index(fields=["held_on"], name="meeting_held_on_idx")]

    def __str__(self) -> str:
        return f"{self.forum.short_name} {self.held_on:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", args=[self.pk])

    @property
    def paper_deadline(self) -> date:
        """`paper_deadline_days` before the meeting, brought forward to the working day
        before when that falls on a weekend or an England and Wales bank holiday (21 days
        before 15 January 2027 is Christmas Day: papers are due on 24 December)."""
        return previous_working_day(self.held_on - timedelta(days=self.forum.paper_deadline_days))

    @property
    def days_to_paper_deadline(self) -> int:
        return (self.paper_deadline - timezone.localdate()).days

    @property
    def is_past(self) -> bool:
        return self.held_on < timezone.localdate()


class PaperQuerySet(models.QuerySet):
    def visible_to(self, user) -> PaperQuerySet:
        """Papers of the forums a person sees: secretaries and commissioners see drafts
        too, viewers only issued papers; providers none (docs/access.md)."""
        return self.filter(access.paper_read_q(user))

    def issued(self) -> PaperQuerySet:
        return self.filter(state=PaperState.ISSUED)


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
    # What an NHS committee paper's cover carries beyond the figures, written by its author.
    executive_lead = models.CharField(
        max_length=150,
        blank=True,
        help_text='The accountable director, e.g. "Chief Nursing Officer".',
    )
    presenter = models.CharField(
        max_length=150, blank=True, help_text="Who presents the paper at the meeting."
    )
    previously_considered_by = models.TextField(
        blank=True, help_text='Forums that have seen this report before, e.g. "SAG, 20 March 2026".'
    )
    assurance_level = models.CharField(max_length=12, choices=AssuranceLevel.choices, blank=True)
    assurance_rationale = models.TextField(
        blank=True, help_text="Why the author offers this level of assurance."
    )
    risks = models.TextField(blank=True, help_text="Risks to the committee's objectives.")
    baf_reference = models.CharField(
        max_length=100,
        blank=True,
        help_text='Risk register or Board Assurance Framework reference, e.g. "BAF 3.2".',
    )
    executive_summary = models.TextField(blank=True)
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
    data_as_at = models.DateTimeField(
        null=True, blank=True, help_text="When the figures in the snapshot were taken."
    )
    build_state = models.CharField(
        max_length=10, choices=BuildState.choices, default=BuildState.NONE
    )
    build_progress = models.PositiveSmallIntegerField(default=0, help_text="Percent.")
    build_message = models.CharField(max_length=300, blank=True)
    build_started_at = models.DateTimeField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        # Granted to a person in the admin (User permissions); accounts.access (Verb.EXPORT)
        # says who needs it. It sits here because papers and exports are the same
        # business of taking plans to committees.
        permissions = [("export_action_plans", "Can export action plans to Excel")]
        constraints = [
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=models.Q(supersedes__isnull=False),
                name="paper_superseded_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("governance:paper_detail", args=[self.pk])

    def clean(self) -> None:
        if self.assurance_level and not self.assurance_rationale.strip():
            raise ValidationError(
                {"assurance_rationale": "Say why the paper offers this level of assurance."}
            )

    @property
    def is_frozen(self) -> bool:
        return self.state != PaperState.DRAFT

    @property
    def build_is_stalled(self) -> bool:
        """A build nobody is working on, which may be asked for again: still waiting
        for a worker after PAPER_BUILD_QUEUE_TIMEOUT (its message was lost, or no worker
        is running), or still running past the task's time limit (its worker died)."""
        if self.build_state not in (BuildState.QUEUED, BuildState.BUILDING):
            return False
        if self.build_started_at is None:
            return True
        if self.build_state == BuildState.QUEUED:
            limit = settings.PAPER_BUILD_QUEUE_TIMEOUT
        else:
            limit = settings.PAPER_BUILD_TIME_LIMIT + 60
        return timezone.now() - self.build_started_at > timedelta(seconds=limit)

    @property
    def pdf_filename(self) -> str:
        forum = slugify(self.meeting.forum.short_name)
        state = "" if self.state == PaperState.ISSUED else "-draft"
        return f"{forum}-{self.meeting.held_on:%Y-%m-%d}-{slugify(self.title)[:60]}-v{self.version}{state}.pdf"


class PaperDownload(models.Model):
    """Who downloaded which paper, and when (docs/access.md: downloads are logged)."""

    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="paper_downloads"
    )
    downloaded_at = models.DateTimeField(default=timezone.now)
    sha256 = models.CharField(max_length=64, help_text="Of the bytes that were sent.")

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.paper} by {self.user} at {self.downloaded_at:%Y-%m-%d %H:%M}"


class GlossaryTerm(models.Model):
    """An abbreviation and what it stands for, added by an administrator. A paper's
    glossary lists every abbreviation it uses; these override the built-in meanings."""

    term = models.CharField(max_length=20, unique=True)
    meaning = models.CharField(max_length=200)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term}: {self.meaning}"
