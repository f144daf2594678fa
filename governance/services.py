"""Writes for meetings and committee papers, and the Excel exports (each one written to
the audit log).

A paper's life: created as a draft → built (snapshot taken, draft PDF rendered, in a
Celery task) → issued (the checked snapshot re-rendered without the draft marking and
frozen) → possibly superseded by a corrected new version. An issued paper's PDF,
snapshot and hash never change.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django import db
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import access
from accounts.access import Verb
from actions.models import ActionQuerySet
from actions.selectors import action_list_for
from audit.choices import AuditEvent
from audit.services import audit_record
from governance.choices import EXPORT_CLASSIFICATION, BuildState, PaperState
from governance.models import Forum, Meeting, Paper, PaperDownload
from governance.plan_workbook import ExportMarking, actions_workbook, export_filename
from governance.rendering import render_paper_html, render_pdf, render_quarterly_html
from governance.selectors import paper_snapshot
from governance.word import paper_docx, quarterly_report_docx
from reviews.models import Review
from reviews.selectors import review_plan_for
from trackerapp.history import record_change

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import Organisation, User
    from actions.forms import ActionFilterForm

logger = logging.getLogger(__name__)


class PaperStateError(Exception):
    """The paper is not in a state that allows this (e.g. rebuilding an issued paper)."""


BUILDER_UNREACHABLE = (
    "The paper builder could not be reached. Nothing was built; try again in a few minutes."
)


class PaperBuilderUnreachable(Exception):
    """The build or issue could not be handed to the paper builder (the Celery broker).
    The paper has been put back so that the secretary can try again."""


FORUM_FIELDS = (
    "name",
    "short_name",
    "kind",
    "provider",
    "reports_to",
    "cadence",
    "paper_deadline_days",
    "chair",
    "secretary",
    "terms_of_reference",
)


def forum_create(
    *,
    by: User,
    organisation: Organisation,
    monitored_reviews: Iterable[Review] = (),
    **fields: Any,
) -> Forum:
    """Sets up a forum of an organisation in which the person is a committee secretary
    or on the safeguarding team (docs/access.md)."""
    access.require(by, Verb.MANAGE_FORUMS, organisation)
    forum = Forum(organisation=organisation)
    return _forum_save(
        forum, by=by, monitored_reviews=monitored_reviews, reason="Forum set up", **fields
    )


def forum_update(
    *, forum: Forum, by: User, monitored_reviews: Iterable[Review] = (), **fields: Any
) -> Forum:
    """Changes a forum's terms and the reviews it monitors. The organisation holding it
    never changes here (papers and meetings hang on it)."""
    access.require(by, Verb.MANAGE_FORUMS, forum)
    with transaction.atomic():
        locked = Forum.objects.select_for_update().get(pk=forum.pk)
        return _forum_save(
            locked, by=by, monitored_reviews=monitored_reviews, reason="Forum changed", **fields
        )


def _forum_save(
    forum: Forum, *, by: User, monitored_reviews: Iterable[Review], reason: str, **fields: Any
) -> Forum:
    unknown = set(fields) - set(FORUM_FIELDS)
    if unknown:
        raise TypeError(f"Not forum fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(forum, name, value)
    _check_forum_links(forum, by=by, monitored_reviews=monitored_reviews)
    with transaction.atomic():
        record_change(forum, by=by, reason=reason)
        forum.full_clean()
        forum.save()
        _set_monitored_reviews(forum, by=by, chosen=monitored_reviews)
    return forum


def _check_forum_links(forum: Forum, *, by: User, monitored_reviews: Iterable[Review]) -> None:
    """Everything a forum names stays in its organisation's reach: people of that
    organisation, a provider working with it, a forum of the same organisation to report
    to (never itself or one reporting up to it), reviews in its circle that the person
    may offer. A posted id from elsewhere is an error, never a change."""
    errors: dict[str, str] = {}
    organisation_id = forum.organisation_id
    for name in ("chair", "secretary"):
        person = getattr(forum, name)
        if (
            person is not None
            and not person.memberships.filter(organisation_id=organisation_id).exists()
        ):
            errors[name] = "Choose someone of the organisation that holds the forum."
    if forum.provider is not None and not (
        forum.provider.commissioned_by.filter(pk=organisation_id).exists()
    ):
        errors["provider"] = "Choose a provider that works with the organisation."
    if forum.reports_to is not None:
        above = forum.reports_to
        if above.organisation_id != organisation_id:
            errors["reports_to"] = "A forum reports to a forum of the same organisation."
        else:
            # Walked as saved (one query a level; chains are a few forums long).
            chain: set[int] = set()
            step: int | None = above.pk
            while step is not None and step not in chain:
                if forum.pk and step == forum.pk:
                    errors["reports_to"] = (
                        "That forum reports up to this one; a forum cannot report to itself."
                    )
                    break
                chain.add(step)
                step = Forum.objects.filter(pk=step).values_list("reports_to_id", flat=True).first()
    offered = set(access.monitorable_reviews(by, {organisation_id}).values_list("pk", flat=True))
    if any(review.pk not in offered for review in monitored_reviews):
        errors["monitored_reviews"] = (
            "A forum monitors only reviews of its organisation or shared with it."
        )
    if errors:
        raise ValidationError(errors)


def _set_monitored_reviews(forum: Forum, *, by: User, chosen: Iterable[Review]) -> None:
    """The chosen reviews, and those monitored already that the person was not offered
    (a restricted review, say) kept as they were. Each review that gains or loses the
    forum records it in its own history."""
    offered = set(
        access.monitorable_reviews(by, {forum.organisation_id}).values_list("pk", flat=True)
    )
    current = set(forum.monitored_reviews.values_list("pk", flat=True))
    wanted = {review.pk for review in chosen} | (current - offered)
    added, removed = wanted - current, current - wanted
    if not added and not removed:
        return
    forum.monitored_reviews.set(wanted)
    for review in Review.objects.filter(pk__in=added | removed):
        verb = "Now monitored by" if review.pk in added else "No longer monitored by"
        record_change(review, by=by, reason=f"{verb} {forum.short_name}")
        review.save(update_fields=["updated_at"])


def meeting_create(*, forum: Forum, by: User, held_on: date, location: str = "") -> Meeting:
    access.require(by, Verb.MANAGE_PAPERS, forum)
    if held_on < timezone.localdate():
        raise ValidationError({"held_on": "A new meeting must be today or later."})
    meeting = Meeting(forum=forum, held_on=held_on, location=location)
    meeting.full_clean()
    record_change(meeting, by=by)
    meeting.save()
    return meeting


def _check_meeting_for_new_paper(meeting: Meeting) -> None:
    if meeting.is_past:
        raise ValidationError(
            {
                "meeting": f"The meeting on {meeting.held_on:%-d %B %Y} has already taken "
                "place. Choose an upcoming meeting."
            }
        )


def paper_create(*, meeting: Meeting, by: User, **fields: object) -> Paper:
    """A new draft paper for an upcoming meeting."""
    access.require(by, Verb.MANAGE_PAPERS, meeting)
    _check_meeting_for_new_paper(meeting)
    paper = Paper(meeting=meeting, created_by=by, **fields)
    paper.full_clean()
    paper.save()
    return paper


def paper_update(*, paper: Paper, by: User, **fields: object) -> Paper:
    """Edit a draft's cover details. Any built PDF is now out of date, so it is dropped
    and the paper must be built again before it can be issued."""
    access.require(by, Verb.MANAGE_PAPERS, paper)
    moved_to = fields.get("meeting")
    if moved_to is not None:
        access.require(by, Verb.MANAGE_PAPERS, moved_to)
    with transaction.atomic():
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        if paper.is_frozen:
            raise PaperStateError("An issued paper cannot be changed; issue a new version.")
        for name, value in fields.items():
            setattr(paper, name, value)
        if "meeting" in fields:
            _check_meeting_for_new_paper(paper.meeting)
        paper.full_clean()
        _drop_draft_pdf(paper)
        paper.save()
    return paper


def _drop_draft_pdf(paper: Paper) -> None:
    if paper.pdf:
        paper.pdf.delete(save=False)
    paper.pdf = ""
    paper.pdf_sha256 = ""
    paper.snapshot = None
    paper.data_as_at = None
    paper.page_count = None
    paper.build_state = BuildState.NONE
    paper.build_progress = 0
    paper.build_message = ""


def paper_build_request(*, paper: Paper, by: User) -> Paper:
    """Queue a (re)build of a draft. Claimed with a conditional update, so a double
    click or two secretaries at once queue one build, not two."""
    access.require(by, Verb.MANAGE_PAPERS, paper)
    if paper.state != PaperState.DRAFT:
        raise PaperStateError("Only a draft paper can be built.")
    paper.refresh_from_db()
    if paper.build_state in (BuildState.QUEUED, BuildState.BUILDING) and not paper.build_is_stalled:
        return paper
    claimed_at = timezone.now()
    # Conditional on what we just read: of two requests at once, one wins.
    claimed = Paper.objects.filter(
        pk=paper.pk,
        state=PaperState.DRAFT,
        build_state=paper.build_state,
        build_started_at=paper.build_started_at,
    ).update(
        build_state=BuildState.QUEUED,
        build_progress=0,
        build_message="Waiting for the paper builder to start.",
        build_started_at=claimed_at,
    )
    if claimed:
        # A draft already built keeps its PDF if nothing could be queued.
        was_ready = paper.build_state == BuildState.READY
        _enqueue_build(
            paper.pk,
            claimed_at=claimed_at,
            if_unreachable={
                "build_state": BuildState.READY if was_ready else BuildState.FAILED,
                "build_progress": 100 if was_ready else 0,
            },
        )
    paper.refresh_from_db()
    _raise_if_unreachable(paper, claimed_at)
    return paper


def paper_issue_request(*, paper: Paper, by: User) -> Paper:
    """Issue the paper as last built: its snapshot is the one the secretary checked.
    The final PDF (without the draft marking) is rendered from that snapshot. An issue
    that no worker took up (see Paper.build_is_stalled) may be requested again."""
    access.require(by, Verb.MANAGE_PAPERS, paper)
    paper.refresh_from_db()
    if paper.state == PaperState.ISSUING and paper.build_is_stalled:
        # Conditional on what we just read, as for a rebuild: of two retries, one wins.
        claimable = Q(
            state=PaperState.ISSUING,
            build_state=paper.build_state,
            build_started_at=paper.build_started_at,
        )
    else:
        claimable = Q(state=PaperState.DRAFT, build_state=BuildState.READY)
    claimed_at = timezone.now()
    claimed = Paper.objects.filter(claimable, pk=paper.pk).update(
        state=PaperState.ISSUING,
        issued_by=by,
        issued_at=claimed_at,
        build_state=BuildState.QUEUED,
        build_progress=0,
        build_message="Waiting to render the issued paper.",
        build_started_at=claimed_at,
    )
    if not claimed:
        paper.refresh_from_db()
        if paper.state != PaperState.DRAFT:
            raise PaperStateError("This paper has already been issued.")
        raise PaperStateError("Build the paper and check it before issuing it.")
    # Back to the checked draft, ready to issue again: nothing of it has changed.
    _enqueue_build(
        paper.pk,
        claimed_at=claimed_at,
        if_unreachable={
            "state": PaperState.DRAFT,
            "issued_by": None,
            "issued_at": None,
            "build_state": BuildState.READY,
            "build_progress": 100,
        },
    )
    paper.refresh_from_db()
    _raise_if_unreachable(paper, claimed_at)
    return paper


def _enqueue_build(
    paper_id: int, *, claimed_at: datetime, if_unreachable: dict[str, object]
) -> None:
    transaction.on_commit(partial(_publish_build, paper_id, claimed_at, if_unreachable))


def _publish_build(paper_id: int, claimed_at: datetime, if_unreachable: dict[str, object]) -> None:
    """Hand the build to the broker. If that fails the paper must not be left waiting
    for a task that will never come: it is put back as if_unreachable says, with the
    reason. Never raises, as an on_commit callback that raised would skip the callbacks
    after it and turn the secretary's request into a server error."""
    # Imported here: the task module imports this one (its task calls the service).
    from governance.tasks import paper_build

    if paper_build.app.conf.task_always_eager and settings.PAPER_BUILD_IN_BACKGROUND:
        _build_in_background(paper_id)
        return
    try:
        # Nobody waits on the result: the paper row is the result. Asking for one would
        # also make each web process subscribe to it on the result backend first.
        paper_build.apply_async(args=[paper_id], ignore_result=True)
    except Exception:
        # Whatever the cause (broker down, timed out, refused), nothing was queued.
        logger.exception("Paper %s: the build could not be handed to the broker", paper_id)
        # Only the claim this request made: a worker that did get a message moves it on.
        Paper.objects.filter(
            pk=paper_id, build_state=BuildState.QUEUED, build_started_at=claimed_at
        ).update(build_message=BUILDER_UNREACHABLE, **if_unreachable)


