from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice

from mfa import services

# Recovery codes are secrets of their owner: the admin never lists them. Administrators
# use "Reset second factor" on the user list instead.
if admin.site.is_registered(StaticDevice):
    admin.site.unregister(StaticDevice)


@admin.action(description="Reset second factor", permissions=["change"])
def reset_second_factor(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
    """For a lost or replaced phone: the user sets up their app again at next sign-in."""
    users = list(queryset)
    by = request.user
    assert by.is_authenticated  # the admin signs people in first
    for user in users:
        services.second_factor_reset(user=user, by=by, request=request)
    modeladmin.message_user(
        request,
        f"Second factor reset for {len(users)} user{'s' if len(users) != 1 else ''}. "
        "They have been signed out and will set up an authenticator app at their next sign-in.",
        messages.SUCCESS,
    )
