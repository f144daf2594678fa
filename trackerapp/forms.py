"""What every form shares: NHS.UK frontend classes on widgets and UK dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

UK_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d.%m.%Y"]
DATE_HINT = "For example, 31/12/2026"

WIDGET_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "selectmultiple": "nhsuk-select",
    "checkbox": "nhsuk-checkboxes__input",
    "checkboxselectmultiple": "nhsuk-checkboxes__input",
    "radioselect": "nhsuk-radios__input",
    "file": "nhsuk-file-upload__input",
    "clearablefile": "nhsuk-file-upload__input",
    "multiplefile": "nhsuk-file-upload__input",
}


class UKDateField(forms.DateField):
    """A date typed the way people in the NHS write it (dd/mm/yyyy)."""

    widget = forms.DateInput(format="%d/%m/%Y")
    input_formats = UK_DATE_FORMATS
    default_error_messages = {"invalid": "Enter a real date, for example 31/12/2026."}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(**kwargs)


class DateInputWidget(forms.Widget):
    """The NHS.UK date input: day, month and year boxes (name_day, name_month,
    name_year). The day box carries the field's id, so labels and the error summary
    link to it."""

    template_name = "includes/date_input_widget.html"
    PARTS = ("day", "month", "year")

    def value_from_datadict(self, data, files, name) -> dict[str, str]:
        if name in data and not any(f"{name}_{part}" in data for part in self.PARTS):
            # One box typed as 31/12/2026, as the form had before and scripts still send.
            return {"text": str(data.get(name, "")).strip()}
        return {part: str(data.get(f"{name}_{part}", "")).strip() for part in self.PARTS}

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and not any(f"{name}_{part}" in data for part in self.PARTS)

    def format_value(self, value) -> dict[str, str]:  # type: ignore[override]  # three boxes
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, dict):
            return value
        return dict.fromkeys(self.PARTS, "")

    def _render(self, template_name, context, renderer=None):
        # The project's templates, not only the form renderer's built-in ones.
        return mark_safe(render_to_string(template_name, context))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["parts"] = [
            (
                part,
                f"{context['widget']['attrs'].get('id', name)}"
                + ("" if part == "day" else f"_{part}"),
            )
            for part in self.PARTS
        ]
        return context


class NHSDateField(forms.Field):
    """A date in the NHS.UK date input, checked as its pattern says: each missing part
    and an impossible date get their own message, naming the question."""

    widget = DateInputWidget

    def __init__(self, *, label: str, **kwargs):
        kwargs.setdefault("help_text", "For example, 15 3 2027")
        super().__init__(label=label, **kwargs)

    def to_python(self, value) -> date | None:
        if isinstance(value, str):
            # One box: a hidden field carrying the value (an edit's clash) or a script.
            value = {"text": value.strip()}
        parts = value if isinstance(value, dict) else {}
        if parts.get("text"):
            for fmt in UK_DATE_FORMATS:
                try:
                    return datetime.strptime(parts["text"], fmt).date()
                except ValueError:
                    continue
            raise ValidationError(f"{self.label} must be a real date", "invalid")
        day, month, year = (parts.get(p, "") for p in DateInputWidget.PARTS)
        if not (day or month or year):
            if self.required:
                question = str(self.label)
                raise ValidationError(f"Enter the {question[0].lower()}{question[1:]}", "required")
            return None
        missing = [
            name for name, given in (("day", day), ("month", month), ("year", year)) if not given
        ]
        if missing:
            raise ValidationError(
                f"{self.label} must include a {' and a '.join(missing)}", "incomplete"
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{self.label} must be a real date", "invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", "invalid_year")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.label} must be a real date", "invalid") from None

    def validate(self, value) -> None:
        # Emptiness is decided in to_python, which knows which part is missing.
        pass


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
