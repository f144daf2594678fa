"""Writes of a plan import: the upload, the person's choices and answers, the import
itself (all or nothing, in one transaction) and discarding an unfinished one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import access
from accounts.access import Verb
from accounts.choices import OrganisationKind
from accounts.models import Organisation, User
from actions.choices import FINISHED_STATUSES, Status
from actions.models import Action, ProgressUpdate
from audit.choices import AuditEvent
from audit.services import audit_record
from imports.choices import CREATE_ORGANISATION, Field, ImportState, ReviewSource
from imports.headings import find_heading_row
from imports.models import PlanImport, SavedMapping
from imports.planning import CREATE, UPDATE, Plan, RowPlan
from imports.readers import SpreadsheetSource, UnreadableFile
from imports.selectors import headings_key, plan_for
from reviews.models import Recommendation, Review, ReviewType
from reviews.services import default_owner, outside_circle, similarities_request
from trackerapp.history import record_change
from trackerapp.uploads import UploadTooLarge, display_filename, megabytes, read_bounded

if TYPE_CHECKING:
    from accounts.models import User as UserType

BATCH = 500
# Fields of Action that a service sets from objects it already holds, so validating
# them would only cost one query per action.
ACTION_RELATIONS = [
    "recommendation",
    "owner_organisation",
    "lead_user",
    "monitoring_forum",
    "assured_by",
]


@dataclass
class ImportRefused(Exception):
    """The plan has errors (or nothing to import); nothing was written."""

    plan: Plan

    def __str__(self) -> str:
        if self.plan.error_count:
            n = self.plan.error_count
            return f"Nothing was imported: {n} problem{'s' if n != 1 else ''} to fix first."
        return "Nothing was imported: the file has no actions to import."


def _require_draft(plan_import: PlanImport, by: UserType) -> None:
    access.require(by, Verb.CREATE_REVIEW)
    if plan_import.uploaded_by_id != by.pk and not by.is_admin:
        raise PermissionDenied("This import belongs to someone else.")
    if plan_import.state == ImportState.COMMITTED:
        raise ValidationError("This file has already been imported; nothing more can change.")


def _read_upload(upload: IO[bytes], limit: int) -> tuple[bytes, str]:
    """The upload's bytes and SHA-256, refusing it as soon as it passes the limit."""
    try:
        return read_bounded(upload, limit)
    except UploadTooLarge:
        raise ValidationError(
            {
                "file": f"The file is larger than {megabytes(limit)} MB. Split the plan, "
                "or delete unused sheets, and upload it again."
            }
        ) from None


def plan_import_upload(*, by: UserType, upload: IO[bytes], filename: str) -> PlanImport:
    """Keeps an uploaded plan for the next steps:
    1. a commissioner only; the size is bounded and the type read from the content;
    2. the workbook is opened and its sheets read now, so a damaged file is refused
       at once rather than halfway through;
    3. stored under a random name in private storage with its SHA-256; the first sheet
       with recognisable headings is proposed."""
    access.require(by, Verb.CREATE_REVIEW)
    data, sha256 = _read_upload(upload, settings.IMPORT_MAX_UPLOAD_BYTES)
    # A name with nothing printable left has always been kept as "evidence".
    name = display_filename(filename, default="evidence")
    chosen_sheet = ""
    try:
        with SpreadsheetSource(data, name) as source:
            names = source.sheet_names
            if not names:
                raise UnreadableFile("This workbook has no sheets with cells in them.")
            for sheet_name in names:
                sheet = source.read(sheet_name)
                if find_heading_row(sheet.rows) is not None:
                    chosen_sheet = sheet.name
                    break
            kind = source.kind
    except UnreadableFile as error:
        raise ValidationError({"file": str(error)}) from None
    plan_import = PlanImport(
        uploaded_by=by,
        original_filename=name,
        size_bytes=len(data),
        sha256=sha256,
        file_kind=kind,
        sheet_name=chosen_sheet or names[0],
    )
    plan_import.source_file.save(name, ContentFile(data), save=False)
    try:
        plan_import.full_clean()
        plan_import.save()
    except Exception:
        plan_import.source_file.delete(save=False)
        raise
    return plan_import


