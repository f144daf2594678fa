"""Writes to users and their accounts."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.choices import PasswordResetCount
from accounts.forms import ResetPasswordForm
from accounts.models import PasswordResetRecord, User
from audit.choices import AuditEvent
from audit.services import audit_record
from trackerapp.after_response import run_after_response

logger = logging.getLogger(__name__)


def user_sessions_end(
    *, user: User, by: User, request: HttpRequest | None = None, reason: str = ""
) -> None:
    """Ends every session `user` has, in every browser, at their next request (an
    administrator's "End all sessions", or the account being deactivated).

    Raising the session generation changes the signature Django checks on each request
    (User._get_session_auth_hash), so each old session is refused and flushed wherever
    it is stored. If `by` ends their own sessions, the one they are using carries on."""
    if not by.has_perm("accounts.change_user"):
        raise PermissionDenied("Only an administrator may end someone's sessions.")
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    if request is not None and request.user.pk == user.pk:
        update_session_auth_hash(request, user)
    audit_record(
        event=AuditEvent.SESSIONS_ENDED, request=request, user=by, target=user, reason=reason
    )


def password_reset_request(*, email: str, request: HttpRequest) -> None:
    """Asks for a password-reset email to `email` from the reset page. Nothing it does,
    and nothing in the time it takes, depends on whether an account has that address.

    1. Forget the requests and emails older than the rate limits' window.
    2. Count this request against its address; past PASSWORD_RESET_REQUESTS_PER_ADDRESS
       in the window it goes no further, and the audit log records that.
    3. Once the request's transaction has committed, hand the email over: to a Celery
       worker, or with no broker to this process after the response has been sent.
       Looking the account up, its own limit and sending (password_reset_email_send)
       are what take longer when the account exists.
    """
    now = timezone.now()
    window_start = now - settings.PASSWORD_RESET_WINDOW
    PasswordResetRecord.objects.filter(at__lt=window_start).delete()
    # REMOTE_ADDR only, as for sign-in throttling and the audit log: behind a proxy the
    # proxy sets it; a client-supplied X-Forwarded-For would let anyone pick an address.
    ip_address = request.META.get("REMOTE_ADDR") or None
    # Recorded before counting, and taken back if refused: of two requests at once,
    # each sees itself and the other, so the limit may refuse both but never admits
    # one too many, with no lock. Refused requests are not kept, so a flood stores
    # nothing and the address can ask again once its oldest request leaves the window.
    asked = PasswordResetRecord.objects.create(
        kind=PasswordResetCount.REQUEST, ip_address=ip_address, at=now
    )
    from_address = PasswordResetRecord.objects.filter(
        kind=PasswordResetCount.REQUEST, ip_address=ip_address, at__gte=window_start
    ).count()
    if from_address > settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS:
        asked.delete()
        audit_record(
            event=AuditEvent.PASSWORD_RESET_THROTTLED,
            request=request,
            limit="address",
            requests_per_address=settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS,
            window_minutes=_minutes(settings.PASSWORD_RESET_WINDOW),
        )
        return
    transaction.on_commit(partial(_password_reset_hand_over, email, ip_address))


def _password_reset_hand_over(email: str, ip_address: str | None) -> None:
    """Never raises: the person is told to check their email either way, and an
    on_commit callback that raised would turn that page into a server error."""
    # Imported here: the task module imports this one (its task calls the service).
    from accounts.tasks import password_reset_email_send_run
    from trackerapp.celery import app

    if app.conf.task_always_eager:
        run_after_response(partial(password_reset_email_send, email=email, ip_address=ip_address))
        return
    try:
        password_reset_email_send_run.apply_async(
            kwargs={"email": email, "ip_address": ip_address}, ignore_result=True
        )
    except Exception:
        # Whatever the cause (broker down, timed out), nothing was queued; the page still
        # says the same, and a person who gets no email asks again or calls for help.
        logger.exception("A password reset email could not be handed to the broker")


def password_reset_email_send(*, email: str, ip_address: str | None) -> int:
    """Sends the reset email to each active account with this address, unless it has
    had PASSWORD_RESET_EMAILS_PER_ACCOUNT already in the window; returns how many were
    sent. The link is built from SITE_URL, never from a request's Host header."""
    form = ResetPasswordForm()
    window_start = timezone.now() - settings.PASSWORD_RESET_WINDOW
    sent = 0
    for user in form.get_users(email):
        with transaction.atomic():
            # One task at a time per account, so two at once cannot both take the last
            # email the limit allows.
            User.objects.select_for_update().filter(pk=user.pk).exists()
            emails = PasswordResetRecord.objects.filter(
                kind=PasswordResetCount.EMAIL, user=user, at__gte=window_start
            ).count()
            if emails >= settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT:
                audit_record(
                    event=AuditEvent.PASSWORD_RESET_THROTTLED,
                    target=user,
                    limit="account",
                    requested_from=ip_address,
                    emails_per_account=settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT,
                    window_minutes=_minutes(settings.PASSWORD_RESET_WINDOW),
                )
                continue
            PasswordResetRecord.objects.create(
                kind=PasswordResetCount.EMAIL, user=user, ip_address=ip_address
            )
        context = {
            "email": email,
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
            "site_url": settings.SITE_URL,
            "service_name": settings.SERVICE_NAME,
        }
        # Django's own sending: a failure is logged, not raised.
        form.send_mail(
            "emails/password-reset-subject.txt",
            "emails/password-reset-body.txt",
            context,
            None,
            getattr(user, User.get_email_field_name()),
        )
        sent += 1
    return sent


def _minutes(period: timedelta) -> int:
    return int(period.total_seconds() // 60)
