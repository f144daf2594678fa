from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Verb, may, require
from governance import services
from governance.choices import BuildState, PaperState
from governance.forms import ForumForm, MeetingForm, PaperForm, QuarterlyReportForm
from governance.models import Forum, Meeting, Paper
from governance.quarterly import quarterly_report, slippage_report
from governance.rendering import render_paper_html
from governance.selectors import (
    forum_for_user,
    forum_list,
    meeting_calendar,
    meeting_for_user,
    paper_for_user,
    paper_snapshot,
    paper_summary_offer,
)
from trackerapp.downloads import generated_file_response, private_file_response
from trackerapp.forms import form_status, form_submit
from trackerapp.types import AuthenticatedRequest

SLIPPAGE_PAGE_SIZE = 50


@require_GET
def forums(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    context = {
        "forums": forum_list(request.user),
        "can_add": may(request.user, Verb.MANAGE_FORUMS),
    }
    return render(request, "governance/forum_list.html", context)


@require_GET
def forum_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    forum = forum_for_user(request.user, pk)
    context = {
        "forum": forum,
        "reviews": forum.monitored_reviews.filter(restricted=False).select_related("review_type"),
        "calendar": meeting_calendar(request.user, forum=forum),
        "reporting_forums": forum.reporting_forums.all(),
        "can_manage": may(request.user, Verb.MANAGE_PAPERS, forum),
        "can_edit": may(request.user, Verb.MANAGE_FORUMS, forum),
    }
    return render(request, "governance/forum_detail.html", context)


def forum_create(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.MANAGE_FORUMS)
    form = ForumForm(request.POST or None, user=request.user)
    forum = form_submit(
        request,
        form,
        lambda data: services.forum_create(by=request.user, **form.service_fields()),
    )
    if forum is not None:
        messages.success(request, f"{forum.short_name} set up.")
        return redirect(forum)
    context = {"form": form, "forum": None}
    return render(request, "governance/forum_form.html", context, status=form_status(form))


def forum_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    forum = forum_for_user(request.user, pk)
    require(request.user, Verb.MANAGE_FORUMS, forum)
    form = ForumForm(request.POST or None, user=request.user, instance=forum)
    saved = form_submit(
        request,
        form,
        lambda data: services.forum_update(forum=forum, by=request.user, **form.service_fields()),
    )
    if saved is not None:
        messages.success(request, f"{saved.short_name} saved.")
        return redirect(saved)
    context = {"form": form, "forum": forum}
    return render(request, "governance/forum_form.html", context, status=form_status(form))


def _month_of(raw: str | None, today: date) -> date:
    """The first of the month asked for as YYYY-MM, or of this month."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _month_grid(user, forum, first: date) -> dict:
    """The month as weeks of days (Monday first), each with its meetings and the paper
    deadlines that fall on it."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    # Deadlines fall up to a few weeks before their meeting: look that far ahead.
    meetings = Meeting.objects.visible_to(user).select_related("forum")
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    meetings = meetings.filter(held_on__gte=start, held_on__lte=end + timedelta(days=120))
    on_day: dict[date, dict[str, list]] = {}
    for meeting in meetings.order_by("held_on", "forum__short_name"):
        if meeting.held_on <= end:
            on_day.setdefault(meeting.held_on, {"meetings": [], "deadlines": []})[
                "meetings"
            ].append(meeting)
        deadline = meeting.paper_deadline
        if start <= deadline <= end:
            on_day.setdefault(deadline, {"meetings": [], "deadlines": []})["deadlines"].append(
                meeting
            )
    empty: dict[str, list] = {"meetings": [], "deadlines": []}
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return {
        "first": first,
        "weeks": [[(day, on_day.get(day, empty)) for day in week] for week in weeks],
        "previous": f"{previous:%Y-%m}",
        "next": f"{following:%Y-%m}",
    }


@require_GET
def meetings(request: AuthenticatedRequest) -> HttpResponse:
    """Every meeting the person sees, as a list or a month, for one forum or all."""
    require(request.user, Verb.READ_PORTFOLIO)
    today = timezone.localdate()
    forums = Forum.objects.visible_to(request.user).order_by("short_name")
    raw_forum = request.GET.get("forum", "")
    forum = forums.filter(pk=int(raw_forum)).first() if raw_forum.isdigit() else None
    by_month = request.GET.get("view") == "month"
    context = {
        "today": today,
        "forums": forums,
        "forum": forum,
        "by_month": by_month,
        "forum_query": f"forum={forum.pk}&" if forum else "",
    }
    if by_month:
        context["month"] = _month_grid(
            request.user, forum, _month_of(request.GET.get("month"), today)
        )
    else:
        context["calendar"] = meeting_calendar(request.user, forum=forum)
    return render(request, "governance/meeting_list.html", context)


def meeting_create(request: AuthenticatedRequest, forum_pk: int) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    forum = forum_for_user(request.user, forum_pk)
    require(request.user, Verb.MANAGE_PAPERS, forum)
    form = MeetingForm(request.POST or None)
    meeting = form_submit(
        request,
        form,
        lambda data: services.meeting_create(forum=forum, by=request.user, **form.service_fields()),
    )
    if meeting is not None:
        messages.success(request, "Meeting added.")
        return redirect(meeting)
    context = {"form": form, "forum": forum}
    return render(request, "governance/meeting_form.html", context, status=form_status(form))


@require_GET
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    meeting = meeting_for_user(request.user, pk)
    papers = (
        Paper.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("supersedes", "issued_by")
        .order_by("title", "-version")
    )
    context = {
        "meeting": meeting,
        "papers": papers,
        "today": timezone.localdate(),
        "can_manage": may(request.user, Verb.MANAGE_PAPERS, meeting) and not meeting.is_past,
        "sees_drafts": may(request.user, Verb.SEE_DRAFT_PAPERS, meeting),
    }
    return render(request, "governance/meeting_detail.html", context)


def _paper_form(
    request: AuthenticatedRequest,
    form: PaperForm,
    save,
    paper: Paper | None,
    meeting: Meeting | None,
):
    try:
        saved = form_submit(request, form, lambda data: save(form.service_fields()))
    except services.PaperStateError as error:
        assert paper is not None  # only a change to a saved paper is refused so
        messages.error(request, str(error))
        return redirect(paper)
    if saved is not None:
        messages.success(request, "Paper saved. Build it to check the PDF.")
        return redirect(saved)
    status = form_status(form)
    offer = paper_summary_offer(meeting.forum) if meeting is not None else None
    context = {"form": form, "paper": paper, "offer": offer}
    return render(request, "governance/paper_form.html", context, status=status)


def paper_create(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.MANAGE_PAPERS)
    initial = {}
    meeting_pk = request.GET.get("meeting", "")
    if meeting_pk.isdigit():
        initial["meeting"] = get_object_or_404(
            Meeting.objects.visible_to(request.user), pk=int(meeting_pk)
        )
    form = PaperForm(request.POST or None, user=request.user, initial=initial)
    return _paper_form(
        request,
        form,
        lambda fields: services.paper_create(by=request.user, **fields),
        None,
        initial.get("meeting"),
    )


def paper_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    paper = paper_for_user(request.user, pk)
    require(request.user, Verb.MANAGE_PAPERS, paper)
    if paper.is_frozen:
        messages.error(request, "An issued paper cannot be changed; issue a new version.")
        return redirect(paper)
    form = PaperForm(request.POST or None, user=request.user, instance=paper)
    return _paper_form(
        request,
        form,
        lambda fields: services.paper_update(paper=paper, by=request.user, **fields),
        paper,
        paper.meeting,
    )


@require_GET
def paper_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    paper = paper_for_user(request.user, pk)
    context = {
        "paper": paper,
        "can_manage": may(request.user, Verb.MANAGE_PAPERS, paper),
        "superseded_by": Paper.objects.visible_to(request.user).filter(supersedes=paper).first(),
        "downloads": paper.downloads.select_related("user")[:20]
        if may(request.user, Verb.SEE_DRAFT_PAPERS, paper)
        else [],
    }
    return render(request, "governance/paper_detail.html", context)


@require_GET
def paper_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The build panel alone, polled by htmx while a build runs."""
    paper = paper_for_user(request.user, pk)
    context = {
        "paper": paper,
        "can_manage": may(request.user, Verb.MANAGE_PAPERS, paper),
        "polled": True,
    }
    return render(request, "governance/_paper_build.html", context)


@require_GET
def paper_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The paper as HTML in the browser: a draft from today's data, a frozen paper from
    the snapshot it was issued with."""
    paper = paper_for_user(request.user, pk)
    snapshot = paper.snapshot if paper.is_frozen else paper_snapshot(paper)
    assert snapshot is not None  # a frozen paper keeps the snapshot it was issued with
    html = render_paper_html(
        snapshot, draft=not paper.is_frozen, for_pdf=False, back_url=paper.get_absolute_url()
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


def _paper_action(request: AuthenticatedRequest, pk: int, act, done: str = "") -> HttpResponse:
    paper = paper_for_user(request.user, pk)
    require(request.user, Verb.MANAGE_PAPERS, paper)
    try:
        result = act(paper)
    except (services.PaperStateError, services.PaperBuilderUnreachable) as error:
        messages.error(request, str(error))
        return redirect(paper)
    if done:
        messages.success(request, done)
    return redirect(result)


@require_POST
def paper_build(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # No flash message: the build panel says how far the build is and is replaced as it
    # goes, where a message would stay beside the finished PDF.
    return _paper_action(
        request, pk, lambda paper: services.paper_build_request(paper=paper, by=request.user)
    )


@require_http_methods(["GET", "POST"])
def paper_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET asks the secretary to confirm, saying that issuing cannot be undone; only a
    POST carrying that confirmation issues. A POST without it goes back to the question."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        return _paper_action(
            request, pk, lambda paper: services.paper_issue_request(paper=paper, by=request.user)
        )
    paper = paper_for_user(request.user, pk)
    require(request.user, Verb.MANAGE_PAPERS, paper)
    if request.method == "POST":
        return redirect("governance:paper_issue", pk=paper.pk)
    if paper.state != PaperState.DRAFT or paper.build_state != BuildState.READY:
        return redirect(paper)
    return render(request, "governance/paper_issue_confirm.html", {"paper": paper})


@require_POST
def paper_new_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _paper_action(
        request,
        pk,
        lambda paper: services.paper_new_version(paper=paper, by=request.user),
        "A new draft version has been created. Correct it, build it and issue it.",
    )


@require_GET
def paper_download_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    paper = paper_for_user(request.user, pk)
    try:
        exported = services.paper_docx_export(paper=paper, by=request.user, request=request)
    except services.PaperStateError as error:
        raise Http404(str(error)) from None
    return generated_file_response(
        exported.content, filename=exported.filename, content_type=exported.content_type
    )


@require_GET
def paper_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    paper = paper_for_user(request.user, pk)
    if not paper.pdf or paper.build_state != BuildState.READY:
        raise Http404("This paper has no PDF yet.")
    if paper.state == PaperState.ISSUING:
        raise Http404("This paper is being issued.")
    services.paper_download_record(paper=paper, by=request.user, request=request)
    return private_file_response(
        paper.pdf, filename=paper.pdf_filename, content_type="application/pdf"
    )


# --- the quarterly assurance report ---------------------------------------------


def _report_request(request: AuthenticatedRequest) -> tuple[QuarterlyReportForm, dict]:
    require(request.user, Verb.READ_PORTFOLIO)
    form = QuarterlyReportForm(request.GET or None, user=request.user)
    report = quarterly_report(request.user, **form.report_params())
    return form, report


@require_GET
def quarterly_report_page(request: AuthenticatedRequest) -> HttpResponse:
    form, report = _report_request(request)
    context = {
        "form": form,
        "r": report,
        "query": form.query(),
        "can_export": may(request.user, Verb.EXPORT),
    }
    return render(request, "governance/quarterly_report.html", context)


@require_GET
def quarterly_report_download(request: AuthenticatedRequest, file_format: str) -> HttpResponse:
    if file_format not in services.REPORT_FORMATS:
        raise Http404("The report downloads as pdf or docx.")
    form, report = _report_request(request)
    exported = services.quarterly_report_export(
        report=report, by=request.user, file_format=file_format, request=request
    )
    return generated_file_response(
        exported.content, filename=exported.filename, content_type=exported.content_type
    )


@require_GET
def slippage(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    form = QuarterlyReportForm(request.GET or None, user=request.user)
    report = slippage_report(request.user, **form.report_params())
    page = Paginator(report["slippage"], SLIPPAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "r": report, "page": page, "query": form.query()}
    return render(request, "governance/slippage.html", context)
