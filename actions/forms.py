from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.choices import DigestFrequency
from accounts.models import Organisation, User
from actions.choices import Status
from actions.models import Action
from actions.selectors import portfolio_figures
from actions.services import EDITABLE_FIELDS, EVIDENCE_NEEDS, EditMerge, status_choices
from governance.models import Forum
from reviews.models import Recommendation, Review, ReviewType, Theme
from trackerapp.forms import (
    NHSDateField,
    NHSFormMixin,
    UKDateField,
    choice_field,
    model_choice_field,
)
from trackerapp.uploads import megabytes
from trackerapp.widget_drawing import QuickWidgets

if TYPE_CHECKING:
    from accounts.models import User as UserType

SORTS = {
    "due": ("effective_due", "pk"),
    "-due": ("-effective_due", "-pk"),
    "status": ("status", "effective_due", "pk"),
    # The owner's name as copied onto the action (Action.listed_owner_name): one index
    # gives the order, where sorting through the join sorted every visible action.
    "owner": ("listed_owner_name", "effective_due", "pk"),
    "review": ("recommendation__review__reference", "recommendation__number", "number", "pk"),
    "-updated": ("-updated_at", "-pk"),
}
SORT_LABELS = {
    "due": "Due date, soonest first",
    "-due": "Due date, latest first",
    "status": "Status",
    "owner": "Owner organisation",
    "review": "Review reference",
    "-updated": "Recently updated",
}


def owner_filter_choices(user: UserType):
    """Organisations that own an action this person sees: the filter offers nothing
    from outside their reach, not even a name. Finding them reads the person's whole
    portfolio, so which they are is kept until the portfolio changes."""

    def owners() -> list[int]:
        # Organisation by organisation (EXISTS on the owner and status index), not by
        # reading every visible action to find their owners.
        owned = Action.objects.visible_to(user).filter(
            access.action_list_q(user), owner_organisation=OuterRef("pk")
        )
        return list(Organisation.objects.filter(Exists(owned)).values_list("pk", flat=True))

    kept = portfolio_figures(user, "action owners", timezone.localdate(), owners)
    return Organisation.objects.filter(pk__in=kept).order_by("short_name")


