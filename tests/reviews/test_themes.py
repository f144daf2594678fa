"""Themes: learning repeated across reviews, and commissioners tagging recommendations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.choices import Status
from reviews.models import Theme
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(cast):
    """ "Information sharing" on two reviews (three actions), "Bed management" on one."""
    sharing = Theme.objects.create(name="Information sharing")
    beds = Theme.objects.create(name="Bed management")
    cast.recommendation.themes.add(sharing)
    other = factories.recommendation(factories.review(code="SAR", body=cast.csp))
    other.themes.add(sharing, beds)
    factories.action(
        on=other,
        owner=cast.provider_a,
        status=Status.ASSURED,
    )
    cast.action_a.due_date = timezone.localdate() - timedelta(days=10)
    cast.action_a.save()
    cast.restricted_action_a.recommendation.themes.add(sharing)
    return sharing, beds


def test_it_lists_themes_most_used_first_with_their_counts(client, cast, themes):
    client.force_login(cast.viewer)
    response = client.get(reverse("reviews:theme_list"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["theme"].name for r in rows] == ["Information sharing", "Bed management"]
    sharing = rows[0]
    # The restricted review's recommendation is not counted for a viewer.
    assert (sharing["reviews"], sharing["recommendations"], sharing["actions"]) == (2, 2, 3)
    assert (sharing["open"], sharing["overdue"], sharing["assured"]) == (2, 1, 1)
    assert "Repeated" in response.content.decode()


def test_a_theme_page_lists_every_recommendation_and_action_across_reviews(client, cast, themes):
    sharing, _ = themes
    client.force_login(cast.commissioner)
    response = client.get(reverse("reviews:theme_detail", args=[sharing.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert cast.review.reference in page
    assert cast.action_a.description in page and cast.action_b.description in page
    # The commissioner is named on the restricted review, so sees it here too.
    assert cast.restricted_review.reference in page
    assert response.context["review_count"] == 3


def test_providers_and_outsiders_are_refused_the_theme_pages(client, cast, themes):
    sharing, _ = themes
    for person in (cast.provider_a_lead, cast.outsider):
        client.force_login(person)
        assert client.get(reverse("reviews:theme_list")).status_code == 403
        assert client.get(reverse("reviews:theme_detail", args=[sharing.pk])).status_code == 403


def test_a_commissioner_tags_a_recommendation_with_a_new_theme(client, cast, themes):
    sharing, _ = themes
    client.force_login(cast.commissioner)
    url = reverse("reviews:recommendation_edit", args=[cast.recommendation.pk])
    response = client.post(
        url,
        {
            "number": cast.recommendation.number,
            "text": cast.recommendation.text,
            "accepted": "on",
            "themes": [sharing.pk],
            "new_themes": "Think family,  bed MANAGEMENT , Think family",
        },
    )
    assert response.status_code == 302
    names = sorted(cast.recommendation.themes.values_list("name", flat=True))
    # "bed MANAGEMENT" is the existing theme, not a second one.
    assert names == ["Bed management", "Information sharing", "Think family"]
    assert Theme.objects.count() == 3


def test_a_viewer_cannot_change_theme_tags(client, cast, themes):
    client.force_login(cast.viewer)
    url = reverse("reviews:recommendation_edit", args=[cast.recommendation.pk])
    assert client.post(url, {"new_themes": "Anything"}).status_code == 403
    assert not Theme.objects.filter(name="Anything").exists()
