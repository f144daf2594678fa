"""The Django admin: administrators (superusers) run it; other staff see only what an
admin class opens to them.

The admin knows nothing of organisations, so it cannot keep them apart the way the
application does (docs/access.md). Every admin class is therefore for superusers only,
whatever model permissions a staff account holds, unless the class says
`open_to_staff = True` and scopes its own rows (the audit log, for an auditor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

# The mixin only ever goes in front of an admin class: to the type checker it is one.
if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin as _AdminBase
else:
    _AdminBase = object


def _superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class AdministratorsOnly(_AdminBase):
    """Mixed into every admin class not open to staff by TrackerAdminSite.register."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _superuser(request) and super().has_delete_permission(request, obj)


class RecordAdmin(ModelAdmin):
    """A record (a download log, the audit log, an import's log): read and searched in
    the admin, never added, edited or deleted there, so it stays the record."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TrackerAdminSite(AdminSite):
    site_header = "Learning review action tracker – administration"
    site_title = "Tracker administration"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or ModelAdmin
        if not getattr(admin_class, "open_to_staff", False):
            admin_class = type(admin_class.__name__, (AdministratorsOnly, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)


class TrackerAdminConfig(AdminConfig):
    default_site = "trackerapp.admin_site.TrackerAdminSite"