class ReviewReferenceField(forms.CharField):
    """A review, chosen by typing its reference (a page may suggest some as the person
    types, with htmx; without JavaScript it is a plain text box). A list of every review
    the person sees would be thousands of options long. A review id, as older links to
    the list carry, is taken too. Only reviews the person sees are found; any other
    reference is "not found", so the filter tells nothing of what they cannot open."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviews: QuerySet[Review] = Review.objects.none()

    def clean(self, value):
        typed = super().clean(value).strip()
        if not typed:
            return None
        found = self.reviews.filter(reference__iexact=typed).first()
        if found is None and typed.isdigit():
            found = self.reviews.filter(pk=int(typed)).first()
        if found is None:
            raise forms.ValidationError(
                f"No review you can see has the reference {typed}. Check the reference, "
                "or leave this empty for every review."
            )
        return found


def read_once(field: forms.ModelChoiceField) -> None:
    """Draws the field's options from one plain read of its queryset. Django reads a
    choice field's options through a server-side cursor (DECLARE, FETCH, CLOSE: three
    round trips, and the rows kept past the transaction), once per select drawn; the
    action list draws six. The queryset still decides what a submitted value may be."""
    queryset = field.queryset

    def options() -> list[tuple[Any, str]]:
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        assert queryset is not None
        return empty + [(row.pk, field.label_from_instance(row)) for row in queryset]

    field.choices = options


def lead_filter_choices(user: UserType):
    """People who lead an action this person sees, asked person by person (EXISTS on the
    lead index) rather than by reading every visible action."""
    led = Action.objects.visible_to(user).filter(
        access.action_list_q(user), lead_user=OuterRef("pk")
    )
    return User.objects.filter(Exists(led))


class ActionFilterForm(NHSFormMixin, forms.Form):
    """The action list's filters. Every field is optional; an invalid value is reported
    and ignored rather than showing the wrong rows."""

    # Drawn on every request of the action list: its widgets without templates.
    default_renderer = QuickWidgets

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Words in the action",
        help_text="Searches the description and expected outcome.",
    )
    status = forms.MultipleChoiceField(
        choices=Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    overdue = forms.BooleanField(required=False, label="Only overdue actions")
    due_from = UKDateField(required=False, label="Due on or after")
    due_to = UKDateField(required=False, label="Due on or before")
    owner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Owner organisation",
        empty_label="Any organisation",
    )
    lead = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Lead", empty_label="Anyone"
    )
    review_type = forms.ModelChoiceField(
        queryset=ReviewType.objects.all(),
        required=False,
        label="Review type",
        empty_label="Any type",
    )
    review = ReviewReferenceField(
        required=False,
        max_length=60,
        help_text="Its reference, for example DHR 2012/03.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    forum = forms.ModelChoiceField(
        queryset=Forum.objects.all(),
        required=False,
        label="Monitoring forum",
        empty_label="Any forum",
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), required=False, empty_label="Any theme"
    )
    sort = forms.ChoiceField(choices=list(SORT_LABELS.items()), required=False, label="Sort by")

    def __init__(self, *args, user: UserType, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = owner_filter_choices(user)
        model_choice_field(self, "lead").queryset = lead_filter_choices(user)
        model_choice_field(self, "forum").queryset = Forum.objects.visible_to(user)
        for name in ("owner", "lead", "review_type", "forum", "theme"):
            read_once(model_choice_field(self, name))
        review = cast(ReviewReferenceField, self.fields["review"])
        review.reviews = Review.objects.visible_to(user).only("pk", "reference", "title")
        # Suggestions as the person types (htmx fills the datalist the page puts beside
        # the box); the box works as it is without them.
        review.widget.attrs.update(
            {
                "list": "review-suggestions",
                "hx-get": reverse("actions:review_suggestions"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#review-suggestions",
                "hx-swap": "innerHTML",
            }
        )
        for name in ("due_from", "due_to"):
            self.fields[name].help_text = ""

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("due_from"), cleaned.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", "The end of the date range must be after its start.")
        return cleaned

    def applied(self) -> dict[str, str]:
        """The valid filters in use, as the page words them ("Status": "On track, Off
        track"), for the cover of an export and its audit entry."""
        if not self.is_bound:
            return {}
        self.is_valid()
        applied: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", [], False):
                continue
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                shown = str(value)
            elif isinstance(field, forms.ChoiceField):
                chosen = {str(v) for v in (value if isinstance(value, list) else [value])}
                # Choices are kept as a list of (value, label) once set.
                pairs = cast("list[tuple[Any, Any]]", field.choices)
                shown = ", ".join(str(label) for key, label in pairs if key in chosen)
            elif isinstance(value, date):
                shown = f"{value:%d/%m/%Y}"
            elif value is True:
                shown = "Yes"
            else:
                shown = str(value)
            applied[str(field.label or pretty_name(name))] = shown
        return applied

    def apply(self, queryset):
        """Filters by whatever is valid; the view shows the errors for the rest."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # only the fields that validated
        if data.get("q", "").strip():
            queryset = queryset.matching(data["q"])
        if data.get("status"):
            queryset = queryset.filter(status__in=data["status"])
        if data.get("overdue"):
            queryset = queryset.overdue()
        if data.get("due_from"):
            queryset = queryset.filter(effective_due__gte=data["due_from"])
        if data.get("due_to"):
            queryset = queryset.filter(effective_due__lte=data["due_to"])
        if data.get("owner"):
            queryset = queryset.filter(owner_organisation=data["owner"])
        if data.get("lead"):
            queryset = queryset.filter(lead_user=data["lead"])
        if data.get("review_type"):
            queryset = queryset.filter(listed_review_type=data["review_type"])
        if data.get("review"):
            queryset = queryset.filter(listed_review=data["review"])
        if data.get("forum"):
            forum = data["forum"]
            monitored_reviews = Review.objects.filter(monitoring_forums=forum).values("pk")
            queryset = queryset.filter(
                Q(monitoring_forum=forum) | Q(listed_review_id__in=monitored_reviews)
            )
        if data.get("theme"):
            themed = Recommendation.themes.through.objects.filter(theme=data["theme"])
            queryset = queryset.filter(recommendation_id__in=themed.values("recommendation_id"))
        return queryset.order_by(*SORTS.get(data.get("sort") or "due", SORTS["due"]))


def version_field() -> forms.IntegerField:
    """The version of the action the person opened. Required: a save without it could
    not be checked and might overwrite a change the person never saw (docs/editing.md)."""
    refused = (
        "This form was sent without the version of the action you opened, so it was not "
        "saved. Reload the page and make your change again."
    )
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": refused, "invalid": refused, "min_value": refused},
    )


class StatusForm(NHSFormMixin, forms.Form):
    status = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    note = forms.CharField(
        label="What has changed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This note is kept in the action's history.",
    )
    closure_rationale = forms.CharField(
        label="Why is it closed without completion?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when closing the action.",
    )
    version = version_field()

    def __init__(
        self,
        *args,
        action: Action,
        user: UserType,
        evidence_states: Iterable[str] | None = None,
        **kwargs,
    ):
        kwargs.setdefault("initial", {"version": action.version})
        super().__init__(*args, **kwargs)
        if evidence_states is None:
            evidence_states = action.evidence.values_list("review_state", flat=True)
        self.status_choices = status_choices(
            action=action, user=user, evidence_states=evidence_states
        )
        self.unavailable = [c for c in self.status_choices if not c.offered]
        field = choice_field(self, "status")
        # Accepts every status the person may set, so that one the evidence does not
        # allow yet is refused with what it needs (clean_status); offers only those
        # they can set now.
        allowed = set(access.settable_statuses(user, action)) - {action.status}
        field.choices = [(v, label) for v, label in Status.choices if v in allowed]
        field.widget.choices = [(c.value, c.label) for c in self.status_choices if c.offered]
        field.error_messages["invalid_choice"] = "You cannot set that status on this action."
        field.error_messages["required"] = "Choose the new status."
        self.fields["note"].error_messages["required"] = "Say what has changed."

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if status in EVIDENCE_NEEDS and any(
            c.value == status and not c.offered for c in self.status_choices
        ):
            raise forms.ValidationError(EVIDENCE_NEEDS[status].refusal)
        return status


class ProgressUpdateForm(NHSFormMixin, forms.Form):
    text = forms.CharField(
        label="Progress update", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    text.error_messages["required"] = "Enter the update."


def _shown(field: forms.Field, value: Any) -> str:
    """A field's value as the person reads it, for the conflict page."""
    if isinstance(field, forms.ModelChoiceField) and value not in (None, ""):
        if not isinstance(value, models.Model):
            assert field.queryset is not None  # every model choice field here is given one
            value = field.queryset.model._default_manager.filter(pk=value).first()
        return (getattr(value, "display_name", "") or str(value)) if value else "Not set"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    return str(value) if value not in (None, "") else "Not set"


@dataclass(frozen=True)
class MergeRow:
    """One field of a refused edit: its value now saved and the person's own."""

    label: str
    saved: str
    yours: str
    keep: forms.BoundField | None = None


class ActionForm(NHSFormMixin, forms.ModelForm):
    """Adds or edits an action's details. After a refused (stale) edit it is built from
    the service's EditMerge: the merged values are filled in, and each field both
    people changed is carried hidden with the person's value beside a required choice
    (`keep_<field>`) between that and the value now saved. The names of those fields
    travel in `clashing_fields`, so a re-post without a choice is refused, not saved."""

    # One box each, not the NHS.UK date input: an edit that clashes with another
    # person's carries each field's value in one hidden input (EditMerge).
    due_date = UKDateField(required=False, label="Due date")
    revised_due_date = UKDateField(
        required=False,
        label="Revised due date",
        help_text="Only after an agreed extension. For example, 31/12/2026",
    )
    version = version_field()
    clashing_fields = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_outcome": forms.Textarea(attrs={"rows": 2}),
            "evidence_required": forms.Textarea(attrs={"rows": 2}),
        }
        # Here, not in __init__: the mixin's __init__ has already built (and cached) the
        # bound fields with their labels by the time ours runs.
        labels = {"lead_user": "Lead (person)", "lead_role_title": "Lead (role title)"}

    def __init__(self, *args, review: Review, merge: EditMerge | None = None, **kwargs):
        if merge is not None:
            kwargs["initial"] = {**merge.values, "clashing_fields": ",".join(merge.clashes)}
        super().__init__(*args, **kwargs)
        self.merge = merge
        # Only the review's circle is offered (docs/access.md); a posted id from outside
        # it is refused as an invalid choice.
        model_choice_field(self, "owner_organisation").queryset = access.assignable_organisations(
            review
        ).order_by("short_name")
        model_choice_field(self, "lead_user").queryset = access.assignable_people(review)
        model_choice_field(self, "monitoring_forum").queryset = access.assignable_forums(review)
        if not self.instance.pk:
            del self.fields["version"], self.fields["clashing_fields"]
            self.clashes: tuple[str, ...] = ()
            return
        self.fields["version"].initial = self.instance.version
        if merge is not None:
            self.clashes = merge.clashes
        else:
            posted = (self.data.get("clashing_fields") or "").split(",")
            self.clashes = tuple(name for name in EDITABLE_FIELDS if name in posted)
        for name in self.clashes:
            label = str(self.fields[name].label)
            self.fields[name].widget = forms.HiddenInput()
            self.fields[f"keep_{name}"] = forms.ChoiceField(
                label=f"Which {label.lower()} do you want to keep?",
                choices=[("theirs", "Keep the one now saved"), ("yours", "Use yours")],
                widget=forms.RadioSelect(attrs={"class": "nhsuk-radios__input"}),
                error_messages={"required": f"Choose which {label.lower()} to keep."},
            )

    def _post_clean(self):
        # Validation of the model belongs to the service (which runs full_clean under a
        # row lock); here only the form's own fields are checked, plus the date rule so
        # the person sees it next to the field.
        due, revised = self.cleaned_data.get("due_date"), self.cleaned_data.get("revised_due_date")
        if revised and not due:
            self.add_error("revised_due_date", "A revised due date needs the original due date.")
        elif revised and due and revised < due:
            self.add_error(
                "revised_due_date", "The revised due date cannot be before the original."
            )

    def service_fields(self) -> dict:
        """The values to save; a clash settled in favour of the saved value is left out,
        so the save keeps whatever is saved."""
        return {
            name: self.cleaned_data[name]
            for name in EDITABLE_FIELDS
            if self.cleaned_data.get(f"keep_{name}") != "theirs"
        }

    def edit_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("keep_")]

    def _yours(self, name: str) -> Any:
        raw = self[name].value()
        if not self.is_bound:
            return raw
        try:
            return self.fields[name].clean(raw)
        except forms.ValidationError:
            return raw

    def _saved(self, name: str) -> Any:
        field = Action._meta.get_field(name)
        assert isinstance(field, models.Field)  # EDITABLE_FIELDS are the model's own columns
        return getattr(self.instance, field.attname)

    def clash_rows(self) -> list[MergeRow]:
        return [
            MergeRow(
                label=str(self.fields[name].label),
                saved=_shown(self.fields[name], self._saved(name)),
                yours=_shown(self.fields[name], self._yours(name)),
                keep=self[f"keep_{name}"],
            )
            for name in self.clashes
        ]

    def _rows(self, names: tuple[str, ...]) -> list[MergeRow]:
        return [
            MergeRow(
                label=str(self.fields[name].label),
                saved=_shown(self.fields[name], self._saved(name)),
                yours=_shown(self.fields[name], self._yours(name)),
            )
            for name in names
        ]

    def theirs_rows(self) -> list[MergeRow]:
        """Fields only the other person changed: kept as they saved them."""
        return self._rows(self.merge.theirs) if self.merge else []

    def yours_rows(self) -> list[MergeRow]:
        """Fields only this person changed: applied when they save again."""
        return self._rows(self.merge.yours) if self.merge else []