def _build_in_background(paper_id: int) -> threading.Thread:
    """No broker: the build runs in a thread of this process, so the request that asked
    for it returns at once to the paper page, which polls the build's progress. The
    thread has its own database connection, closed when it ends; a build that fails is
    recorded on the paper by paper_build itself."""
    # Imported here: the task module imports this one (its task calls the service).
    from governance.tasks import paper_build

    def run() -> None:
        try:
            paper_build.apply(args=[paper_id])
        except Exception:
            logger.exception("Paper %s: the background build stopped", paper_id)
        finally:
            db.connections.close_all()

    thread = threading.Thread(target=run, name=f"paper-build-{paper_id}", daemon=True)
    thread.start()
    return thread


def _raise_if_unreachable(paper: Paper, claimed_at: datetime) -> None:
    # Outside a transaction the publish has already run; inside one it runs at commit,
    # and a failure is then recorded on the paper for the page to show.
    if paper.build_started_at == claimed_at and paper.build_message == BUILDER_UNREACHABLE:
        raise PaperBuilderUnreachable(BUILDER_UNREACHABLE)


def _progress(paper_id: int, percent: int, message: str) -> None:
    Paper.objects.filter(pk=paper_id).update(
        build_state=BuildState.BUILDING, build_progress=percent, build_message=message
    )


