"""Deadline reminders and escalation (docs/reminders.md; the failure rules are in
docs/reminders.md).

A run is two steps, each safe to repeat or to run twice at once:

1. scan: for every rung of the ladder, one INSERT ... SELECT writes a reminder row per
   (recipient, action or meeting, rung, due date). The unique key turns a repeat into
   a no-op, so a run that is repeated, retried or started twice writes each row once.
2. send: pending rows are claimed with a conditional UPDATE (only rows still pending
   change hands), checked again against the action (finished, extended or reassigned
   actions drop out), grouped into one digest per person, sent over one connection, and
   marked sent the moment the server accepts each digest. A temporary failure is retried
   with backoff, a permanent one (or one past the retry cap) is marked failed and shown
   in the app; neither holds up anyone else's digest. Rows claimed by a run that crashed
   are sent by the next run.

The due date used is the revised one after an extension (Action.effective_due), so an
extension starts the ladder again for the new date; finished actions drop out because
only open actions are scanned.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import access
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
    """The action's lead; where no person is named, or the named lead cannot receive it
    (has left, or has no email address), the owning provider's leads as well, so that
    somebody at the provider is always told."""
    lead_unreachable = (
        Q(lead_user__isnull=True) | Q(lead_user__is_active=False) | Q(lead_user__email="")
    )
    return [
        _rows(actions.filter(lead_user__is_active=True), "lead_user_id"),
        _rows(
            actions.filter(lead_unreachable).filter(
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
    that owns its review (docs/access.md), never another organisation's."""
    open_reviews = actions.filter(recommendation__review__restricted=False)
    return [
        _rows(
            open_reviews.filter(
                recommendation__review__owner__memberships__role=Role.SAFEGUARDING_LEAD,
                recommendation__review__owner__memberships__user__is_active=True,
            ),
            "recommendation__review__owner__memberships__user_id",
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


def _overdue_sources(actions: QuerySet) -> list[QuerySet]:
    return _lead_sources(actions) + _commissioner_sources(actions)


# Who hears of an action at each rung. The scan applies each rung's date window; the
# sender asks the same question again at send time, without the window.
ACTION_RUNG_SOURCES: dict[str, Callable[[QuerySet], list[QuerySet]]] = {
    Rung.DUE_7: _lead_sources,
    Rung.DUE_14: _lead_sources,
    Rung.DUE_30: _lead_sources,
    Rung.OVERDUE: _overdue_sources,
    Rung.OVERDUE_14: _provider_lead_sources,
    Rung.OVERDUE_30: _forum_officer_sources,
}


def reminders_scan(today: date | None = None) -> int:
    """Writes the reminder rows that are due today. Returns how many were new."""
    today = today or timezone.localdate()
    policy = ReminderPolicy.current()
    longest, middle, shortest = policy.due_soon_thresholds
    dated = Action.objects.open().filter(effective_due__isnull=False).order_by()

    # Due soon: only the most urgent window applies, so nobody is told "30 days" and
    # "7 days" about the same action in one digest. Overdue rungs are a ladder: each one
    # reached fires once for that due date.
    in_scope = {
        Rung.DUE_7: dated.filter(
            effective_due__gte=today, effective_due__lte=today + timedelta(days=shortest)
        ),
        Rung.DUE_14: dated.filter(
            effective_due__gte=today + timedelta(days=shortest + 1),
            effective_due__lte=today + timedelta(days=middle),
        ),
        Rung.DUE_30: dated.filter(
            effective_due__gte=today + timedelta(days=middle + 1),
            effective_due__lte=today + timedelta(days=longest),
        ),
        Rung.OVERDUE: dated.filter(effective_due__lt=today),
        Rung.OVERDUE_14: dated.filter(
            effective_due__lte=today - timedelta(days=policy.escalate_to_provider_days)
        ),
        Rung.OVERDUE_30: dated.filter(
            effective_due__lte=today - timedelta(days=policy.escalate_to_forum_days)
        ),
    }
    created = 0
    for rung, actions in in_scope.items():
        for source in ACTION_RUNG_SOURCES[rung](actions):
            created += _insert(source, rung=rung, kind="action")
    created += _scan_evidence(today, policy)
    created += _scan_call_for_papers(today, policy)
    return created


def _evidence_sources(waiting: QuerySet) -> list[QuerySet]:
    """The commissioners who review an evidence item (named people for restricted
    reviews); one row per item, keyed by the day it was uploaded."""
    waiting = waiting.order_by().annotate(uploaded_on=TruncDate("uploaded_at"))
    return [
        _source(
            waiting.filter(
                action__recommendation__review__restricted=False,
                action__recommendation__review__owner__memberships__role=Role.SAFEGUARDING_LEAD,
                action__recommendation__review__owner__memberships__user__is_active=True,
            ),
            "action__recommendation__review__owner__memberships__user_id",
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


def _scan_evidence(today: date, policy: ReminderPolicy) -> int:
    cutoff = timezone.now() - timedelta(days=policy.evidence_review_days)
    waiting = Evidence.objects.filter(
        review_state=EvidenceReviewState.PENDING, uploaded_at__lt=cutoff
    )
    return sum(
        _insert(source, rung=Rung.EVIDENCE_PENDING, kind="evidence")
        for source in _evidence_sources(waiting)
    )


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


def _release_lost_claims(now: datetime, *, sole_run: bool) -> int:
    """Claims left by a run that died. A run that holds the PostgreSQL run lock is the
    only live run (a dead run's lock goes with its connection), so every claim it finds
    is lost and is released at once; elsewhere a claim is lost once its lease, renewed
    before each digest, has run out."""
    lost = Reminder.objects.filter(state=ReminderState.CLAIMED)
    if not sole_run:
        lost = lost.filter(
            claimed_at__lt=now - timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
        )
    return lost.update(state=ReminderState.PENDING, claim_token="")


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


def _claimable(today: date, now: datetime) -> Q:
    due_now = Q(rung__in=URGENT_RUNGS) | Q(recipient__digest_frequency=DigestFrequency.DAILY)
    if today.weekday() == settings.REMINDER_WEEKLY_DIGEST_WEEKDAY:
        due_now |= Q(recipient__digest_frequency=DigestFrequency.WEEKLY)
    # A reminder whose last attempt failed for the time being waits out its backoff.
    return due_now & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _entry(reminder: Reminder, today: date, site: str, stale: dict) -> DigestEntry:
    if reminder.meeting_id:
        meeting = reminder.meeting
        assert meeting is not None
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
    assert action is not None  # a reminder is about a meeting or an action
    review = action.recommendation.review
    due = action.effective_due
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
        assert meeting is not None  # these are the calls for papers
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
            .filter(monitored, owner_organisation__in=access.reach(reminder.recipient).provider)
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
    key_date: date

    @property
    def kind(self) -> str:
        """ "action", "evidence" or "meeting"."""
        return self.subject_key.partition(":")[0]

    @property
    def subject_id(self) -> int:
        return int(self.subject_key.partition(":")[2])


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


DUE_SOON_RUNGS = frozenset({Rung.DUE_7, Rung.DUE_14, Rung.DUE_30})


def _no_longer_due(claimed: list[Claimed], today: date) -> list[int]:
    """The claimed reminders that the action or evidence no longer calls for: a row may
    have waited days for a weekly digest or a retry, and since then the action may have
    been finished, extended (a new key date), reassigned to another lead or moved past
    its due date, or the evidence reviewed. The same sources as the scan are asked again
    for exactly these actions and items, without the date windows."""
    actions_by_rung: dict[str, set[int]] = defaultdict(set)
    evidence_ids: set[int] = set()
    for item in claimed:
        if item.kind == "action":
            actions_by_rung[item.rung].add(item.subject_id)
        elif item.kind == "evidence":
            evidence_ids.add(item.subject_id)
    still_due: set[tuple[int, str, str, date]] = set()
    for rung, ids in actions_by_rung.items():
        actions = Action.objects.open().filter(pk__in=ids, effective_due__isnull=False)
        if rung in DUE_SOON_RUNGS:  # past its date, the overdue rungs take over
            actions = actions.filter(effective_due__gte=today)
        for source in ACTION_RUNG_SOURCES[rung](actions.order_by()):
            still_due.update(
                (recipient, f"action:{subject}", rung, key)
                for recipient, subject, key, _a in source
            )
    if evidence_ids:
        waiting = Evidence.objects.filter(
            pk__in=evidence_ids, review_state=EvidenceReviewState.PENDING
        )
        for source in _evidence_sources(waiting):
            still_due.update(
                (recipient, f"evidence:{subject}", Rung.EVIDENCE_PENDING, key)
                for recipient, subject, key, _a in source
            )
    return [
        item.pk
        for item in claimed
        if item.kind != "meeting"
        and (item.recipient_id, item.subject_key, item.rung, item.key_date) not in still_due
    ]


def _send_digest(digest: Digest, mail: BaseEmailBackend) -> None:
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
        connection=mail,
    )
    message.attach_alternative(render_to_string("emails/digest-body.html", context), "text/html")
    message.send()


class Failure(StrEnum):
    """What a failed send says about the next attempt."""

    # The server refused this message or address for good (5xx): never retried.
    PERMANENT = "permanent"
    # A 4xx reply, or anything else about this one message: retried with backoff.
    TEMPORARY = "temporary"
    # The connection broke, timed out or was refused: retried with backoff, and the
    # connection is opened again before the next digest.
    CONNECTION = "connection"


def _failure_kind(error: Exception) -> Failure:
    # smtplib's errors are OSErrors too, so they are told apart first.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return Failure.PERMANENT if codes and min(codes) >= 500 else Failure.TEMPORARY
    code = getattr(error, "smtp_code", 0)
    if code == 421:  # "service not available, closing channel"
        return Failure.CONNECTION
    if isinstance(error, smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
        return Failure.PERMANENT if code >= 500 else Failure.TEMPORARY
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError):
        return Failure.CONNECTION
    return Failure.TEMPORARY


def _describe(error: Exception) -> str:
    """The mail server's own words where it gave any ("550 5.1.1 No such mailbox"),
    for the people who put it right."""

    def reply(code: int, text: bytes | str) -> str:
        words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        return f"{code} {words}".strip()

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{reply(code, text)} ({address})" for address, (code, text) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return reply(error.smtp_code, error.smtp_error)
    return f"{type(error).__name__}: {error}"


def _record_failure(rows: QuerySet, error: Exception, kind: Failure, now: datetime) -> int:
    """Puts one digest's rows back for a later attempt, or marks them failed: at once
    for a permanent refusal, or once they reach REMINDER_MAX_ATTEMPTS. Returns how many
    were marked failed."""
    reason = _describe(error)[:300]
    rows.update(attempts=F("attempts") + 1, last_error=reason)
    finished = (
        rows
        if kind == Failure.PERMANENT
        else rows.filter(attempts__gte=settings.REMINDER_MAX_ATTEMPTS)
    )
    failed = finished.update(state=ReminderState.FAILED, claim_token="", next_attempt_at=None)
    # Backoff doubles with each attempt: 5, 10, 20, 40 ... minutes by default.
    for attempts in set(rows.order_by().values_list("attempts", flat=True)):
        delay = settings.REMINDER_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
        rows.filter(attempts=attempts).update(
            state=ReminderState.PENDING,
            claim_token="",
            next_attempt_at=now + timedelta(seconds=delay),
        )
    return failed


@dataclass
class SendResult:
    claimed: int = 0
    digests: int = 0
    failed: int = 0
    undeliverable: int = 0
    withdrawn: int = 0
    skipped: int = 0
    released: int = 0
    deferred: int = 0
    mail_server_down: int = 0
    cut_short: int = 0


def reminders_send(today: date | None = None, *, sole_run: bool = False) -> dict[str, int]:
    """Claims the pending reminders that are due to go out, sends one digest per person
    over one mail connection, and marks each digest's rows sent as soon as the server
    has accepted it (so a crash can repeat at most the digest in flight).

    1. Lost claims are released and unreachable people skipped.
    2. Due rows are claimed; rows nothing calls for any more are withdrawn.
    3. Each digest is built and sent. A failure is recorded for that person alone
       (backoff, or failed for good) and the run goes on; a mail server that cannot be
       reached at all ends the sending, and so does REMINDER_RUN_MAX_SECONDS.
    4. Whatever is still claimed goes back, unchanged, for the next run.
    """
    started = time.monotonic()
    today = today or timezone.localdate()
    now = timezone.now()
    result = SendResult(
        released=_release_lost_claims(now, sole_run=sole_run), skipped=_skip_unreachable()
    )
    token = uuid.uuid4().hex
    # The claim: only rows still pending change hands, so two runs never share a row.
    result.claimed = (
        Reminder.objects.filter(state=ReminderState.PENDING)
        .filter(_claimable(today, now))
        .update(state=ReminderState.CLAIMED, claim_token=token, claimed_at=now)
    )
    mine = Reminder.objects.filter(claim_token=token, state=ReminderState.CLAIMED)
    claimed = [
        Claimed(*row)
        for row in mine.order_by("recipient_id", "key_date", "pk").values_list(
            "pk", "recipient_id", "rung", "subject_key", "key_date"
        )
    ]
    gone = set(_no_longer_due(claimed, today))
    if gone:
        result.withdrawn, _ = Reminder.objects.filter(pk__in=gone).delete()
        claimed = [item for item in claimed if item.pk not in gone]
    by_recipient: dict[int, list[Claimed]] = defaultdict(list)
    for item in claimed:
        by_recipient[item.recipient_id].append(item)
    recipients = User.objects.in_bulk(list(by_recipient))
    papers = [item.pk for item in claimed if item.rung == Rung.CALL_FOR_PAPERS]
    stale = _stale_for_meeting(
        list(Reminder.objects.select_related(*FULL_ROW).filter(pk__in=papers))
    )
    mail = get_connection(fail_silently=False)
    connected = False
    lease, renewed = settings.REMINDER_CLAIM_LEASE_SECONDS, started
    try:
        for recipient_id, rows in by_recipient.items():
            if time.monotonic() - started > settings.REMINDER_RUN_MAX_SECONDS:
                result.cut_short = 1
                logger.warning("Reminder run reached its time limit; the rest wait for the next")
                break
            if not connected:
                try:
                    mail.open()
                except Exception:  # noqa: BLE001 - nothing was sent; all of it waits
                    result.mail_server_down = 1
                    logger.exception("Mail server unreachable; reminders wait for the next run")
                    break
                connected = True
            recipient = recipients[recipient_id]
            # Renew the lease (this run is alive and still sending) once a third of it
            # has gone: each renewal rewrites every row still claimed. On PostgreSQL the
            # run lock already tells the next run whether this one is alive.
            if not sole_run and time.monotonic() - renewed > lease / 3:
                mine.update(claimed_at=timezone.now())
                renewed = time.monotonic()
            digest_rows = mine.filter(recipient_id=recipient_id)
            try:
                _send_digest(build_digest(recipient, rows, today, stale), mail)
            except Exception as error:  # noqa: BLE001 - recorded for this person only
                kind = _failure_kind(error)
                logger.warning(
                    "Digest to %s failed (%s): %s", recipient.username, kind.value, error
                )
                result.failed += 1
                result.undeliverable += _record_failure(digest_rows, error, kind, timezone.now())
                if kind == Failure.CONNECTION:
                    connected = _close_quietly(mail)
                continue
            # Recorded at once: between the server's acceptance and this update is the
            # only moment a crash could send the same digest twice.
            digest_rows.update(
                state=ReminderState.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                next_attempt_at=None,
                last_error="",
            )
            result.digests += 1
    finally:
        if connected:
            _close_quietly(mail)
        result.deferred = mine.update(state=ReminderState.PENDING, claim_token="")
    return asdict(result)


def _close_quietly(mail: BaseEmailBackend) -> bool:
    """Closes the connection (a QUIT to a broken server may fail); returns False, the
    new connected state."""
    try:
        mail.close()
    except Exception:  # noqa: BLE001 - the connection is dropped either way
        logger.info("Mail connection closed uncleanly", exc_info=True)
    return False


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
    """The periodic job: scan, then send. A run that finds another one going does
    nothing and says so (`stood_down`); the next run picks up whatever it would have
    done."""
    with _one_run_at_a_time() as may_run:
        if not may_run:
            logger.info("Another reminder run is in progress; this run stood down")
            return {"stood_down": 1}
        created = reminders_scan(today)
        # Only PostgreSQL has the run lock that makes this the one live run.
        result = reminders_send(today, sole_run=connection.vendor == "postgresql")
    return {"stood_down": 0, "created": created, **result}
