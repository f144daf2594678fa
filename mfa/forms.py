from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from mfa.services import CodeCheck, Outcome


def _refusal_message(check: CodeCheck, wrong: str) -> str:
    if check.outcome is Outcome.LOCKED:
        wait = "a few seconds"
        if check.locked_until is not None:
            seconds = max(1, int((check.locked_until - timezone.now()).total_seconds() + 0.999))
            wait = f"{seconds} second{'s' if seconds != 1 else ''}"
            if seconds >= 120:
                wait = f"{seconds // 60} minutes"
        return f"You have entered too many wrong codes. Wait {wait}, then try again."
    return wrong


class SecurityCodeForm(forms.Form):
    """The 6-digit code from the user's authenticator app."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app, for example 123456.",
        max_length=20,
        error_messages={"required": "Enter the security code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "class": "nhsuk-input nhsuk-input--width-10",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError("Security code must be 6 numbers")
        return code

    def refuse(self, check: CodeCheck) -> None:
        self.add_error(
            "code",
            _refusal_message(
                check,
                "The security code is not correct or has already been used. "
                "Enter the code your app shows now",
            ),
        )


class RecoveryCodeForm(forms.Form):
    """One of the user's single-use recovery codes, typed with or without the hyphen."""

    recovery_code = forms.CharField(
        label="Recovery code",
        help_text="One of the 10 codes you saved when you set up two-factor sign-in, "
        "for example abcd-2345.",
        max_length=30,
        error_messages={"required": "Enter one of your recovery codes"},
        widget=forms.TextInput(
            attrs={
                "class": "nhsuk-input nhsuk-input--width-10",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )

    def clean_recovery_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["recovery_code"]).lower()
        if not re.fullmatch(r"[a-z2-7]{8}", code):
            raise ValidationError("Recovery code must be 8 letters and numbers, like abcd-2345")
        return code

    def refuse(self, check: CodeCheck) -> None:
        self.add_error(
            "recovery_code",
            _refusal_message(
                check,
                "The recovery code is not correct or has already been used. "
                "Each code works only once",
            ),
        )
