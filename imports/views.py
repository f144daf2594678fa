"""Import an action plan: upload → columns → preview → import. Commissioners only;
every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import Verb, require
from accounts.models import User
from imports import services
from imports.choices import Field, ImportState, ReviewSource
from imports.forms import MappingForm, ResolveForm, SheetForm, UploadForm
from imports.models import PlanImport
from imports.readers import UnreadableFile
from imports.selectors import (
    MappingView,
    earlier_import_of,
    import_for_user,
    managed_review_titled,
    mapping_view,
    plan_for,
    recent_imports_for,
    reviews_of,
)
from imports.template_workbook import XLSX_CONTENT_TYPE, template_workbook
from trackerapp.downloads import generated_file_response
from trackerapp.forms import form_status, form_submit
from trackerapp.types import AuthenticatedRequest


def import_start(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.CREATE_REVIEW)
    form = UploadForm(request.POST or None, request.FILES or None)
    plan_import = form_submit(
        request,
        form,
        lambda data: services.plan_import_upload(
            by=request.user, upload=data["file"], filename=data["file"].name or ""
        ),
    )
    if plan_import is not None:
        return redirect("imports:columns", pk=plan_import.pk)
    context = {"form": form, "imports": recent_imports_for(request.user)}
    return render(request, "imports/start.html", context, status=form_status(form))


def import_template(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.CREATE_REVIEW)
    return generated_file_response(
        template_workbook(), filename="action-plan-template.xlsx", content_type=XLSX_CONTENT_TYPE
    )


def _draft(request: AuthenticatedRequest, pk: int) -> PlanImport:
    require(request.user, Verb.CREATE_REVIEW)
    return import_for_user(request.user, pk)


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def import_columns(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan_import = _draft(request, pk)
    if plan_import.is_committed:
        return redirect(plan_import)
    asked = request.POST if request.method == "POST" else request.GET
    view = mapping_view(
        plan_import, sheet_name=asked.get("sheet"), header_row=_number(asked.get("header_row"))
    )
    sheet_form = SheetForm(
        initial={"sheet": view.sheet_name, "header_row": view.header_row},
        sheet_names=view.sheet_names,
    )
    form = MappingForm(
        request.POST or None,
        view=view,
        user=request.user,
        initial=_mapping_initial(plan_import, view, request.user),
    )
    # A file with no readable sheet has nothing to map: the page says so (422).
    chosen = None
    if view.sheet_names:
        chosen = form_submit(
            request,
            form,
            lambda data: services.plan_import_choose(
                plan_import=plan_import,
                by=request.user,
                sheet_name=view.sheet_name,
                header_row=view.header_row,
                headings=view.headings,
                **form.service_fields(),
            ),
        )
    if chosen is not None:
        return redirect("imports:preview", pk=plan_import.pk)
    context = {"plan_import": plan_import, "view": view, "form": form, "sheet_form": sheet_form}
    code = 422 if form.errors or (request.method == "POST" and not view.sheet_names) else 200
    return render(request, "imports/columns.html", context, status=code)


def _mapping_initial(plan_import: PlanImport, view: MappingView, user: User) -> dict:
    """The person's earlier choices, else the guesses: the review named in each row, an
    existing review the file's title names, or a new one named from the file, so that
    confirming the page is enough (docs/imports.md)."""
    source = plan_import.review_source
    review_id = plan_import.review_id
    guess = view.new_review
    if not plan_import.columns:
        if any(c.field == Field.REVIEW_REFERENCE for c in view.columns):
            source = ReviewSource.COLUMN
        elif (same := managed_review_titled(user, guess.title)) is not None:
            source, review_id = ReviewSource.EXISTING, same
        else:
            source = ReviewSource.NEW
    return {
        "sheet": view.sheet_name,
        "header_row": view.header_row,
        "review_source": source,
        "review": review_id,
        "new_review_reference": plan_import.new_review_reference or guess.reference,
        "new_review_title": plan_import.new_review_title or guess.title,
        "new_review_type": plan_import.new_review_type_id or guess.type_id,
        "commissioning_body": plan_import.commissioning_body_id,
        "default_owner": plan_import.default_owner_id,
        "plan_year": plan_import.plan_year,
        "position_date": plan_import.position_date,
    }


def _preview_page(
    request: AuthenticatedRequest,
    plan_import: PlanImport,
    *,
    update: bool,
    answers_form: ResolveForm | None = None,
    refusal: list[str] | None = None,
    code: int = 200,
) -> HttpResponse:
    try:
        plan = plan_for(plan_import, user=request.user, update_in_place=update)
    except UnreadableFile as error:
        context = {"plan_import": plan_import, "problem": str(error)}
        return render(request, "imports/preview.html", context, status=422)
    stored = {
        "organisations": plan_import.organisation_choices,
        "leads": plan_import.lead_choices,
        "statuses": plan_import.status_choices,
    }
    context = {
        "plan_import": plan_import,
        "plan": plan,
        "problems": list(plan.problems())[:50],
        "update": update,
        "earlier": earlier_import_of(plan_import),
        "answers_form": answers_form or ResolveForm(plan=plan, stored=stored, user=request.user),
        "refusal": refusal or [],
    }
    return render(request, "imports/preview.html", context, status=code)


def import_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What the import would do, row by row; nothing is saved."""
    plan_import = _draft(request, pk)
    if plan_import.is_committed:
        return redirect(plan_import)
    if not plan_import.columns:
        return redirect("imports:columns", pk=plan_import.pk)
    return _preview_page(request, plan_import, update=request.GET.get("update") == "1")