def paper_build(*, paper_id: int) -> Paper:
    """The task's work: take the snapshot (drafts only), render HTML and PDF, store.

    1. A draft gets a fresh snapshot and a draft-marked PDF.
    2. A paper being issued is rendered from its stored snapshot, frozen and marked
       issued; if that fails it goes back to draft with the reason, never half-issued.
    """

    paper = Paper.objects.select_related("meeting__forum__organisation", "supersedes").get(
        pk=paper_id
    )
    if paper.state == PaperState.ISSUED:
        return paper
    issuing = paper.state == PaperState.ISSUING
    try:
        if issuing:
            snapshot = paper.snapshot
        else:
            _progress(paper.pk, 10, "Collecting the figures and actions.")
            snapshot = paper_snapshot(paper)
        _progress(paper.pk, 40, "Laying out the pages.")
        html = render_paper_html(snapshot, draft=not issuing, for_pdf=True)
        pdf_bytes, pages = render_pdf(html)
        _progress(paper.pk, 90, "Saving the PDF.")
    except Exception as error:
        Paper.objects.filter(pk=paper.pk).update(
            state=PaperState.DRAFT if issuing else paper.state,
            issued_at=None if issuing else paper.issued_at,
            issued_by=None if issuing else paper.issued_by,
            build_state=BuildState.FAILED,
            build_message=f"The paper could not be built: {error}"[:300],
        )
        # Recorded on the paper for the secretary to see and retry; not re-raised, so an
        # in-process build (no broker) does not turn the request into a server error.
        logger.exception("Paper %s could not be built", paper.pk)
        paper.refresh_from_db()
        return paper
    with transaction.atomic():
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        if paper.state == PaperState.ISSUED:  # a duplicate task got here first
            return paper
        old_file = paper.pdf.name if paper.pdf else ""
        paper.pdf.save(paper.pdf_filename, ContentFile(pdf_bytes), save=False)
        paper.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
        paper.page_count = pages
        if not issuing:
            paper.snapshot = snapshot
            paper.data_as_at = datetime.fromisoformat(snapshot["as_at"])
        paper.state = PaperState.ISSUED if issuing else PaperState.DRAFT
        paper.build_state = BuildState.READY
        paper.build_progress = 100
        paper.build_message = ""
        paper.save()
    if old_file:
        # Only ever a draft's PDF: an issued paper is never rebuilt.
        paper.pdf.storage.delete(old_file)
    return paper


