"""Deadline reminders and escalation (DESIGN §6).

A run is two steps, each safe to repeat or to run twice at once:

1. scan: for every rung of the ladder, one INSERT ... SELECT writes a reminder row per
   (recipient, action or meeting, rung, due date). The unique key turns a repeat into
   a no-op, so a run that is repeated, retried or started twice writes each row once.
2. send: pending rows are claimed with a conditional UPDATE (only rows still pending
   change hands), grouped into one digest per person, sent, and marked sent. Rows
   claimed by a run that crashed are released after a timeout and sent by the next run.

The due date used is the revised one after an extension (Action.effective_due), so an
extension starts the ladder again for the new date; finished actions drop out because
only open actions are scanned.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.choices import DigestFrequency, Role
from accounts.models import Membership, User
from actions.choices import DIGEST_SECTIONS, URGENT_RUNGS, EvidenceReviewState, ReminderState, Rung
from actions.models import Action, Evidence, Reminder, ReminderPolicy
from governance.models import Meeting

logger = logging.getLogger(__name__)


# --- 1. scan ------------------------------------------------------------------------


def _source(
    queryset: QuerySet, recipient: str, subject: str, key_date: str, action: str
) -> QuerySet:
    """The four columns a reminder row is made from, under fixed names."""
    return queryset.annotate(
        rem_recipient=F(recipient),
        rem_subject=F(subject),
        rem_key=F(key_date),
        rem_action=F(action),
    ).values_list("rem_recipient", "rem_subject", "rem_key", "rem_action")


def _insert(source: QuerySet, *, rung: str, kind: str) -> int:
    """Writes reminder rows from a _source() queryset in one statement; rows that exist
    already are skipped by the unique key."""
    select_sql, params = source.query.sql_with_params()
    now = timezone.now()
    sql = (
        "INSERT INTO actions_reminder "
        "(recipient_id, rung, subject_key, key_date, action_id, meeting_id, created_at, state, "
        "claim_token, attempts, last_error) "
        "SELECT src.rem_recipient, %s, %s || CAST(src.rem_subject AS VARCHAR(20)), src.rem_key, "
        "src.rem_action, NULL, %s, %s, '', 0, '' "
        f"FROM ({select_sql}) src "
        "WHERE src.rem_recipient IS NOT NULL "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [rung, f"{kind}:", now, ReminderState.PENDING, *params])
        return max(cursor.rowcount, 0)


def _rows(queryset: QuerySet, recipient: str) -> QuerySet:
    return _source(queryset, recipient, "pk", "effective_due", "pk")


def _lead_sources(actions: QuerySet) -> list[QuerySet]:
    """The action's lead; where no person is named, the owning provider's leads."""
    return [
        _rows(actions.filter(lead_user__is_active=True), "lead_user_id"),
        _rows(
            actions.filter(
                lead_user__isnull=True,
                owner_organisation__memberships__role=Role.PROVIDER_LEAD,
                owner_organisation__memberships__user__is_active=True,
            ),
            "owner_organisation__memberships__user_id",
        ),
    ]


def _provider_lead_sources(actions: QuerySet) -> list[QuerySet]:
    return [
        _rows(
            actions.filter(
                owner_organisation__memberships__role=Role.PROVIDER_LEAD,
                owner_organisation__memberships__user__is_active=True,
            ),
            "owner_organisation__memberships__user_id",
        )
    ]


def _named_sources(actions: QuerySet) -> list[QuerySet]:
    """For restricted reviews the commissioner-side rungs go only to the people named
    on the review: nobody else may see the action."""
    return [
        _rows(
            actions.filter(
                recommendation__review__restricted=True,
                recommendation__review__named_people__is_active=True,
            ),
            "recommendation__review__named_people",
        )
    ]


def _commissioner_sources(actions: QuerySet) -> list[QuerySet]:
    """The commissioner who owns the action: the safeguarding leads of the organisation
    that holds its monitoring forum."""
    open_reviews = actions.filter(recommendation__review__restricted=False)
    return [
        _rows(
            open_reviews.filter(
                monitoring_forum__organisation__memberships__role=Role.SAFEGUARDING_LEAD,
                monitoring_forum__organisation__memberships__user__is_active=True,
            ),
            "monitoring_forum__organisation__memberships__user_id",
        ),
        *_named_sources(actions),
    ]


def _forum_officer_sources(actions: QuerySet) -> list[QuerySet]:
    open_reviews = actions.filter(recommendation__review__restricted=False)
    return [
        _rows(
            open_reviews.filter(monitoring_forum__chair__is_active=True),
            "monitoring_forum__chair_id",
        ),
        _rows(
            open_reviews.filter(monitoring_forum__secretary__is_active=True),
            "monitoring_forum__secretary_id",
        ),
        *_named_sources(actions),
    ]


def reminders_scan(today: date | None = None) -> int:
    """Writes the reminder rows that are due today. Returns how many were new."""
    today = today or timezone.localdate()
    policy = ReminderPolicy.current()
    longest, middle, shortest = policy.due_soon_thresholds
    dated = Action.objects.open().filter(effective_due__isnull=False).order_by()
    created = 0

    # Due soon: only the most urgent window applies, so nobody is told "30 days" and
    # "7 days" about the same action in one digest.
    windows = [
        (Rung.DUE_7, today, today + timedelta(days=shortest)),
        (Rung.DUE_14, today + timedelta(days=shortest + 1), today + timedelta(days=middle)),
        (Rung.DUE_30, today + timedelta(days=middle + 1), today + timedelta(days=longest)),
    ]
    for rung, start, end in windows:
        in_window = dated.filter(effective_due__gte=start, effective_due__lte=end)
        for source in _lead_sources(in_window):
            created += _insert(source, rung=rung, kind="action")

    # Overdue rungs are a ladder: each one reached fires once for that due date.
    overdue = dated.filter(effective_due__lt=today)
    for source in _lead_sources(overdue) + _commissioner_sources(overdue):
        created += _insert(source, rung=Rung.OVERDUE, kind="action")
    provider_escalation = dated.filter(
        effective_due__lte=today - timedelta(days=policy.escalate_to_provider_days)
    )
    for source in _provider_lead_sources(provider_escalation):
        created += _insert(source, rung=Rung.OVERDUE_14, kind="action")
    forum_escalation = dated.filter(
        effective_due__lte=today - timedelta(days=policy.escalate_to_forum_days)
    )
    for source in _forum_officer_sources(forum_escalation):
        created += _insert(source, rung=Rung.OVERDUE_30, kind="action")

    created += _scan_evidence(today, policy)
    created += _scan_call_for_papers(today, policy)
    return created


def _scan_evidence(today: date, policy: ReminderPolicy) -> int:
    cutoff = timezone.now() - timedelta(days=policy.evidence_review_days)
    waiting = Evidence.objects.filter(
        review_state=EvidenceReviewState.PENDING, uploaded_at__lt=cutoff
    ).order_by()
    waiting = waiting.annotate(uploaded_on=TruncDate("uploaded_at"))
    sources = [
        _source(
            waiting.filter(
                action__recommendation__review__restricted=False,
                action__monitoring_forum__organisation__memberships__role=Role.SAFEGUARDING_LEAD,
                action__monitoring_forum__organisation__memberships__user__is_active=True,
            ),
            "action__monitoring_forum__organisation__memberships__user_id",
            "pk",
            "uploaded_on",
            "action_id",
        ),
        _source(
            waiting.filter(
                action__recommendation__review__restricted=True,
                action__recommendation__review__named_people__is_active=True,
            ),
            "action__recommendation__review__named_people",
            "pk",
            "uploaded_on",
            "action_id",
        ),
    ]
    return sum(_insert(source, rung=Rung.EVIDENCE_PENDING, kind="evidence") for source in sources)


def _scan_call_for_papers(today: date, policy: ReminderPolicy) -> int:
    """N days before a meeting's paper deadline, the providers with open actions that
    the forum monitors are asked for their updates."""
    horizon = today + timedelta(days=policy.call_for_papers_days + 120)
    meetings = [
        m
        for m in Meeting.objects.filter(held_on__gt=today, held_on__lte=horizon).select_related(
            "forum"
        )
        if m.paper_deadline - timedelta(days=policy.call_for_papers_days)
        <= today
        <= m.paper_deadline
    ]
    created = 0
    for meeting in meetings:
        monitored = Q(monitoring_forum=meeting.forum) | Q(
            recommendation__review__monitoring_forums=meeting.forum
        )
        with_open_actions = Action.objects.open().filter(monitored).values("owner_organisation_id")
        leads = set(
            Membership.objects.filter(
                role=Role.PROVIDER_LEAD,
                user__is_active=True,
                organisation_id__in=with_open_actions,
            ).values_list("user_id", flat=True)
        )
        key = {
            "rung": Rung.CALL_FOR_PAPERS,
            "subject_key": f"meeting:{meeting.pk}",
            "key_date": meeting.paper_deadline,
        }
        leads -= set(Reminder.objects.filter(**key).values_list("recipient_id", flat=True))
        Reminder.objects.bulk_create(
            [Reminder(recipient_id=user_id, meeting=meeting, **key) for user_id in leads],
            ignore_conflicts=True,
        )
        created += len(leads)
    return created


# --- 2. send ------------------------------------------------------------------------


@dataclass
class DigestEntry:
    reminder: Reminder
    title: str
    detail: str
    url: str
    # For a call for papers: the actions that have not been updated since the forum last met.
    needs_update: list[Action] = field(default_factory=list)


@dataclass
class Digest:
    recipient: User
    sections: list[tuple[str, list[DigestEntry], int]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        parts = []
        for label, key in (
            ("overdue", "overdue"),
            ("due this week", "due_week"),
            ("due soon", "due_soon"),
            ("evidence to review", "evidence"),
            ("call for papers", "papers"),
        ):
            if self.counts.get(key):
                parts.append(f"{self.counts[key]} {label}")
        return ", ".join(parts) or "Reminders"


def _release_lost_claims(now) -> int:
    cutoff = now - timedelta(minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES)
    return Reminder.objects.filter(state=ReminderState.CLAIMED, claimed_at__lt=cutoff).update(
        state=ReminderState.PENDING, claim_token=""
    )


def _skip_unreachable() -> int:
    """People with no email address or an inactive account are not emailed; the rows
    are kept (and shown in the app to active users) and the skip is logged."""
    unreachable = Reminder.objects.filter(state=ReminderState.PENDING).filter(
        Q(recipient__is_active=False) | Q(recipient__email="")
    )
    # order_by() first: Reminder.Meta.ordering would join the ordering columns into the
    # DISTINCT and log one line per reminder instead of one per person.
    for username, active in (
        unreachable.order_by().values_list("recipient__username", "recipient__is_active").distinct()
    ):
        logger.warning(
            "Reminders for %s not emailed: %s",
            username,
            "account inactive" if not active else "no email address",
        )
    return unreachable.update(
        state=ReminderState.SKIPPED, last_error="No email address or inactive account"
    )


def _claimable(today: date) -> Q:
    due_now = Q(rung__in=URGENT_RUNGS) | Q(recipient__digest_frequency=DigestFrequency.DAILY)
    if today.weekday() == settings.REMINDER_WEEKLY_DIGEST_WEEKDAY:
        due_now |= Q(recipient__digest_frequency=DigestFrequency.WEEKLY)
    return due_now


def _entry(reminder: Reminder, today: date, site: str, stale: dict) -> DigestEntry:
    if reminder.meeting_id:
        meeting = reminder.meeting
        needs_update = stale.get((reminder.recipient_id, meeting.pk), [])
        return DigestEntry(
            reminder,
            f"{meeting.forum.name}, {meeting.held_on:%-d %B %Y}",
            f"Papers and action updates are due by {meeting.paper_deadline:%-d %B %Y}. "
            f"{len(needs_update)} of your actions have not been updated since the last meeting.",
            f"{site}/",
            needs_update,
        )
    action = reminder.action
    review = action.recommendation.review
    due = action.current_due_date
    if reminder.rung == Rung.EVIDENCE_PENDING:
        detail = f"Evidence has been waiting for your review since {reminder.key_date:%-d %B %Y}."
    elif due and due < today:
        days = (today - due).days
        detail = f"Overdue by {days} day{'s' if days != 1 else ''} (due {due:%-d %B %Y}). Status: {action.get_status_display()}."
    elif due:
        days = (due - today).days
        detail = f"Due {due:%-d %B %Y}, in {days} day{'s' if days != 1 else ''}. Status: {action.get_status_display()}."
    else:
        detail = f"Status: {action.get_status_display()}."
    number = f"action {action.number}" if action.number else "an action"
    return DigestEntry(
        reminder,
        f"{review.reference}, {number} ({action.owner_organisation.short_name}): {action.description[:120]}",
        detail,
        f"{site}{action.get_absolute_url()}",
    )


def _stale_for_meeting(reminders: list[Reminder]) -> dict[tuple[int, int], list[Action]]:
    """For each call for papers: the recipient's open actions monitored by the forum
    that have not been updated since the forum's previous meeting."""
    result: dict[tuple[int, int], list[Action]] = {}
    for reminder in reminders:
        meeting = reminder.meeting
        previous = (
            Meeting.objects.filter(forum=meeting.forum, held_on__lt=meeting.held_on)
            .order_by("-held_on")
            .values_list("held_on", flat=True)
            .first()
        )
        monitored = Q(monitoring_forum=meeting.forum) | Q(
            recommendation__review__monitoring_forums=meeting.forum
        )
        actions = (
            Action.objects.open()
            .filter(monitored, owner_organisation__in=reminder.recipient.provider_organisation_ids)
            .select_related("recommendation__review")
            .distinct()
        )
        if previous:
            actions = actions.filter(updated_at__date__lt=previous)
        result[(reminder.recipient_id, meeting.pk)] = list(
            actions[: settings.REMINDER_DIGEST_ITEMS_PER_SECTION]
        )
    return result


