from __future__ import annotations

from django import forms

from api.choices import EXPIRY_CHOICES, TokenScope
from trackerapp.forms import NHSFormMixin


class TokenForm(NHSFormMixin, forms.Form):
    name = forms.CharField(
        label="What will use it?", max_length=100, help_text='For example "Power BI".'
    )
    scope = forms.ChoiceField(
        label="What may it do?",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    days = forms.TypedChoiceField(
        label="How long should it last?", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )
