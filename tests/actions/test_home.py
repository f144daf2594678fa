from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_the_actions_a_provider_lead_leads(client, cast):
    page = home(client, cast.provider_a_lead)
    assert cast.action_a.description in page
    assert cast.action_b.description not in page


def test_it_shows_provider_b_nothing_of_provider_a(client, cast):
    page = home(client, cast.provider_b_lead)
    assert cast.action_b.description in page
    assert cast.action_a.description not in page
    assert cast.restricted_action_a.description not in page


def test_it_shows_a_provider_its_organisations_restricted_action_by_reference_only(client, cast):
    page = home(client, cast.provider_a_contributor)
    assert cast.restricted_action_a.description in page
    assert cast.restricted_review.reference in page
    assert cast.restricted_review.title not in page


def test_it_tells_an_outsider_there_is_nothing_to_see(client, cast):
    page = home(client, cast.outsider)
    assert "not yet linked to an organisation" in page
    assert cast.action_a.description not in page


def test_it_shows_navigation_by_role(client, cast):
    assert "Administration" in home(client, cast.admin)
    commissioner_home = home(client, cast.commissioner)
    assert "Administration" not in commissioner_home
    assert 'href="/reviews/"' in commissioner_home
    assert 'href="/reviews/"' not in home(client, cast.provider_a_lead)


def test_it_shows_portfolio_readers_the_overdue_actions(client, cast):
    from datetime import date

    cast.action_b.due_date = date(2020, 1, 1)
    cast.action_b.save()
    page = home(client, cast.viewer)
    assert "Overdue across the portfolio" in page
    assert cast.action_b.description in page
    assert cast.action_a.description not in page.split("Overdue across the portfolio")[1]