@dataclass(frozen=True)
class Claimed:
    """What the sender needs of a claimed reminder to count and group it."""

    pk: int
    recipient_id: int
    rung: str
    subject_key: str


FULL_ROW = (
    "recipient",
    "action__recommendation__review",
    "action__owner_organisation",
    "meeting__forum",
)


def build_digest(
    recipient: User, claimed: list[Claimed], today: date, stale: dict | None = None
) -> Digest:
    """One person's digest: sections in order, one line per action or meeting at its
    most severe rung, at most REMINDER_DIGEST_ITEMS_PER_SECTION lines loaded per section
    (the counts cover them all)."""
    site = settings.SITE_URL
    digest = Digest(recipient=recipient)
    limit = settings.REMINDER_DIGEST_ITEMS_PER_SECTION
    by_rung: dict[str, list[Claimed]] = defaultdict(list)
    for item in claimed:
        by_rung[item.rung].append(item)
    sections: list[tuple[str, list[Claimed]]] = []
    for title, rungs in DIGEST_SECTIONS:
        # One line per action or meeting: someone who is both the lead and the
        # provider's lead hears about an overdue action once, at its most severe rung.
        seen: set[str] = set()
        items = []
        for rung in rungs:
            for item in by_rung.get(rung, []):
                if item.subject_key not in seen:
                    seen.add(item.subject_key)
                    items.append(item)
        sections.append((title, items))
    shown = [item.pk for _title, items in sections for item in items[:limit]]
    full = Reminder.objects.select_related(*FULL_ROW).in_bulk(shown)
    for title, items in sections:
        if items:
            entries = [_entry(full[item.pk], today, site, stale or {}) for item in items[:limit]]
            digest.sections.append((title, entries, len(items)))
    sizes = {title: len(items) for title, items in sections}
    due_week = len({item.subject_key for item in by_rung[Rung.DUE_7]})
    digest.counts = {
        "overdue": sizes["Overdue"],
        "due_week": due_week,
        "due_soon": sizes["Due soon"] - due_week,
        "evidence": sizes["Evidence to review"],
        "papers": sizes["Call for papers"],
    }
    return digest


