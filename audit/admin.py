from __future__ import annotations

from datetime import UTC

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from accounts.models import Membership
from audit.choices import AuditEvent
from audit.exports import CSV_CONTENT_TYPE, audit_csv_lines
from audit.models import AuditEntry
from audit.services import audit_record
from trackerapp.admin_site import RecordAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    """Searchable by admins; nobody adds, edits or deletes entries. Every page of it is
    drawn in UTC, the time the log keeps, whatever the site's time zone.

    Open to staff granted audit.view_auditentry (an auditor). One who holds a role in
    an organisation sees only the entries of people of their organisations, so the log
    does not carry one organisation's activity to another (docs/access.md); one with
    no organisation audits the whole service, as its administrators do."""

    open_to_staff = True

    change_list_template = "admin/audit/auditentry/change_list.html"
    list_display = ["at_utc", "event", "username", "ip_address", "object_repr", "path"]
    list_filter = ["event", ("at", admin.DateFieldListFilter), "object_type"]
    search_fields = ["username", "object_repr", "object_id", "path", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = ["at_utc"]
    fields = [
        "at_utc",
        "event",
        "user",
        "username",
        "ip_address",
        "user_agent",
        "path",
        "object_type",
        "object_id",
        "object_repr",
        "detail",
    ]
    actions = ["export_selected"]

    @admin.display(description="Time (UTC)", ordering="at")
    def at_utc(self, entry: AuditEntry) -> str:
        return f"{entry.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        entries = super().get_queryset(request)
        user = request.user
        assert user.is_authenticated  # the admin signs people in first
        if user.is_superuser or not user.memberships.exists():
            return entries
        colleagues = Membership.objects.filter(
            organisation__in=user.memberships.values("organisation")
        ).values("user_id")
        return entries.filter(user__in=colleagues)

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        with timezone.override(UTC):
            return _rendered(super().changelist_view(request, extra_context))

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        with timezone.override(UTC):
            return _rendered(super().change_view(request, object_id, form_url, extra_context))

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export.csv", export, name="audit_auditentry_export"), *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """Every entry the list shows with the same search and filters, all pages."""
        if not self.has_view_permission(request):
            raise PermissionDenied("Only administrators may export the audit log.")
        try:
            with timezone.override(UTC):
                entries = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("These filters do not apply to the audit log.")
        return self._csv_response(request, entries, query=request.GET.urlencode())

    @admin.action(description="Export selected entries as CSV", permissions=["view"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return self._csv_response(request, queryset, query="selected entries")

    def _csv_response(self, request: HttpRequest, entries: QuerySet, *, query: str):
        rows = entries.count()
        audit_record(
            event=AuditEvent.EXPORT, request=request, export="audit log", rows=rows, query=query
        )
        response = StreamingHttpResponse(
            audit_csv_lines(entries.iterator(chunk_size=2000)), content_type=CSV_CONTENT_TYPE
        )
        stamp = f"{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}"
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        # As every download (trackerapp.downloads): never run as a page if opened inline.
        response["Content-Security-Policy"] = "sandbox"
        return response


def _rendered(response: HttpResponse) -> HttpResponse:
    # A TemplateResponse renders after the view returns, outside the UTC override.
    if isinstance(response, TemplateResponse):
        response.render()
    return response
