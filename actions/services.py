"""Writes to actions. Every function checks permission, validates, records who/when/
old → new with a note (django-simple-history), and refuses stale writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from accounts import access
from accounts.access import Verb
from accounts.choices import PROVIDER_ROLES, DigestFrequency
from actions.choices import (
    FINISHED_STATUSES,
    PROVIDER_SETTABLE_STATUSES,
    EvidenceReviewState,
    ExtensionState,
    ReminderState,
    Rung,
    Status,
)
from actions.evidence_files import inspect_upload
from actions.models import (
    Action,
    Evidence,
    EvidenceDownload,
    ExtensionRequest,
    ProgressUpdate,
    Reminder,
)
from audit.choices import AuditEvent
from audit.services import audit_record
from trackerapp.history import record_change

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from governance.models import Forum
    from reviews.models import Recommendation

# Fields a commissioner edits on the action form; status has its own service.
EDITABLE_FIELDS = (
    "number",
    "description",
    "owner_organisation",
    "lead_role_title",
    "lead_user",
    "original_time_frame",
    "due_date",
    "revised_due_date",
    "expected_outcome",
    "evidence_required",
    "monitoring_forum",
)


@dataclass
class StaleActionError(Exception):
    """Someone saved the action after this person opened it. Nothing was written."""

    action: Action
    changed_by: str
    changed_at: datetime

    def __str__(self) -> str:
        local = timezone.localtime(self.changed_at)
        return (
            f"This action was changed by {self.changed_by} at {local:%H:%M} "
            f"on {local:%-d %b %Y} since you opened it. Your change has not been saved: "
            f"check the current values below and try again."
        )


@dataclass(frozen=True)
class EditMerge:
    """A refused edit of an action's details, merged field by field against what was
    saved since the person opened the form:
    - `theirs`: fields only the other person changed; their values stay;
    - `yours`: fields only this person changed; applied when they save again;
    - `clashes`: fields both changed to different values; the person chooses.
    `values` is the action as it is now with this person's changes on top (for a
    clash, their value, still to be confirmed against the saved one)."""

    values: dict[str, Any]
    theirs: tuple[str, ...]
    yours: tuple[str, ...]
    clashes: tuple[str, ...]


@dataclass
class StaleEditError(StaleActionError):
    """A stale edit of the action's details, with the merge to offer the person."""

    merge: EditMerge


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        # Browsers send textarea line breaks as CRLF; the form strips the ends.
        return value.replace("\r\n", "\n").strip()
    return value


def merge_edits(
    *, base: dict[str, Any] | None, current: dict[str, Any], yours: dict[str, Any]
) -> EditMerge:
    """Three-way merge of one action's details. `base` is what the person opened (None
    when that version is not in the history: then every difference is a clash, since
    nobody can tell whose change it was); `yours` may hold only some fields, and a field
    it leaves out is one the person did not change."""
    values = dict(current)
    theirs: list[str] = []
    mine: list[str] = []
    clashes: list[str] = []
    for name, now in current.items():
        was = now if base is None else base[name]
        they_changed = base is None or _comparable(now) != _comparable(was)
        you_changed = name in yours and _comparable(yours[name]) != _comparable(was)
        if you_changed and _comparable(yours[name]) == _comparable(now):
            continue  # both made the same change
        if you_changed:
            values[name] = yours[name]
            (clashes if they_changed else mine).append(name)
        elif they_changed and base is not None:
            theirs.append(name)
    return EditMerge(values=values, theirs=tuple(theirs), yours=tuple(mine), clashes=tuple(clashes))


def _details(source: Any) -> dict[str, Any]:
    """The editable fields of an action or of one of its history records, foreign keys
    as ids (a history record may name a row deleted since)."""
    return {name: getattr(source, _column(name)) for name in EDITABLE_FIELDS}


def _column(name: str) -> str:
    field = Action._meta.get_field(name)
    assert isinstance(field, models.Field)  # EDITABLE_FIELDS are the model's own columns
    return field.attname


def action_edit_merge(*, current: Action, opened_version: int, yours: dict[str, Any]) -> EditMerge:
    """Merges a stale edit with the action as it is now; the version the person opened
    is read back from the action's history (every write bumps the version and records
    a history row)."""
    opened = current.history.filter(version=opened_version).first()
    return merge_edits(
        base=_details(opened) if opened else None, current=_details(current), yours=yours
    )


