from __future__ import annotations

from django.contrib import admin

from imports.models import PlanImport, SavedMapping


@admin.register(PlanImport)
class PlanImportAdmin(admin.ModelAdmin):
    """The record of imports. Imports happen through the import pages, which check the
    file and plan every row; the admin only reads them."""

    list_display = [
        "original_filename",
        "state",
        "uploaded_by",
        "uploaded_at",
        "committed_at",
        "actions_created",
        "actions_updated",
    ]
    list_filter = ["state", "update_in_place"]
    search_fields = ["original_filename", "sha256", "uploaded_by__username"]
    date_hierarchy = "uploaded_at"
    readonly_fields = [f.name for f in PlanImport._meta.fields] + ["reviews"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "saved_by", "saved_at"]
    search_fields = ["headings"]
    readonly_fields = ["headings_key", "saved_by", "saved_at"]