def plan_import_choose(
    *,
    plan_import: PlanImport,
    by: UserType,
    sheet_name: str,
    header_row: int,
    headings: list[object],
    columns: dict[int, str],
    review_source: str,
    review: Review | None = None,
    new_review_reference: str = "",
    new_review_title: str = "",
    new_review_type: ReviewType | None = None,
    commissioning_body: Organisation | None = None,
    default_owner: Organisation | None = None,
    plan_year: int | None = None,
    position_date: date | None = None,
    save_mapping: bool = False,
) -> PlanImport:
    """Records which sheet, which row of headings and what each column holds, and
    which review the rows go into; optionally saves the columns for next time."""
    _require_draft(plan_import, by)
    if review is not None and not access.may(by, Verb.MANAGE, review):
        raise PermissionDenied("You cannot add to that review.")
    if default_owner is not None and not (
        access.reachable_organisations(by).filter(pk=default_owner.pk).exists()
    ):
        raise ValidationError({"default_owner": "Choose an organisation from the list."})
    if position_date is not None and position_date > timezone.localdate():
        raise ValidationError({"position_date": "The plan's position cannot be in the future."})
    unknown = set(columns.values()) - set(Field.values)
    if unknown:
        raise ValidationError(f"Not a field: {sorted(unknown)}")
    with transaction.atomic():
        locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        locked.sheet_name = sheet_name
        locked.header_row = header_row
        locked.columns = {str(i): f for i, f in sorted(columns.items()) if f != Field.IGNORE}
        locked.review_source = review_source
        locked.review = review if review_source == ReviewSource.EXISTING else None
        locked.new_review_reference = new_review_reference.strip()
        locked.new_review_title = new_review_title.strip()
        locked.new_review_type = new_review_type
        locked.commissioning_body = commissioning_body
        locked.default_owner = default_owner
        locked.plan_year = plan_year
        locked.position_date = position_date
        locked.full_clean()
        locked.save()
        if save_mapping:
            # Saved for the person's own team; an administrator's are for every team.
            team = next(iter(sorted(access.reach(by).commissioner)), None)
            SavedMapping.objects.update_or_create(
                organisation_id=team,
                headings_key=headings_key(headings),
                defaults={
                    "headings": [str(h) if h is not None else "" for h in headings],
                    "columns": locked.columns,
                    "saved_by": by,
                    "saved_at": timezone.now(),
                },
            )
    return locked


def plan_import_resolve(
    *,
    plan_import: PlanImport,
    by: UserType,
    organisations: dict[str, str] | None = None,
    leads: dict[str, str] | None = None,
    statuses: dict[str, str] | None = None,
) -> PlanImport:
    """Records the person's answers about names the tracker did not recognise: an
    organisation matched to one in the tracker or to be created, a lead linked to a
    person, a status word given a meaning. An empty answer forgets an earlier one."""
    _require_draft(plan_import, by)
    organisations, leads, statuses = organisations or {}, leads or {}, statuses or {}
    reachable = access.reachable_organisations(by)
    org_ids = {int(v) for v in organisations.values() if v and v != CREATE_ORGANISATION}
    if org_ids - set(reachable.filter(pk__in=org_ids).values_list("pk", flat=True)):
        raise ValidationError("Choose an organisation from the list.")
    user_ids = {int(v) for v in leads.values() if v}
    if user_ids - set(
        User.objects.filter(
            pk__in=user_ids, is_active=True, memberships__organisation__in=reachable
        ).values_list("pk", flat=True)
    ):
        raise ValidationError("Choose a person from the list.")
    if {v for v in statuses.values() if v} - set(Status.values):
        raise ValidationError("Choose a status from the list.")
    with transaction.atomic():
        locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        for stored, answers in (
            (locked.organisation_choices, organisations),
            (locked.lead_choices, leads),
            (locked.status_choices, statuses),
        ):
            for key, value in answers.items():
                if value:
                    stored[key] = value
                else:
                    stored.pop(key, None)
        locked.save(update_fields=["organisation_choices", "lead_choices", "status_choices"])
    return locked


def plan_import_discard(*, plan_import: PlanImport, by: UserType) -> None:
    """Deletes an unfinished import and its stored file."""
    _require_draft(plan_import, by)
    stored = plan_import.source_file
    with transaction.atomic():
        PlanImport.objects.filter(pk=plan_import.pk, state=ImportState.DRAFT).delete()
        transaction.on_commit(lambda: stored.delete(save=False))


