from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings

from accounts import access
from accounts.models import Organisation, User
from actions.choices import Status
from imports.choices import CREATE_ORGANISATION, Field, ReviewSource
from imports.planning import Plan, Unresolved
from imports.selectors import MappingView
from reviews.models import Review, ReviewType
from trackerapp.forms import NHSFormMixin, UKDateField, choice_field, model_choice_field
from trackerapp.uploads import megabytes

if TYPE_CHECKING:
    from accounts.models import User as UserType


class UploadForm(NHSFormMixin, forms.Form):
    file = forms.FileField(
        label="Action plan file",
        help_text=(
            f"An Excel workbook (.xlsx) or a CSV file, up to "
            f"{megabytes(settings.IMPORT_MAX_UPLOAD_BYTES)} MB."
        ),
        error_messages={"required": "Choose the file to import."},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "nhsuk-file-upload__input"


class SheetForm(NHSFormMixin, forms.Form):
    """Which sheet, and which row holds the headings (a GET form: it only changes what
    the column page shows)."""

    sheet = forms.ChoiceField(label="Sheet")
    header_row = forms.IntegerField(
        label="Row of headings",
        min_value=1,
        max_value=50_000,
        help_text="The row number, as Excel shows it, of the row that names the columns.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4"}),
    )

    def __init__(self, *args, sheet_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "sheet").choices = [(name, name) for name in sheet_names]


def column_field_name(index: int) -> str:
    return f"column_{index}"


class MappingForm(NHSFormMixin, forms.Form):
    """What each column holds, and which review the rows go into."""

    sheet = forms.CharField(widget=forms.HiddenInput)
    header_row = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    review_source = forms.ChoiceField(
        label="Which review do these actions belong to?",
        choices=ReviewSource.choices,
        widget=forms.RadioSelect,
    )
    # Needed only for one answer to the question above: the page shows no "(optional)"
    # beside them (the template hides it) and clean() asks for them when needed.
    review = forms.ModelChoiceField(
        queryset=Review.objects.none(),
        required=False,
        label="Existing review",
        help_text="Needed when the actions belong to a review already in the tracker.",
    )
    new_review_reference = forms.CharField(
        required=False,
        max_length=60,
        label="Reference of the new review",
        help_text='Needed for a new review, e.g. "DHR 2012/03" or "TCP plan 2017-19".',
    )
    new_review_title = forms.CharField(
        required=False,
        max_length=200,
        label="Title of the new review",
        help_text='Needed for a new review. Anonymised, e.g. "Mr A".',
    )
    new_review_type = forms.ModelChoiceField(
        queryset=ReviewType.objects.all(),
        required=False,
        label="Type of new reviews",
        help_text="Needed for a new review, and for new reviews named in rows without a "
        "Review type column (PLAN for a strategy or programme plan).",
    )
    commissioning_body = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        label="Body that commissioned the reviews this import creates",
        help_text="Your organisation unless you choose another: for a DHR, the Community "
        "Safety Partnership. Not used when the rows go into reviews already in the tracker.",
        error_messages={"required": "Choose the body that commissioned the new reviews."},
    )
    default_owner = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        label="Owner organisation for rows that name none",
        help_text="Your organisation unless you choose another. Used when the plan has no "
        "organisation column, or a row leaves it blank.",
        error_messages={"required": "Choose the organisation that owns rows naming none."},
    )
    position_date = UKDateField(
        label="Position as at",
        help_text="The date the plan's statuses and updates describe, e.g. 31/03/2019. "
        "Imported progress updates are dated by it, not by today.",
        error_messages={
            "required": "Enter the date the plan's position is as at (the file gives none)."
        },
    )
    plan_year = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        label="Financial year the plan was written in",
        help_text=(
            "For time frames with no year, such as “Quarter 2/3” or “June”: 2018 means "
            "2018/19 (April 2018 to March 2019). Leave blank to use the review's date of "
            "publication, else its commissioning or incident date."
        ),
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4"}),
    )
    save_mapping = forms.BooleanField(
        required=False,
        label="Use these column choices next time",
        help_text="For plans whose row of headings reads the same as this one.",
    )

    def __init__(self, *args, view: MappingView, user: UserType, **kwargs):
        super().__init__(*args, **kwargs)
        self.view = view
        # Only reviews the person may add to, and organisations within their reach
        # (docs/access.md).
        model_choice_field(self, "review").queryset = Review.objects.filter(
            access.managed_review_q(user, to_review="")
        ).select_related("review_type")
        model_choice_field(self, "default_owner").queryset = access.reachable_organisations(user)
        # The importer's own organisation is the sensible answer to both; asked, never
        # assumed, since a person on two teams must choose.
        own = list(access.owner_choices(user)[:2])
        if len(own) == 1:
            for name in ("commissioning_body", "default_owner"):
                if not self.initial.get(name):
                    self.initial[name] = own[0].pk
        if not self.initial.get("position_date") and view.position_date:
            self.initial["position_date"] = view.position_date
        self.fields["position_date"].widget.attrs["class"] = "nhsuk-input nhsuk-input--width-10"
        self.column_names: list[str] = []
        for column in view.columns:
            name = column_field_name(column.index)
            label = f"Column {column.letter}" + (f": {column.heading}" if column.heading else "")
            hint = ("For example: " + "; ".join(column.samples)) if column.samples else "No values."
            # Added after NHSFormMixin styled the declared fields, so styled here.
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=Field.choices,
                initial=column.field,
                help_text=hint,
                widget=forms.Select(attrs={"class": "nhsuk-select"}),
            )
            self.column_names.append(name)
        self.order_fields(["sheet", "header_row", *self.column_names])

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        columns: dict[int, str] = {}
        seen: dict[str, str] = {}
        for column in self.view.columns:
            name = column_field_name(column.index)
            chosen = cleaned.get(name)
            if not chosen or chosen == Field.IGNORE:
                continue
            if chosen in seen:
                self.add_error(
                    name,
                    f"{Field(chosen).label} is already chosen for {seen[chosen]}: choose one column.",
                )
                continue
            seen[chosen] = f"column {column.letter}"
            columns[column.index] = chosen
        cleaned["columns"] = columns
        if Field.ACTION not in seen:
            self.add_error(None, "Choose the column that holds the actions.")
        # No recommendation column is needed: a strategy plan's workstreams (or a plan
        # with no grouping at all) stand where recommendations would (docs/imports.md).
        source = cleaned.get("review_source")
        if source == ReviewSource.COLUMN and Field.REVIEW_REFERENCE not in seen:
            self.add_error(
                "review_source",
                "No column holds the review reference: choose it above, or choose the review here.",
            )
        if source == ReviewSource.EXISTING and not cleaned.get("review"):
            self.add_error("review", "Choose the review the actions belong to.")
        if source == ReviewSource.NEW:
            for name, message in (
                ("new_review_reference", "Enter the new review's reference."),
                ("new_review_title", "Enter the new review's title."),
                ("new_review_type", "Choose the new review's type."),
                ("commissioning_body", "Choose the body that commissioned the new review."),
            ):
                if not cleaned.get(name):
                    self.add_error(name, message)
            reference = (cleaned.get("new_review_reference") or "").strip()
            if reference and Review.objects.filter(reference__iexact=reference).exists():
                self.add_error(
                    "new_review_reference",
                    f"A review with the reference {reference} already exists: choose it as an "
                    "existing review.",
                )
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "columns": data["columns"],
            "review_source": data["review_source"],
            "review": data.get("review"),
            "new_review_reference": data.get("new_review_reference") or "",
            "new_review_title": data.get("new_review_title") or "",
            "new_review_type": data.get("new_review_type"),
            "commissioning_body": data.get("commissioning_body"),
            "default_owner": data.get("default_owner"),
            "plan_year": data.get("plan_year"),
            "position_date": data.get("position_date"),
            "save_mapping": data.get("save_mapping", False),
        }