def _check_circle(action: Action) -> None:
    """Refuses an organisation, lead or monitoring forum from outside the review's
    circle (its owner and the partners it is shared with, docs/access.md): assigning
    across organisations would show the review to someone it was never shared with."""
    review = access.review_of(action)
    errors: dict[str, str] = {}
    if (
        action.owner_organisation_id
        and not access.assignable_organisations(review)
        .filter(pk=action.owner_organisation_id)
        .exists()
    ):
        errors["owner_organisation"] = (
            "This organisation does not work with the review's owner, and the review is not "
            "shared with it."
        )
    if (
        action.lead_user_id
        and not access.assignable_people(review).filter(pk=action.lead_user_id).exists()
    ):
        errors["lead_user"] = "The lead must belong to an organisation this review reaches."
    if (
        action.monitoring_forum_id
        and not access.assignable_forums(review).filter(pk=action.monitoring_forum_id).exists()
    ):
        errors["monitoring_forum"] = (
            "The forum must belong to the review's owner or to a partner it is shared with."
        )
    if errors:
        raise ValidationError(errors)


def _stale(action: Action) -> StaleActionError:
    latest = action.history.select_related("history_user").first()
    who = latest.history_user.display_name if latest and latest.history_user else "someone"
    return StaleActionError(
        action=action,
        changed_by=who,
        changed_at=latest.history_date if latest else action.updated_at,
    )


def action_check_version(*, action: Action, expected_version: int) -> None:
    """Raises StaleActionError if the action has moved on since the person opened it.
    For a form whose choices follow the current action (the status form): a post from
    an older version must be told of the conflict, not that its choice is invalid."""
    if action.version != expected_version:
        raise _stale(action)


