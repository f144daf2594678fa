from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from actions.views import require_manager, require_portfolio_reader
from governance.exports import XLSX_CONTENT_TYPE
from governance.services import may_export, review_plan_export
from reviews import services
from reviews.forms import RecommendationForm, ReviewFilterForm, ReviewForm
from reviews.models import Recommendation, Review
from reviews.selectors import (
    review_for_user,
    review_page,
    status_counts_of,
    theme_for_user,
    theme_overview,
    theme_page,
    with_status_counts,
)
from trackerapp.downloads import generated_file_response

PAGE_SIZE = 25


def review_list(request: HttpRequest) -> HttpResponse:
    require_portfolio_reader(request)
    form = ReviewFilterForm(request.GET or None)
    reviews = form.apply(with_status_counts(Review.objects.visible_to(request.user)))
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(review, status_counts_of(review)) for review in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "reviews/list.html", context)


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for_user(request.user, pk)
    context = review_page(request.user, review)
    context["can_manage"] = request.user.manages_portfolio
    context["can_export"] = may_export(request.user, review)
    return render(request, "reviews/detail.html", context)


@require_GET
def review_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The review's action plan as an Excel workbook, only the actions this person may
    export; 404 for a review they cannot see, as for the review page, and 403 for
    anyone who may not export it (governance.services.may_export)."""
    review = review_for_user(request.user, pk)
    export = review_plan_export(review=review, by=request.user, request=request)
    return generated_file_response(
        export.content, filename=export.filename, content_type=XLSX_CONTENT_TYPE
    )


def _save_form(request, form, save, success: str, template: str, context: dict):
    """Runs the service behind a valid form; its validation errors land on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect(saved)
    return render(request, template, {"form": form, **context}, status=422 if form.errors else 200)


def review_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = ReviewForm(request.POST or None, user=request.user)
    return _save_form(
        request,
        form,
        lambda fields: services.review_create(by=request.user, **fields),
        "Review registered.",
        "reviews/form.html",
        {"review": None},
    )


def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for_user(request.user, pk)
    require_manager(request)
    form = ReviewForm(request.POST or None, instance=review, user=request.user)
    return _save_form(
        request,
        form,
        lambda fields: services.review_update(review=review, by=request.user, **fields),
        "Review saved.",
        "reviews/form.html",
        {"review": review},
    )


def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for_user(request.user, pk)
    require_manager(request)
    form = RecommendationForm(request.POST or None, review=review)
    return _save_form(
        request,
        form,
        lambda fields: (
            services.recommendation_create(review=review, by=request.user, **fields).review
        ),
        "Recommendation added.",
        "reviews/recommendation_form.html",
        {"review": review, "recommendation": None},
    )


def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related("review"), pk=pk
    )
    require_manager(request)
    form = RecommendationForm(
        request.POST or None, instance=recommendation, review=recommendation.review
    )
    return _save_form(
        request,
        form,
        lambda fields: (
            services.recommendation_update(
                recommendation=recommendation, by=request.user, **fields
            ).review
        ),
        "Recommendation saved.",
        "reviews/recommendation_form.html",
        {"review": recommendation.review, "recommendation": recommendation},
    )


@require_GET
def theme_list(request: HttpRequest) -> HttpResponse:
    require_portfolio_reader(request)
    context = {"rows": theme_overview(request.user), "can_manage": request.user.manages_portfolio}
    return render(request, "reviews/theme_list.html", context)


@require_GET
def theme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_portfolio_reader(request)
    theme = theme_for_user(request.user, pk)
    context = {**theme_page(request.user, theme), "can_manage": request.user.manages_portfolio}
    return render(request, "reviews/theme_detail.html", context)
