from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import Verb, may, require, settable_statuses
from actions import services
from actions.choices import EvidenceReviewState, ExtensionState, Status
from actions.evidence_preview import is_previewable, thumbnail_png
from actions.forms import (
    ActionFilterForm,
    ActionForm,
    BulkActionForm,
    DigestPreferenceForm,
    EvidenceReviewForm,
    EvidenceUploadForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ProgressUpdateForm,
    StatusForm,
)
from actions.models import Action, Evidence, ExtensionRequest
from actions.selectors import (
    action_for_page,
    action_for_user,
    action_list_for,
    action_next_step,
    action_page_records,
    page_drawing_key,
    reminder_inbox_for,
    review_suggestions_for,
    undelivered_reminders_for,
)
from governance.plan_workbook import XLSX_CONTENT_TYPE
from governance.services import action_list_export
from reviews.models import Recommendation
from trackerapp.downloads import generated_file_response, image_response, private_file_response
from trackerapp.forms import flash_form_errors, form_status, form_submit
from trackerapp.kept_pages import kept_page
from trackerapp.pagination import CappedPaginator
from trackerapp.types import AuthenticatedRequest

PAGE_SIZE = 25


def action_list(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.READ_ACTION_LIST)
    return _list_page(request, request.GET, outcome=request.session.pop(BULK_OUTCOME, None))


def _list_page(
    request: AuthenticatedRequest,
    filters: QueryDict,
    *,
    bulk_form: BulkActionForm | None = None,
    outcome: dict | None = None,
    back: str = "",
    code: int = 200,
) -> HttpResponse:
    """The action list under these filters; after a bulk change, its outcome, or the
    bulk form as posted with its errors (the ticked rows still ticked). The plain list
    is kept as drawn until the portfolio changes (trackerapp.kept_pages)."""
    kept = bulk_form is None and outcome is None and not back
    key = page_drawing_key(request, "action list") if kept else None

    def context() -> dict:
        form = ActionFilterForm(filters or None, user=request.user)
        actions = action_list_for(request.user, form)
        wanted = filters.get("page")
        query = filters.copy()
        query.pop("page", None)
        return {
            "form": form,
            "page": CappedPaginator(actions, PAGE_SIZE, page=wanted).get_page(wanted),
            "query": query.urlencode(),
            "bulk_form": bulk_form or BulkActionForm(user=request.user),
            "bulk_outcome": outcome,
            # Where the bulk form returns: this list, also when shown again from its post.
            "bulk_next": back or request.get_full_path(),
            # Page links from the list shown again after a refused bulk change (whose
            # address is the bulk form's) still go to the list.
            "page_path": reverse("actions:list"),
            "portfolio": may(request.user, Verb.READ_PORTFOLIO),
            "can_manage": may(request.user, Verb.MANAGE),
            "can_export": may(request.user, Verb.EXPORT_ACTION_LIST),
        }

    return kept_page(request, key, "actions/list.html", context, status=code)


@require_GET
def review_suggestions(request: AuthenticatedRequest) -> HttpResponse:
    """The options of the action list's review box as the person types (htmx): a few
    references of reviews they see, never any other."""
    require(request.user, Verb.READ_ACTION_LIST)
    reviews = review_suggestions_for(request.user, request.GET.get("review", ""))
    return render(request, "actions/_review_suggestions.html", {"reviews": reviews})


@require_GET
def action_export(request: AuthenticatedRequest) -> HttpResponse:
    """The action list as an Excel workbook: same people, filters and sort, every page;
    403 for anyone who may not export (accounts.access, Verb.EXPORT)."""
    form = ActionFilterForm(request.GET or None, user=request.user)
    export = action_list_export(filters=form, by=request.user, request=request)
    return generated_file_response(
        export.content, filename=export.filename, content_type=XLSX_CONTENT_TYPE
    )


