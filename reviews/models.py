from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts import access
from accounts.choices import REVIEW_OWNER_KINDS
from reviews.choices import GROUPING_PLURAL, Lifecycle, PlanGrouping, ShareAccess

if TYPE_CHECKING:
    from accounts.models import User


class ReviewType(models.Model):
    """A kind of learning review (DHR, SAR, IMR ...). A configurable list."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=120)
    accepts_contributions = models.BooleanField(
        default=False,
        help_text="Agencies contribute IMRs to reviews of this type (DHR, SCR, CSPR, SAR).",
    )
    is_contribution = models.BooleanField(
        default=False, help_text="An agency's contribution to another review (IMR)."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ThemeQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ThemeQuerySet:
        """Theme pages are portfolio pages: the safeguarding team, secretaries, viewers and
        administrators. What a theme lists is filtered again by each model's own rule."""
        return self.all() if access.may(user, access.Verb.READ_PORTFOLIO) else self.none()


class Theme(models.Model):
    """A tag for recommendations, so that learning repeated across reviews shows up."""

    name = models.CharField(max_length=100, unique=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def named_review_ids(user: User) -> models.QuerySet:
    """The reviews a person is named on: the only way into a restricted review."""
    return Review.named_people.through.objects.filter(user_id=user.pk).values("review_id")


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReviewQuerySet:
        """The read choke point for reviews (docs/access.md): administrators see all;
        commissioners, secretaries and viewers the non-restricted reviews their
        organisation owns or has been shared; providers the non-restricted reviews their
        actions or recommendations hang on, whoever owns them; restricted reviews only
        the people named on them."""
        return self.filter(access.review_read_q(user, to_review=""))


class Review(models.Model):
    """A learning review (DHR, SAR, CSPR, IMR, ...) whose recommendations are tracked."""

    review_type = models.ForeignKey(ReviewType, on_delete=models.PROTECT, related_name="reviews")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="For an IMR: the DHR, SCR, CSPR or SAR it contributes to.",
    )
    reference = models.CharField(max_length=60, unique=True, help_text='e.g. "DHR 2012/03"')
    title = models.CharField(max_length=200, help_text='Anonymised, e.g. "Mr A".')
    summary = models.TextField(blank=True)
    commissioning_body = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="commissioned_reviews"
    )
    # Whose tracker the review is in: the organisation whose safeguarding team registered
    # it and answers for its actions. Often not the commissioning body (a DHR is
    # commissioned by a Community Safety Partnership and tracked by the ICB); partners
    # reach it only through a ReviewShare (docs/access.md).
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_reviews",
        help_text="The organisation whose safeguarding team tracks this review.",
    )
    incident_date = models.DateField(null=True, blank=True)
    commissioned_date = models.DateField(null=True, blank=True)
    published_date = models.DateField(null=True, blank=True)
    lifecycle = models.CharField(
        max_length=20, choices=Lifecycle.choices, default=Lifecycle.IN_PROGRESS
    )
    restricted = models.BooleanField(
        default=False, help_text="Visible only to the people named below (and administrators)."
    )
    named_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="named_on_reviews"
    )
    monitoring_forums = models.ManyToManyField(
        "governance.Forum", blank=True, related_name="monitored_reviews"
    )
    plan_grouping = models.CharField(
        max_length=20,
        choices=PlanGrouping.choices,
        default=PlanGrouping.RECOMMENDATION,
        help_text="What the plan groups its actions under: recommendations for a learning "
        "review; workstreams, objectives, priorities, themes or areas for a strategy plan.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        indexes = [models.Index(fields=["lifecycle"], name="review_lifecycle_idx")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.title})"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    @property
    def grouping_label(self) -> str:
        """ "Recommendation", "Workstream", ...: what one group of the plan is called."""
        return PlanGrouping(self.plan_grouping).label

    @property
    def grouping_label_plural(self) -> str:
        return GROUPING_PLURAL[self.plan_grouping]

    @property
    def has_recommendations(self) -> bool:
        return self.plan_grouping == PlanGrouping.RECOMMENDATION

    def clean(self) -> None:

        if self.owner_id is not None and self.owner.kind not in REVIEW_OWNER_KINDS:
            raise ValidationError(
                {
                    "owner": "A review is owned by a commissioner, partnership or board, "
                    "not by a provider."
                }
            )
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "A review cannot be its own parent."})
        if self.review_type_id is None:
            # No type, or one the form refused: its own error says so, and there is no
            # type to check the parent against.
            return
        if not self.review_type.is_contribution:
            raise ValidationError(
                {
                    "parent": f"Only an agency contribution (IMR) has a parent, not a "
                    f"{self.review_type.code}."
                }
            )
        parent = self.parent
        assert parent is not None  # parent_id is set
        if not parent.review_type.accepts_contributions:
            raise ValidationError(
                {
                    "parent": f"An {self.review_type.code} contributes to a DHR, SCR, CSPR or "
                    f"SAR, not to a {parent.review_type.code}."
                }
            )


class RecommendationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> RecommendationQuerySet:
        """Recommendations of the reviews a person reaches (docs/access.md); providers
        only those addressed to them or carrying their actions, and never the detail of
        a restricted review."""
        return self.filter(access.recommendation_read_q(user))


class Recommendation(models.Model):
    """A numbered recommendation of a review, addressed to an organisation."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recommendations")
    number = models.CharField(
        max_length=20, help_text='As numbered in the review, e.g. "7" or "7:7".'
    )
    text = models.TextField()
    addressed_to = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    accepted = models.BooleanField(default=True)
    rationale = models.TextField(blank=True, help_text="Why it was not accepted.")
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"], name="recommendation_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review.reference} rec {self.number}"

    def clean(self) -> None:
        if not self.accepted and not self.rationale.strip():
            raise ValidationError({"rationale": "Say why the recommendation was not accepted."})


class ReviewShare(models.Model):
    """A review shared by its owner with a partner organisation: reviews are
    multi-agency, so sharing is normal, and it is the only way a review reaches an
    organisation that does not own it (docs/access.md)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="review_shares"
    )
    access = models.CharField(max_length=12, choices=ShareAccess.choices)
    # Empty for the shares made when organisations were introduced (a migration).
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "organisation"], name="review_share_once_per_partner"
            )
        ]
        indexes = [models.Index(fields=["organisation", "review"], name="share_by_partner")]

    def __str__(self) -> str:
        return f"{self.review.reference} shared with {self.organisation} ({self.access})"

    def clean(self) -> None:
        if self.review_id and self.organisation_id == self.review.owner_id:
            raise ValidationError(
                {"organisation": "The owner already has the review; share it with a partner."}
            )


class RecommendationSimilarityQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> RecommendationSimilarityQuerySet:
        """Pairs whose two sides the person may both read (docs/repeated-learning.md):
        a pair with a side they may not read is not theirs to count, score or name."""
        visible = Recommendation.objects.filter(access.recommendation_read_q(user)).values("pk")
        return self.filter(recommendation__in=visible, similar__in=visible)


class RecommendationSimilarity(models.Model):
    """One of the recommendations of other reviews most like `recommendation` in wording,
    with their cosine similarity. Computed for every recommendation at once by
    reviews.services.similarities_recompute on the worker, never on a page view."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="similarities"
    )
    similar = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    objects = RecommendationSimilarityQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "similar"], name="recommendation_similarity_once"
            )
        ]
        indexes = [
            models.Index(fields=["recommendation", "-score"], name="similarity_best_first"),
            models.Index(fields=["score"], name="similarity_by_score"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} ~ {self.similar_id} ({self.score:.2f})"


class SimilarityState(models.Model):
    """The one row saying when similarities were last asked for and last computed: a
    recompute that finds them computed since the last request has nothing to do, so
    any number of requests (an import of hundreds of rows) costs one recompute."""

    requested_at = models.DateTimeField(null=True, blank=True)
    # When the recommendations of the last recompute were read (not when it finished):
    # a write committed while it ran asks again, and is picked up by the next run.
    computed_at = models.DateTimeField(null=True, blank=True)
    recommendation_count = models.PositiveIntegerField(default=0)
    pair_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"Similarities computed {self.computed_at or 'never'}"

    @property
    def stale(self) -> bool:
        return self.requested_at is not None and (
            self.computed_at is None or self.computed_at < self.requested_at
        )
