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


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs row locks (PostgreSQL)")
def test_it_tells_three_of_four_simultaneous_status_posts_of_the_conflict(cast):
    """Four people post from the same opened version at once, two of them choosing the
    same status: one is saved; the three others are told who changed the action, and
    none is told that their choice is not allowed. Whether a loser reads the action
    before or after the winner's commit is down to timing, so several rounds are run."""
    from django.urls import reverse

    from tests.conftest import VerifiedClient

    action = cast.action_a
    url = reverse("actions:status", args=[action.pk])
    people = [
        cast.commissioner,
        cast.other_commissioner,
        cast.provider_a_lead,
        cast.provider_a_contributor,
    ]
    browsers = {}
    for person in people:
        browsers[person.pk] = VerifiedClient()
        browsers[person.pk].force_login(person)
    movable = [Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK]
    for _round in range(5):
        action.refresh_from_db()
        opened = action.version
        same, other, third = [s for s in movable if s != action.status]
        barrier = threading.Barrier(len(people))
        answers: list[tuple[int, str]] = []

        def post(who, status, opened=opened, barrier=barrier, answers=answers):
            try:
                barrier.wait()
                response = browsers[who.pk].post(
                    url, {"status": status, "note": f"{who.username} saw it", "version": opened}
                )
                answers.append((response.status_code, response.content.decode()))
            finally:
                connection.close()

        threads = [
            threading.Thread(target=post, args=(person, status))
            for person, status in zip(people, [same, same, other, third], strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(code for code, _ in answers) == [302, 409, 409, 409]
        for code, page in answers:
            if code == 409:
                assert "since you opened it" in page
                assert "You cannot set that status" not in page
        action.refresh_from_db()
        assert action.version == opened + 1
    assert action.updates.count() == 5


@pytest.mark.parametrize("htmx", [False, True])
def test_it_tells_a_second_person_choosing_the_same_status_of_the_conflict(client, cast, htmx):
    """The second person's status is now the current one, so no longer a choice: the
    conflict is what they need to hear, with their note kept."""
    from django.urls import reverse

    action = cast.action_a
    url = reverse("actions:status", args=[action.pk])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.force_login(cast.commissioner)
    first = client.post(url, {"status": Status.AT_RISK, "note": "First", "version": 1})
    assert first.status_code == 302
    client.force_login(cast.other_commissioner)
    second = client.post(
        url, {"status": Status.AT_RISK, "note": "Ward 3 audit slipped", "version": 1}, **headers
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert f"changed by {cast.commissioner.display_name} at" in page
    assert "You cannot set that status" not in page
    assert "Ward 3 audit slipped" in page
    if htmx:
        assert page.lstrip().startswith('<div id="action-live"')
    action.refresh_from_db()
    assert action.version == 2 and action.updates.count() == 1


def test_it_tells_a_provider_of_the_conflict_when_the_action_was_closed_meanwhile(client, cast):
    """Closing leaves the provider no status to choose; their stale post still hears
    of the conflict rather than that they may not set the status."""
    from django.urls import reverse

    action = cast.action_a
    url = reverse("actions:status", args=[action.pk])
    client.force_login(cast.commissioner)
    closing = {"status": Status.CLOSED, "note": "Superseded", "version": 1}
    assert client.post(url, {**closing, "closure_rationale": "By DHR 2027/1"}).status_code == 302
    client.force_login(cast.provider_a_lead)
    late = client.post(url, {"status": Status.AT_RISK, "note": "Slipping", "version": 1})
    assert late.status_code == 409
    page = late.content.decode()
    assert "since you opened it" in page and "You cannot set that status" not in page
    action.refresh_from_db()
    assert action.status == Status.CLOSED