def plan_import_commit(
    *,
    plan_import: PlanImport,
    by: UserType,
    update_in_place: bool = False,
    request: HttpRequest | None = None,
) -> PlanImport:
    """Imports the plan, all or nothing:
    1. the file is read again and planned again inside the transaction (the preview
       is never trusted); any error, or the same file imported before without
       "update in place", refuses the whole import;
    2. organisations the person chose to create, new reviews, new recommendations and
       actions are written, each with a history entry saying "Imported from <file>
       (sha256 …) by <person>"; rows that match an existing action by reference update
       it in place instead (only the columns the file has);
    3. latest updates become progress updates; the import record keeps the counts;
    4. the audit log records the import (file, hash, counts) in the same transaction,
       so an import is never in the tracker without its entry, nor the entry without it."""
    try:
        with transaction.atomic():
            locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
            _require_draft(locked, by)
            try:
                plan = plan_for(locked, user=by, update_in_place=update_in_place)
            except UnreadableFile as error:
                raise ValidationError(str(error)) from None
            if not plan.can_commit:
                raise ImportRefused(plan)
            # An import that adds nothing only updates in place, whatever was ticked: it
            # is recorded so (and may be repeated, as re-importing an export is).
            locked.update_in_place = update_in_place or plan.actions_to_create == 0
            _write(locked, plan, by)
            audit_record(
                event=AuditEvent.IMPORT,
                request=request,
                user=by,
                target=locked,
                file=locked.original_filename,
                sha256=locked.sha256,
                actions_created=locked.actions_created,
                actions_updated=locked.actions_updated,
                actions_unchanged=locked.actions_unchanged,
                update_in_place=update_in_place,
            )
    except IntegrityError:
        raise ValidationError(
            "This file has just been imported by someone else; nothing was imported twice."
        ) from None
    return locked


def _write(plan_import: PlanImport, plan: Plan, by: UserType) -> None:
    reason = plan_import.change_reason(by)
    now = timezone.now()
    # New reviews are owned by the importer's safeguarding team; organisations the file
    # brings in work with the owner, so that its actions may be assigned to them.
    owner = plan_import.review.owner if plan_import.review else default_owner(by)

    organisations: dict[str, int] = {}
    for planned in plan.new_organisations.values():
        organisation = Organisation(
            name=planned.name, short_name=planned.short_name, kind=OrganisationKind.PROVIDER
        )
        organisation.full_clean()
        organisation.save()
        organisation.commissioned_by.add(owner)
        organisations[planned.key] = organisation.pk

    def owner_of(row: RowPlan) -> int:
        return row.owner_id or organisations[row.owner_new]

    review_ids: dict[str, int] = {}
    for planned_review in plan.reviews.values():
        if planned_review.existing is not None:
            review_ids[planned_review.key] = planned_review.existing.id
            if planned_review.grouping != planned_review.existing.grouping:
                # A review with no plan yet takes the file's grouping (imports.planning).
                existing = Review.objects.select_for_update().get(pk=planned_review.existing.id)
                existing.plan_grouping = planned_review.grouping
                record_change(existing, by=by, reason=reason)
                existing.full_clean()
                existing.save()
            continue
        review = Review(
            review_type_id=planned_review.type_id,
            reference=planned_review.reference,
            title=planned_review.title,
            plan_grouping=planned_review.grouping,
            # Set for any plan with new reviews (imports.planning refuses one without).
            commissioning_body_id=plan_import.commissioning_body_id,  # type: ignore[misc]
            owner=owner,
        )
        record_change(review, by=by, reason=reason)
        review.full_clean()
        review.save()
        review_ids[planned_review.key] = review.pk

    recommendation_ids: dict[tuple[str, str], int] = {}
    new_recommendations = []
    for key, planned_recommendation in plan.recommendations.items():
        if planned_recommendation.existing_id is not None:
            recommendation_ids[key] = planned_recommendation.existing_id
            continue
        addressed = planned_recommendation.addressed_to
        addressed_id = None
        if addressed and addressed.startswith("id:"):
            addressed_id = int(addressed[3:])
        elif addressed:
            addressed_id = organisations[addressed[4:]]
        recommendation = Recommendation(
            review_id=review_ids[planned_recommendation.review_key],
            number=planned_recommendation.number,
            text=planned_recommendation.text,
            addressed_to_id=addressed_id,
        )
        recommendation.full_clean(
            exclude=["review", "addressed_to"], validate_unique=False, validate_constraints=False
        )
        new_recommendations.append((key, recommendation))
    created = bulk_create_with_history(
        [r for _k, r in new_recommendations],
        Recommendation,
        batch_size=BATCH,
        default_user=by,
        default_change_reason=reason,
        default_date=now,
    )
    for (key, _draft), saved in zip(new_recommendations, created, strict=True):
        recommendation_ids[key] = saved.pk

    created_rows: list[tuple[RowPlan, Action]] = []
    for row in plan.rows:
        if row.outcome != CREATE:
            continue
        action = Action(
            recommendation_id=recommendation_ids[(row.review_key, row.rec_number)],
            number=row.action_number,
            description=row.description,
            owner_organisation_id=owner_of(row),
            lead_role_title=row.lead_role_title,
            lead_user_id=row.lead_user_id,
            original_time_frame=row.time_frame,
            due_date=row.due,
            revised_due_date=row.revised,
            expected_outcome=row.expected_outcome,
            evidence_required=row.evidence_required,
            status=row.status,
            closure_rationale=row.closure_rationale,
        )
        _validate(action, row)
        created_rows.append((row, action))
    saved_actions = bulk_create_with_history(
        [a for _r, a in created_rows],
        Action,
        batch_size=BATCH,
        default_user=by,
        default_change_reason=reason,
        default_date=now,
    )
    created_rows = [
        (row, saved) for (row, _draft), saved in zip(created_rows, saved_actions, strict=True)
    ]

    updated_rows = _update_in_place(plan, by=by, reason=reason, now=now, owner_of=owner_of)

    # Updates are dated as at the plan's position, not the day it was imported: a
    # year-old update column is a year-old update (docs/imports.md).
    if plan_import.position_date is not None:
        now = timezone.make_aware(datetime.combine(plan_import.position_date, time(12)))
    updates: list[ProgressUpdate] = []
    for row, action in created_rows + updated_rows:
        # Oldest first, so that the plan's latest update stays the latest.
        if row.time_frame_full:
            updates.append(
                ProgressUpdate(
                    action=action,
                    author=by,
                    text=f"Time frame as written in the imported plan: {row.time_frame_full}",
                    status=action.status,
                    created_at=now - timedelta(seconds=2),
                )
            )
        if row.evidence_note:
            updates.append(
                ProgressUpdate(
                    action=action,
                    author=by,
                    text=f"Evidence listed in the imported plan (no file attached): {row.evidence_note}",
                    status=action.status,
                    created_at=now - timedelta(seconds=1),
                )
            )
        if row.update_text and row.update_text != row.existing_update:
            updates.append(
                ProgressUpdate(
                    action=action,
                    author=by,
                    text=row.update_text,
                    status=action.status,
                    created_at=now,
                )
            )
    ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
    _check_circles(review_ids.values(), by)

    plan_import.state = ImportState.COMMITTED
    plan_import.committed_at = timezone.now()
    plan_import.rows_read = len(plan.rows)
    plan_import.actions_created = len(created_rows)
    plan_import.actions_updated = len(updated_rows)
    plan_import.actions_unchanged = plan.actions_unchanged
    plan_import.recommendations_created = len(new_recommendations)
    plan_import.reviews_created = len(plan.new_reviews)
    plan_import.organisations_created = len(organisations)
    plan_import.save()
    plan_import.reviews.set(review_ids.values())
    if new_recommendations:
        # One recompute for the whole import, on the worker once it commits.
        similarities_request()


