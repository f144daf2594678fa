from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts import access
from actions.choices import (
    FINISHED_STATUSES,
    NOTICE_RUNGS,
    STATUS_STYLE,
    URGENT_RUNGS,
    EvidenceReviewState,
    ExtensionState,
    ReminderState,
    Rung,
    Status,
)
from reviews.models import named_review_ids
from trackerapp.storage import private_storage, random_evidence_name

if TYPE_CHECKING:
    from accounts.models import User


class ActionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ActionQuerySet:
        """The read choke point for actions (docs/access.md): the actions of the
        reviews a person reads, and for a provider every action assigned to its
        organisation, whoever owns the review."""
        return self.filter(access.action_read_q(user))

    def managed_by(self, user: User) -> ActionQuerySet:
        """The actions this person may change as the safeguarding team."""
        return self.filter(access.action_managed_q(user))

    def exportable_by(self, user: User) -> ActionQuerySet:
        """The actions this user may take away in a file: those they see, less the
        restricted reviews' unless they are named on the review. Administrators too: seeing
        everything to run the service is not a reason to carry a restricted review out."""
        named = Q(recommendation__review_id__in=named_review_ids(user))
        return self.visible_to(user).filter(Q(recommendation__review__restricted=False) | named)

    def open(self) -> ActionQuerySet:
        return self.exclude(status__in=FINISHED_STATUSES)

    def overdue(self, today: date | None = None) -> ActionQuerySet:
        return self.open().filter(effective_due__lt=today or timezone.localdate())

    def matching(self, text: str) -> ActionQuerySet:
        """Actions whose description or expected outcome hold these words (full-text
        search on PostgreSQL, docs/search.md)."""
        from search.documents import KINDS, matching  # search reads this module

        return cast(ActionQuerySet, matching(self, KINDS["action"], text))


