from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from actions.models import (
    Action,
    Evidence,
    EvidenceDownload,
    ExtensionRequest,
    PortfolioGeneration,
    ProgressUpdate,
    Reminder,
    ReminderPolicy,
)
from actions.services import reminders_retry_undelivered
from trackerapp.admin_site import RecordAdmin


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    fields = ["created_at", "author", "status", "text"]
    autocomplete_fields = ["author"]


EVIDENCE_COLUMNS = (
    "original_filename",
    "description",
    "review_state",
    "uploaded_by",
    "uploaded_at",
)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = EVIDENCE_COLUMNS
    readonly_fields = EVIDENCE_COLUMNS
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Evidence arrives through the upload service, which checks the file.
        return False


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "recommendation",
        "owner_organisation",
        "lead_role_title",
        "due_date",
        "revised_due_date",
        "status",
    ]
    list_filter = [
        "status",
        "owner_organisation",
        "recommendation__review__review_type",
        "monitoring_forum",
    ]
    search_fields = ["description", "lead_role_title", "recommendation__review__reference"]
    autocomplete_fields = [
        "recommendation",
        "owner_organisation",
        "lead_user",
        "assured_by",
        "monitoring_forum",
    ]
    readonly_fields = ["effective_due", "version", "created_at", "updated_at"]
    date_hierarchy = "due_date"
    inlines = [ProgressUpdateInline, EvidenceInline]
    list_select_related = ["recommendation__review", "owner_organisation"]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = [
        "original_filename",
        "action",
        "review_state",
        "uploaded_by",
        "uploaded_at",
        "size_bytes",
    ]
    list_filter = ["review_state", "action__owner_organisation"]
    search_fields = ["original_filename", "description", "sha256"]
    readonly_fields = [
        "download",
        "sha256",
        "size_bytes",
        "content_type",
        "virus_scan",
        "uploaded_at",
    ]
    exclude = ["file"]

    @admin.display(description="File")
    def download(self, obj: Evidence) -> str:
        # Files are private: the only way to them is the access-checked, logged view.
        if not obj.pk:
            return "-"
        url = reverse("actions:evidence_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_filename)

    autocomplete_fields = ["action", "uploaded_by", "reviewed_by"]
    list_select_related = ["action", "uploaded_by"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "author", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["text", "action__description"]
    autocomplete_fields = ["action", "author"]
    list_select_related = ["action", "author"]


@admin.register(EvidenceDownload)
class EvidenceDownloadAdmin(RecordAdmin):
    """The download log is a record: it can be read and searched, never edited."""

    list_display = ["downloaded_at", "user", "evidence"]
    list_filter = ["downloaded_at"]
    search_fields = ["user__username", "evidence__original_filename"]
    list_select_related = ["user", "evidence"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = [
        "action",
        "proposed_date",
        "state",
        "requested_by",
        "requested_at",
        "decided_by",
    ]
    list_filter = ["state"]
    search_fields = ["reason", "action__description"]
    autocomplete_fields = ["action", "requested_by", "decided_by"]
    list_select_related = ["action", "requested_by", "decided_by"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """The ladder's thresholds: one row, changed here by an administrator."""

    list_display = [
        "__str__",
        "due_soon_days",
        "escalate_to_provider_days",
        "escalate_to_forum_days",
        "call_for_papers_days",
        "evidence_review_days",
    ]

    def has_add_permission(self, request) -> bool:
        return not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "rung",
        "subject_key",
        "key_date",
        "state",
        "sent_at",
        "attempts",
    ]
    list_filter = ["state", "rung"]
    search_fields = ["recipient__username", "subject_key", "last_error"]
    actions = ["send_again"]

    @admin.action(description="Send the selected undelivered reminders again")
    def send_again(self, request, queryset) -> None:

        count = reminders_retry_undelivered(
            by=request.user, reminder_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{count} reminders will be sent again with the next run.")

    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(PortfolioGeneration)
class PortfolioGenerationAdmin(RecordAdmin):
    """The portfolio's generation, changed by the database with every write that kept
    figures depend on (docs/access.md): shown for diagnosis, never set by hand."""

    list_display = ["id", "token"]