def _lock(action: Action, expected_version: int | None) -> Action:
    """Re-reads the action under a row lock and refuses the write if it has moved on.
    Only progress updates pass None: they change nothing another person is editing."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and locked.version != expected_version:
        raise _stale(locked)
    return locked


def _save(action: Action, *, by: User, note: str) -> None:
    action.version += 1
    record_change(action, by=by, reason=note)
    action.full_clean()
    action.save()
    action.effective_due = action.effective_due_in_memory()


@dataclass(frozen=True)
class EvidenceNeed:
    """What a status needs of the action's evidence (docs/domain.md, rules 2 and 3), put
    two ways: as the status form explains it and as a refused change says it."""

    needs: str
    refusal: str


EVIDENCE_NEEDS: dict[str, EvidenceNeed] = {
    Status.COMPLETED: EvidenceNeed(
        needs="needs evidence first (at least one item that has not been rejected)",
        refusal="Add at least one evidence item before marking the action completed.",
    ),
    Status.ASSURED: EvidenceNeed(
        needs="needs accepted evidence first",
        refusal="Accept at least one evidence item before marking the action assured.",
    ),
}


def status_unmet_need(status: str, evidence_states: Iterable[str]) -> bool:
    """Whether the action's evidence (the review states of its items) falls short of what
    `status` needs: completed needs an item not rejected, assured an accepted one."""
    states = set(evidence_states)
    if status == Status.COMPLETED:
        return not (states - {EvidenceReviewState.REJECTED})
    if status == Status.ASSURED:
        return EvidenceReviewState.ACCEPTED not in states
    return False


@dataclass(frozen=True)
class StatusChoice:
    """One status as the status form shows it to a person: offered now, or with what it
    needs first."""

    value: str
    label: str
    offered: bool
    needs: str = ""


def status_choices(
    *, action: Action, user: User, evidence_states: Iterable[str]
) -> list[StatusChoice]:
    """Every status but the current one, for this person on this action: those they may
    set now, and for the others what each needs. The same rules action_set_status applies
    (access.settable_statuses for who, status_unmet_need for the evidence)."""
    settable = set(access.settable_statuses(user, action))
    states = set(evidence_states)
    choices = []
    for value, label in Status.choices:
        if value == action.status:
            continue
        if value not in settable:
            if value == Status.ASSURED:
                needs = "only the safeguarding team, once evidence is accepted"
            elif value == Status.CLOSED:
                needs = "only the safeguarding team, with the reason"
            else:
                needs = f"only the safeguarding team can move an action back from {action.get_status_display().lower()}"
            choices.append(StatusChoice(value, str(label), offered=False, needs=needs))
        elif status_unmet_need(value, states):
            choices.append(
                StatusChoice(value, str(label), offered=False, needs=EVIDENCE_NEEDS[value].needs)
            )
        else:
            choices.append(StatusChoice(value, str(label), offered=True))
    return choices


def action_set_status(
    *,
    action: Action,
    by: User,
    status: str,
    note: str,
    expected_version: int | None,
    closure_rationale: str = "",
) -> Action:
    """Moves an action to a new status under the rules of docs/domain.md:
    1. the person may set this status on this action;
    2. completed needs evidence; assured needs accepted evidence and a commissioner;
       closed needs a rationale;
    3. the change and its note are recorded; the note also becomes a progress update."""
    if status not in Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if not note.strip():
        raise ValidationError({"note": "Say what has changed."})
    with transaction.atomic():
        locked = _lock(action, expected_version)
        if status not in access.settable_statuses(by, locked):
            raise PermissionDenied(f"You cannot set this action to {Status(status).label.lower()}.")
        if status == locked.status:
            raise ValidationError(
                {"status": f"The action is already {locked.get_status_display().lower()}."}
            )
        if status in EVIDENCE_NEEDS and status_unmet_need(
            status, locked.evidence.values_list("review_state", flat=True)
        ):
            raise ValidationError({"status": EVIDENCE_NEEDS[status].refusal})
        if status == Status.CLOSED:
            if not closure_rationale.strip():
                raise ValidationError(
                    {"closure_rationale": "Say why the action is closed without completion."}
                )
            locked.closure_rationale = closure_rationale.strip()
        today = timezone.localdate()
        locked.status = status
        if status == Status.COMPLETED:
            locked.completed_on = today
        if status == Status.ASSURED:
            locked.assured_at, locked.assured_by = timezone.now(), by
            locked.completed_on = locked.completed_on or today
        elif status not in (Status.COMPLETED, Status.CLOSED):
            locked.completed_on = None
            locked.assured_at, locked.assured_by = None, None
        _save(locked, by=by, note=note.strip())
        ProgressUpdate.objects.create(action=locked, author=by, text=note.strip(), status=status)
    return locked


def progress_update_add(
    *, action: Action, by: User, text: str, expected_version: int | None = None
) -> ProgressUpdate:
    """Adds a dated narrative with the action's current status. It does not bump the
    action's version: an update posted while someone else edits the action's status
    changes nothing they are looking at."""
    access.require(by, Verb.UPDATE, action, "You cannot post updates on this action.")
    if not text.strip():
        raise ValidationError({"text": "Enter the update."})
    with transaction.atomic():
        locked = _lock(action, expected_version)
        update = ProgressUpdate(action=locked, author=by, text=text.strip(), status=locked.status)
        update.full_clean()
        update.save()
        Action.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return update


def action_create(*, recommendation: Recommendation, by: User, **fields: Any) -> Action:
    access.require(by, Verb.MANAGE, recommendation)
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"status"}
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    action = Action(recommendation=recommendation, **fields)
    record_change(action, by=by, reason="Action added")
    with transaction.atomic():
        action.full_clean()
        _check_circle(action)
        action.save()
    return action


def action_update(
    *, action: Action, by: User, expected_version: int | None, **fields: Any
) -> Action:
    """Edits an action's details (not its status). A revised due date can only move
    forward from the original (the original is kept for slippage reporting).
    If the action was saved since `expected_version`, nothing is written: the
    StaleEditError carries the field-by-field merge for the person to confirm."""
    access.require(by, Verb.MANAGE, action)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        try:
            locked = _lock(action, expected_version)
        except StaleActionError as stale:
            assert expected_version is not None  # _lock only refuses a stated version
            merge = action_edit_merge(
                current=stale.action, opened_version=expected_version, yours=fields
            )
            raise StaleEditError(
                action=stale.action,
                changed_by=stale.changed_by,
                changed_at=stale.changed_at,
                merge=merge,
            ) from None
        for name, value in fields.items():
            setattr(locked, name, value)
        _check_circle(locked)
        _save(locked, by=by, note="Details edited")
    return locked


def _managed_selection(actions: Iterable[Action], by: User) -> list[int]:
    """The chosen actions' ids, refused whole if the person may not change every one."""
    ids = [a.pk for a in actions]
    if Action.objects.managed_by(by).filter(pk__in=ids).count() != len(set(ids)):
        raise PermissionDenied("Only the safeguarding team of each review can change its actions.")
    return ids


