from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.db.models import Q

from accounts import access
from accounts.models import Organisation, User
from actions.models import Action
from governance.models import Forum
from reviews.choices import Lifecycle, PlanGrouping, ShareAccess
from reviews.models import Recommendation, Review, ReviewType, Theme
from reviews.selectors import parent_shown_to
from trackerapp.forms import NHSDateField, NHSFormMixin, model_choice_field

if TYPE_CHECKING:
    from accounts.models import User as UserType


class ReviewFilterForm(NHSFormMixin, forms.Form):
    q = forms.CharField(required=False, label="Reference or title", max_length=100)
    review_type = forms.ModelChoiceField(
        queryset=ReviewType.objects.all(), required=False, label="Type", empty_label="Any type"
    )
    lifecycle = forms.ChoiceField(choices=[("", "Any")] + Lifecycle.choices, required=False)
    commissioning_body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Commissioning body",
        empty_label="Any organisation",
    )
    forum = forms.ModelChoiceField(
        queryset=Forum.objects.none(), required=False, label="Monitored by", empty_label="Any forum"
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), required=False, empty_label="Any theme"
    )
    has_overdue = forms.BooleanField(required=False, label="Only reviews with overdue actions")

    def __init__(self, *args, user: UserType, **kwargs):
        super().__init__(*args, **kwargs)
        # Only names from the person's own reach are offered (docs/access.md).
        bodies = Review.objects.visible_to(user).values("commissioning_body_id")
        model_choice_field(self, "commissioning_body").queryset = Organisation.objects.filter(
            pk__in=bodies
        )
        model_choice_field(self, "forum").queryset = Forum.objects.visible_to(user)

    def apply(self, queryset):

        data: dict = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        if data.get("q"):
            term = data["q"].strip()
            queryset = queryset.filter(Q(reference__icontains=term) | Q(title__icontains=term))
        if data.get("review_type"):
            queryset = queryset.filter(review_type=data["review_type"])
        if data.get("lifecycle"):
            queryset = queryset.filter(lifecycle=data["lifecycle"])
        if data.get("commissioning_body"):
            queryset = queryset.filter(commissioning_body=data["commissioning_body"])
        # Multi-valued filters go through subqueries so that the per-review counts,
        # which join the actions, are not multiplied.
        if data.get("forum"):
            monitored = Review.monitoring_forums.through.objects.filter(forum=data["forum"])
            queryset = queryset.filter(pk__in=monitored.values("review_id"))
        if data.get("theme"):
            tagged = Recommendation.objects.filter(themes=data["theme"])
            queryset = queryset.filter(pk__in=tagged.values("review_id"))
        if data.get("has_overdue"):
            late = Action.objects.overdue().values("recommendation__review_id")
            queryset = queryset.filter(pk__in=late)
        return queryset.order_by("reference")


class ReviewForm(NHSFormMixin, forms.ModelForm):
    incident_date = NHSDateField(required=False, label="Date of the incident")
    commissioned_date = NHSDateField(required=False, label="Date commissioned")
    published_date = NHSDateField(required=False, label="Date published")

    class Meta:
        model = Review
        fields = [
            "owner",
            "review_type",
            "parent",
            "reference",
            "title",
            "summary",
            "plan_grouping",
            "commissioning_body",
            "incident_date",
            "commissioned_date",
            "published_date",
            "lifecycle",
            "monitoring_forums",
            "restricted",
            "named_people",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "monitoring_forums": forms.CheckboxSelectMultiple,
            "named_people": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user: UserType, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_to_reach(user)
        # Recommendations unless the plan is a strategy plan's: left blank, it stays so.
        grouping = self.fields["plan_grouping"]
        grouping.required = False
        grouping.label = "Plan grouped by"
        grouping.help_text = (
            "Recommendations for a learning review; workstreams, objectives, priorities, "
            "themes or areas for a strategy or programme plan."
        )
        model_choice_field(self, "parent").queryset = Review.objects.visible_to(user).filter(
            review_type__accepts_contributions=True
        )
        parent = parent_shown_to(user, self.instance) if self.instance.pk else None
        if parent is not None and parent.review is None:
            # A parent they may not see cannot be offered as the choice, and a choice
            # left blank would detach the IMR from it on save; only those who see it
            # may change it.
            del self.fields["parent"]
        self.fields["named_people"].help_text = "Only for a restricted review: who may see it."

    def _limit_to_reach(self, user: UserType) -> None:
        """Owner, forums and named people only from within the person's reach: a new
        review's from the organisations in which they are on the safeguarding team, an
        existing review's from its circle (docs/access.md). The owner is chosen once, and
        only by someone on more than one team."""
        if self.instance.pk:
            del self.fields["owner"]
            model_choice_field(self, "monitoring_forums").queryset = access.assignable_forums(
                self.instance
            )
            model_choice_field(self, "named_people").queryset = access.assignable_people(
                self.instance
            )
            return
        owners = access.owner_choices(user)
        model_choice_field(self, "owner").queryset = owners
        self.fields["owner"].help_text = "The organisation whose safeguarding team tracks it."
        if owners.count() == 1:
            del self.fields["owner"]
        model_choice_field(self, "monitoring_forums").queryset = access.forum_choices(user)
        commissioning = owners.values("pk")
        model_choice_field(self, "named_people").queryset = User.objects.filter(
            Q(memberships__organisation__in=commissioning)
            | Q(memberships__organisation__commissioned_by__in=commissioning),
            is_active=True,
        ).distinct()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("restricted") and not cleaned.get("named_people"):
            self.add_error(
                "named_people", "Name at least one person who may see a restricted review."
            )
        return cleaned

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        if "plan_grouping" in fields and not fields["plan_grouping"]:
            fields["plan_grouping"] = PlanGrouping.RECOMMENDATION
        return fields


class RecommendationForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["number", "text", "addressed_to", "accepted", "rationale", "themes"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "rationale": forms.Textarea(attrs={"rows": 2}),
            "themes": forms.CheckboxSelectMultiple,
        }
        labels = {"accepted": "The recommendation was accepted"}

    new_themes = forms.CharField(
        required=False,
        max_length=500,
        label="New themes",
        help_text='Themes not in the list above, separated by commas, e.g. "Think family, '
        'Professional curiosity". Each becomes a theme everyone can tag with.',
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.review = review
        model_choice_field(self, "addressed_to").queryset = access.assignable_organisations(
            review
        ).order_by("name")

    def clean_new_themes(self) -> list[str]:
        names: list[str] = []
        for raw in self.cleaned_data["new_themes"].split(","):
            name = " ".join(raw.split())
            if not name:
                continue
            if len(name) > 100:
                raise forms.ValidationError("Keep each theme to 100 characters.")
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
        return names

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class ShareForm(NHSFormMixin, forms.Form):
    """Shares a review with a partner organisation (docs/access.md)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Partner organisation",
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation to share the review with."},
    )
    access = forms.ChoiceField(
        choices=ShareAccess.choices,
        widget=forms.RadioSelect,
        label="What may they do?",
        help_text=(
            "Read: their safeguarding team, secretaries and viewers see the review and its "
            "actions. Contribute: their safeguarding team may also change it, as yours does."
        ),
        error_messages={"required": "Choose what the partner may do."},
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organisation").queryset = Organisation.objects.exclude(
            pk=review.owner_id
        ).order_by("name")