def _send_digest(digest: Digest) -> None:
    context: dict[str, Any] = {
        "digest": digest,
        "recipient": digest.recipient,
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
    }
    subject = render_to_string("emails/digest-subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/digest-body.txt", context),
        to=[digest.recipient.email],
    )
    message.attach_alternative(render_to_string("emails/digest-body.html", context), "text/html")
    message.send()


def reminders_send(today: date | None = None) -> dict[str, int]:
    """Claims the pending reminders that are due to go out, sends one digest per
    person, and marks them sent. A failed send puts the rows back for the next run."""
    today = today or timezone.localdate()
    now = timezone.now()
    released = _release_lost_claims(now)
    skipped = _skip_unreachable()
    token = uuid.uuid4().hex
    # The claim: only rows still pending change hands, so two runs never share a row.
    claimed = (
        Reminder.objects.filter(state=ReminderState.PENDING)
        .filter(_claimable(today))
        .update(
            state=ReminderState.CLAIMED,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )
    # Light rows for counting and grouping; full rows only for the lines a digest shows.
    mine = [
        Claimed(*row)
        for row in Reminder.objects.filter(claim_token=token, state=ReminderState.CLAIMED)
        .order_by("recipient_id", "key_date", "pk")
        .values_list("pk", "recipient_id", "rung", "subject_key")
    ]
    by_recipient: dict[int, list[Claimed]] = defaultdict(list)
    for item in mine:
        by_recipient[item.recipient_id].append(item)
    recipients = User.objects.in_bulk(list(by_recipient))
    papers = [item.pk for item in mine if item.rung == Rung.CALL_FOR_PAPERS]
    stale = _stale_for_meeting(
        list(Reminder.objects.select_related(*FULL_ROW).filter(pk__in=papers))
    )
    sent = failed = 0
    for recipient_id, rows in by_recipient.items():
        recipient = recipients[recipient_id]
        mine_for_recipient = Reminder.objects.filter(claim_token=token, recipient_id=recipient_id)
        try:
            _send_digest(build_digest(recipient, rows, today, stale))
        except Exception as error:  # noqa: BLE001 - any mail failure is retried later
            logger.exception("Digest to %s failed; it will be retried", recipient.username)
            mine_for_recipient.update(
                state=ReminderState.PENDING, claim_token="", last_error=str(error)[:300]
            )
            failed += 1
            continue
        mine_for_recipient.update(state=ReminderState.SENT, sent_at=timezone.now(), last_error="")
        sent += 1
    return {
        "claimed": claimed,
        "digests": sent,
        "failed": failed,
        "skipped": skipped,
        "released": released,
    }


# Any fixed number, unique to this job among the PostgreSQL advisory locks we take.
REMINDER_RUN_LOCK = 70_600_001


@contextmanager
def _one_run_at_a_time() -> Iterator[bool]:
    """True if this run may go ahead. Two runs at once would each send every reminder
    once (the claim sees to that) but could split one person's reminders over two
    digests; on PostgreSQL a session advisory lock lets the second run stand down.
    SQLite takes one writer at a time anyway."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REMINDER_RUN_LOCK])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REMINDER_RUN_LOCK])


def reminders_run(today: date | None = None) -> dict[str, int]:
    """The periodic job: scan, then send; a run that finds another one going does
    nothing (the next run picks up whatever it would have done)."""
    with _one_run_at_a_time() as may_run:
        if not may_run:
            return dict.fromkeys(
                ("created", "claimed", "digests", "failed", "skipped", "released"), 0
            ) | {"already_running": 1}
        created = reminders_scan(today)
        result = reminders_send(today)
    result["created"] = created
    return result