def paper_new_version(*, paper: Paper, by: User) -> Paper:
    """A correction: a new draft with the same cover details, saying which version it
    supersedes. The issued paper itself is untouched."""
    access.require(by, Verb.MANAGE_PAPERS, paper)
    if paper.state != PaperState.ISSUED:
        raise PaperStateError("Only an issued paper can be corrected by a new version.")
    if Paper.objects.filter(supersedes=paper).exists():
        raise PaperStateError("A newer version of this paper already exists.")
    correction = Paper(
        meeting=paper.meeting,
        title=paper.title,
        author=paper.author,
        agenda_item=paper.agenda_item,
        period=paper.period,
        purpose=paper.purpose,
        asks=list(paper.asks),
        classification=paper.classification,
        executive_lead=paper.executive_lead,
        presenter=paper.presenter,
        previously_considered_by=paper.previously_considered_by,
        assurance_level=paper.assurance_level,
        assurance_rationale=paper.assurance_rationale,
        executive_summary=paper.executive_summary,
        risks=paper.risks,
        baf_reference=paper.baf_reference,
        version=paper.version + 1,
        supersedes=paper,
        created_by=by,
    )
    correction.full_clean()
    correction.save()
    return correction


def paper_download_record(
    *, paper: Paper, by: User, request: HttpRequest | None = None
) -> PaperDownload:
    """The paper's download list and the security audit log (with where from)."""
    audit_record(
        event=AuditEvent.PAPER_DOWNLOAD,
        request=request,
        user=by,
        target=paper,
        sha256=paper.pdf_sha256,
    )
    return PaperDownload.objects.create(paper=paper, user=by, sha256=paper.pdf_sha256)


