"""List and dashboard pages run a fixed number of queries, whatever the data size
(a page that grows with the portfolio is a defect). Timings live in bench/, not here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.choices import Status
from tests import factories

pytestmark = pytest.mark.django_db


def grow(cast, n: int) -> None:
    """Adds n actions over several reviews, owners, statuses, with updates and evidence."""
    statuses = list(Status.values)
    rec = None
    for i in range(n):
        if rec is None or i % 5 == 0:
            rec = factories.recommendation(factories.review(body=cast.csp))
        owner = cast.provider_a if i % 2 else cast.provider_b
        action = factories.action(
            on=rec,
            owner=owner,
            status=statuses[i % len(statuses)],
            due=date(2026, 1, 1) + timedelta(days=i * 7),
            lead_user=cast.commissioner,
            closure_rationale="Superseded.",
        )
        factories.evidence(on=action, by=cast.commissioner)
        action.updates.create(author=cast.commissioner, text=f"Update {i}", status=action.status)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


PAGES = [
    ("actions:list", {}),
    ("actions:list", {"status": Status.ON_TRACK}),
    ("actions:list", {"overdue": "on"}),
    ("actions:list", {"due_from": "01/01/2026", "due_to": "31/12/2027"}),
    ("actions:list", {"sort": "owner", "page": "2"}),
    ("actions:list", {"theme": "1"}),
    ("reviews:list", {}),
    ("home", {}),
    ("governance:quarterly_report", {}),
    ("governance:slippage", {}),
    ("reviews:theme_list", {}),
]


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_the_page_runs_the_same_queries_for_small_and_larger_portfolios(client, cast, name, params):
    client.force_login(cast.commissioner)
    grow(cast, 5)
    small = count_queries(client, reverse(name), params)
    grow(cast, 60)
    large = count_queries(client, reverse(name), params)
    assert small == large, f"{name} {params}: {small} queries, then {large}"
    assert large <= 20


@pytest.mark.parametrize("who", ["provider_a_lead", "secretary", "viewer"])
def test_each_roles_home_runs_the_same_queries_for_small_and_larger_portfolios(client, cast, who):
    client.force_login(getattr(cast, who))
    grow(cast, 5)
    small = count_queries(client, reverse("home"))
    grow(cast, 60)
    large = count_queries(client, reverse("home"))
    assert small == large, f"home as {who}: {small} queries, then {large}"
    assert large <= 20


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("actions:list", {}),
        ("actions:list", {"status": Status.ON_TRACK, "overdue": "on"}),
        ("actions:list", {"lead": "1", "q": "update"}),
        ("actions:export", {}),
    ],
)
def test_the_providers_action_list_runs_the_same_queries_however_many_actions(
    client, cast, name, params
):
    client.force_login(cast.provider_a_lead)
    grow(cast, 5)
    small = count_queries(client, reverse(name), params)
    grow(cast, 60)
    large = count_queries(client, reverse(name), params)
    assert small == large, f"{name} {params}: {small} queries, then {large}"
    assert large <= 20


def test_the_action_page_runs_the_same_queries_however_long_its_history(client, cast):
    """Evidence, extension requests, updates and history are each read in one query
    (the people they name with them), however many there are; and once worked out they
    are kept until the portfolio next changes (actions.selectors.action_page_records)."""
    from django.core.cache import cache

    from actions import services

    client.force_login(cast.commissioner)
    action = cast.action_a
    url = reverse("actions:detail", args=[action.pk])

    def grow_history(times: int) -> None:
        for n in range(times):
            action.refresh_from_db()
            services.action_update(
                action=action,
                by=cast.commissioner,
                expected_version=action.version,
                due_date=date(2027, 1, 1) + timedelta(days=n),
                lead_user=cast.provider_a_lead if n % 2 else cast.provider_a_contributor,
            )
            factories.evidence(on=action, by=cast.provider_a_lead)
            action.updates.create(
                author=cast.provider_a_lead, text=f"Update {n}", status="on_track"
            )

    # One change naming a lead first: the history reads the people it names in one query.
    grow_history(1)
    cache.clear()
    small = count_queries(client, url)
    grow_history(6)
    cache.clear()
    large = count_queries(client, url)
    assert small == large, f"{small} queries, then {large}"
    kept = count_queries(client, url)
    assert kept < large
