"""The portfolio pages draw a bounded page whatever the portfolio's size (the causes of
slow pages in bench/bench_http.py), and say so honestly when they stop counting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from actions.choices import Status
from actions.models import Action, PortfolioGeneration
from actions.selectors import PROVIDER_GROUP_PAGE, PROVIDER_GROUP_PREVIEW, dashboard_for
from reviews import services as review_services
from tests import factories
from trackerapp import pagination

pytestmark = pytest.mark.django_db


def page_of(client, user, name="home", params=None) -> str:
    client.force_login(user)
    response = client.get(reverse(name), params or {})
    assert response.status_code == 200
    return response.content.decode()


# --- the action list ------------------------------------------------------------------


def test_the_review_filter_is_a_reference_box_not_a_list_of_every_review(client, cast):
    for _ in range(3):
        factories.review(body=cast.csp)
    page = page_of(client, cast.commissioner, "actions:list")
    assert 'name="review"' in page
    assert '<select name="review"' not in page
    assert 'list="review-suggestions"' in page
    # Only the suggestions endpoint names reviews, a few at a time.
    assert page.count(cast.review.title) == 0


def test_the_review_filter_finds_a_review_by_its_reference_or_its_id(client, cast):
    other = factories.review(body=cast.csp)
    other_action = factories.action(on=factories.recommendation(other), owner=cast.provider_a)
    for typed in (cast.review.reference.lower(), str(cast.review.pk)):
        page = page_of(client, cast.commissioner, "actions:list", {"review": typed})
        assert cast.action_a.description in page
        assert other_action.description not in page


def test_the_review_filter_finds_nothing_it_may_not_show(client, cast):
    """A restricted review's reference, to someone not named on it, is "not found", as
    a reference that does not exist: the filter tells nothing of it."""
    hidden = cast.restricted_review.reference
    page = page_of(client, cast.viewer, "actions:list", {"review": hidden})
    missing = page_of(client, cast.viewer, "actions:list", {"review": "DHR 1999/99"})
    assert f"No review you can see has the reference {hidden}" in page
    assert "No review you can see has the reference DHR 1999/99" in missing
    assert cast.restricted_action_a.description not in page


def test_review_suggestions_name_only_reviews_the_person_sees(client, cast):
    client.force_login(cast.viewer)
    response = client.get(reverse("actions:review_suggestions"), {"review": "2026"})
    body = response.content.decode()
    assert response.status_code == 200
    assert cast.review.reference in body
    assert cast.restricted_review.reference not in body
    client.force_login(cast.outsider)
    assert client.get(reverse("actions:review_suggestions"), {"review": "2026"}).status_code == 403


def test_the_action_list_says_more_than_when_it_stops_counting(client, cast, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 30)
    rec = factories.recommendation(cast.review)
    Action.objects.bulk_create(
        Action(recommendation=rec, owner_organisation=cast.provider_a, description=f"Bulk {i}")
        for i in range(80)
    )
    page = page_of(client, cast.commissioner, "actions:list")
    assert "More than 50 actions, page 1." in page  # the asked page and one more: 2 × 25
    assert "of the more than 50 actions" in page
    assert "Page 2" in page and "Page 2 of" not in page
    last = page_of(client, cast.commissioner, "actions:list", {"page": "4"})
    assert "83 actions, page 4 of 4." in last  # with the cast's three


def test_the_action_list_counts_exactly_below_the_cap(client, cast):
    page = page_of(client, cast.commissioner, "actions:list")
    assert '<p id="result-count">3 actions.</p>' in page


# --- provider home --------------------------------------------------------------------


def overdue_actions(cast, n: int) -> list[Action]:
    rec = factories.recommendation(cast.review)
    today = timezone.localdate()
    return [
        factories.action(on=rec, owner=cast.provider_a, due=today - timedelta(days=i + 1))
        for i in range(n)
    ]


def test_provider_home_shows_the_first_of_each_group_and_links_to_the_rest(client, cast):
    made = overdue_actions(cast, PROVIDER_GROUP_PREVIEW + 5)
    page = page_of(client, cast.provider_a_lead)
    section = page.split('id="group-overdue"')[1].split('id="group-due-soon"')[0]
    shown = [a for a in made if f'href="{a.get_absolute_url()}"' in section]
    assert len(shown) == PROVIDER_GROUP_PREVIEW
    assert f"See all {len(made)} overdue" in section


def test_provider_home_pages_through_one_group(client, cast):
    made = overdue_actions(cast, PROVIDER_GROUP_PAGE + 3)
    first = page_of(client, cast.provider_a_lead, params={"group": "overdue"})
    second = page_of(client, cast.provider_a_lead, params={"group": "overdue", "page": "2"})
    on_first = [a for a in made if f'href="{a.get_absolute_url()}"' in first]
    on_second = [a for a in made if f'href="{a.get_absolute_url()}"' in second]
    assert len(on_first) == PROVIDER_GROUP_PAGE and len(on_second) == 3
    assert "page 1 of 2" in first and 'href="?group=overdue&amp;page=2"' in first
    # Soonest due first: the most overdue on the first page, the least on the last.
    assert made[-1] in on_first and made[0] in on_second
    assert cast.action_b.description not in first + second


def test_provider_home_ignores_a_group_it_does_not_know(client, cast):
    page = page_of(client, cast.provider_a_lead, params={"group": "everything"})
    assert 'id="group-due-soon"' in page and 'id="group-later"' in page


# --- the review register ----------------------------------------------------------------


def test_the_register_counts_the_actions_of_each_review_on_the_page(client, cast):
    rec = factories.recommendation(cast.review)
    factories.action(on=rec, owner=cast.provider_a, status=Status.OFF_TRACK)
    factories.action(on=rec, owner=cast.provider_a, due=timezone.localdate() - timedelta(days=2))
    page = page_of(client, cast.commissioner, "reviews:list")
    row = page.split(cast.review.reference)[1].split("</tr>")[0]
    assert "Off track" in row
    assert 'class="app-overdue">1<' in row


# --- dashboard figures kept until the portfolio changes --------------------------------


def generation() -> int:
    return PortfolioGeneration.objects.get(pk=1).value


def test_every_write_to_the_portfolio_changes_the_generation(cast):
    before = generation()
    Action.objects.filter(pk=cast.action_a.pk).update(status=Status.OFF_TRACK)  # no service
    after_update = generation()
    factories.share(cast.review, with_=cast.csp)
    after_share = generation()
    assert before < after_update < after_share


def counts(user) -> dict[str, int]:
    return {row["status"]: row["count"] for row in dashboard_for(user)["status_totals"]}


def test_the_dashboard_counts_a_status_change_at_once(cast):
    assert counts(cast.commissioner)[Status.OFF_TRACK] == 0
    Action.objects.filter(pk=cast.action_a.pk).update(status=Status.OFF_TRACK)
    assert counts(cast.commissioner)[Status.OFF_TRACK] == 1


def test_a_partners_dashboard_follows_sharing_and_unsharing(cast):
    partner = factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, "PARTNER")
    lead = factories.user("partner.lead", organisation=partner, role=Role.SAFEGUARDING_LEAD)
    assert sum(counts(lead).values()) == 0
    share = review_services.review_share(
        review=cast.review, organisation=partner, access_level="read", by=cast.commissioner
    )
    assert sum(counts(lead).values()) == 2
    review_services.review_unshare(share=share, by=cast.commissioner)
    assert sum(counts(lead).values()) == 0


def test_people_with_other_roles_never_share_figures(cast):
    """Same portfolio, same moment: the commissioner named on the restricted review
    counts its action, the viewer of the same organisation does not."""
    assert sum(counts(cast.commissioner).values()) == 3
    assert sum(counts(cast.viewer).values()) == 2


def test_the_dashboard_is_drawn_again_after_a_write(client, cast):
    """The page keeps its drawing of the figures with them: a write shows at once."""
    before = page_of(client, cast.commissioner)
    Action.objects.filter(pk=cast.action_b.pk).update(
        due_date=timezone.localdate() - timedelta(days=5)
    )
    after = page_of(client, cast.commissioner)

    def overdue_section(page: str) -> str:
        return page.split('<h2 id="overdue">')[1].split('<h2 id="due-soon">')[0]

    assert cast.action_b.description not in overdue_section(before)
    assert cast.action_b.description in overdue_section(after)
