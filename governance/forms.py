from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from governance.choices import DEFAULT_ASKS, DEFAULT_CLASSIFICATION
from governance.models import Meeting, Paper
from governance.periods import FinancialQuarter, quarter_choices
from trackerapp.forms import NHSFormMixin, UKDateField, choice_field, model_choice_field

if TYPE_CHECKING:
    from accounts.models import User

MAX_ASKS = 10


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting: Meeting) -> str:
        return (
            f"{meeting.forum.short_name}: {meeting.held_on:%-d %B %Y} "
            f"(papers due {meeting.paper_deadline:%-d %B})"
        )


class MeetingForm(NHSFormMixin, forms.ModelForm):
    held_on = UKDateField(label="Date of the meeting")

    class Meta:
        model = Meeting
        fields = ["held_on", "location"]
        help_texts = {"location": 'For example, "Microsoft Teams" or a room.'}

    def service_fields(self) -> dict[str, Any]:
        return {"held_on": self.cleaned_data["held_on"], "location": self.cleaned_data["location"]}


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
            "classification",
        ]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        labels = {"agenda_item": "Agenda item", "classification": "Classification marking"}
        help_texts = {
            "agenda_item": 'For example, "7.1".',
            "classification": "Printed at the top and bottom of every page.",
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
