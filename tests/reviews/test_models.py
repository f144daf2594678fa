from __future__ import annotations

from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership
from reviews.models import Recommendation, Review, ReviewType
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def csp(db):
    return factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, "CSP")


def imr(parent: Review, body) -> Review:
    return Review(
        review_type=factories.review_type("IMR"),
        parent=parent,
        reference="IMR 1",
        title="Trust contribution",
        commissioning_body=body,
        owner=body,
    )


@pytest.mark.parametrize("parent_code", ["DHR", "SCR", "CSPR", "SAR"])
def test_it_accepts_an_imr_under_a_review_that_takes_contributions(csp, parent_code):
    imr(factories.review(code=parent_code, body=csp), csp).full_clean()


@pytest.mark.parametrize("parent_code", ["QAR", "PLAN", "LeDeR", "IMR"])
def test_it_refuses_an_imr_under_any_other_review(csp, parent_code):
    with pytest.raises(ValidationError) as error:
        imr(factories.review(code=parent_code, body=csp), csp).full_clean()
    assert "parent" in error.value.message_dict


def test_it_refuses_a_parent_for_a_review_that_is_not_a_contribution(csp):
    child = factories.review(code="SAR", body=csp)
    child.parent = factories.review(code="DHR", body=csp)
    with pytest.raises(ValidationError):
        child.full_clean()


def test_it_ships_the_default_review_types():
    assert set(ReviewType.objects.values_list("code", flat=True)) >= {
        "DHR",
        "SAR",
        "SCR",
        "CSPR",
        "IMR",
        "LeDeR",
        "MHHR",
        "CDR",
        "QAR",
        "PLAN",
    }


def test_it_needs_a_rationale_for_a_recommendation_not_accepted(csp):
    rec = Recommendation(review=factories.review(body=csp), number="1", text="x", accepted=False)
    with pytest.raises(ValidationError) as error:
        rec.full_clean()
    assert "rationale" in error.value.message_dict


@pytest.mark.parametrize(
    ("kind", "role", "allowed"),
    [
        (OrganisationKind.PROVIDER, Role.PROVIDER_LEAD, True),
        (OrganisationKind.COMMISSIONER, Role.PROVIDER_LEAD, False),
        (OrganisationKind.COMMISSIONER, Role.SAFEGUARDING_LEAD, True),
        (OrganisationKind.PROVIDER, Role.SAFEGUARDING_LEAD, False),
        (OrganisationKind.PARTNERSHIP_BOARD, Role.VIEWER, True),
    ],
)
def test_it_holds_each_role_only_in_the_right_kind_of_organisation(kind, role, allowed):
    membership = Membership(
        user=factories.user(), organisation=factories.organisation(kind), role=role
    )
    if allowed:
        membership.full_clean()
    else:
        with pytest.raises(ValidationError):
            membership.full_clean()


def test_it_reports_a_missing_type_as_such_when_a_parent_is_given(csp):
    contribution = imr(factories.review(code="DHR", body=csp), csp)
    contribution.review_type = cast(Any, None)  # on purpose: the field is typed not-None
    with pytest.raises(ValidationError) as error:
        contribution.full_clean()
    assert list(error.value.message_dict) == ["review_type"]
