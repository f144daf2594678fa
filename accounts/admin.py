from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Membership, Organisation, PasswordResetRecord, User
from accounts.services import user_sessions_end
from mfa.admin import reset_second_factor


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    actions = [reset_second_factor, "end_sessions"]
    list_display = ["username", "first_name", "last_name", "job_title", "email", "is_active"]
    list_filter = ["is_active", "is_superuser", "memberships__role", "memberships__organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Work", {"fields": ["job_title"]}),
    )

    @admin.action(description="End all sessions of the selected users", permissions=["change"])
    def end_sessions(self, request, queryset) -> None:
        for user in queryset:
            user_sessions_end(user=user, by=request.user, request=request, reason="admin action")
        self.message_user(
            request, f"Ended every session of {len(queryset)} user(s). They must sign in again."
        )

    def save_model(self, request, obj, form, change) -> None:
        deactivated = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        # After saving: the save writes the whole row, generation included.
        if deactivated:
            user_sessions_end(user=obj, by=request.user, request=request, reason="deactivated")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["commissioned_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(PasswordResetRecord)
class PasswordResetRecordAdmin(admin.ModelAdmin):
    """What the password-reset limits have counted in the window. Read-only; deleting
    an account's or an address's rows lifts its limit early, as for sign-in lock-outs."""

    list_display = ["at", "kind", "ip_address", "user"]
    list_filter = ["kind"]
    search_fields = ["ip_address", "user__username"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
