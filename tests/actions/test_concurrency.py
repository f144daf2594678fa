"""Two people open the same action and both save: the second is told, nothing is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from actions import services
from actions.choices import Status
from actions.models import Action

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs row locks (PostgreSQL)")
def test_it_lets_exactly_one_of_two_simultaneous_saves_through(cast):
    action = Action.objects.get(pk=cast.action_a.pk)
    opened = action.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(who, status):
        barrier.wait()
        try:
            services.action_set_status(
                action=action,
                by=who,
                status=status,
                note=f"{who.username} saw it",
                expected_version=opened,
            )
            outcomes[who.username] = "saved"
        except services.StaleActionError as stale:
            outcomes[who.username] = stale
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(cast.commissioner, Status.AT_RISK)),
        threading.Thread(target=save, args=(cast.provider_a_lead, Status.OFF_TRACK)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [name for name, outcome in outcomes.items() if outcome == "saved"]
    refused = [o for o in outcomes.values() if isinstance(o, services.StaleActionError)]
    assert len(saved) == 1 and len(refused) == 1
    action.refresh_from_db()
    assert action.version == opened + 1
    assert action.history.count() == 2  # created, then exactly one change
    assert "was changed by" in str(refused[0])


def test_the_second_of_two_sequential_saves_is_told_who_changed_it(client, cast):
    """The same through the page: both opened version 1; the second POST is refused."""
    from django.urls import reverse

    action = cast.action_a
    first, second = cast.commissioner, cast.provider_a_lead
    url = reverse("actions:status", args=[action.pk])
    client.force_login(first)
    ok = client.post(url, {"status": Status.AT_RISK, "note": "First", "version": action.version})
    assert ok.status_code == 302
    client.force_login(second)
    conflict = client.post(
        url, {"status": Status.OFF_TRACK, "note": "Second", "version": action.version}
    )
    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert f"changed by {first.display_name} at" in page
    action.refresh_from_db()
    assert action.status == Status.AT_RISK