def _bulk(actions: Iterable[Action], by: User, note: str, **changes: Any) -> int:
    ids = _managed_selection(actions, by)
    changed = 0
    with transaction.atomic():
        for action in Action.objects.select_for_update().filter(pk__in=ids):
            for name, value in changes.items():
                setattr(action, name, value)
            _check_circle(action)
            _save(action, by=by, note=note)
            changed += 1
    return changed


def action_bulk_set_lead(
    *, actions: Iterable[Action], by: User, lead_user: User | None, lead_role_title: str = ""
) -> int:
    changes: dict[str, Any] = {"lead_user": lead_user}
    if lead_role_title.strip():
        changes["lead_role_title"] = lead_role_title.strip()
    return _bulk(actions, by, "Lead set for several actions", **changes)


def action_bulk_set_forum(*, actions: Iterable[Action], by: User, forum: Forum | None) -> int:
    return _bulk(actions, by, "Monitoring forum set for several actions", monitoring_forum=forum)


@dataclass(frozen=True)
class BulkStatusResult:
    """What a bulk status change did: the actions moved, and each one the rules refused
    with the reason, in the words the single change would have used."""

    status: str
    changed: list[Action]
    refused: list[tuple[Action, str]]


def action_bulk_set_status(
    *, actions: Iterable[Action], by: User, status: str, note: str, closure_rationale: str = ""
) -> BulkStatusResult:
    """Sets one status on several actions under the single change's rules
    (action_set_status: who may set what, evidence for completed and assured, a rationale
    for closed, the note recorded as an update):
    1. refused whole unless the person manages every chosen action;
    2. each action in its own transaction, so a refused one writes nothing of itself and
       holds back none of the others;
    3. each refusal kept with its reason for the person to read."""
    ids = _managed_selection(actions, by)
    changed: list[Action] = []
    refused: list[tuple[Action, str]] = []
    chosen = Action.objects.filter(pk__in=ids).select_related("recommendation__review")
    for action in chosen.order_by("pk"):
        try:
            changed.append(
                action_set_status(
                    action=action,
                    by=by,
                    status=status,
                    note=note,
                    expected_version=None,
                    closure_rationale=closure_rationale,
                )
            )
        except ValidationError as error:
            refused.append((action, " ".join(error.messages)))
        except PermissionDenied as error:
            refused.append((action, str(error)))
    return BulkStatusResult(status=status, changed=changed, refused=refused)


def action_bulk_add_note(*, actions: Iterable[Action], by: User, text: str) -> int:
    ids = _managed_selection(actions, by)
    if not text.strip():
        raise ValidationError({"text": "Enter the update."})
    with transaction.atomic():
        targets = list(Action.objects.filter(pk__in=ids))
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(action=a, author=by, text=text.strip(), status=a.status) for a in targets
        )
        Action.objects.filter(pk__in=[a.pk for a in targets]).update(updated_at=timezone.now())
    return len(targets)


# --- evidence ----------------------------------------------------------------------


def evidence_attach(
    *, action: Action, by: User, files: list[UploadedFile], description: str
) -> list[Evidence]:
    """Stores one or more evidence files for an action (docs/evidence.md):
    1. the person may update the action (its provider, or a commissioner);
    2. every file is inspected before any is stored, so a bad file stores nothing;
    3. each file gets a random stored name; the person's name is display text only."""
    access.require(by, Verb.UPDATE, action, "You cannot add evidence to this action.")
    if not description.strip():
        raise ValidationError({"description": "Say what the evidence shows."})
    if not files:
        raise ValidationError({"files": "Choose at least one file."})
    limit = settings.EVIDENCE_MAX_FILES_PER_UPLOAD
    if len(files) > limit:
        raise ValidationError({"files": f"Upload at most {limit} files at a time."})
    inspected, problems = [], []
    for upload in files:
        try:
            inspected.append(inspect_upload(upload, upload.name or "", upload.size or 0))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({"files": problems})
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            Action.objects.select_for_update().get(pk=action.pk)
            for info, data in inspected:
                item = Evidence(
                    action=action,
                    description=description.strip()[:300],
                    original_filename=info.display_name,
                    content_type=info.allowed_type.content_type,
                    size_bytes=info.size,
                    sha256=info.sha256,
                    uploaded_by=by,
                    virus_scan=info.scan_result,
                )
                item.file.save(info.display_name, ContentFile(data), save=False)
                stored.append(item)
                record_change(item, by=by)
                item.full_clean()
                item.save()
    except Exception:
        # The rows rolled back; do not leave their files behind.
        for item in stored:
            item.file.delete(save=False)
        raise
    return stored


