from __future__ import annotations

import pytest
from django.urls import reverse

from actions.choices import Status
from reviews.models import Recommendation, Review
from tests import factories
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def review_form(cast, **overrides):
    data = {
        "review_type": factories.review_type("SAR").pk,
        "reference": "SAR 2026/09",
        "title": "Mr F",
        "commissioning_body": cast.csp.pk,
        "lifecycle": "in_progress",
        "incident_date": "03/02/2026",
    }
    data.update(overrides)
    return data


def test_the_register_counts_actions_by_status_per_review(client, cast):
    cast.action_b.status = Status.OFF_TRACK
    cast.action_b.save()
    page = as_user(client, cast.commissioner).get(reverse("reviews:list")).content.decode()
    assert cast.review.reference in page
    assert "Off track</strong> 1" in page and "On track</strong> 1" in page


def test_the_register_searches_and_filters(client, cast):
    as_user(client, cast.viewer)
    page = client.get(reverse("reviews:list"), {"q": cast.review.reference}).content.decode()
    assert cast.review.reference in page
    other = factories.review(code="SAR", body=cast.csp)
    page = client.get(
        reverse("reviews:list"), {"review_type": other.review_type.pk}
    ).content.decode()
    assert other.reference in page and cast.review.reference not in page


def test_the_register_hides_restricted_reviews_from_those_not_named(client, cast):
    page = as_user(client, cast.viewer).get(reverse("reviews:list")).content.decode()
    assert cast.restricted_review.reference not in page
    page = as_user(client, cast.commissioner).get(reverse("reviews:list")).content.decode()
    assert cast.restricted_review.reference in page


def test_a_provider_sees_only_its_own_actions_on_a_review_page(client, cast):
    page = (
        as_user(client, cast.provider_b_lead).get(cast.review.get_absolute_url()).content.decode()
    )
    assert cast.action_b.description in page
    assert cast.action_a.description not in page


@pytest.mark.parametrize("who", ["outsider", "viewer", "provider_a_lead"])
def test_a_restricted_review_page_is_not_found_for_those_not_named(client, cast, who):
    response = as_user(client, getattr(cast, who)).get(cast.restricted_review.get_absolute_url())
    assert response.status_code == 404


def imr_of_the_restricted_review(cast) -> Review:
    """A non-restricted IMR whose parent DHR is restricted, naming only `commissioner`."""
    return factories.review(code="IMR", body=cast.csp, parent=cast.restricted_review)


@pytest.mark.parametrize("who", ["other_commissioner", "secretary", "viewer"])
def test_it_withholds_a_restricted_parent_from_those_not_named_on_it(client, cast, who):
    imr = imr_of_the_restricted_review(cast)
    page = as_user(client, getattr(cast, who)).get(imr.get_absolute_url()).content.decode()
    assert imr.reference in page
    assert cast.restricted_review.reference not in page
    assert cast.restricted_review.title not in page
    assert f'href="{cast.restricted_review.get_absolute_url()}"' not in page
    assert "A restricted review" in page


def test_it_shows_a_restricted_parent_to_those_named_on_it(client, cast):
    imr = imr_of_the_restricted_review(cast)
    page = as_user(client, cast.commissioner).get(imr.get_absolute_url()).content.decode()
    assert cast.restricted_review.reference in page
    assert f'href="{cast.restricted_review.get_absolute_url()}"' in page


def test_it_keeps_a_restricted_parent_when_someone_not_named_edits_the_imr(client, cast):
    imr = imr_of_the_restricted_review(cast)
    as_user(client, cast.other_commissioner)
    edit = reverse("reviews:edit", args=[imr.pk])
    page = client.get(edit).content.decode()
    assert cast.restricted_review.reference not in page
    data = form_data(page, "main-form")
    data["title"] = ["Renamed"]

    assert client.post(edit, data).status_code == 302

    imr.refresh_from_db()
    assert (imr.title, imr.parent) == ("Renamed", cast.restricted_review)


