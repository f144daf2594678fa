"""Audit entries for what Django and django-axes announce with signals: sign-in, failed
sign-in, lock-out and sign-out, and changes to permissions and memberships however they
are made (admin, a service, a management command). Connected in AuditConfig.ready().

Who made a model change comes from the request being answered (audit.middleware); a
change made outside a request (a command, the shell) is recorded with no user."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest

from accounts.models import Membership
from audit.choices import AuditEvent
from audit.middleware import current_request
from audit.services import audit_record

User = get_user_model()

# The flags on the account that grant or withdraw access.
PERMISSION_FIELDS = ("is_active", "is_staff", "is_superuser")


# --- signing in and out -----------------------------------------------------------


def record_sign_in(sender, request: HttpRequest, user, **kwargs: Any) -> None:
    audit_record(event=AuditEvent.SIGN_IN, request=request, user=user)


def record_failed_sign_in(
    sender, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if _refused_while_locked_out(request):
        return
    # Django has already masked the password in `credentials`; only the name typed is kept.
    username = str(credentials.get(User.USERNAME_FIELD) or "")
    audit_record(event=AuditEvent.SIGN_IN_FAILED, request=request, username=username)


def _refused_while_locked_out(request: HttpRequest | None) -> bool:
    """True when django-axes refused the attempt before any password was checked: that
    is recorded once, as SIGN_IN_LOCKED, not also as a failed sign-in. (Axes sets
    `axes_locked_out` in its backend for a refusal, and in its failure handler, with a
    failure count, for the attempt that reaches the limit, which is a real failure.)"""
    return (
        request is not None
        and bool(getattr(request, "axes_locked_out", False))
        and getattr(request, "axes_failures_since_start", None) is None
    )


def record_lockout(
    sender, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    # Which count reached its limit (accounts.throttling.SignInThrottle): this username
    # from this address, this username from anywhere, or this address.
    lock = getattr(request, "sign_in_lock", None) or {"failure_limit": settings.AXES_FAILURE_LIMIT}
    audit_record(
        event=AuditEvent.SIGN_IN_LOCKED,
        request=request,
        username=username or "",
        **lock,
        cool_off_minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    )


def record_sign_out(sender, request: HttpRequest, user, **kwargs: Any) -> None:
    if user is not None:
        audit_record(event=AuditEvent.SIGN_OUT, request=request, user=user)


# --- permissions ------------------------------------------------------------------


def remember_permission_fields(sender, instance, raw: bool, update_fields, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(PERMISSION_FIELDS):
        return
    instance._audit_permissions_before = (
        sender._base_manager.filter(pk=instance.pk).values(*PERMISSION_FIELDS).first()
    )


def record_permission_fields(sender, instance, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw:
        return
    before = instance.__dict__.pop("_audit_permissions_before", None)
    if created:
        # A new account is only worth an entry when it is born privileged.
        granted = {
            field: [None, True]
            for field in ("is_staff", "is_superuser")
            if getattr(instance, field)
        }
        if granted:
            _record_permission_change(instance, changes=granted)
        return
    if before is None:
        return
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in PERMISSION_FIELDS
        if before[field] != getattr(instance, field)
    }
    if changes:
        _record_permission_change(instance, changes=changes)


# Each many-to-many that grants permissions: (owner field, grant field) of its through
# table. The owner is whose access changes: a user, or every member of a group.
GRANT_RELATIONS = {
    User.groups.through: ("groups", "user", "group"),
    User.user_permissions.through: ("user_permissions", "user", "permission"),
    Group.permissions.through: ("permissions", "group", "permission"),
}


def record_grants(
    sender, instance, action: str, reverse: bool, model, pk_set, **kwargs: Any
) -> None:
    relation, owner_field, grant_field = GRANT_RELATIONS[sender]
    if action == "pre_clear":
        # What a clear removes is gone by post_clear; read it now.
        mine, theirs = (grant_field, owner_field) if reverse else (owner_field, grant_field)
        instance._audit_cleared = set(
            sender.objects.filter(**{mine: instance.pk}).values_list(f"{theirs}_id", flat=True)
        )
        return
    if action == "post_clear":
        pk_set = instance.__dict__.pop("_audit_cleared", set())
        verb = "removed"
    elif action in ("post_add", "post_remove"):
        verb = "added" if action == "post_add" else "removed"
    else:
        return
    if not pk_set:
        return
    others = list(_with_labels(model.objects.filter(pk__in=pk_set)))
    if reverse:
        # group.user_set.add(...), permission.group_set.remove(...): one entry per owner.
        for owner in others:
            _record_permission_change(owner, **{f"{relation}_{verb}": [_label(instance)]})
    else:
        _record_permission_change(instance, **{f"{relation}_{verb}": sorted(map(_label, others))})


def _with_labels(queryset: models.QuerySet) -> models.QuerySet:
    if queryset.model is Permission:
        return queryset.select_related("content_type")
    return queryset


def _label(obj: models.Model) -> str:
    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    if isinstance(obj, User):
        return obj.get_username()
    return str(obj)


def _record_permission_change(target: models.Model, **detail: Any) -> None:
    audit_record(
        event=AuditEvent.PERMISSION_CHANGED, request=current_request(), target=target, **detail
    )


# --- memberships ------------------------------------------------------------------


def remember_membership(sender, instance: Membership, raw: bool, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    # Kept on the instance until post_save (which pops it from __dict__ again).
    instance.__dict__["_audit_membership_before"] = (
        Membership._base_manager.filter(pk=instance.pk)
        .values("role", "organisation__short_name", "user__username")
        .first()
    )


def record_membership_saved(
    sender, instance: Membership, created: bool, raw: bool, **kwargs: Any
) -> None:
    if raw:
        return
    before = instance.__dict__.pop("_audit_membership_before", None)
    now = _membership_fields(instance)
    if created or before is None:
        _record_membership(instance, change="added", **now)
        return
    was = {
        "role": before["role"],
        "organisation": before["organisation__short_name"],
        "member": before["user__username"],
    }
    if was != now:
        _record_membership(instance, change="changed", was=was, **now)


def record_membership_deleted(sender, instance: Membership, **kwargs: Any) -> None:
    _record_membership(instance, change="removed", **_membership_fields(instance))


def _membership_fields(membership: Membership) -> dict[str, str]:
    return {
        "role": membership.role,
        "organisation": membership.organisation.short_name,
        "member": membership.user.get_username(),
    }


def _record_membership(membership: Membership, **detail: Any) -> None:
    audit_record(
        event=AuditEvent.MEMBERSHIP_CHANGED,
        request=current_request(),
        target=membership,
        **detail,
    )


def connect() -> None:
    uid = "audit."
    user_logged_in.connect(record_sign_in, dispatch_uid=uid + "sign_in")
    user_login_failed.connect(record_failed_sign_in, dispatch_uid=uid + "sign_in_failed")
    user_locked_out.connect(record_lockout, dispatch_uid=uid + "sign_in_locked")
    user_logged_out.connect(record_sign_out, dispatch_uid=uid + "sign_out")
    pre_save.connect(remember_permission_fields, sender=User, dispatch_uid=uid + "perm_pre")
    post_save.connect(record_permission_fields, sender=User, dispatch_uid=uid + "perm_post")
    for through in GRANT_RELATIONS:
        m2m_changed.connect(record_grants, sender=through, dispatch_uid=uid + through.__name__)
    pre_save.connect(remember_membership, sender=Membership, dispatch_uid=uid + "member_pre")
    post_save.connect(record_membership_saved, sender=Membership, dispatch_uid=uid + "member")
    post_delete.connect(
        record_membership_deleted, sender=Membership, dispatch_uid=uid + "member_del"
    )