def _status_before_completion(action: Action) -> str:
    earlier = (
        action.history.exclude(status=Status.COMPLETED).values_list("status", flat=True).first()
    )
    if earlier in PROVIDER_SETTABLE_STATUSES and earlier != Status.COMPLETED:
        return earlier
    return Status.ON_TRACK


def evidence_review(*, evidence: Evidence, by: User, accept: bool, reason: str = "") -> Evidence:
    """Accepts or rejects a pending evidence item. Rejecting the evidence of an action
    marked completed hands the action back to its provider: the status returns to what
    it was before completion, with the reason in the history and the updates."""
    access.require(by, Verb.MANAGE, evidence, "Only the safeguarding team reviews evidence.")
    if not accept and not reason.strip():
        raise ValidationError({"reason": "Give the provider a reason for rejecting the evidence."})
    with transaction.atomic():
        item = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if item.review_state != EvidenceReviewState.PENDING:
            raise ValidationError("This evidence has already been reviewed.")
        item.review_state = EvidenceReviewState.ACCEPTED if accept else EvidenceReviewState.REJECTED
        item.rejection_reason = "" if accept else reason.strip()
        item.reviewed_by, item.reviewed_at = by, timezone.now()
        record_change(item, by=by)
        item.full_clean()
        item.save()
        action = Action.objects.select_for_update().get(pk=item.action_id)
        live = action.evidence.exclude(review_state=EvidenceReviewState.REJECTED)
        if not accept and action.status == Status.COMPLETED and not live.exists():
            note = f"Evidence “{item.original_filename}” rejected: {reason.strip()}"
            action.status = _status_before_completion(action)
            action.completed_on = None
            _save(action, by=by, note=note)
            ProgressUpdate.objects.create(action=action, author=by, text=note, status=action.status)
        if accept:
            told = f"“{item.original_filename}” ({item.description}) was accepted."
        else:
            told = (
                f"“{item.original_filename}” ({item.description}) was rejected: "
                f"{reason.strip()} Upload new evidence on the action's page."
            )
        notice_send(
            action=action,
            rung=Rung.EVIDENCE_ACCEPTED if accept else Rung.EVIDENCE_REJECTED,
            subject_key=f"evidence:{item.pk}",
            message=told,
        )
    return item


def evidence_download_record(
    *, evidence: Evidence, by: User, request: HttpRequest | None = None
) -> EvidenceDownload:
    """The download list on the evidence (docs/access.md) and the security audit log, which
    also keeps where from (`request`)."""
    audit_record(
        event=AuditEvent.EVIDENCE_DOWNLOAD,
        request=request,
        user=by,
        target=evidence,
        action=evidence.action_id,
        sha256=evidence.sha256,
    )
    return EvidenceDownload.objects.create(evidence=evidence, user=by)


# --- extensions --------------------------------------------------------------------


def _record(action: Action, *, by: User, note: str) -> None:
    """A history entry with a note and no change of fields (so no version bump)."""
    record_change(action, by=by, reason=note)
    action.save(update_fields=["updated_at"])


def extension_request(
    *, action: Action, by: User, proposed_date: date, reason: str
) -> ExtensionRequest:
    access.require(by, Verb.UPDATE, action, "You cannot ask for an extension on this action.")
    errors: dict[str, str] = {}
    current = action.effective_due
    if action.status in FINISHED_STATUSES:
        errors["proposed_date"] = "The action is already finished."
    elif proposed_date <= timezone.localdate():
        errors["proposed_date"] = "The new date must be in the future."
    elif current and proposed_date <= current:
        errors["proposed_date"] = (
            f"The new date must be after the current due date ({current:%-d %B %Y})."
        )
    if not reason.strip():
        errors["reason"] = "Say why more time is needed."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.extension_requests.filter(state=ExtensionState.PENDING).exists():
            raise ValidationError(
                {"proposed_date": "An extension request is already waiting for a decision."}
            )
        request = ExtensionRequest.objects.create(
            action=locked, requested_by=by, proposed_date=proposed_date, reason=reason.strip()
        )
        _record(
            locked,
            by=by,
            note=f"Extension requested to {proposed_date:%-d %b %Y}: {reason.strip()}",
        )
    return request


