"""Reads for the review register and review pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from actions.choices import FINISHED_STATUSES, Status
from actions.models import Action, ActionQuerySet
from actions.selectors import band_counts, with_listing_columns
from reviews.models import (
    Recommendation,
    RecommendationSimilarity,
    Review,
    SimilarityState,
    Theme,
)
from reviews.similarity import (
    GROUP_NEIGHBOURS,
    GROUP_THRESHOLD,
    MATCH_THRESHOLD,
    SHOW_THRESHOLD,
    group_name,
)

if TYPE_CHECKING:
    from accounts.models import User

# Similar recommendations listed on a recommendation's page.
SIMILAR_SHOWN = 5


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


# --- similar recommendations and learning made before (docs/repeated-learning.md) ---


@dataclass(frozen=True)
class MadeBefore:
    """Similar learning assured in an earlier review: the committee may ask why it
    came back."""

    recommendation: Recommendation
    assured_at: datetime
    score: float

    @property
    def sentence(self) -> str:
        return (
            f"Similar learning was assured in {self.recommendation.review.reference} "
            f"in {timezone.localtime(self.assured_at):%B %Y}"
        )


def made_on(recommendation: Recommendation) -> date:
    """When a recommendation was made: its review's publication, else its commissioning,
    else the day it was recorded."""
    review = recommendation.review
    return (
        review.published_date
        or review.commissioned_date
        or timezone.localdate(recommendation.created_at)
    )


def made_before(
    recommendations: list[Recommendation],
    *,
    pairs: QuerySet[RecommendationSimilarity],
    actions: QuerySet[Action],
) -> dict[int, list[MadeBefore]]:
    """For each recommendation, the similar ones (at MATCH_THRESHOLD or above) of which an
    action was assured before it was made, latest assurance first. `pairs` and `actions`
    come already narrowed to what the reader may see (a person, or a paper's
    committee). Two queries whatever the number of recommendations."""
    by_pk = {r.pk: r for r in recommendations}
    if not by_pk:
        return {}
    matches = list(
        pairs.filter(recommendation_id__in=list(by_pk), score__gte=MATCH_THRESHOLD)
        .select_related("similar__review")
        .order_by("-score")
    )
    assured = {
        row["recommendation_id"]: row["last"]
        for row in actions.filter(
            recommendation_id__in={m.similar_id for m in matches},
            status=Status.ASSURED,
            assured_at__isnull=False,
        )
        .order_by()
        .values("recommendation_id")
        .annotate(last=Max("assured_at"))
    }
    found: dict[int, list[MadeBefore]] = {}
    for match in matches:
        when = assured.get(match.similar_id)
        recommendation = by_pk[match.recommendation_id]
        if when is not None and timezone.localdate(when) < made_on(recommendation):
            found.setdefault(recommendation.pk, []).append(
                MadeBefore(recommendation=match.similar, assured_at=when, score=match.score)
            )
    for items in found.values():
        items.sort(key=lambda m: m.assured_at, reverse=True)
    return found


def made_before_for(user: User, recommendation: Recommendation) -> list[MadeBefore]:
    """Learning made before, as this person may see it."""
    return made_before(
        [recommendation],
        pairs=RecommendationSimilarity.objects.visible_to(user),
        actions=Action.objects.visible_to(user),
    ).get(recommendation.pk, [])


def recommendation_for_user(user: User, pk: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.visible_to(user).select_related(
            "review__review_type", "addressed_to"
        ),
        pk=pk,
    )


def recommendation_page(user: User, recommendation: Recommendation) -> dict[str, Any]:
    """The recommendation, its actions, and the most similar recommendations of other
    reviews with their actions' status and assurance, all as far as the person may see
    them. Read from the stored pairs (never computed here): four queries."""
    visible_actions = Action.objects.visible_to(user)
    ordered_actions = visible_actions.select_related("owner_organisation").order_by("number", "pk")
    matches = list(
        RecommendationSimilarity.objects.visible_to(user)
        .filter(recommendation=recommendation, score__gte=SHOW_THRESHOLD)
        .select_related("similar__review__review_type", "similar__addressed_to")
        .prefetch_related(Prefetch("similar__actions", queryset=ordered_actions))
        .order_by("-score", "similar_id")[:SIMILAR_SHOWN]
    )
    earlier = made_on(recommendation)
    similar = []
    for match in matches:
        actions = list(match.similar.actions.all())
        assured = [a.assured_at for a in actions if a.status == Status.ASSURED and a.assured_at]
        last_assured = max(assured) if assured else None
        similar.append(
            {
                "recommendation": match.similar,
                "score": match.score,
                "percent": round(match.score * 100),
                "close": match.score >= MATCH_THRESHOLD,
                "actions": actions,
                "assured_count": len(assured),
                "last_assured": last_assured,
                "made_before": bool(
                    match.score >= MATCH_THRESHOLD
                    and last_assured
                    and timezone.localdate(last_assured) < earlier
                ),
            }
        )
    made = [s for s in similar if s["made_before"]]
    return {
        "recommendation": recommendation,
        "review": recommendation.review,
        "actions": list(
            recommendation.actions.filter(pk__in=visible_actions.values("pk"))
            .select_related("owner_organisation")
            .order_by("number", "pk")
        ),
        "similar": similar,
        "made_before": [
            MadeBefore(
                recommendation=s["recommendation"], assured_at=s["last_assured"], score=s["score"]
            )
            for s in sorted(made, key=lambda s: s["last_assured"], reverse=True)
        ],
        "state": SimilarityState.objects.filter(pk=1).first(),
    }


@dataclass
class RepeatedGroup:
    """Recommendations of two or more reviews that say much the same, offered as a
    theme for them."""

    recommendations: list[Recommendation]
    suggestion: str
    tagged: bool = False
    reviews: list[Review] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    first: date | None = None
    last: date | None = None

    @property
    def ids(self) -> str:
        return ",".join(str(r.pk) for r in self.recommendations)


def repeated_learning_groups(
    user: User, *, within: Iterable[int] | None = None
) -> list[RepeatedGroup]:
    """Groups of similar recommendations across reviews, largest first: the
    recommendations joined, directly or through each other, by a pair scoring at least
    GROUP_THRESHOLD in which each is among the other's GROUP_NEIGHBOURS closest (so one
    loose match does not chain two groups). Only pairs whose both sides the person may
    see; `within` narrows to some recommendations (a quarterly report's). Three queries."""
    pairs = RecommendationSimilarity.objects.visible_to(user).filter(score__gte=GROUP_THRESHOLD)
    if within is not None:
        ids = list(within)
        pairs = pairs.filter(recommendation_id__in=ids, similar_id__in=ids)
    closest: dict[int, list[int]] = {}
    for source, target in pairs.order_by("recommendation_id", "-score", "similar_id").values_list(
        "recommendation_id", "similar_id"
    ):
        closest.setdefault(source, []).append(target)
    near = {(s, t) for s, targets in closest.items() for t in targets[:GROUP_NEIGHBOURS]}
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        while parent.setdefault(pk, pk) != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for a, b in near:
        if (b, a) in near:
            parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for pk in parent:
        members.setdefault(root(pk), []).append(pk)
    wanted = [ids for ids in members.values() if len(ids) > 1]
    recommendations = {
        r.pk: r
        for r in Recommendation.objects.filter(pk__in=[pk for ids in wanted for pk in ids])
        .select_related("review__owner", "addressed_to")
        .prefetch_related("themes")
    }
    groups = []
    for ids in wanted:
        recs = sorted(
            (recommendations[pk] for pk in ids if pk in recommendations),
            key=lambda r: (made_on(r), r.review.reference, r.number),
        )
        reviews = list({r.review_id: r.review for r in recs}.values())
        if len(reviews) < 2:
            continue
        suggestion = group_name([r.text for r in recs])
        tagged = all(
            any(t.name.lower() == suggestion.lower() for t in r.themes.all()) for r in recs
        )
        organisations = sorted(
            {r.review.owner.short_name for r in recs}
            | {r.addressed_to.short_name for r in recs if r.addressed_to}
        )
        days = [made_on(r) for r in recs]
        groups.append(
            RepeatedGroup(
                recommendations=recs,
                suggestion=suggestion,
                tagged=tagged,
                reviews=reviews,
                organisations=organisations,
                first=min(days),
                last=max(days),
            )
        )
    groups.sort(key=lambda g: (-len(g.reviews), -len(g.recommendations), g.suggestion))
    return groups
