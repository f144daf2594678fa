from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the NHS.UK wording for a failed attempt."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Contact your administrator.",
    }


class ResetPasswordForm(PasswordResetForm):
    """Asks for the account's email address; says nothing about whether it exists."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].widget.attrs.update(
            {"class": "nhsuk-input nhsuk-u-width-two-thirds", "spellcheck": "false"}
        )


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs["class"] = "nhsuk-input nhsuk-u-width-two-thirds"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