def extension_decide(
    *, request: ExtensionRequest, by: User, approve: bool, reason: str = ""
) -> ExtensionRequest:
    """Approves (the revised due date is set; the original is kept) or declines with a
    reason. Either way the decision is in the action's history."""
    access.require(by, Verb.MANAGE, request, "Only the safeguarding team decides extensions.")
    if not approve and not reason.strip():
        raise ValidationError({"reason": "Give the provider a reason for declining."})
    with transaction.atomic():
        locked_request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if locked_request.state != ExtensionState.PENDING:
            raise ValidationError("This extension request has already been decided.")
        action = Action.objects.select_for_update().get(pk=locked_request.action_id)
        locked_request.state = ExtensionState.APPROVED if approve else ExtensionState.DECLINED
        locked_request.decided_by, locked_request.decided_at = by, timezone.now()
        locked_request.decision_reason = reason.strip()
        locked_request.save()
        when = f"{locked_request.proposed_date:%-d %b %Y}"
        if approve:
            if action.due_date is None:
                action.due_date = locked_request.proposed_date
            else:
                action.revised_due_date = locked_request.proposed_date
            _save(
                action,
                by=by,
                note=f"Extension to {when} approved"
                + (f": {reason.strip()}" if reason.strip() else ""),
            )
            told = f"The action is now due on {when}." + (
                f" {reason.strip()}" if reason.strip() else ""
            )
        else:
            _record(action, by=by, note=f"Extension to {when} declined: {reason.strip()}")
            current = action.effective_due_in_memory()
            told = f"Extension to {when} refused: {reason.strip()}" + (
                f" The action is still due on {current:%-d %b %Y}." if current else ""
            )
        notice_send(
            action=action,
            rung=Rung.EXTENSION_GRANTED if approve else Rung.EXTENSION_REFUSED,
            subject_key=f"extension:{locked_request.pk}",
            message=told,
        )
    return locked_request


def notice_send(*, action: Action, rung: str, subject_key: str, message: str) -> int:
    """Tells the people of the action's owning organisation (its provider leads and
    contributors, nobody else) of a decision, in their notifications: a reminder row
    that is never emailed. Called inside the decision's transaction, so a decision is
    never made without its notice, nor a notice written for a decision rolled back. The
    unique key (recipient, subject, rung, day) makes a repeat harmless."""
    from accounts.models import User

    recipients = User.objects.filter(
        is_active=True,
        memberships__organisation_id=action.owner_organisation_id,
        memberships__role__in=PROVIDER_ROLES,
    ).distinct()
    now = timezone.now()
    notices = [
        Reminder(
            recipient=person,
            rung=rung,
            subject_key=subject_key,
            key_date=timezone.localdate(now),
            action=action,
            created_at=now,
            state=ReminderState.SKIPPED,
            message=message,
        )
        for person in recipients.only("pk")
    ]
    return len(Reminder.objects.bulk_create(notices, ignore_conflicts=True))


# --- the reminder inbox -----------------------------------------------------------------


def reminders_mark_read(*, user: User) -> int:
    return Reminder.objects.addressed_to(user).unread().update(read_at=timezone.now())


def digest_frequency_set(*, user: User, frequency: str) -> User:
    if frequency not in DigestFrequency.values:
        raise ValidationError({"digest_frequency": "Choose daily or weekly."})
    user.digest_frequency = frequency
    user.save(update_fields=["digest_frequency"])
    return user


def reminders_retry_undelivered(*, by: User, reminder_ids: Iterable[int] | None = None) -> int:
    """Puts undelivered reminders back in the queue, as new (no attempts, no backoff),
    after someone has put the cause right (a corrected address, a mail server fixed).
    All the undelivered reminders the person may see, or only those chosen."""
    access.require(by, Verb.MANAGE, None, "Only the safeguarding team can send reminders again.")
    undelivered = Reminder.objects.undelivered().about_work_of(by)
    if reminder_ids is not None:
        undelivered = undelivered.filter(pk__in=list(reminder_ids))
    return undelivered.update(
        state=ReminderState.PENDING, attempts=0, next_attempt_at=None, claim_token=""
    )
