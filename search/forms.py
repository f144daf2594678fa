from __future__ import annotations

from django import forms

from search.documents import KINDS
from trackerapp.forms import NHSFormMixin


class SearchForm(NHSFormMixin, forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Everything")] + [(k.key, k.label) for k in KINDS.values()],
    )