def paper_docx_export(*, paper: Paper, by: User, request: HttpRequest | None = None) -> ReportFile:
    """The paper in Word, from the snapshot its PDF was built from (an issued paper's
    frozen one), logged as a download like the PDF: committee offices assemble their
    packs in Word."""

    if not paper.snapshot or paper.build_state != BuildState.READY:
        raise PaperStateError("Build the paper before downloading it in Word.")
    if paper.state == PaperState.ISSUING:
        raise PaperStateError("The paper is being issued; download it once it is.")
    content = paper_docx(paper.snapshot, draft=paper.state != PaperState.ISSUED)
    digest = hashlib.sha256(content).hexdigest()
    audit_record(
        event=AuditEvent.PAPER_DOWNLOAD,
        request=request,
        user=by,
        target=paper,
        sha256=digest,
        format="docx",
    )
    PaperDownload.objects.create(paper=paper, user=by, sha256=digest)
    return ReportFile(
        content=content,
        filename=paper.pdf_filename.removesuffix(".pdf") + ".docx",
        content_type=REPORT_FORMATS["docx"],
    )


# --- Excel exports (docs/access.md) -----------------------------------------------------------


@dataclass(frozen=True)
class ActionsExport:
    """An action plan exported to Excel: the file, and what went into it."""

    content: bytes
    filename: str
    rows: int
    restricted_reviews: tuple[str, ...]


def action_list_export(
    *, filters: ActionFilterForm, by: User, request: HttpRequest | None = None
) -> ActionsExport:
    """The action list as the person filtered and sorted it, every page of it."""
    today = timezone.localdate()
    return _actions_export(
        actions=action_list_for(by, filters, exporting=True),
        by=by,
        verb=Verb.EXPORT_ACTION_LIST,
        title=f"Actions {today:%d-%m-%Y}",
        filename_stem=f"actions-{today.isoformat()}",
        export="action list",
        holds="the action list",
        filters=filters.applied(),
        request=request,
    )