class Action(models.Model):
    """What an organisation will do about a recommendation, tracked until the evidence
    proves it done (or a commissioner closes it with a rationale)."""

    recommendation = models.ForeignKey(
        "reviews.Recommendation", on_delete=models.PROTECT, related_name="actions"
    )
    number = models.CharField(max_length=20, blank=True, help_text='e.g. "1.2"')
    description = models.TextField()
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="actions"
    )
    lead_role_title = models.CharField(
        max_length=150, blank=True, help_text='e.g. "Deputy Chief Nurse".'
    )
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    original_time_frame = models.CharField(
        max_length=200, blank=True, help_text='As written in the plan, e.g. "Quarter 2/3".'
    )
    due_date = models.DateField(null=True, blank=True)
    revised_due_date = models.DateField(
        null=True, blank=True, help_text="Set by an approved extension; the original is kept."
    )
    # The date that counts: the revised one after an extension, else the original.
    # Stored by the database so that overdue filters and sorting use an index.
    effective_due = models.GeneratedField(
        expression=Coalesce("revised_due_date", "due_date"),
        output_field=models.DateField(),
        db_persist=True,
    )
    expected_outcome = models.TextField(blank=True, help_text="What is expected to change.")
    evidence_required = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)
    assured_at = models.DateTimeField(null=True, blank=True)
    assured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assured_actions",
    )
    closure_rationale = models.TextField(blank=True)
    monitoring_forum = models.ForeignKey(
        "governance.Forum",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitored_actions",
        help_text="The forum this action reports to, e.g. the provider's CQRG.",
    )
    # Where the action sits, copied from its recommendation's review and its owner by
    # the database (triggers of migration 0007, on every write to an action, a
    # recommendation, a review or an organisation, whatever made it), so that the action
    # list filters by who may see an action and sorts by owner without a join, through
    # the indexes below. Only ever read in queries: an object in memory holds what the
    # database had when it was read, or nothing for one not yet saved.
    listed_review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )
    listed_review_owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )
    listed_review_restricted = models.BooleanField(null=True, editable=False)
    listed_review_type = models.ForeignKey(
        "reviews.ReviewType",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )
    listed_owner_name = models.CharField(max_length=30, null=True, editable=False)
    # Bumped by every service write; a save carrying an older version is refused, so
    # two people editing one action never overwrite each other silently.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Change reasons carry the person's note in full, so a TextField.
    history = HistoricalRecords(
        excluded_fields=[
            "effective_due",
            "listed_review",
            "listed_review_owner",
            "listed_review_restricted",
            "listed_review_type",
            "listed_owner_name",
        ],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = ActionQuerySet.as_manager()

    if TYPE_CHECKING:
        # Not fields: the listing columns of actions.selectors.with_listing_columns.
        latest_update_text: str | None
        latest_update_at: datetime | None
        evidence_count: int

    class Meta:
        ordering = ["recommendation", "number", "pk"]
        indexes = [
            models.Index(fields=["status"], name="action_status_idx"),
            models.Index(fields=["effective_due"], name="action_effective_due_idx"),
            models.Index(fields=["due_date"], name="action_due_date_idx"),
            models.Index(fields=["owner_organisation", "status"], name="action_owner_status_idx"),
            # The action list: each filter that picks out a part of the portfolio, then
            # the default order (due date), so that a page is the first 25 entries of one
            # index range, with visibility checked on the row (listed_* keys), rather
            # than every match joined to its review and sorted. EXPLAIN ANALYZE at
            # 100,000 generated actions, as the commissioner of the owning ICB:
            #   status=off_track  Index Scan using action_list_status_idx, rows=25, 0.7 ms
            #   owner=<provider>  Index Scan using action_list_owner_idx, rows=25, 0.7 ms
            #   lead=<person>     Index Scan using action_list_lead_idx, rows=25, 0.8 ms
            #   review=<ref>      Index Scan using action_list_review_idx, rows=25, 0.4 ms
            #   review_type=SAR   Index Scan using action_list_type_idx, rows=25
            # (before, each walked action_effective_due_idx through the recommendation and
            # review joins until 25 matched: a rare lead or review read thousands of rows).
            models.Index(fields=["status", "effective_due", "id"], name="action_list_status_idx"),
            models.Index(
                fields=["owner_organisation", "effective_due", "id"], name="action_list_owner_idx"
            ),
            models.Index(fields=["lead_user", "effective_due", "id"], name="action_list_lead_idx"),
            models.Index(
                fields=["listed_review", "effective_due", "id"], name="action_list_review_idx"
            ),
            models.Index(
                fields=["listed_review_type", "effective_due", "id"], name="action_list_type_idx"
            ),
            # Sorted by owner: page 40 reads 1,000 entries of this index in order (Index
            # Scan using action_list_owner_name_idx, rows=1000, 1.4 ms for the page's ids)
            # where the sort through the organisation join sorted every visible action.
            models.Index(
                fields=["listed_owner_name", "effective_due", "id"],
                name="action_list_owner_name_idx",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.number} " if self.number else ""
        return f"{label}{self.description[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("actions:detail", args=[self.pk])

    def effective_due_in_memory(self) -> date | None:
        """What the database will store as `effective_due` for the dates as they stand
        now: services set it after changing a date, so the page drawn from this object
        in the same request shows the date in force (an UPDATE does not read generated
        columns back)."""
        return self.revised_due_date or self.due_date

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def is_overdue_on(self, today: date) -> bool:
        due = self.effective_due
        return due is not None and due < today and self.status not in FINISHED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    @property
    def status_style(self):
        return STATUS_STYLE[self.status]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.revised_due_date and not self.due_date:
            errors["revised_due_date"] = "A revised due date needs the original due date."
        elif self.revised_due_date and self.due_date and self.revised_due_date < self.due_date:
            errors["revised_due_date"] = "The revised due date cannot be before the original."
        if self.status == Status.CLOSED and not self.closure_rationale.strip():
            errors["closure_rationale"] = "Say why the action is closed without completion."
        if errors:
            raise ValidationError(errors)


class ProgressUpdateQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ProgressUpdateQuerySet:
        """Progress updates are visible exactly when their action is."""
        return self.filter(action__in=Action.objects.visible_to(user).values("pk"))


class ProgressUpdate(models.Model):
    """A dated narrative by a person, with the action's status at that moment."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_updates"
    )
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "-created_at"], name="update_action_recent_idx")]

    def __str__(self) -> str:
        return f"{self.action_id} update {self.created_at:%d %b %Y}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> EvidenceQuerySet:
        """Evidence is visible exactly when its action is."""
        return self.filter(action__in=Action.objects.visible_to(user).values("pk"))

    def managed_by(self, user: User) -> EvidenceQuerySet:
        """Evidence this person may accept or reject: on the reviews they manage."""
        return self.filter(action__in=Action.objects.managed_by(user).values("pk"))

    def pending(self) -> EvidenceQuerySet:
        return self.filter(review_state=EvidenceReviewState.PENDING)

    def awaiting_decision_of(self, user: User) -> EvidenceQuerySet:
        """Evidence waiting for this person's decision: pending, on the actions they
        see and manage, both asked of the action in one pass (visible_to and
        managed_by one after the other each read the portfolio's actions: 108 ms to
        count it at 100,000 actions, 40 ms so)."""
        actions = Action.objects.visible_to(user).managed_by(user)
        return self.filter(action__in=actions.values("pk")).pending()


class Evidence(models.Model):
    """A file that shows an action was done, reviewed by the commissioner.

    Never overwritten: a new version is a new item."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence")
    description = models.CharField(max_length=300)
    file = models.FileField(storage=private_storage, upload_to=random_evidence_name, max_length=200)
    original_filename = models.CharField(max_length=255, help_text="Display text only.")
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploaded_evidence"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    review_state = models.CharField(
        max_length=20, choices=EvidenceReviewState.choices, default=EvidenceReviewState.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_evidence",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    virus_scan = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "evidence"
        permissions = [
            (
                "download_evidence",
                "Can download evidence files (viewers need this; the safeguarding team, "
                "secretaries and the owning provider do not)",
            )
        ]
        indexes = [
            models.Index(fields=["review_state", "uploaded_at"], name="evidence_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.original_filename or self.description

    @property
    def type_label(self) -> str:
        """The kind of file ("PDF", "Excel workbook"), which anyone who sees the
        evidence may know, also those who may not open it."""
        # Imported here: the file checkers bring pikepdf, which models need not load.
        from actions.evidence_files import type_label

        return type_label(self.content_type, self.original_filename)

    def clean(self) -> None:
        if self.review_state == EvidenceReviewState.REJECTED and not self.rejection_reason.strip():
            raise ValidationError({"rejection_reason": "Give the provider a reason."})


class EvidenceDownload(models.Model):
    """A record that someone downloaded an evidence file (docs/access.md)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_downloads"
    )
    downloaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.user} downloaded {self.evidence} at {self.downloaded_at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    """A provider's request for a later due date, decided by the commissioner. An
    approval sets the action's revised due date; the original is kept."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extension_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    proposed_date = models.DateField()
    reason = models.TextField()
    state = models.CharField(
        max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extension_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=models.Q(state="pending"),
                name="one_pending_extension_per_action",
            )
        ]

    def __str__(self) -> str:
        return f"Extension to {self.proposed_date} for action {self.action_id}"


class ReminderPolicy(models.Model):
    """The thresholds of the reminder ladder, editable by an administrator. One row;
    its defaults come from settings."""

    due_soon_days = models.CharField(
        max_length=40, default="30,14,7", help_text="Days before the due date, comma-separated."
    )
    escalate_to_provider_days = models.PositiveSmallIntegerField(default=14)
    escalate_to_forum_days = models.PositiveSmallIntegerField(default=30)
    call_for_papers_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days before a meeting's paper deadline."
    )
    evidence_review_days = models.PositiveSmallIntegerField(
        default=10, help_text="Evidence waiting longer than this is chased."
    )

    class Meta:
        verbose_name = "reminder policy"
        verbose_name_plural = "reminder policy"

    def __str__(self) -> str:
        return "Reminder policy"

    def clean(self) -> None:
        try:
            days = self.due_soon_thresholds
        except ValueError:
            raise ValidationError(
                {"due_soon_days": "Use whole numbers separated by commas."}
            ) from None
        if len(days) != 3:
            raise ValidationError({"due_soon_days": "Give three thresholds, e.g. 30,14,7."})

    @property
    def due_soon_thresholds(self) -> list[int]:
        """Largest first: [30, 14, 7]."""
        return sorted((int(d) for d in self.due_soon_days.split(",") if d.strip()), reverse=True)

    @classmethod
    def current(cls) -> ReminderPolicy:
        policy, _ = cls.objects.get_or_create(
            pk=1,
            defaults={
                "due_soon_days": ",".join(str(d) for d in settings.REMINDER_DUE_SOON_DAYS),
                "escalate_to_provider_days": settings.REMINDER_ESCALATE_TO_PROVIDER_DAYS,
                "escalate_to_forum_days": settings.REMINDER_ESCALATE_TO_FORUM_DAYS,
                "call_for_papers_days": settings.REMINDER_CALL_FOR_PAPERS_DAYS,
                "evidence_review_days": settings.REMINDER_EVIDENCE_REVIEW_DAYS,
            },
        )
        return policy


class ReminderQuerySet(models.QuerySet):
    def addressed_to(self, user: User) -> ReminderQuerySet:
        """The reminders sent to this person (not: the reminders they may see)."""
        return self.filter(recipient=user)

    def unread(self) -> ReminderQuerySet:
        return self.filter(read_at__isnull=True)

    def undelivered(self) -> ReminderQuerySet:
        return self.filter(state=ReminderState.FAILED)

    def about_work_of(self, user: User) -> ReminderQuerySet:
        """Reminders about what the user's safeguarding team answers for: actions (and
        their evidence) of the reviews they manage, and calls for papers of their own
        organisations' forums. Admins see all. A partner that only reads a review does not
        see who at the owner's side was not reached (docs/access.md)."""
        r = access.reach(user)
        if r.admin:
            return self.all()
        if not r.commissioner:
            return self.none()
        own_forums = models.Q(meeting__forum__organisation_id__in=r.commissioner)
        return self.filter(
            models.Q(action__in=Action.objects.managed_by(user).values("pk")) | own_forums
        )


class Reminder(models.Model):
    """One rung of the ladder for one person about one action or meeting: the send log
    and the in-app notification in one row. The unique key (recipient, subject, rung,
    key date) is what makes a repeated or concurrent scan harmless."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    rung = models.CharField(max_length=20, choices=Rung.choices)
    subject_key = models.CharField(max_length=40, help_text='"action:12" or "meeting:3".')
    key_date = models.DateField(help_text="The due date or deadline this rung is about.")
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Send attempts that reached the mail server; capped by REMINDER_MAX_ATTEMPTS, so it
    # can never overflow however long an address keeps failing.
    attempts = models.PositiveSmallIntegerField(default=0)
    # After a temporary failure: not claimed again before this time (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # For a notice (NOTICE_RUNGS): what was decided, in words, with the reason given.
    # A database default too: the reminder scan writes its rows with raw INSERT ... SELECT.
    message = models.TextField(blank=True, db_default="")

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject_key", "rung", "key_date"], name="reminder_once"
            )
        ]
        indexes = [
            models.Index(fields=["state", "recipient"], name="reminder_state_idx"),
            models.Index(fields=["recipient", "read_at"], name="reminder_unread_idx"),
            models.Index(fields=["claim_token", "recipient"], name="reminder_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rung_display()} for {self.recipient} ({self.subject_key})"

    @property
    def is_urgent(self) -> bool:
        return self.rung in URGENT_RUNGS

    @property
    def is_notice(self) -> bool:
        return self.rung in NOTICE_RUNGS


class PortfolioGeneration(models.Model):
    """A number that changes with every write to what the portfolio figures are made
    of, so that figures worked out once can be kept until it changes (the dashboard's
    counts and charts, actions.selectors.portfolio_figures).

    Kept by the database itself, in the transaction of the write: a statement trigger
    on each of PORTFOLIO_TABLES sets `value` to the next number of a sequence, whatever
    wrote (a service, the admin, an import, a bulk update or a migration). The sequence
    never hands out a number twice, even to a transaction that rolls back, so a number
    names one committed state of the portfolio. `token` is drawn when the row is made
    and tells apart two databases, or one database made again, whose numbers would
    otherwise meet in a shared cache. PostgreSQL only: elsewhere nothing is kept.
    What is kept under it, and what that costs: docs/performance.md."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.UUIDField()
    value = models.BigIntegerField()

    class Meta:
        db_table = "actions_portfolio_generation"

    def __str__(self) -> str:
        return f"portfolio generation {self.value}"


# What the portfolio figures are made of: a write to any of these changes the generation.
# (Memberships are not here: the figures are kept per person and set of roles.)
PORTFOLIO_TABLES = [
    "actions_action",
    "actions_historicalaction",
    "reviews_review",
    "reviews_review_named_people",
    "reviews_reviewshare",
    "reviews_recommendation",
    "reviews_reviewtype",
    "accounts_organisation",
    # An action's own records and the similarity of recommendations (migration 0007):
    # the action page is kept under the generation too.
    "actions_progressupdate",
    "actions_evidence",
    "actions_extensionrequest",
    "reviews_recommendationsimilarity",
    # What the kept pages show beside the actions (migration 0009): forums, themes,
    # who commissions whom, people's permissions, and people's names (accounts_user: only when a shown
    # column changes, not at each sign-in).
    "governance_forum",
    "reviews_review_monitoring_forums",
    "reviews_theme",
    "reviews_recommendation_themes",
    "accounts_organisation_commissioned_by",
    "accounts_user_user_permissions",
    "accounts_user_groups",
    "auth_group_permissions",
    "accounts_user",
]
