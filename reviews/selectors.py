"""Reads for the review register and review pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from actions.choices import FINISHED_STATUSES, Status
from actions.models import Action, ActionQuerySet
from actions.selectors import band_counts, with_listing_columns
from reviews.models import Recommendation, Review, Theme

if TYPE_CHECKING:
    from accounts.models import User


def with_status_counts(queryset: QuerySet[Review]) -> QuerySet[Review]:
    """Adds, per review, the number of its actions in each status and how many are
    overdue: one grouped query, however many reviews."""
    today = timezone.localdate()
    annotations: dict[str, Any] = {
        f"n_{status}": Count(
            "recommendations__actions", filter=Q(recommendations__actions__status=status)
        )
        for status in Status.values
    }
    annotations["n_actions"] = Count("recommendations__actions")
    annotations["n_overdue"] = Count(
        "recommendations__actions",
        filter=Q(recommendations__actions__effective_due__lt=today)
        & ~Q(recommendations__actions__status__in=FINISHED_STATUSES),
    )
    return queryset.select_related("review_type", "commissioning_body").annotate(**annotations)


def register_rows(reviews: Iterable[Review]) -> list[tuple[Review, list[dict[str, Any]]]]:
    """The review register's rows for one page of reviews: each review with its actions
    counted by status. The counts are made for these reviews only, in one grouped
    query, after the page is chosen: counting every review's actions to sort and show
    25 of them grows with the portfolio."""
    shown = list(reviews)
    counted = with_status_counts(Review.objects.filter(pk__in=[r.pk for r in shown])).order_by()
    by_pk = {review.pk: review for review in counted}
    return [(by_pk[r.pk], status_counts_of(by_pk[r.pk])) for r in shown]


def status_counts_of(review: Review) -> list[dict[str, Any]]:
    return [
        {"status": s, "label": Status(s).label, "count": getattr(review, f"n_{s}", 0)}
        for s in Status.values
    ]


def review_for_user(user: User, pk: int) -> Review:
    return get_object_or_404(
        Review.objects.visible_to(user).select_related(
            "review_type", "commissioning_body", "owner", "parent"
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class ParentShown:
    """What a person is shown of the review an IMR contributes to: the review, when
    they may open it; otherwise only a note, never its reference or title, which name
    the case (a restricted DHR's reference is itself restricted detail)."""

    review: Review | None
    note: str = ""


def parent_shown_to(user: User, review: Review) -> ParentShown | None:
    """The one place that decides whether the parent of a review may be shown; None
    when the review has no parent."""
    if review.parent_id is None:
        return None
    if Review.objects.visible_to(user).filter(pk=review.parent_id).exists():
        return ParentShown(review=review.parent)
    parent = review.parent
    assert parent is not None  # parent_id is set
    if parent.restricted:
        return ParentShown(review=None, note="A restricted review")
    return ParentShown(review=None, note="A review not shared with you")


def review_page(user: User, review: Review) -> dict[str, Any]:
    """The review with what this user may see of it: child reviews, recommendations
    and only the actions visible to them, plus the five committee bands."""
    visible_actions = (
        Action.objects.visible_to(user)
        .select_related("owner_organisation", "lead_user")
        .order_by("number", "pk")
    )
    recommendations = list(
        Recommendation.objects.visible_to(user)
        .filter(review=review)
        .select_related("addressed_to")
        .prefetch_related("themes", Prefetch("actions", queryset=visible_actions))
        .order_by("number")
    )
    counts: dict[str, int] = {}
    for recommendation in recommendations:
        for action in recommendation.actions.all():
            counts[action.status] = counts.get(action.status, 0) + 1
    return {
        "review": review,
        "parent": parent_shown_to(user, review),
        "children": list(
            Review.objects.visible_to(user).filter(parent=review).select_related("review_type")
        ),
        "recommendations": recommendations,
        "bands": band_counts(counts),
        "action_total": sum(counts.values()),
        "forums": list(review.monitoring_forums.all()),
        # Partners are the portfolio's business; a provider sees its own actions only.
        "partners": list(review.shares.select_related("organisation"))
        if access.may(user, access.Verb.READ_PORTFOLIO)
        else None,
    }


def review_plan_for(user: User, review: Review) -> ActionQuerySet:
    """The review's action plan as this user may see it, in the review page's order
    (recommendation, then action number), with the listing columns."""
    visible = Action.objects.visible_to(user).filter(recommendation__review=review)
    return with_listing_columns(visible).order_by(
        "recommendation__number", "recommendation__pk", "number", "pk"
    )


# --- themes: learning repeated across reviews --------------------------------------


def theme_overview(user: User, today: date | None = None) -> list[dict[str, Any]]:
    """Every theme with the recommendations, reviews and actions that carry it among
    those the person may see, most used first. Three queries whatever the data size."""
    today = today or timezone.localdate()
    themes = {t.pk: t for t in Theme.objects.visible_to(user)}
    recommendations = {
        row["themes"]: row
        for row in Recommendation.objects.visible_to(user)
        .filter(themes__in=list(themes))
        .order_by()
        .values("themes")
        .annotate(
            recommendations=Count("pk", distinct=True), reviews=Count("review", distinct=True)
        )
    }
    open_q = ~Q(status__in=FINISHED_STATUSES)
    actions = {
        row["recommendation__themes"]: row
        for row in Action.objects.visible_to(user)
        .filter(recommendation__themes__in=list(themes))
        .order_by()
        .values("recommendation__themes")
        .annotate(
            actions=Count("pk", distinct=True),
            open=Count("pk", filter=open_q, distinct=True),
            overdue=Count("pk", filter=open_q & Q(effective_due__lt=today), distinct=True),
            assured=Count("pk", filter=Q(status=Status.ASSURED), distinct=True),
        )
    }
    rows = []
    for pk, theme in themes.items():
        recs = recommendations.get(pk, {})
        acts = actions.get(pk, {})
        rows.append(
            {
                "theme": theme,
                "recommendations": recs.get("recommendations", 0),
                "reviews": recs.get("reviews", 0),
                "actions": acts.get("actions", 0),
                "open": acts.get("open", 0),
                "overdue": acts.get("overdue", 0),
                "assured": acts.get("assured", 0),
            }
        )
    rows.sort(key=lambda r: (-r["recommendations"], -r["actions"], r["theme"].name.lower()))
    return rows


def theme_for_user(user: User, pk: int) -> Theme:
    return get_object_or_404(Theme.objects.visible_to(user), pk=pk)


def theme_page(user: User, theme: Theme, today: date | None = None) -> dict[str, Any]:
    """Every recommendation carrying the theme, across reviews, with its actions, as far
    as the person may see them; and the counts. A fixed number of queries."""
    today = today or timezone.localdate()
    visible_actions = (
        Action.objects.visible_to(user)
        .select_related("owner_organisation")
        .order_by("number", "pk")
    )
    recommendations = list(
        Recommendation.objects.visible_to(user)
        .filter(themes=theme)
        .select_related("review__review_type", "addressed_to")
        .prefetch_related(Prefetch("actions", queryset=visible_actions))
        .order_by("review__reference", "number")
    )
    actions = [a for r in recommendations for a in r.actions.all()]
    counts: dict[str, int] = {}
    for action in actions:
        counts[action.status] = counts.get(action.status, 0) + 1
    return {
        "theme": theme,
        "recommendations": recommendations,
        "review_count": len({r.review_id for r in recommendations}),
        "action_count": len(actions),
        "open": sum(1 for a in actions if not a.is_finished),
        "overdue": sum(1 for a in actions if a.is_overdue_on(today)),
        "assured": counts.get(Status.ASSURED, 0),
        "bands": band_counts(counts),
        "today": today,
    }
