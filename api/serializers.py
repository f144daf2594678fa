"""What the API says about each thing: the same fields the pages show the person, never
more (no file paths, no hashes of evidence, no other people's email addresses)."""

from __future__ import annotations

from rest_framework import serializers

from actions.choices import Status
from actions.models import Action, Evidence, ProgressUpdate
from governance.models import Forum, Meeting, Paper
from reviews.models import Recommendation, Review


class ReviewSerializer(serializers.ModelSerializer):
    review_type = serializers.CharField(source="review_type.code", read_only=True)
    owner = serializers.CharField(source="owner.short_name", read_only=True)
    commissioning_body = serializers.CharField(
        source="commissioning_body.short_name", read_only=True
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "reference",
            "title",
            "review_type",
            "owner",
            "commissioning_body",
            "lifecycle",
            "restricted",
            "incident_date",
            "commissioned_date",
            "published_date",
            "created_at",
            "updated_at",
        ]


class RecommendationSerializer(serializers.ModelSerializer):
    addressed_to = serializers.CharField(
        source="addressed_to.short_name", read_only=True, allow_null=True, default=None
    )
    themes = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "review",
            "number",
            "text",
            "addressed_to",
            "accepted",
            "rationale",
            "themes",
            "updated_at",
        ]


class ActionSerializer(serializers.ModelSerializer):
    review = serializers.IntegerField(source="recommendation.review_id", read_only=True)
    owner_organisation = serializers.CharField(
        source="owner_organisation.short_name", read_only=True
    )
    lead = serializers.CharField(
        source="lead_user.display_name", read_only=True, allow_null=True, default=None
    )
    monitoring_forum = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # A generated column: the revised due date if any, else the original; none for an
    # action without a date.
    effective_due = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "review",
            "recommendation",
            "number",
            "description",
            "owner_organisation",
            "lead_role_title",
            "lead",
            "original_time_frame",
            "due_date",
            "revised_due_date",
            "effective_due",
            "expected_outcome",
            "evidence_required",
            "status",
            "completed_on",
            "assured_at",
            "closure_rationale",
            "monitoring_forum",
            "version",
            "created_at",
            "updated_at",
        ]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "action", "text", "status", "author", "created_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.display_name", read_only=True)
    file_type = serializers.CharField(source="type_label", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "action",
            "description",
            "original_filename",
            "file_type",
            "size_bytes",
            "uploaded_by",
            "uploaded_at",
            "review_state",
            "reviewed_at",
            "rejection_reason",
        ]


class ForumSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.short_name", read_only=True)

    class Meta:
        model = Forum
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "organisation",
            "cadence",
            "paper_deadline_days",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    paper_deadline = serializers.DateField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "forum", "held_on", "location", "paper_deadline"]


class PaperSerializer(serializers.ModelSerializer):
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Paper
        fields = [
            "id",
            "meeting",
            "title",
            "author",
            "agenda_item",
            "period",
            "classification",
            "state",
            "version",
            "issued_at",
            "has_pdf",
        ]

    def get_has_pdf(self, paper: Paper) -> bool:
        return bool(paper.pdf)


# --- Writes ---------------------------------------------------------------------------


class ProgressUpdateWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000, trim_whitespace=True)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(
        max_length=10_000, help_text="What has changed; kept in the history."
    )
    closure_rationale = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2_147_483_647,
        help_text="The action's `version` as you read it; 409 if it has changed since.",
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(help_text="The action's version now.")
