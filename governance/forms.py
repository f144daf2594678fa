from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts import access
from accounts.models import Organisation, User
from governance.choices import (
    ASSURANCE_MEANING,
    DEFAULT_ASKS,
    DEFAULT_CLASSIFICATION,
    AssuranceLevel,
)
from governance.models import Forum, Meeting, Paper
from reviews.models import Review
from trackerapp.financial_year import FinancialQuarter, quarter_choices
from trackerapp.forms import NHSDateField, NHSFormMixin, choice_field, model_choice_field

MAX_ASKS = 10


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting: Meeting) -> str:
        return (
            f"{meeting.forum.short_name}: {meeting.held_on:%-d %B %Y} "
            f"(papers due {meeting.paper_deadline:%-d %B})"
        )


class MeetingForm(NHSFormMixin, forms.ModelForm):
    held_on = NHSDateField(label="Date of the meeting")

    class Meta:
        model = Meeting
        fields = ["held_on", "location"]
        help_texts = {"location": 'For example, "Microsoft Teams" or a room.'}

    def service_fields(self) -> dict[str, Any]:
        return {"held_on": self.cleaned_data["held_on"], "location": self.cleaned_data["location"]}


class ForumForm(NHSFormMixin, forms.ModelForm):
    """A forum's terms and the reviews it monitors. Every choice is within the reach
    of the person: organisations in which they hold forums, those organisations' people
    and forums, the providers working with them, and reviews in their circle."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation that holds the forum",
        help_text="Its meetings, papers and monitored reviews belong to this organisation.",
    )
    monitored_reviews = forms.ModelMultipleChoiceField(
        queryset=Review.objects.none(),
        required=False,
        label="Reviews it monitors",
        help_text="Its papers cover these reviews' actions. Only reviews of the organisation, "
        "or shared with it, are listed; restricted reviews are never in a paper.",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Forum
        fields = [
            "organisation",
            "name",
            "short_name",
            "kind",
            "provider",
            "cadence",
            "paper_deadline_days",
            "chair",
            "secretary",
            "reports_to",
            "terms_of_reference",
            "monitored_reviews",
        ]
        labels = {
            "short_name": "Short name",
            "kind": "Kind of forum",
            "paper_deadline_days": "Paper deadline (days before each meeting)",
            "reports_to": "Reports to",
        }
        help_texts = {
            "short_name": 'As papers and lists show it, e.g. "SAG" or "BSMHFT CQRG".',
            "provider": "For a Contract Quality Review Group: the provider whose contract it reviews.",
            "reports_to": "The forum it reports to by exception, if any.",
            "paper_deadline_days": "21 (three weeks) unless the terms say otherwise.",
        }
        widgets = {"terms_of_reference": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "name": {"unique": "A forum with this name already exists: choose another."},
            "short_name": {"unique": "A forum already has this short name: choose another."},
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        holders = access.forum_holder_choices(user)
        if self.instance.pk:
            # The holding organisation is fixed once meetings and papers hang on it.
            del self.fields["organisation"]
            holder_ids = {self.instance.organisation_id}
        else:
            model_choice_field(self, "organisation").queryset = holders
            holder_ids = set(holders.values_list("pk", flat=True))
            if len(holder_ids) == 1:
                self.initial.setdefault("organisation", next(iter(holder_ids)))
        people = User.objects.filter(
            is_active=True, memberships__organisation__in=holder_ids
        ).distinct()
        model_choice_field(self, "chair").queryset = people
        model_choice_field(self, "secretary").queryset = people
        model_choice_field(self, "provider").queryset = Organisation.objects.filter(
            commissioned_by__in=holder_ids
        ).distinct()
        forums = Forum.objects.filter(organisation_id__in=holder_ids)
        if self.instance.pk:
            forums = forums.exclude(pk=self.instance.pk)
        model_choice_field(self, "reports_to").queryset = forums
        reviews = access.monitorable_reviews(user, holder_ids).select_related("review_type")
        model_choice_field(self, "monitored_reviews").queryset = reviews.order_by("reference")
        if self.instance.pk:
            self.initial["monitored_reviews"] = list(
                self.instance.monitored_reviews.filter(pk__in=reviews.values("pk"))
            )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["monitored_reviews"] = list(data.get("monitored_reviews") or [])
        return data


class PaperForm(NHSFormMixin, forms.ModelForm):
    """The cover of a committee paper. The content is built from the data, never typed."""

    meeting = MeetingChoiceField(
        queryset=Meeting.objects.none(),
        help_text="Only upcoming meetings are listed: a paper is for a meeting yet to happen.",
    )
    period = forms.ChoiceField(
        label="Reporting period",
        help_text="NHS financial quarters: Q1 is April to June, Q4 is January to March.",
    )
    asks = forms.CharField(
        label="The Committee is asked to",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One request per line, each starting with what the committee should do: "
        "receive, review, approve or note.",
        error_messages={"required": "Enter at least one thing the committee is asked to do."},
    )

    class Meta:
        model = Paper
        fields = [
            "meeting",
            "title",
            "author",
            "agenda_item",
            "period",
            "purpose",
            "asks",
            "executive_lead",
            "presenter",
            "previously_considered_by",
            "assurance_level",
            "assurance_rationale",
            "executive_summary",
            "risks",
            "baf_reference",
            "classification",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "previously_considered_by": forms.Textarea(attrs={"rows": 2}),
            "assurance_level": forms.RadioSelect,
            "assurance_rationale": forms.Textarea(attrs={"rows": 3}),
            "executive_summary": forms.Textarea(attrs={"rows": 6}),
            "risks": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "agenda_item": "Agenda item",
            "classification": "Classification marking",
            "executive_lead": "Executive lead",
            "previously_considered_by": "Previously considered by",
            "assurance_level": "Level of assurance offered",
            "assurance_rationale": "Why this level of assurance",
            "baf_reference": "Risk register / BAF reference",
        }
        help_texts = {
            "agenda_item": 'For example, "7.1".',
            "classification": "Printed at the top and bottom of every page.",
            "executive_summary": "In your own words: what the committee most needs to know. "
            "The figures below are offered to start from.",
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        meetings = Meeting.objects.visible_to(user).arranged_by(user).select_related("forum")
        if self.instance.pk:
            # Keep the paper's own meeting selectable while editing it.
            meetings = meetings.filter(held_on__gte=today) | meetings.filter(
                pk=self.instance.meeting_id
            )
        else:
            meetings = meetings.filter(held_on__gte=today)
        model_choice_field(self, "meeting").queryset = meetings.order_by(
            "held_on", "forum__short_name"
        )
        choice_field(self, "period").choices = quarter_choices(today)
        assurance = choice_field(self, "assurance_level")
        assurance.choices = [
            (value, f"{label}: {ASSURANCE_MEANING[value]}")
            for value, label in AssuranceLevel.choices
        ]
        assurance.required = False
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("period", FinancialQuarter.containing(today).previous().label)
            self.initial.setdefault("asks", "\n".join(DEFAULT_ASKS))
            self.initial.setdefault("classification", DEFAULT_CLASSIFICATION)
            self.initial.setdefault("author", user.display_name)
        elif not self.is_bound:
            self.initial["asks"] = "\n".join(self.instance.asks)
            # Choices are kept as a list of (value, label) once set.
            periods = cast("list[tuple[str, str]]", choice_field(self, "period").choices)
            if self.instance.period and self.instance.period not in dict(periods):
                periods.append((self.instance.period, self.instance.period))

    def clean_asks(self) -> list[str]:
        asks = [line.strip() for line in self.cleaned_data["asks"].splitlines() if line.strip()]
        if not asks:
            raise forms.ValidationError("Enter at least one thing the committee is asked to do.")
        if len(asks) > MAX_ASKS:
            raise forms.ValidationError(f"Enter no more than {MAX_ASKS} requests.")
        return asks

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ForumScopeField(forms.ModelChoiceField):
    def label_from_instance(self, forum) -> str:
        return f"{forum.short_name}: {forum.name} and the forums reporting to it"


class QuarterlyReportForm(NHSFormMixin, forms.Form):
    """What the quarterly report covers: read from the query string, so a report's
    address can be bookmarked and sent round."""

    quarter = forms.ChoiceField(
        label="Quarter", help_text="NHS financial quarters: Q1 is April to June."
    )
    forum = ForumScopeField(
        queryset=None,
        required=False,
        empty_label="All forums you can see",
        label="Forum",
        help_text="A forum includes everything its reporting forums cover.",
    )
    quarters = forms.TypedChoiceField(
        label="Quarters in the trend",
        coerce=int,
        choices=[(n, f"{n} quarters") for n in range(8, 3, -1)],
        initial=8,
    )

    def __init__(self, data: Any = None, *, user: User) -> None:

        today = timezone.localdate()
        self.default_quarter = FinancialQuarter.containing(today).previous()
        if data is not None and not any(data.get(k) for k in ("quarter", "forum", "quarters")):
            data = None
        super().__init__(data)
        choice_field(self, "quarter").choices = quarter_choices(today, before=12, after=0)
        model_choice_field(self, "forum").queryset = Forum.objects.visible_to(user).order_by(
            "kind", "short_name"
        )
        self.initial.setdefault("quarter", self.default_quarter.label)

    def report_params(self) -> dict[str, Any]:
        """The report asked for, or last quarter for all forums when nothing (valid) was."""
        if self.is_bound and self.is_valid():
            return {
                "quarter": FinancialQuarter.parse(self.cleaned_data["quarter"]),
                "forum": self.cleaned_data["forum"],
                "quarters": self.cleaned_data["quarters"],
            }
        return {"quarter": self.default_quarter, "forum": None, "quarters": 8}

    def query(self) -> str:
        from urllib.parse import urlencode

        params = self.report_params()
        values = {"quarter": params["quarter"].label, "quarters": params["quarters"]}
        if params["forum"] is not None:
            values["forum"] = params["forum"].pk
        return urlencode(values)
