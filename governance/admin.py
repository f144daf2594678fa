from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from governance.choices import PaperState
from governance.models import Forum, GlossaryTerm, Meeting, Paper, PaperDownload
from trackerapp.admin_site import RecordAdmin


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["held_on", "location"]
    show_change_link = True


@admin.register(Forum)
class ForumAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "name", "kind", "cadence", "reports_to", "paper_deadline_days"]
    list_filter = ["kind", "cadence", "organisation"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["organisation", "provider", "reports_to", "chair", "secretary"]
    inlines = [MeetingInline]


PAPER_COLUMNS = ("title", "version", "state", "issued_at")


class PaperInline(admin.TabularInline):
    model = Paper
    extra = 0
    fields = PAPER_COLUMNS
    readonly_fields = PAPER_COLUMNS
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["forum", "held_on", "paper_deadline", "location"]
    list_filter = ["forum"]
    search_fields = ["forum__name", "forum__short_name", "location"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["forum"]
    inlines = [PaperInline]
    list_select_related = ["forum"]


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "version", "state", "issued_at"]
    list_filter = ["state", "meeting__forum"]
    search_fields = ["title", "author"]
    autocomplete_fields = ["meeting", "supersedes", "created_by", "issued_by"]
    readonly_fields = [
        "pdf_sha256",
        "snapshot",
        "issued_at",
        "issued_by",
        "data_as_at",
        "build_state",
        "build_progress",
        "build_message",
        "build_started_at",
        "page_count",
    ]
    exclude = ["pdf"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Issued papers are the committee's record; they are superseded, never deleted.
        if obj is not None and obj.state == PaperState.ISSUED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(PaperDownload)
class PaperDownloadAdmin(RecordAdmin):
    """The download log is a record: readable, never edited."""

    list_display = ["paper", "user", "downloaded_at", "sha256"]
    list_filter = ["paper__meeting__forum"]
    search_fields = ["paper__title", "user__username"]
    date_hierarchy = "downloaded_at"
    list_select_related = ["paper", "user"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    """Abbreviations for papers' glossaries: a paper lists each one it uses, and names
    any it cannot expand so that an administrator can add it here."""

    list_display = ["term", "meaning"]
    search_fields = ["term", "meaning"]
