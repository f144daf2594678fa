"""Two-factor sign-in: set up an authenticator app, enter its code (or a recovery code),
see new recovery codes once, and the account page that shows all this."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mfa import services
from mfa.forms import RecoveryCodeForm, SecurityCodeForm
from mfa.qr import totp_key_groups, totp_qr_svg
from trackerapp.forms import form_status
from trackerapp.types import AuthenticatedRequest


def _next_url(request: AuthenticatedRequest) -> str:
    """The page the user was going to, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + (f"?{urlencode({'next': next_url})}" if next_url else "")


def _carry_on(request: AuthenticatedRequest) -> HttpResponse:
    return redirect(_next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL))


@require_http_methods(["GET", "POST"])
def enrol(request: AuthenticatedRequest) -> HttpResponse:
    if services.totp_device_for(request.user) is not None:
        return redirect("mfa:manage" if request.user.is_verified() else "mfa:verify")
    device = services.totp_enrolment_start(user=request.user)
    form = SecurityCodeForm(request.POST or None)
    if form.is_valid():
        check, _codes = services.totp_enrolment_confirm(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if check.accepted:
            return redirect(_with_next("mfa:recovery_codes", _next_url(request)))
        form.refuse(check)
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device),
        "key_groups": totp_key_groups(device),
        "next": _next_url(request),
    }
    return render(request, "mfa/enrol.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.is_verified():
        return _carry_on(request)
    device = services.totp_device_for(request.user)
    if device is None:
        return redirect(_with_next("mfa:enrol", _next_url(request)))
    form = SecurityCodeForm(request.POST or None)
    if form.is_valid():
        check = services.totp_verify(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if check.accepted:
            return _carry_on(request)
        form.refuse(check)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "mfa/verify.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
def verify_recovery(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.is_verified():
        return _carry_on(request)
    form = RecoveryCodeForm(request.POST or None)
    if form.is_valid():
        check = services.recovery_code_use(request=request, code=form.cleaned_data["recovery_code"])
        if check.accepted:
            left = services.recovery_codes_left(request.user)
            messages.info(
                request,
                f"You signed in with a recovery code. You have {left} left: get new ones from "
                "Two-factor sign-in in your account before you run out.",
            )
            return _carry_on(request)
        form.refuse(check)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "mfa/verify_recovery.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Shows new recovery codes until the user says they have saved them, then never again."""
    codes = request.session.get(services.NEW_RECOVERY_CODES_SESSION_KEY)
    if request.method == "POST" or not codes:
        services.recovery_codes_seen(request=request)
        if request.method == "POST":
            return _carry_on(request)
        return redirect("mfa:manage")
    shown = [f"{code[:4]}-{code[4:]}" for code in codes]
    return render(request, "mfa/recovery_codes.html", {"codes": shown, "next": _next_url(request)})


def _manage_page(
    request: AuthenticatedRequest, form: SecurityCodeForm, status: int = 200
) -> HttpResponse:
    context = {
        "device": services.totp_device_for(request.user),
        "codes_left": services.recovery_codes_left(request.user),
        "form": form,
    }
    return render(request, "mfa/manage.html", context, status=status)


@require_GET
def manage(request: AuthenticatedRequest) -> HttpResponse:
    return _manage_page(request, SecurityCodeForm())


@require_POST
def recovery_codes_new(request: AuthenticatedRequest) -> HttpResponse:
    device = services.totp_device_for(request.user)
    if device is None:
        return redirect("mfa:enrol")
    form = SecurityCodeForm(request.POST)
    if form.is_valid():
        check = services.recovery_codes_regenerate(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if check.accepted:
            return redirect("mfa:recovery_codes")
        form.refuse(check)
    return _manage_page(request, form, status=422)
