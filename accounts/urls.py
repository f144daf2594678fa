from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts.forms import NewPasswordForm, ResetPasswordForm

app_name = "accounts"

# Django's own password reset, by email. It never signs the user in
# (post_reset_login=False): they sign in afterwards, and the second factor is still asked.
urlpatterns = [
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            form_class=ResetPasswordForm,
            subject_template_name="emails/password-reset-subject.txt",
            email_template_name="emails/password-reset-body.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
            # Links are built from SITE_URL, never from the request's Host header.
            extra_email_context={
                "site_url": settings.SITE_URL,
                "service_name": settings.SERVICE_NAME,
            },
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            form_class=NewPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
            post_reset_login=False,
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
