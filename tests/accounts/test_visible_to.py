"""docs/access.md through the one read choke point, with the shared cast."""

from __future__ import annotations

from typing import Any

import pytest

from actions.models import Action, Evidence
from reviews.models import Recommendation, Review

pytestmark = pytest.mark.django_db


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("who", ["commissioner", "other_commissioner", "secretary", "viewer"])
def test_it_shows_portfolio_readers_every_non_restricted_action(cast, who):
    user = getattr(cast, who)
    assert ids(Action.objects.visible_to(user)) >= {cast.action_a.pk, cast.action_b.pk}
    assert cast.review.pk in ids(Review.objects.visible_to(user))
    assert cast.recommendation.pk in ids(Recommendation.objects.visible_to(user))
    assert ids(Evidence.objects.visible_to(user)) >= {cast.evidence_a.pk, cast.evidence_b.pk}


@pytest.mark.parametrize("who", ["provider_a_lead", "provider_a_contributor"])
def test_it_shows_provider_a_only_its_own_actions(cast, who):
    user = getattr(cast, who)
    assert ids(Action.objects.visible_to(user)) == {cast.action_a.pk, cast.restricted_action_a.pk}
    assert ids(Evidence.objects.visible_to(user)) == {
        cast.evidence_a.pk,
        cast.restricted_evidence.pk,
    }


def test_it_never_shows_provider_b_what_belongs_to_provider_a(cast):
    user = cast.provider_b_lead
    assert ids(Action.objects.visible_to(user)) == {cast.action_b.pk}
    assert ids(Evidence.objects.visible_to(user)) == {cast.evidence_b.pk}
    assert cast.action_a.pk not in ids(Action.objects.visible_to(user))


def test_it_shows_providers_the_reviews_their_actions_hang_on(cast):
    assert ids(Review.objects.visible_to(cast.provider_b_lead)) == {cast.review.pk}
    assert ids(Recommendation.objects.visible_to(cast.provider_b_lead)) == {cast.recommendation.pk}


def test_it_hides_a_review_from_a_provider_with_no_action_on_it(cast, db):
    from accounts.choices import OrganisationKind, Role
    from tests import factories

    provider_c = factories.organisation(OrganisationKind.PROVIDER, "PROV-C")
    c_lead = factories.user("c.lead", organisation=provider_c, role=Role.PROVIDER_LEAD)
    assert not Review.objects.visible_to(c_lead).exists()
    assert not Action.objects.visible_to(c_lead).exists()


def test_it_shows_a_review_to_the_provider_it_is_addressed_to(cast, db):
    from tests import factories

    addressed = factories.recommendation(factories.review(body=cast.csp), cast.provider_b)
    assert addressed.review.pk in ids(Review.objects.visible_to(cast.provider_b_lead))
    assert addressed.pk in ids(Recommendation.objects.visible_to(cast.provider_b_lead))
    assert addressed.review.pk not in ids(Review.objects.visible_to(cast.provider_a_lead))


@pytest.mark.parametrize(
    "who",
    [
        "other_commissioner",
        "secretary",
        "viewer",
        "provider_a_lead",
        "provider_a_contributor",
        "provider_b_lead",
        "outsider",
    ],
)
def test_it_hides_a_restricted_review_from_everyone_not_named(cast, who):
    user = getattr(cast, who)
    assert cast.restricted_review.pk not in ids(Review.objects.visible_to(user))
    restricted_recs = cast.restricted_review.recommendations.values_list("pk", flat=True)
    assert not ids(Recommendation.objects.visible_to(user)) & set(restricted_recs)


@pytest.mark.parametrize("who", ["other_commissioner", "secretary", "viewer", "provider_b_lead"])
def test_it_hides_restricted_actions_and_evidence_from_those_not_named(cast, who):
    user = getattr(cast, who)
    assert cast.restricted_action_a.pk not in ids(Action.objects.visible_to(user))
    assert cast.restricted_evidence.pk not in ids(Evidence.objects.visible_to(user))


def test_it_keeps_a_providers_own_action_visible_on_a_restricted_review(cast):
    """The provider holds the action, so it sees it; the review's detail stays hidden
    (only its reference is shown on the provider's pages)."""
    assert cast.restricted_action_a in Action.objects.visible_to(cast.provider_a_lead)
    assert cast.restricted_review not in Review.objects.visible_to(cast.provider_a_lead)


def test_it_shows_a_restricted_review_to_the_named_person(cast):
    user = cast.commissioner
    assert cast.restricted_review in Review.objects.visible_to(user)
    assert cast.restricted_action_a in Action.objects.visible_to(user)
    assert cast.restricted_evidence in Evidence.objects.visible_to(user)


def test_it_shows_a_named_provider_the_restricted_review(cast):
    cast.restricted_review.named_people.add(cast.provider_b_lead)
    assert cast.restricted_review in Review.objects.visible_to(cast.provider_b_lead)


def test_it_shows_admins_everything(cast):
    assert ids(Action.objects.visible_to(cast.admin)) == ids(Action.objects.all())
    assert ids(Review.objects.visible_to(cast.admin)) == ids(Review.objects.all())
    assert ids(Evidence.objects.visible_to(cast.admin)) == ids(Evidence.objects.all())


def test_it_shows_an_outsider_nothing(cast):
    for model in (Review, Recommendation, Action, Evidence):
        assert not model.objects.visible_to(cast.outsider).exists()


def test_it_shows_anonymous_and_deactivated_users_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    # visible_to is typed for signed-in people, whom the views pass; the choke point must
    # still show an anonymous one nothing.
    anonymous: Any = AnonymousUser()
    cast.commissioner.is_active = False
    for user in (anonymous, cast.commissioner):
        for model in (Review, Recommendation, Action, Evidence):
            assert not model.objects.visible_to(user).exists()


def test_it_returns_each_row_once_when_several_grants_overlap(cast):
    """A named commissioner who also reads the portfolio must not see duplicate rows."""
    cast.review.named_people.add(cast.commissioner, cast.other_commissioner)
    visible = Action.objects.visible_to(cast.commissioner)
    assert visible.count() == len(ids(visible))
