from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy

from accounts.forms import ResetPasswordForm, SignInForm
from accounts.services import password_reset_request


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The sign-in page again, saying why and for how long, in place of django-axes' bare
    refusal (AXES_LOCKOUT_CALLABLE). 429: too many attempts."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    message = (
        f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''} "
        "or contact your administrator to unlock your account."
    )
    context = {
        "form": SignInForm(request),
        # Shown in the error summary, above any errors of the form.
        "lockout_errors": [message],
        "next": request.POST.get("next", ""),
    }
    return render(request, "accounts/login.html", context, status=429)


class ResetPasswordView(auth_views.PasswordResetView):
    """Django's reset page, but the email is sent by accounts.services: rate-limited, and
    never while the person waits, so neither the page nor its timing says whether an
    account has the address. A refused request gets the same page."""

    template_name = "accounts/password_reset_form.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: ResetPasswordForm) -> HttpResponse:
        password_reset_request(email=form.cleaned_data["email"], request=self.request)
        return HttpResponseRedirect(self.get_success_url())
