"""The keys the database copies onto each action (Action.listed_*, actions migration
0007) stay right after every kind of write, whatever made it, and the action list shows
each person the same actions as before they were there."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.choices import OrganisationKind, Role
from actions import services as action_services
from actions.models import Action
from reviews import services as review_services
from reviews.models import Recommendation, Review
from tests import factories

pytestmark = pytest.mark.django_db


def keys(action: Action) -> dict[str, Any]:
    return (
        Action.objects.filter(pk=action.pk)
        .values(
            "listed_review_id",
            "listed_review_owner_id",
            "listed_review_restricted",
            "listed_review_type_id",
            "listed_owner_name",
        )
        .get()
    )


def expected(action: Action) -> dict[str, Any]:
    """The keys as worked out through the joins they stand for."""
    fresh = Action.objects.select_related("recommendation__review", "owner_organisation").get(
        pk=action.pk
    )
    review = fresh.recommendation.review
    return {
        "listed_review_id": review.pk,
        "listed_review_owner_id": review.owner_id,
        "listed_review_restricted": review.restricted,
        "listed_review_type_id": review.review_type_id,
        "listed_owner_name": fresh.owner_organisation.short_name,
    }


def test_it_writes_the_keys_of_a_new_action(cast):
    assert keys(cast.action_a) == expected(cast.action_a)
    assert keys(cast.restricted_action_a)["listed_review_restricted"] is True


def test_it_keeps_the_keys_when_a_save_carries_old_ones(cast):
    """An object read before a change and saved after it cannot put the old keys back."""
    stale = Action.objects.get(pk=cast.action_a.pk)
    Review.objects.filter(pk=cast.review.pk).update(restricted=True)
    stale.description = "Changed after the review was restricted"
    stale.save()
    assert keys(cast.action_a)["listed_review_restricted"] is True
    assert keys(cast.action_a) == expected(cast.action_a)


def test_it_follows_the_action_to_another_recommendation_and_owner(cast):
    other_review = factories.review(body=cast.csp, code="SAR")
    Action.objects.filter(pk=cast.action_a.pk).update(
        recommendation=factories.recommendation(other_review), owner_organisation=cast.provider_b
    )
    assert keys(cast.action_a) == expected(cast.action_a)
    assert keys(cast.action_a)["listed_owner_name"] == "PROV-B"


def test_it_follows_a_change_of_the_reviews_owner_restriction_and_type(cast):
    other_icb = factories.organisation(OrganisationKind.COMMISSIONER, "ICB-2")
    Review.objects.filter(pk=cast.review.pk).update(
        owner=other_icb, restricted=True, review_type=factories.review_type("SAR")
    )
    for action in (cast.action_a, cast.action_b):
        assert keys(action) == expected(action)
        assert keys(action)["listed_review_owner_id"] == other_icb.pk


def test_it_follows_a_review_edited_through_its_service(cast):
    review_services.review_update(review=cast.review, by=cast.commissioner, restricted=True)
    assert keys(cast.action_a)["listed_review_restricted"] is True


def test_it_follows_a_recommendation_moved_to_another_review(cast):
    other_review = factories.review(body=cast.csp, restricted=True)
    Recommendation.objects.filter(pk=cast.action_a.recommendation_id).update(review=other_review)
    for action in (cast.action_a, cast.action_b):
        assert keys(action) == expected(action)
        assert keys(action)["listed_review_id"] == other_review.pk


def test_it_follows_an_organisation_renamed(cast):
    cast.provider_a.short_name = "PROV-A-NEW"
    cast.provider_a.save()
    assert keys(cast.action_a)["listed_owner_name"] == "PROV-A-NEW"
    assert keys(cast.action_b)["listed_owner_name"] == "PROV-B"


def test_it_keeps_the_keys_through_a_service_write(cast):
    action_services.action_set_status(
        action=cast.action_a,
        by=cast.provider_a_lead,
        status="off_track",
        note="Slipping",
        expected_version=None,
    )
    assert keys(cast.action_a) == expected(cast.action_a)


# --- who sees what on the list, through the keys ------------------------------------


def listed(client, user) -> set[int]:
    client.force_login(user)
    response = client.get(reverse("actions:list"))
    assert response.status_code == 200
    return {action.pk for action in response.context["page"].object_list}


def test_the_list_shows_each_person_what_they_could_see_before(client, cast):
    everyone = {cast.action_a.pk, cast.action_b.pk, cast.restricted_action_a.pk}
    assert listed(client, cast.commissioner) == everyone  # named on the restricted review
    assert listed(client, cast.viewer) == {cast.action_a.pk, cast.action_b.pk}
    # Providers do not read the portfolio's list; their pages read the same queryset.
    seen_by_a = set(Action.objects.visible_to(cast.provider_a_lead).values_list("pk", flat=True))
    assert seen_by_a == {cast.action_a.pk, cast.restricted_action_a.pk}
    seen_by_b = set(Action.objects.visible_to(cast.provider_b_lead).values_list("pk", flat=True))
    assert seen_by_b == {cast.action_b.pk}


def test_the_list_follows_sharing_and_a_change_of_owner(client, cast):
    partner = factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, "PARTNER")
    lead = factories.user("partner.lead", organisation=partner, role=Role.SAFEGUARDING_LEAD)
    assert listed(client, lead) == set()
    factories.share(cast.review, with_=partner)
    assert listed(client, lead) == {cast.action_a.pk, cast.action_b.pk}
    Review.objects.filter(pk=cast.review.pk).update(restricted=True)
    assert listed(client, lead) == set()
    Review.objects.filter(pk=cast.review.pk).update(restricted=False, owner=partner)
    cast.review.shares.all().delete()
    assert listed(client, lead) == {cast.action_a.pk, cast.action_b.pk}
    assert listed(client, cast.viewer) == set()
