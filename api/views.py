"""The REST API, version 1 (docs/api.md). Thin: reads go through each model's
`visible_to(user)`, writes through the same services as the pages, so the API can do
nothing a person could not do on the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import Verb, require
from actions import services as action_services
from actions.forms import ActionFilterForm
from actions.models import Action, Evidence, ProgressUpdate
from api import serializers
from api.errors import field_errors
from api.models import ApiToken
from audit.choices import AuditEvent
from audit.services import audit_record
from governance import services as governance_services
from governance.choices import BuildState, PaperState
from governance.models import Forum, Meeting, Paper
from reviews.models import Recommendation, Review
from trackerapp.downloads import private_file_response


def _id_filter(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: ["Enter a whole number."]}) from None
    if not 0 < value < 2**63:
        raise exceptions.ValidationError({name: ["Enter an id."]})
    return value


def _audited_write(request: Request, action: Action, operation: str, **detail: Any) -> None:
    token = request.auth if isinstance(request.auth, ApiToken) else None
    audit_record(
        event=AuditEvent.API_WRITE,
        request=request._request,
        user=request.user,
        target=action,
        operation=operation,
        token=token.prefix if token else "session",
        **detail,
    )


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


@extend_schema(tags=["reviews"])
class ReviewViewSet(ReadOnly):
    """Reviews the person reads; restricted ones only for the people named on them."""

    serializer_class = serializers.ReviewSerializer

    def get_queryset(self):
        return Review.objects.visible_to(self.request.user).select_related(
            "review_type", "owner", "commissioning_body"
        )


ID_FILTER = OpenApiParameter("review", OpenApiTypes.INT, description="Only this review's.")


@extend_schema(tags=["reviews"], parameters=[ID_FILTER])
class RecommendationViewSet(ReadOnly):
    serializer_class = serializers.RecommendationSerializer

    def get_queryset(self):
        queryset = Recommendation.objects.visible_to(self.request.user).select_related(
            "addressed_to"
        )
        review = _id_filter(self.request, "review")
        if review is not None:
            queryset = queryset.filter(review_id=review)
        return queryset.prefetch_related("themes")


ACTION_FILTERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Words in the description or expected outcome."
    ),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        many=True,
        explode=True,
        enum=[choice for choice, _label in ActionFilterForm.base_fields["status"].choices],  # type: ignore[attr-defined]
        description="One or more statuses (repeat the parameter).",
    ),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only overdue actions."),
    OpenApiParameter("due_from", OpenApiTypes.STR, description="Due on or after (DD/MM/YYYY)."),
    OpenApiParameter("due_to", OpenApiTypes.STR, description="Due on or before (DD/MM/YYYY)."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Owner organisation id."),
    OpenApiParameter("lead", OpenApiTypes.INT, description="Lead person id."),
    OpenApiParameter("review_type", OpenApiTypes.INT, description="Review type id."),
    OpenApiParameter("review", OpenApiTypes.INT, description="Review id."),
    OpenApiParameter("forum", OpenApiTypes.INT, description="Monitoring forum id."),
    OpenApiParameter("theme", OpenApiTypes.INT, description="Theme id."),
]


@extend_schema(tags=["actions"])
class ActionViewSet(ReadOnly):
    """Actions the person sees: the action list's filters, in id order, a page at a time.
    Writes: progress updates and status changes, by the rules of the action page."""

    serializer_class = serializers.ActionSerializer

    def get_queryset(self):
        return Action.objects.visible_to(self.request.user).select_related(
            "recommendation", "owner_organisation", "lead_user"
        )

    @extend_schema(parameters=ACTION_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = ActionFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: list(errors) for name, errors in form.errors.items()}
            )
        # The list's filters, but not its sort: pages are kept in id order (keyset).
        queryset = form.apply(self.get_queryset()).order_by()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=serializers.ProgressUpdateWriteSerializer,
        responses={201: serializers.ProgressUpdateSerializer},
        summary="Post a progress update",
    )
    @route(detail=True, methods=["post"], url_path="updates")
    def add_update(self, request: Request, pk: str | None = None) -> Response:
        action = self.get_object()
        require(request.user, Verb.UPDATE, action, "You cannot post updates on this action.")
        body = serializers.ProgressUpdateWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                update = action_services.progress_update_add(
                    action=action, by=request.user, text=body.validated_data["text"]
                )
                _audited_write(request, action, "progress_update", update=update.pk)
        except DjangoValidationError as error:
            raise field_errors(error) from None
        return Response(
            serializers.ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.StatusChangeSerializer,
        responses={
            200: serializers.ActionSerializer,
            409: OpenApiResponse(
                serializers.ConflictSerializer, description="The action changed since you read it."
            ),
        },
        summary="Change the status",
        description="The rules of the action page: providers up to completed, only the "
        "safeguarding team assures or closes; completed needs evidence, assured accepted "
        "evidence, closed a rationale. Send the `version` you read: a stale one is refused "
        "with 409 and nothing is saved.",
    )
    @route(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        action = self.get_object()
        require(request.user, Verb.UPDATE, action)
        body = serializers.StatusChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            with transaction.atomic():
                before = action.status
                changed = action_services.action_set_status(
                    action=action,
                    by=request.user,
                    status=data["status"],
                    note=data["note"],
                    closure_rationale=data["closure_rationale"],
                    expected_version=data["version"],
                )
                _audited_write(request, changed, "status", old=before, new=changed.status)
        except action_services.StaleActionError as stale:
            return Response(
                {"detail": str(stale), "version": stale.action.version},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            raise field_errors(error) from None
        changed.refresh_from_db()
        return Response(serializers.ActionSerializer(changed).data)


ACTION_ID_FILTER = OpenApiParameter("action", OpenApiTypes.INT, description="Only this action's.")


@extend_schema(tags=["actions"], parameters=[ACTION_ID_FILTER])
class ProgressUpdateViewSet(ReadOnly):
    serializer_class = serializers.ProgressUpdateSerializer

    def get_queryset(self):
        queryset = ProgressUpdate.objects.visible_to(self.request.user).select_related("author")
        action = _id_filter(self.request, "action")
        return queryset if action is None else queryset.filter(action_id=action)


@extend_schema(tags=["actions"], parameters=[ACTION_ID_FILTER])
class EvidenceViewSet(ReadOnly):
    """What evidence there is (metadata); files are opened on the action page."""

    serializer_class = serializers.EvidenceSerializer

    def get_queryset(self):
        queryset = Evidence.objects.visible_to(self.request.user).select_related("uploaded_by")
        action = _id_filter(self.request, "action")
        return queryset if action is None else queryset.filter(action_id=action)


@extend_schema(tags=["committees"])
class ForumViewSet(ReadOnly):
    serializer_class = serializers.ForumSerializer

    def get_queryset(self):
        return Forum.objects.visible_to(self.request.user).select_related("organisation")


FORUM_FILTER = OpenApiParameter("forum", OpenApiTypes.INT, description="Only this forum's.")


@extend_schema(tags=["committees"], parameters=[FORUM_FILTER])
class MeetingViewSet(ReadOnly):
    serializer_class = serializers.MeetingSerializer

    def get_queryset(self):
        queryset = Meeting.objects.visible_to(self.request.user).select_related("forum")
        forum = _id_filter(self.request, "forum")
        return queryset if forum is None else queryset.filter(forum_id=forum)


MEETING_FILTER = OpenApiParameter("meeting", OpenApiTypes.INT, description="Only this meeting's.")


@extend_schema(tags=["committees"], parameters=[MEETING_FILTER])
class PaperViewSet(ReadOnly):
    """Committee papers the person may read: drafts for the secretaries and safeguarding
    team of the forum's organisation, issued papers for its viewers too."""

    serializer_class = serializers.PaperSerializer

    def get_queryset(self):
        queryset = Paper.objects.visible_to(self.request.user)
        meeting = _id_filter(self.request, "meeting")
        return queryset if meeting is None else queryset.filter(meeting_id=meeting)

    @extend_schema(
        parameters=[],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="The issued paper's PDF",
        description="Issued papers only (a draft changes until it is issued); each "
        "download is recorded as on the paper's page.",
    )
    @route(detail=True, methods=["get"], url_path="pdf", pagination_class=None, filter_backends=[])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        paper = self.get_object()
        if (
            paper.state != PaperState.ISSUED
            or not paper.pdf
            or paper.build_state != BuildState.READY
        ):
            raise Http404("Only an issued paper's PDF is served here.")
        governance_services.paper_download_record(
            paper=paper, by=request.user, request=request._request
        )
        return private_file_response(
            paper.pdf, filename=paper.pdf_filename, content_type="application/pdf"
        )
