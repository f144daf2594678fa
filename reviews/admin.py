from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from actions.models import Action
from reviews.models import (
    Recommendation,
    RecommendationSimilarity,
    Review,
    ReviewShare,
    ReviewType,
    SimilarityState,
    Theme,
)
from trackerapp.admin_site import RecordAdmin


@admin.register(ReviewType)
class ReviewTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "accepts_contributions", "is_contribution"]
    search_fields = ["code", "name"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    extra = 0
    fields = ["number", "text", "addressed_to", "accepted", "rationale", "themes"]
    autocomplete_fields = ["addressed_to", "themes"]
    show_change_link = True


class ReviewShareInline(admin.TabularInline):
    model = ReviewShare
    extra = 0
    fields = ["organisation", "access", "shared_by", "shared_at"]
    readonly_fields = ["shared_by", "shared_at"]
    autocomplete_fields = ["organisation"]


@admin.register(ReviewShare)
class ReviewShareAdmin(SimpleHistoryAdmin):
    list_display = ["review", "organisation", "access", "shared_by", "shared_at"]
    list_filter = ["access", "organisation"]
    search_fields = ["review__reference", "organisation__name", "organisation__short_name"]
    autocomplete_fields = ["review", "organisation"]
    readonly_fields = ["shared_by", "shared_at"]
    list_select_related = ["review", "organisation", "shared_by"]


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "review_type",
        "owner",
        "commissioning_body",
        "lifecycle",
        "restricted",
        "published_date",
    ]
    list_filter = ["review_type", "lifecycle", "restricted", "owner", "commissioning_body"]
    search_fields = ["reference", "title"]
    autocomplete_fields = [
        "parent",
        "owner",
        "commissioning_body",
        "named_people",
        "monitoring_forums",
    ]
    date_hierarchy = "commissioned_date"
    inlines = [ReviewShareInline, RecommendationInline]
    list_select_related = ["review_type", "owner", "commissioning_body"]


class ActionInline(admin.StackedInline):
    model = Action
    extra = 0
    fields = [
        "number",
        "description",
        "owner_organisation",
        "lead_role_title",
        "lead_user",
        "original_time_frame",
        "due_date",
        "revised_due_date",
        "status",
    ]
    autocomplete_fields = ["owner_organisation", "lead_user"]
    show_change_link = True


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "addressed_to", "accepted"]
    list_filter = ["accepted", "themes", "review__review_type", "addressed_to"]
    search_fields = ["text", "review__reference", "number"]
    autocomplete_fields = ["review", "addressed_to", "themes"]
    inlines = [ActionInline]
    list_select_related = ["review", "addressed_to"]


@admin.register(RecommendationSimilarity)
class RecommendationSimilarityAdmin(RecordAdmin):
    """Worked out by the worker from the recommendations' text
    (docs/repeated-learning.md): read here, never edited, so it stays what was computed."""

    list_display = ["recommendation", "similar", "score"]
    search_fields = ["recommendation__review__reference", "similar__review__reference"]
    list_select_related = ["recommendation__review", "similar__review"]


@admin.register(SimilarityState)
class SimilarityStateAdmin(RecordAdmin):
    """When similarities were last asked for and last computed, and how long it took."""

    list_display = ["requested_at", "computed_at", "recommendation_count", "pair_count", "seconds"]