def _check_circles(review_ids: Iterable[int], by: UserType) -> None:
    """The whole import is refused (the transaction rolls back) if any review it
    touched now points outside its circle: the file named an organisation, lead or
    forum of an organisation the review has not been shared with (docs/access.md)."""
    for review in Review.objects.filter(pk__in=list(review_ids)):
        access.require(by, Verb.MANAGE, review, f"You cannot add to {review.reference}.")
        left_out = outside_circle(review)
        if left_out:
            raise ValidationError(
                f"Nothing was imported: {review.reference} would reach organisations it is "
                f"not shared with ({'; '.join(left_out)})."
            )


def _validate(action: Action, row: RowPlan) -> None:
    try:
        action.full_clean(
            exclude=ACTION_RELATIONS, validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        raise ValidationError(f"Row {row.number}: {' '.join(error.messages)}") from None


def _update_in_place(
    plan: Plan,
    *,
    by: UserType,
    reason: str,
    now: datetime,
    owner_of: Callable[[RowPlan], int],
) -> list[tuple[RowPlan, Action]]:
    """Rows matched to an existing action by reference change only what the file has
    a column for; an empty cell leaves the tracker's value alone."""
    rows = [row for row in plan.rows if row.outcome == UPDATE]
    if not rows:
        return []
    current = Action.objects.select_for_update().in_bulk([row.existing_action_id for row in rows])
    changed: list[tuple[RowPlan, Action]] = []
    touched: set[str] = set()
    for row in rows:
        action = current[row.existing_action_id]
        # The planner worked out what differs (imports.planning rule 8), so the preview
        # and the import count the same rows.
        values: dict[str, Any] = dict(row.changes)
        if "owner_organisation_id" in values:
            values["owner_organisation_id"] = owner_of(row)
        if "status" in values:
            if row.status == Status.CLOSED:
                values["closure_rationale"] = row.closure_rationale
            if row.status not in FINISHED_STATUSES:
                values.update(completed_on=None, assured_at=None, assured_by=None)
        for name, value in values.items():
            setattr(action, name, value)
        touched.update(values)
        action.version += 1
        action.updated_at = now
        _validate(action, row)
        changed.append((row, action))
    if changed:
        fields = sorted({"version", "updated_at"} | {name.removesuffix("_id") for name in touched})
        bulk_update_with_history(
            [a for _r, a in changed],
            Action,
            fields,
            batch_size=BATCH,
            default_user=by,
            default_change_reason=reason,
            default_date=now,
        )
    return changed