def review_plan_export(
    *, review: Review, by: User, request: HttpRequest | None = None
) -> ActionsExport:
    """One review's action plan, as much of it as the person may export."""
    title = f"{review.reference} plan"
    return _actions_export(
        actions=review_plan_for(by, review),
        by=by,
        title=title,
        filename_stem=title,
        export="review plan",
        holds=f"the action plan of {review.reference} ({review.title})",
        review=review,
        request=request,
    )


def _actions_export(
    *,
    actions: ActionQuerySet,
    by: User,
    export: str,
    title: str,
    filename_stem: str,
    holds: str,
    filters: dict[str, str] | None = None,
    review: Review | None = None,
    request: HttpRequest | None = None,
    verb: Verb = Verb.EXPORT,
) -> ActionsExport:
    """1. Refused unless the person may export (accounts.access, Verb.EXPORT; the action
       list, Verb.EXPORT_ACTION_LIST, a provider's holding only its own actions).
    2. Only the rows `by` may export: a restricted review's only when they are named
       on it, whoever they are (Action.objects.exportable_by).
    3. The workbook, marked EXPORT_CLASSIFICATION, saying which restricted reviews it
       holds.
    4. The audit entry: what was exported, how many rows, whether restricted reviews
       were in it and which, and the filters."""
    access.require(
        by,
        verb,
        review,
        "Exports are for the safeguarding team and committee secretaries, for others only "
        "where an administrator has granted it, and a restricted review's plan only for the "
        "people named on it.",
    )
    rows = list(actions.exportable_by(by))
    restricted = tuple(
        sorted(
            {
                action.recommendation.review.reference
                for action in rows
                if action.recommendation.review.restricted
            }
        )
    )
    marking = ExportMarking(
        classification=EXPORT_CLASSIFICATION,
        holds=holds,
        exported_by=f"{by.get_full_name() or by.username} ({by.username})",
        exported_at=timezone.now(),
        restricted_reviews=restricted,
        filters=filters,
    )
    content = actions_workbook(actions=rows, title=title, marking=marking)
    audit_record(
        event=AuditEvent.EXPORT,
        request=request,
        user=by,
        target=review,
        export=export,
        filters=filters,
        rows=len(rows),
        restricted_included=bool(restricted),
        restricted_reviews=list(restricted),
    )
    return ActionsExport(
        content=content,
        filename=export_filename(filename_stem, classification=EXPORT_CLASSIFICATION),
        rows=len(rows),
        restricted_reviews=restricted,
    )


# --- the quarterly assurance report ---------------------------------------------

REPORT_FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    filename: str
    content_type: str


def quarterly_report_export(
    *, report: dict, by: User, file_format: str, request: HttpRequest | None = None
) -> ReportFile:
    """The quarterly report as a PDF or Word file, for the people who may take action
    plans away (Verb.EXPORT: the report lists actions by provider and their slippage),
    written to the audit log like every export."""

    access.require(
        by,
        Verb.EXPORT,
        None,
        "Reports are downloaded by the safeguarding team and committee secretaries, and by "
        "others only where an administrator has granted it.",
    )
    if file_format not in REPORT_FORMATS:
        raise ValidationError(f"{file_format!r} is not a report format.")
    if file_format == "pdf":
        content, _pages = render_pdf(render_quarterly_html(report, for_pdf=True))
    else:
        content = quarterly_report_docx(report)
    scope = report["scope"]["forum_short_name"] or "all-forums"
    stem = export_filename(
        f"quarterly-report-{report['quarter']['label']}-{scope}",
        classification=report["classification"],
    ).removesuffix(".xlsx")
    audit_record(
        event=AuditEvent.EXPORT,
        request=request,
        user=by,
        export=f"quarterly report ({file_format})",
        quarter=report["quarter"]["label"],
        scope=report["scope"]["label"],
        rows=report["current"]["total"],
        sha256=hashlib.sha256(content).hexdigest(),
    )
    return ReportFile(
        content=content,
        filename=f"{stem}.{file_format}",
        content_type=REPORT_FORMATS[file_format],
    )