class BulkActionForm(NHSFormMixin, forms.Form):
    # Drawn under every page of the action list (ActionFilterForm).
    default_renderer = QuickWidgets

    OPERATIONS = [
        ("set_status", "Set the status"),
        ("set_lead", "Set the lead"),
        ("set_forum", "Set the monitoring forum"),
        ("add_note", "Add the same progress update"),
    ]
    selected = forms.ModelMultipleChoiceField(
        queryset=Action.objects.none(), error_messages={"required": "Select at least one action."}
    )
    operation = forms.ChoiceField(
        choices=OPERATIONS,
        label="Change",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to change."},
    )
    status = forms.ChoiceField(
        choices=[("", "Choose a status"), *Status.choices], required=False, label="New status"
    )
    closure_rationale = forms.CharField(
        required=False,
        label="Why the actions are closed without completion",
        help_text="Only for closed.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lead_user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Lead", empty_label="Choose a lead"
    )
    lead_role_title = forms.CharField(required=False, label="Lead role title")
    forum = forms.ModelChoiceField(
        queryset=Forum.objects.all(),
        required=False,
        label="Monitoring forum",
        empty_label="Choose a forum",
    )
    text = forms.CharField(
        required=False,
        label="Progress update",
        help_text="Needed to set a status (say what has changed) or to add an update; "
        "added to each action's updates.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user: UserType, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether a lead or forum suits each chosen action's review is the service's
        # check (actions.services._check_circle); here, only what the person could pick.
        model_choice_field(self, "selected").queryset = Action.objects.managed_by(user)
        model_choice_field(self, "lead_user").queryset = User.objects.filter(
            is_active=True, memberships__organisation__in=access.reachable_organisations(user)
        ).distinct()
        model_choice_field(self, "forum").queryset = Forum.objects.visible_to(user)
        read_once(model_choice_field(self, "lead_user"))
        read_once(model_choice_field(self, "forum"))

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        operation = cleaned.get("operation")
        if operation == "set_lead" and not cleaned.get("lead_user"):
            self.add_error("lead_user", "Choose the lead.")
        if operation == "set_forum" and not cleaned.get("forum"):
            self.add_error("forum", "Choose the monitoring forum.")
        if operation == "add_note" and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Enter the update.")
        # The rest of a status change's rules (evidence, who may set what) are the
        # single change's, applied action by action (services.action_bulk_set_status).
        if operation == "set_status":
            if not cleaned.get("status"):
                self.add_error("status", "Choose the new status.")
            if not (cleaned.get("text") or "").strip():
                self.add_error("text", "Say what has changed.")
            if (
                cleaned.get("status") == Status.CLOSED
                and not (cleaned.get("closure_rationale") or "").strip()
            ):
                self.add_error(
                    "closure_rationale", "Say why the actions are closed without completion."
                )
        return cleaned

    def ticked(self) -> set[str]:
        """The action ids the person ticked, as posted: kept ticked when the form is
        shown again with its errors."""
        if not self.is_bound:
            return set()
        return {str(pk) for pk in cast(QueryDict, self.data).getlist("selected")}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field. Empty files pass here: the evidence checks refuse
    them with the same wording as every other refusal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class EvidenceUploadForm(NHSFormMixin, forms.Form):
    # The form's metaclass takes declared fields off the class, so self.files is still
    # the uploaded files; the checker sees the class attribute.
    files = MultipleFileField(  # type: ignore[assignment]
        label="Files",
        help_text=(
            "PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG, JPEG or email. "
            f"Up to {megabytes(settings.EVIDENCE_MAX_UPLOAD_BYTES)} MB each; you can choose "
            "several."
        ),
        error_messages={"required": "Choose at least one file."},
    )
    description = forms.CharField(
        label="What does this evidence show?",
        max_length=300,
        error_messages={"required": "Say what the evidence shows."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["class"] = "nhsuk-file-upload__input"


class DecisionForm(NHSFormMixin, forms.Form):
    """A yes/no decision where saying no needs a reason the provider will read."""

    YES, NO = ("yes", "Yes"), ("no", "No")
    REASON_NEEDED = "Give a reason."

    decision = forms.ChoiceField(widget=forms.RadioSelect, label="Decision")
    reason = forms.CharField(
        required=False,
        label="Reason (the provider will see it)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = choice_field(self, "decision")
        field.choices = [self.YES, self.NO]
        field.error_messages["required"] = f"Choose {self.YES[1].lower()} or {self.NO[1].lower()}."

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == self.NO[0] and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", self.REASON_NEEDED)
        return cleaned


class EvidenceReviewForm(DecisionForm):
    """Drawn by includes/evidence_review_form.html in a row of the evidence table and of
    the evidence queue, so the reason is a one-line box."""

    YES, NO = ("accept", "Accept"), ("reject", "Reject")
    REASON_NEEDED = "Give the provider a reason for rejecting the evidence."

    reason = forms.CharField(required=False, label="Reason if rejected (the provider will see it)")


class ExtensionRequestForm(NHSFormMixin, forms.Form):
    proposed_date = NHSDateField(label="New due date you are asking for")
    reason = forms.CharField(
        label="Why is more time needed?", widget=forms.Textarea(attrs={"rows": 3})
    )
    proposed_date.error_messages["required"] = "Enter the new due date."
    reason.error_messages["required"] = "Say why more time is needed."


class ExtensionDecisionForm(DecisionForm):
    YES, NO = ("approve", "Approve"), ("decline", "Decline")
    REASON_NEEDED = "Give the provider a reason for declining."


class DigestPreferenceForm(NHSFormMixin, forms.Form):
    digest_frequency = forms.ChoiceField(
        label="How often do you want the due-soon reminders?",
        help_text="Overdue actions and escalations are always sent at once.",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        choice_field(self, "digest_frequency").choices = DigestFrequency.choices
