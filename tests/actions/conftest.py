from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from actions.choices import Status
from actions.models import Evidence
from governance.choices import ForumKind
from tests import factories
from tests.actions.ladder import DUE
from tests.clamd import Clamd, clamd_binary


@pytest.fixture
def ladder(cast):
    """Provider A's action, led by the contributor, monitored by the ICB's SAG (chaired
    by the second commissioner, served by the secretary). Both commissioners are
    safeguarding leads of the ICB, so both own the action."""
    for user in (
        cast.commissioner,
        cast.other_commissioner,
        cast.secretary,
        cast.provider_a_lead,
        cast.provider_a_contributor,
        cast.provider_b_lead,
        cast.viewer,
    ):
        user.email = f"{user.username}@example.nhs.uk"
        user.save()
    forum = factories.forum(organisation=cast.icb, kind=ForumKind.SAG)
    forum.chair, forum.secretary = cast.other_commissioner, cast.secretary
    forum.save()
    action = cast.action_a
    action.due_date = DUE
    action.lead_user = cast.provider_a_contributor
    action.monitoring_forum = forum
    action.save()
    # Keep the cast's other actions and pending evidence out of the way.
    Evidence.objects.all().delete()
    for other in (cast.action_b, cast.restricted_action_a):
        other.status = Status.CLOSED
        other.closure_rationale = "Not part of this test."
        other.save()
    return action


@pytest.fixture
def clamd(tmp_path) -> Iterator[Clamd]:
    """A real clamd that knows only the EICAR test file (tests/clamd.py), stopped after
    the test. In CI a missing clamd fails rather than skips, so a broken install step in
    .ci/run cannot pass unnoticed."""
    binary = clamd_binary()
    if binary is None:
        reason = "clamd is not installed (apt-get install clamav-daemon; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    daemon = Clamd(binary, tmp_path / "clamd")
    daemon.start()
    yield daemon
    daemon.stop()