def test_a_commissioner_registers_a_review(client, cast):
    as_user(client, cast.commissioner)
    response = client.post(reverse("reviews:create"), review_form(cast))
    created = Review.objects.get(reference="SAR 2026/09")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.incident_date is not None
    assert created.incident_date.isoformat() == "2026-02-03"
    assert created.history.first().history_user == cast.commissioner


@pytest.mark.parametrize("who", ["viewer", "secretary", "provider_a_lead"])
def test_others_cannot_register_or_edit_reviews(client, cast, who):
    as_user(client, getattr(cast, who))
    assert client.post(reverse("reviews:create"), review_form(cast)).status_code == 403
    assert not Review.objects.filter(reference="SAR 2026/09").exists()
    if who != "provider_a_lead":
        edit = client.post(reverse("reviews:edit", args=[cast.review.pk]), review_form(cast))
        assert edit.status_code == 403


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reference": ""}, "This field is required"),
        (
            {"incident_date_day": "32", "incident_date_month": "13", "incident_date_year": "2026"},
            "Date of the incident must be a real date",
        ),
        ({"incident_date_month": "3", "incident_date_year": "2026"}, "must include a day"),
        ({"restricted": "on"}, "Name at least one person"),
        ({"review_type": "IMR", "parent": "QAR"}, "contributes to a DHR, SCR, CSPR or SAR"),
    ],
)
def test_bad_review_input_gets_a_clear_message(client, cast, overrides, message):
    if "parent" in overrides:
        overrides = {
            "review_type": factories.review_type("IMR").pk,
            "parent": factories.review(code="QAR", body=cast.csp).pk,
        }
    as_user(client, cast.commissioner)
    before = Review.objects.count()
    response = client.post(reverse("reviews:create"), review_form(cast, **overrides))
    if "parent" in overrides:
        # A QAR is not offered as a parent at all, so the choice itself is refused.
        assert response.status_code == 422
    else:
        assert response.status_code == 422
        assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert Review.objects.count() == before


def test_a_commissioner_adds_a_recommendation_and_an_action(client, cast):
    as_user(client, cast.commissioner)
    response = client.post(
        reverse("reviews:recommendation_create", args=[cast.review.pk]),
        {
            "number": "9",
            "text": "Train staff.",
            "accepted": "on",
            "addressed_to": cast.provider_a.pk,
        },
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get(review=cast.review, number="9")
    response = client.post(
        reverse("actions:create", args=[recommendation.pk]),
        {
            "description": "Run training for ward staff.",
            "owner_organisation": cast.provider_a.pk,
            "original_time_frame": "Quarter 3 2026/27",
            "due_date": "31/12/2026",
        },
    )
    assert response.status_code == 302
    action = recommendation.actions.get()
    assert action.due_date is not None
    assert action.due_date.isoformat() == "2026-12-31"
    assert action.original_time_frame == "Quarter 3 2026/27"


def test_a_duplicate_recommendation_number_is_refused(client, cast):
    as_user(client, cast.commissioner)
    response = client.post(
        reverse("reviews:recommendation_create", args=[cast.review.pk]),
        {"number": cast.recommendation.number, "text": "Again.", "accepted": "on"},
    )
    assert response.status_code == 422
    assert "already exists" in response.content.decode()


def test_a_recommendation_not_accepted_needs_a_rationale(client, cast):
    as_user(client, cast.commissioner)
    response = client.post(
        reverse("reviews:recommendation_create", args=[cast.review.pk]),
        {"number": "12", "text": "Something."},
    )
    assert response.status_code == 422
    assert "Say why the recommendation was not accepted" in response.content.decode()


@pytest.mark.parametrize(
    ("review_type", "message"),
    [("", "This field is required"), ("999999", "Select a valid choice"), ("IMR", "valid choice")],
)
def test_a_contribution_without_a_valid_type_is_refused_not_a_500(
    client, cast, review_type, message
):
    as_user(client, cast.commissioner)
    before = Review.objects.count()
    response = client.post(
        reverse("reviews:create"),
        review_form(cast, review_type=review_type, parent=cast.review.pk),
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Review.objects.count() == before