LEADS_LISTED = 50


def answer_field_name(prefix: str, key: str) -> str:
    """A stable form field name for a name or word, whatever characters it holds."""
    return f"{prefix}_{hashlib.sha1(key.encode()).hexdigest()[:12]}"


class ResolveForm(NHSFormMixin, forms.Form):
    """The person's answers about what the tracker did not recognise."""

    def __init__(
        self, *args, plan: Plan, stored: dict[str, dict[str, str]], user: UserType, **kwargs
    ):
        super().__init__(*args, **kwargs)
        reachable = access.reachable_organisations(user)
        organisations = [
            (str(pk), f"{short} – {name}")
            for pk, short, name in reachable.values_list("pk", "short_name", "name")
        ]
        people = [
            (str(u.pk), f"{u.display_name} ({u.username})")
            for u in User.objects.filter(
                is_active=True, memberships__organisation__in=reachable
            ).distinct()
        ]
        self.groups: dict[str, list[tuple[str, Unresolved]]] = {
            "organisations": [],
            "leads": [],
            "statuses": [],
        }
        sources = {
            "organisations": ("org", plan.unknown_organisations, plan.answered_organisations),
            "leads": ("lead", plan.leads_without_account, plan.answered_leads),
            "statuses": ("status", plan.unknown_statuses, plan.answered_statuses),
        }
        self.leads_not_listed = 0
        for group, (prefix, unknown, answered) in sources.items():
            items = [*unknown.values(), *answered.values()]
            if group == "leads" and len(items) > LEADS_LISTED:
                # Leads only link a person; they never block the import. The most
                # frequent are listed, the rest stay role titles.
                items.sort(key=lambda u: -len(u.rows))
                self.leads_not_listed = len(items) - LEADS_LISTED
                items = items[:LEADS_LISTED]
            for item in items:
                if group == "organisations":
                    choices = [
                        ("", "Choose an organisation"),
                        (
                            CREATE_ORGANISATION,
                            f"Create “{item.label}” as a new provider organisation",
                        ),
                        *organisations,
                    ]
                elif group == "leads":
                    choices = [("", "Keep it as a role title (no person)"), *people]
                else:
                    choices = [("", "Choose a status"), *Status.choices]
                name = answer_field_name(prefix, item.key)
                self.fields[name] = forms.ChoiceField(
                    label=f"“{item.label}”",
                    choices=choices,
                    required=False,
                    initial=str(stored[group].get(item.key, "")),
                    help_text=_rows_hint(item),
                    widget=forms.Select(attrs={"class": "nhsuk-select"}),
                )
                self.groups[group].append((name, item))

    def bound_groups(self):
        return {group: [self[name] for name, _u in items] for group, items in self.groups.items()}

    @property
    def is_empty(self) -> bool:
        return not self.fields

    def answers(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            group: {unknown.key: data.get(name) or "" for name, unknown in items}
            for group, items in self.groups.items()
        }


def _rows_hint(unknown: Unresolved) -> str:
    rows = unknown.rows
    shown = ", ".join(str(n) for n in rows[:8]) + (
        f" and {len(rows) - 8} more" if len(rows) > 8 else ""
    )
    return f"Row{'s' if len(rows) != 1 else ''} {shown}."
