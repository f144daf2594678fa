from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import Verb, may, require
from actions.selectors import page_drawing_key
from governance.plan_workbook import XLSX_CONTENT_TYPE
from governance.services import review_plan_export
from reviews import services
from reviews.forms import RecommendationForm, ReviewFilterForm, ReviewForm, ShareForm
from reviews.models import Recommendation, Review, ReviewShare
from reviews.selectors import (
    recommendation_for_user,
    recommendation_page,
    register_rows,
    repeated_learning_groups,
    review_for_user,
    review_page,
    theme_for_user,
    theme_overview,
    theme_page,
)
from trackerapp.downloads import generated_file_response
from trackerapp.forms import form_status, form_submit
from trackerapp.kept_pages import kept_page
from trackerapp.types import AuthenticatedRequest

PAGE_SIZE = 25


def review_list(request: AuthenticatedRequest) -> HttpResponse:
    """The register under its filters, kept as drawn until the portfolio changes
    (trackerapp.kept_pages)."""
    require(request.user, Verb.READ_PORTFOLIO)

    def context() -> dict:
        form = ReviewFilterForm(request.GET or None, user=request.user)
        reviews = form.apply(Review.objects.visible_to(request.user))
        page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        rows = register_rows(page.object_list)
        return {"form": form, "page": page, "rows": rows, "query": query.urlencode()}

    key = page_drawing_key(request, "review register")
    return kept_page(request, key, "reviews/list.html", context)


def review_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_for_user(request.user, pk)
    context = review_page(request.user, review)
    context["can_manage"] = may(request.user, Verb.MANAGE, review)
    context["can_export"] = may(request.user, Verb.EXPORT, review)
    context["can_share"] = may(request.user, Verb.SHARE, review)
    return render(request, "reviews/detail.html", context)


@require_GET
def review_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The review's action plan as an Excel workbook, only the actions this person may
    export; 404 for a review they cannot see, as for the review page, and 403 for
    anyone who may not export it (accounts.access, Verb.EXPORT)."""
    review = review_for_user(request.user, pk)
    export = review_plan_export(review=review, by=request.user, request=request)
    return generated_file_response(
        export.content, filename=export.filename, content_type=XLSX_CONTENT_TYPE
    )


def _save_form(request, form, save, success: str, template: str, context: dict):
    """The form page of a review or recommendation: saved, or shown with its errors."""
    saved = form_submit(request, form, lambda data: save(form.service_fields()))
    if saved is not None:
        messages.success(request, success)
        return redirect(saved)
    return render(request, template, {"form": form, **context}, status=form_status(form))


def review_create(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.CREATE_REVIEW)
    form = ReviewForm(request.POST or None, user=request.user)
    return _save_form(
        request,
        form,
        lambda fields: services.review_create(by=request.user, **fields),
        "Review registered.",
        "reviews/form.html",
        {"review": None},
    )


def review_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_for_user(request.user, pk)
    require(request.user, Verb.MANAGE, review)
    form = ReviewForm(request.POST or None, instance=review, user=request.user)
    return _save_form(
        request,
        form,
        lambda fields: services.review_update(review=review, by=request.user, **fields),
        "Review saved.",
        "reviews/form.html",
        {"review": review},
    )


def recommendation_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_for_user(request.user, pk)
    require(request.user, Verb.MANAGE, review)
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


def recommendation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related("review"), pk=pk
    )
    require(request.user, Verb.MANAGE, recommendation)
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


def review_sharing(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who else the review is shared with, and sharing it with one more partner."""
    review = review_for_user(request.user, pk)
    require(request.user, Verb.SHARE, review)
    form = ShareForm(request.POST or None, review=review)
    share = form_submit(
        request,
        form,
        lambda data: services.review_share(
            review=review,
            organisation=data["organisation"],
            access_level=data["access"],
            by=request.user,
            request=request,
        ),
    )
    if share is not None:
        messages.success(request, f"{review.reference} is shared with {share.organisation.name}.")
        return redirect("reviews:sharing", pk=review.pk)
    context = {
        "review": review,
        "form": form,
        "shares": review.shares.select_related("organisation", "shared_by"),
    }
    return render(request, "reviews/sharing.html", context, status=form_status(form))


@require_POST
def review_share_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visible = Review.objects.visible_to(request.user)
    share = get_object_or_404(
        ReviewShare.objects.filter(review__in=visible).select_related("review", "organisation"),
        pk=pk,
    )
    require(request.user, Verb.SHARE, share.review)
    try:
        services.review_unshare(share=share, by=request.user, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"{share.review.reference} is no longer shared with {share.organisation.name}."
        )
    return redirect("reviews:sharing", pk=share.review_id)


@require_GET
def theme_list(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    context = {"rows": theme_overview(request.user), "can_manage": may(request.user, Verb.MANAGE)}
    return render(request, "reviews/theme_list.html", context)


@require_GET
def theme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request.user, Verb.READ_PORTFOLIO)
    theme = theme_for_user(request.user, pk)
    context = {**theme_page(request.user, theme), "can_manage": may(request.user, Verb.MANAGE)}
    return render(request, "reviews/theme_detail.html", context)


@require_GET
def recommendation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A recommendation, its actions, and the most similar recommendations of other
    reviews the person may see (docs/repeated-learning.md)."""
    recommendation = recommendation_for_user(request.user, pk)
    context = recommendation_page(request.user, recommendation)
    context["can_manage"] = may(request.user, Verb.MANAGE, recommendation)
    return render(request, "reviews/recommendation_detail.html", context)


@require_GET
def repeated_learning(request: AuthenticatedRequest) -> HttpResponse:
    """Groups of similar recommendations across reviews, each offered as a theme."""
    require(request.user, Verb.READ_PORTFOLIO)
    context = {
        "groups": repeated_learning_groups(request.user),
        "can_manage": may(request.user, Verb.MANAGE),
    }
    return render(request, "reviews/repeated_learning.html", context)


@require_POST
def theme_suggestion_accept(request: AuthenticatedRequest) -> HttpResponse:
    """One click on the repeated-learning page: tag a group with the suggested theme."""
    require(request.user, Verb.MANAGE)
    ids = [int(pk) for pk in request.POST.get("recommendations", "").split(",") if pk.isdigit()]
    try:
        theme, tagged = services.theme_suggestion_accept(
            name=request.POST.get("name", ""), recommendation_ids=ids, by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reviews:repeated_learning")
    messages.success(
        request,
        f"{tagged} recommendation{'s' if tagged != 1 else ''} tagged \u201c{theme.name}\u201d.",
    )
    return redirect("reviews:theme_detail", pk=theme.pk)