def _action_page(
    request,
    action,
    *,
    key=None,
    status_form=None,
    update_form=None,
    evidence_form=None,
    extension_form=None,
    notice=None,
    code=200,
):
    """The action page, or only its live part (status, updates, history) for htmx.
    `action` is the action, or how to read it when nothing is kept under `key`
    (page_drawing_key: the page as this person last saw it, the portfolio unchanged)."""
    user = request.user
    partial = bool(request.headers.get("HX-Request"))

    def context() -> dict:
        found = action() if callable(action) else action
        return _action_page_context(
            user,
            found,
            status_form=status_form,
            update_form=update_form,
            evidence_form=evidence_form,
            extension_form=extension_form,
            notice=notice,
            partial=partial,
        )

    template = "actions/_live.html" if partial else "actions/detail.html"
    return kept_page(request, key, template, context, status=code)


def _action_page_context(
    user, action, *, status_form, update_form, evidence_form, extension_form, notice, partial
) -> dict:
    can_update = may(user, Verb.UPDATE, action)
    can_manage = may(user, Verb.MANAGE, action)
    settable = settable_statuses(user, action)
    records = action_page_records(user, action)
    extensions = records["extensions"]
    pending_extension = next((e for e in extensions if e.state == ExtensionState.PENDING), None)
    may_request = can_update and not action.is_finished and pending_extension is None
    evidence = records["evidence"]
    evidence_states = [item.review_state for item in evidence]
    status_form = status_form or (
        StatusForm(action=action, user=user, evidence_states=evidence_states) if settable else None
    )
    choices = status_form.status_choices if status_form else []
    forms = {
        "status_form": status_form,
        "update_form": update_form or (ProgressUpdateForm() if can_update else None),
        "evidence_form": evidence_form or (EvidenceUploadForm() if can_update else None),
        "extension_form": extension_form or (ExtensionRequestForm() if may_request else None),
    }
    return {
        **forms,
        # The one form that failed, for the error summary at the top of the page.
        "failed_form": next((f for f in forms.values() if f is not None and f.errors), None),
        "extensions": extensions,
        "pending_extension": pending_extension,
        "decision_form": ExtensionDecisionForm() if can_manage and pending_extension else None,
        "review_form": EvidenceReviewForm() if can_manage else None,
        "action": action,
        "review": action.recommendation.review,
        "can_update": can_update,
        "can_manage": can_manage,
        "updates": records["updates"],
        "evidence": evidence,
        "timeline": records["timeline"],
        "review_forums": []
        if action.monitoring_forum_id
        else [forum.name for forum in action.recommendation.review.monitoring_forums.all()],
        "review_title_visible": records["review_title_visible"],
        "next_step": action_next_step(
            action=action,
            evidence_states=evidence_states,
            status_choices=choices,
            pending_extension=pending_extension,
            can_update=can_update,
            can_manage=can_manage,
        ),
        "notice": notice,
        "partial": partial,
        # Learning made before (docs/repeated-learning.md), as far as this person sees it.
        "made_before": records["made_before"],
        "recommendation_visible": records["recommendation_visible"],
    }


def action_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _action_page(
        request,
        lambda: action_for_page(request.user, pk),
        key=page_drawing_key(request, "action page"),
    )


def _done(request, action, notice):
    if request.headers.get("HX-Request"):
        return _action_page(request, action_for_user(request.user, action.pk), notice=notice)
    messages.success(request, notice)
    return redirect("actions:detail", pk=action.pk)