def _preview_url(plan_import: PlanImport, update: bool) -> str:
    url = reverse("imports:preview", args=[plan_import.pk])
    return f"{url}?update=1" if update else url


@require_POST
def import_answers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan_import = _draft(request, pk)
    if plan_import.is_committed:
        return redirect(plan_import)
    update = request.POST.get("update_in_place") == "1"
    try:
        plan = plan_for(plan_import, user=request.user, update_in_place=update)
    except UnreadableFile:
        return redirect(_preview_url(plan_import, update))
    stored: dict[str, dict] = {"organisations": {}, "leads": {}, "statuses": {}}
    form = ResolveForm(request.POST, plan=plan, stored=stored, user=request.user)
    resolved = form_submit(
        request,
        form,
        lambda data: services.plan_import_resolve(
            plan_import=plan_import, by=request.user, **form.answers()
        ),
    )
    if resolved is None:
        return _preview_page(request, plan_import, update=update, answers_form=form, code=422)
    messages.success(request, "Your answers are saved; the preview below uses them.")
    return redirect(_preview_url(plan_import, update))


@require_POST
def import_commit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan_import = _draft(request, pk)
    if plan_import.is_committed:
        return redirect(plan_import)
    update = request.POST.get("update_in_place") == "1"
    try:
        done = services.plan_import_commit(
            plan_import=plan_import, by=request.user, update_in_place=update, request=request
        )
    except services.ImportRefused as refused:
        return _preview_page(request, plan_import, update=update, refusal=[str(refused)], code=422)
    except ValidationError as error:
        return _preview_page(request, plan_import, update=update, refusal=error.messages, code=422)
    messages.success(
        request,
        f"Imported: {done.actions_created} action{'s' if done.actions_created != 1 else ''} "
        f"added, {done.actions_updated} updated, {done.actions_unchanged} unchanged.",
    )
    return redirect(done)


def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan_import = _draft(request, pk)
    context = {
        "plan_import": plan_import,
        "reviews": reviews_of(plan_import, request.user),
        "draft": plan_import.state == ImportState.DRAFT,
    }
    return render(request, "imports/detail.html", context)


@require_POST
def import_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan_import = _draft(request, pk)
    try:
        services.plan_import_discard(plan_import=plan_import, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(plan_import)
    messages.success(request, f"{plan_import.original_filename} discarded; nothing was imported.")
    return redirect("imports:start")
