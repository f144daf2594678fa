"""Second-factor writes: enrolment, checking a code, recovery codes and the admin reset.

Every code is checked through `django_otp.verify_token`, which locks the device row
(select_for_update) so that two requests cannot both spend one code. A TOTP device
accepts each 30-second step once (`last_t`), and each device refuses all codes for a
growing delay after a wrong one (django-otp's throttling: 1, 2, 4, 8 ... seconds).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import django_otp
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import user_sessions_end
from audit.choices import AuditEvent
from audit.services import audit_record
from trackerapp.types import AuthenticatedRequest

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# New recovery codes wait here, in the user's own session, until they say they have
# saved them; they are never shown again after that.
NEW_RECOVERY_CODES_SESSION_KEY = "mfa_new_recovery_codes"


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeCheck:
    """The answer to one code: accepted, refused (wrong or already used), or not
    checked at all because the device is locked after wrong codes."""

    outcome: Outcome
    device: Device | None = None
    locked_until: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


def totp_device_for(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def recovery_device_for(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _code_check(*, request: HttpRequest, device: Device, token: str, stage: str) -> CodeCheck:
    allowed, why = device.verify_is_allowed()
    if not allowed:
        audit_record(
            event=AuditEvent.MFA_FAILED,
            request=request,
            target=device,
            stage=stage,
            reason="locked",
        )
        return CodeCheck(Outcome.LOCKED, locked_until=(why or {}).get("locked_until"))
    verified = django_otp.verify_token(request.user, device.persistent_id, token)
    if verified is None:
        audit_record(
            event=AuditEvent.MFA_FAILED,
            request=request,
            target=device,
            stage=stage,
            reason="wrong or already used",
        )
        return CodeCheck(Outcome.REFUSED)
    return CodeCheck(Outcome.ACCEPTED, device=verified)


def _session_verify(*, request: HttpRequest, device: Device) -> None:
    django_otp.login(request, device)
    # The session now carries more trust than when it was created: give it a new key.
    request.session.cycle_key()


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator app whose key the enrolment page shows. The same one
    on every visit until it is confirmed, so a reload does not spoil a scanned code."""
    if totp_device_for(user) is not None:
        # Only an administrator's reset lets someone with an app set up another.
        raise PermissionDenied("Two-factor sign-in is already set up.")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False, tolerance=1)
        device.full_clean()
        device.save()
    return device


def totp_enrolment_confirm(
    *, request: HttpRequest, device: TOTPDevice, token: str
) -> tuple[CodeCheck, list[str]]:
    """1. Checks the first code from the app (proving it holds the key).
    2. Confirms the device, drops any other app of the user, issues recovery codes.
    3. Marks this session as having passed the second factor."""
    if device.user_id != request.user.pk or device.confirmed:
        raise PermissionDenied("This is not an authenticator app waiting to be set up.")
    check = _code_check(request=request, device=device, token=token, stage="enrolment")
    if not check.accepted:
        return check, []
    confirmed = check.device
    assert confirmed is not None  # an accepted code names its device
    with transaction.atomic():
        confirmed.confirmed = True
        confirmed.created_at = timezone.now()
        confirmed.save(update_fields=["confirmed", "created_at"])
        TOTPDevice.objects.filter(user=request.user).exclude(pk=confirmed.pk).delete()
        audit_record(event=AuditEvent.MFA_ENROLLED, request=request, target=confirmed)
        codes = recovery_codes_issue(request=request)
    _session_verify(request=request, device=confirmed)
    return check, codes


def totp_verify(*, request: HttpRequest, device: TOTPDevice, token: str) -> CodeCheck:
    """Checks the code from the user's app at sign-in and, if right, marks the session."""
    if device.user_id != request.user.pk or not device.confirmed:
        raise PermissionDenied("This is not the user's authenticator app.")
    check = _code_check(request=request, device=device, token=token, stage="sign-in")
    if check.accepted:
        _session_verify(request=request, device=check.device)
        audit_record(event=AuditEvent.MFA_VERIFIED, request=request, target=check.device)
    return check


def recovery_code_use(*, request: AuthenticatedRequest, code: str) -> CodeCheck:
    """Signs in with one recovery code instead of the app. A used code is deleted, so
    it never works again."""
    device = recovery_device_for(request.user)
    if device is None:
        audit_record(
            event=AuditEvent.MFA_FAILED,
            request=request,
            stage="recovery code",
            reason="no recovery codes",
        )
        return CodeCheck(Outcome.REFUSED)
    check = _code_check(request=request, device=device, token=code, stage="recovery code")
    if check.accepted:
        _session_verify(request=request, device=check.device)
        audit_record(
            event=AuditEvent.RECOVERY_CODE_USED,
            request=request,
            target=check.device,
            codes_left=recovery_codes_left(request.user),
        )
    return check


def recovery_codes_issue(*, request: HttpRequest) -> list[str]:
    """Replaces the user's recovery codes with 10 new single-use ones and keeps them in
    the session until the user has seen them."""
    user = request.user
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes: list[str] = []
        while len(codes) < RECOVERY_CODE_COUNT:
            code = StaticToken.random_token()
            if code not in codes:
                codes.append(code)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit_record(
            event=AuditEvent.RECOVERY_CODES_ISSUED, request=request, target=device, count=len(codes)
        )
    request.session[NEW_RECOVERY_CODES_SESSION_KEY] = codes
    return codes


def recovery_codes_regenerate(*, request: HttpRequest, device: TOTPDevice, token: str) -> CodeCheck:
    """New recovery codes, only against a fresh code from the app: a session left open on
    a shared computer is not enough to take them."""
    if device.user_id != request.user.pk or not device.confirmed:
        raise PermissionDenied("This is not the user's authenticator app.")
    check = _code_check(request=request, device=device, token=token, stage="new recovery codes")
    if check.accepted:
        recovery_codes_issue(request=request)
    return check


def recovery_codes_seen(*, request: HttpRequest) -> None:
    request.session.pop(NEW_RECOVERY_CODES_SESSION_KEY, None)


def second_factor_reset(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """An administrator's reset for a lost or replaced phone: removes the user's app and
    recovery codes and ends their sessions, so they set up the app again at their next
    sign-in."""
    if not (by.is_active and by.has_perm("accounts.change_user")):
        raise PermissionDenied("Only an administrator can reset a second factor.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(event=AuditEvent.MFA_RESET, request=request, user=by, target=user)
        user_sessions_end(user=user, by=by, request=request, reason="second factor reset")
