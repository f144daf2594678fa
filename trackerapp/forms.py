"""What every form shares: NHS.UK frontend classes on widgets and UK dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

UK_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d.%m.%Y"]
DATE_HINT = "For example, 31/12/2026"

WIDGET_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "selectmultiple": "nhsuk-select",
    "checkbox": "nhsuk-checkboxes__input",
    "checkboxselectmultiple": "nhsuk-checkboxes__input",
    "radioselect": "nhsuk-radios__input",
}


class UKDateField(forms.DateField):
    """A date typed the way people in the NHS write it (dd/mm/yyyy)."""

    widget = forms.DateInput(format="%d/%m/%Y")
    input_formats = UK_DATE_FORMATS
    default_error_messages = {"invalid": "Enter a real date, for example 31/12/2026."}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(**kwargs)


# The mixin is only ever mixed into forms: to the type checker it is one.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class NHSFormMixin(_FormBase):
    """Adds the NHS.UK frontend class for each widget; error classes are added by the
    field template, which knows whether the field has errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget_type = self[name].widget_type
            css = WIDGET_CLASSES.get(widget_type, "nhsuk-input")
            if isinstance(field, forms.DateField):
                css = "nhsuk-input nhsuk-input--width-10"
            existing = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = f"{existing} {css}".strip()
            _name_the_blank_choice(field)


# Django's blank choice. People read it as nothing at all; a drop-down says in words what
# its empty choice means: a filter "Any …" (set on the field), a form "Choose one" where
# an answer is needed and "None" where none is allowed.
DJANGO_BLANK = "---------"


def _name_the_blank_choice(field: forms.Field) -> None:
    blank = "Choose one" if field.required else "None"
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_BLANK:
            field.empty_label = blank
    elif isinstance(field, forms.ChoiceField) and not callable(field.choices):
        # A model field's choices come with Django's blank first (BlankChoiceIterator).
        choices: list[tuple[Any, Any]] = list(cast(Iterable[tuple[Any, Any]], field.choices))
        if any(label == DJANGO_BLANK for _value, label in choices):
            field.choices = [
                (value, blank if label == DJANGO_BLANK else label) for value, label in choices
            ]


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field of that name, declared as a model choice field (of one or several)
    and so given a queryset."""
    return cast(forms.ModelChoiceField, form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field of that name, declared as a choice field and so given choices."""
    return cast(forms.ChoiceField, form.fields[name])


def flash_form_errors(request: HttpRequest, form: forms.Form, about: str = "") -> None:
    """A form posted from a page it does not re-render (a row's accept/reject, a bulk
    change) reports its errors as messages on the page it returns to; `about` names the
    thing, e.g. a file name."""
    for errors in form.errors.values():
        for error in errors:
            # Each error is already its message (ErrorList yields strings).
            messages.error(request, f"{about}: {error}" if about else str(error))


Written = TypeVar("Written")


def form_submit(
    request: HttpRequest, form: forms.BaseForm, write: Callable[[dict[str, Any]], Written]
) -> Written | None:
    """The one way a view runs a form. On a POST: the form's own checks, then the service
    `write` with the cleaned data. A ValidationError the service raises lands on the form
    (on the field it names, else at the top), so the person sees it where they see the
    form's own errors. Returns what the service wrote, or None when nothing was written:
    a GET, or errors now on the form (`form_status` then says 422)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def form_status(form: forms.BaseForm) -> int:
    """The status of a page that shows a form: 422 when it carries errors."""
    return 422 if form.errors else 200