@require_POST
def action_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = action_for_user(request.user, pk)
    require(request.user, Verb.UPDATE, action, "You cannot change this action.")
    form = StatusForm(request.POST, action=action, user=request.user)
    try:
        if not form.is_valid():
            # The choices follow the action as it is now; a post from an older version
            # is told of the conflict rather than that its choice is not allowed.
            if form.cleaned_data.get("version") is not None:
                services.action_check_version(
                    action=action, expected_version=form.cleaned_data["version"]
                )
            return _action_page(request, action, status_form=form, code=422)
        services.action_set_status(
            action=action,
            by=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            closure_rationale=form.cleaned_data["closure_rationale"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleActionError as stale:
        fresh = action_for_user(request.user, pk)
        return _action_page(
            request,
            fresh,
            status_form=_rebound(form, fresh, request.user),
            notice=str(stale),
            code=409,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _action_page(request, action, status_form=form, code=422)
    return _done(request, action, "Status changed.")


def _rebound(form: StatusForm, fresh: Action, user) -> StatusForm | None:
    """The person's input kept, as posted (it may no longer be a valid choice), against
    the action's current version and choices; no form if they may no longer set any."""
    if not settable_statuses(user, fresh):
        return None
    kept = {name: form.data.get(name, "") for name in ("status", "note", "closure_rationale")}
    return StatusForm(initial={**kept, "version": fresh.version}, action=fresh, user=user)


@require_POST
def action_update_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = action_for_user(request.user, pk)
    require(request.user, Verb.UPDATE, action, "You cannot post updates on this action.")
    form = ProgressUpdateForm(request.POST)
    update = form_submit(
        request,
        form,
        lambda data: services.progress_update_add(
            action=action, by=request.user, text=data["text"]
        ),
    )
    if update is None:
        return _action_page(request, action, update_form=form, code=422)
    return _done(request, action, "Update added.")


def action_create(request: AuthenticatedRequest, recommendation_pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related("review"),
        pk=recommendation_pk,
    )
    require(request.user, Verb.MANAGE, recommendation)
    form = ActionForm(
        request.POST or None,
        initial={"owner_organisation": recommendation.addressed_to},
        review=recommendation.review,
    )
    action = form_submit(
        request,
        form,
        lambda data: services.action_create(
            recommendation=recommendation, by=request.user, **form.service_fields()
        ),
    )
    if action is not None:
        messages.success(request, "Action added.")
        return redirect("actions:detail", pk=action.pk)
    context = {"form": form, "recommendation": recommendation, "review": recommendation.review}
    return render(request, "actions/form.html", context, status=form_status(form))


def action_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = action_for_user(request.user, pk)
    require(request.user, Verb.MANAGE, action)
    review = action.recommendation.review
    form = ActionForm(request.POST or None, instance=action, review=review)
    stale = None
    try:
        saved = form_submit(
            request,
            form,
            lambda data: services.action_update(
                action=action,
                by=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
    except services.StaleEditError as error:
        stale = error
        form = ActionForm(instance=error.action, merge=error.merge, review=review)
    else:
        if saved is not None:
            messages.success(request, "Action saved.")
            return redirect("actions:detail", pk=action.pk)
    context = {
        "form": form,
        "action": stale.action if stale else action,
        "recommendation": action.recommendation,
        "review": action.recommendation.review,
        "stale": stale,
    }
    code = 409 if stale else form_status(form)
    return render(request, "actions/form.html", context, status=code)


# The session key that carries a bulk change's outcome to the list it returns to.
BULK_OUTCOME = "actions_bulk_outcome"


@require_POST
def action_bulk(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.MANAGE)
    form = BulkActionForm(request.POST, user=request.user)
    back = _back(request, reverse("actions:list"))
    if form.is_valid():
        try:
            outcome = _bulk_change(request, form.cleaned_data)
        except ValidationError as error:
            # A lead or forum within the person's reach but outside one chosen action's
            # review circle (actions.services._check_circle): nothing was changed.
            form.add_error(None, error)
        else:
            request.session[BULK_OUTCOME] = outcome
            return redirect(back)
    filters = QueryDict(urlsplit(back).query)
    return _list_page(request, filters, bulk_form=form, back=back, code=422)


def _bulk_change(request: AuthenticatedRequest, data: dict) -> dict:
    """Runs the chosen bulk change; what it did, as the list page reports it."""
    selected, operation = data["selected"], data["operation"]
    if operation == "set_status":
        result = services.action_bulk_set_status(
            actions=selected,
            by=request.user,
            status=data["status"],
            note=data["text"],
            closure_rationale=data["closure_rationale"],
        )
        label = Status(result.status).label.lower()
        return {
            "changed": len(result.changed),
            "heading": f"{_actions(len(result.changed))} set to {label}.",
            "refused": [
                {"pk": a.pk, "name": _row_name(a), "reason": reason} for a, reason in result.refused
            ],
        }
    if operation == "set_lead":
        count = services.action_bulk_set_lead(
            actions=selected,
            by=request.user,
            lead_user=data["lead_user"],
            lead_role_title=data["lead_role_title"],
        )
    elif operation == "set_forum":
        count = services.action_bulk_set_forum(
            actions=selected, by=request.user, forum=data["forum"]
        )
    else:
        count = services.action_bulk_add_note(actions=selected, by=request.user, text=data["text"])
    return {"changed": count, "heading": f"{_actions(count)} changed.", "refused": []}


def _actions(count: int) -> str:
    return f"{count} action{'s' if count != 1 else ''}"


def _row_name(action: Action) -> str:
    """An action as the list names it: its review and recommendation."""
    rec = action.recommendation
    return f"{rec.review.reference}, recommendation {rec.number}: {action.description[:80]}"


def _back(request: AuthenticatedRequest, default: str) -> str:
    """Where a form posted from one of several pages returns to: our own pages only."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@require_POST
def evidence_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = action_for_user(request.user, pk)
    require(request.user, Verb.UPDATE, action, "You cannot add evidence to this action.")
    form = EvidenceUploadForm(request.POST, request.FILES)
    stored = form_submit(
        request,
        form,
        lambda data: services.evidence_attach(
            action=action, by=request.user, files=data["files"], description=data["description"]
        ),
    )
    if stored is not None:
        messages.success(
            request, f"{len(stored)} file{'s' if len(stored) != 1 else ''} added as evidence."
        )
        return redirect("actions:detail", pk=action.pk)
    return _action_page(request, action, evidence_form=form, code=422)


def evidence_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Streams an evidence file to someone who may see its action and open its files,
    as an attachment that no browser will render, and records the download. Evidence
    they can see but not open (a viewer without the grant) is 403, not 404."""
    evidence = get_object_or_404(
        Evidence.objects.visible_to(request.user).select_related("action"), pk=pk
    )
    require(request.user, Verb.DOWNLOAD_EVIDENCE, evidence)
    services.evidence_download_record(evidence=evidence, by=request.user, request=request)
    return private_file_response(
        evidence.file, filename=evidence.original_filename, content_type=evidence.content_type
    )


@require_GET
def evidence_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A thumbnail of an image evidence file, redrawn by us (actions/evidence_preview.py),
    for those who may open the file; it shows the file's content, so it is recorded as
    a download is. Other files have none (404)."""
    evidence = get_object_or_404(
        Evidence.objects.visible_to(request.user).select_related("action"), pk=pk
    )
    require(request.user, Verb.DOWNLOAD_EVIDENCE, evidence)
    if not is_previewable(evidence.content_type):
        raise Http404("This file has no preview.")
    with evidence.file.open("rb") as stream:
        thumbnail = thumbnail_png(stream)
    if thumbnail is None:
        raise Http404("This image has no preview.")
    services.evidence_download_record(evidence=evidence, by=request.user, request=request)
    return image_response(thumbnail)


def evidence_queue(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.MANAGE)
    pending = (
        Evidence.objects.visible_to(request.user)
        .managed_by(request.user)
        .pending()
        .select_related(
            "action__recommendation__review", "action__owner_organisation", "uploaded_by"
        )
        .order_by("uploaded_at", "pk")
    )
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "actions/evidence_queue.html", {"page": page, "review_form": EvidenceReviewForm()}
    )


@require_POST
def evidence_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    require(request.user, Verb.MANAGE, evidence)
    back = _back(request, reverse("actions:detail", args=[evidence.action_id]))
    form = EvidenceReviewForm(request.POST)
    reviewed = form_submit(
        request,
        form,
        lambda data: services.evidence_review(
            evidence=evidence,
            by=request.user,
            accept=data["decision"] == "accept",
            reason=data["reason"],
        ),
    )
    if reviewed is None:
        flash_form_errors(request, form, about=evidence.original_filename)
    else:
        verb = "accepted" if reviewed.review_state == EvidenceReviewState.ACCEPTED else "rejected"
        messages.success(request, f"{evidence.original_filename} {verb}.")
    return redirect(back)


@require_POST
def extension_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = action_for_user(request.user, pk)
    require(request.user, Verb.UPDATE, action, "You cannot ask for an extension on this action.")
    form = ExtensionRequestForm(request.POST)
    requested = form_submit(
        request,
        form,
        lambda data: services.extension_request(action=action, by=request.user, **data),
    )
    if requested is not None:
        messages.success(request, "Extension requested. The safeguarding team will decide.")
        return redirect("actions:detail", pk=action.pk)
    return _action_page(request, action, extension_form=form, code=422)


@require_POST
def extension_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visible = Action.objects.visible_to(request.user).values("pk")
    extension = get_object_or_404(ExtensionRequest.objects.filter(action__in=visible), pk=pk)
    require(request.user, Verb.MANAGE, extension)
    form = ExtensionDecisionForm(request.POST)
    decided = form_submit(
        request,
        form,
        lambda data: services.extension_decide(
            request=extension,
            by=request.user,
            approve=data["decision"] == "approve",
            reason=data["reason"],
        ),
    )
    if decided is None:
        flash_form_errors(request, form)
    elif decided.state == ExtensionState.APPROVED:
        messages.success(request, "Extension approved.")
    else:
        messages.success(request, "Extension declined.")
    return redirect("actions:detail", pk=extension.action_id)


def reminder_inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The reminders sent to this person, also when they were not emailed."""
    page = Paginator(reminder_inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    unread_ids = {r.pk for r in page if r.read_at is None}
    form = DigestPreferenceForm(initial={"digest_frequency": request.user.digest_frequency})
    return render(
        request,
        "actions/notifications.html",
        {"page": page, "unread_ids": unread_ids, "form": form},
    )


@require_POST
def reminder_inbox_mark_read(request: AuthenticatedRequest) -> HttpResponse:
    services.reminders_mark_read(user=request.user)
    messages.success(request, "All notifications marked as read.")
    return redirect("notifications")


@require_POST
def reminder_digest_preference(request: AuthenticatedRequest) -> HttpResponse:
    form = DigestPreferenceForm(request.POST)
    if form_submit(
        request,
        form,
        lambda data: services.digest_frequency_set(
            user=request.user, frequency=data["digest_frequency"]
        ),
    ):
        messages.success(request, "Reminder preference saved.")
        return redirect("notifications")
    page = Paginator(reminder_inbox_for(request.user), PAGE_SIZE).get_page(1)
    return render(
        request,
        "actions/notifications.html",
        {"page": page, "unread_ids": set(), "form": form},
        status=422,
    )


def undelivered_reminders(request: AuthenticatedRequest) -> HttpResponse:
    """Reminder emails the mail server refused, or that kept failing, for the
    safeguarding team to put right and send again."""
    require(request.user, Verb.MANAGE)
    page = Paginator(undelivered_reminders_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "actions/undelivered_reminders.html", {"page": page})


@require_POST
def undelivered_reminders_retry(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.MANAGE)
    chosen = [int(pk) for pk in request.POST.getlist("reminder") if pk.isdigit()]
    count = services.reminders_retry_undelivered(
        by=request.user, reminder_ids=chosen if "reminder" in request.POST else None
    )
    messages.success(
        request,
        f"{count} reminder{'s' if count != 1 else ''} will be sent again with the next "
        "reminder run.",
    )
    return redirect("undelivered_reminders")
