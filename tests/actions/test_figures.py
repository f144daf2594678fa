"""Committee figures (docs/domain.md): the headline never overstates progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.choices import Status
from actions.selectors import band_counts, headline_percent

pytestmark = pytest.mark.django_db


def test_the_headline_rounds_down():
    counts: dict[str, int] = {
        Status.ON_TRACK: 20,
        Status.COMPLETED: 11,
        Status.ASSURED: 10,
        Status.OFF_TRACK: 16,
    }
    assert headline_percent(counts) == (71, 41, 57)  # 71.9% is reported as 71%


def test_closed_and_not_started_count_in_the_denominator():
    counts: dict[str, int] = {
        Status.ON_TRACK: 1,
        Status.CLOSED: 1,
        Status.NOT_STARTED: 1,
        Status.AT_RISK: 1,
    }
    assert headline_percent(counts) == (25, 1, 4)
    assert headline_percent({}) == (0, 0, 0)


def test_bands_group_completed_and_assured_and_round_down():
    bands = {
        b["band"]: b
        for b in band_counts({Status.COMPLETED: 1, Status.ASSURED: 1, Status.AT_RISK: 1})
    }
    assert bands["completed"]["count"] == 2 and bands["completed"]["percent"] == 66
    assert bands["at_risk"]["percent"] == 33


def test_the_dashboard_shows_the_headline_and_its_formula(client, cast):
    client.force_login(cast.commissioner)
    page = client.get(reverse("home")).content.decode()
    # The cast: three on-track actions the commissioner can see.
    assert 'id="headline-percent">100%' in page
    assert "rounded down to a whole percent" in page
