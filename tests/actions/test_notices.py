"""Notices: a provider is told in the tracker when their evidence is accepted or
rejected and when an extension is decided; nobody outside the organisation is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.choices import ReminderState, Rung
from actions.models import Reminder

pytestmark = pytest.mark.django_db


def told(user) -> list[Reminder]:
    return list(Reminder.objects.addressed_to(user).filter(rung__in=[r.value for r in Rung]))


def recipients(rung: str) -> set[str]:
    return set(Reminder.objects.filter(rung=rung).values_list("recipient__username", flat=True))


def ask_for_more_time(cast):
    return services.extension_request(
        action=cast.action_a,
        by=cast.provider_a_lead,
        proposed_date=timezone.localdate() + timedelta(days=45),
        reason="Staffing.",
    )


def test_it_tells_the_providers_organisation_when_evidence_is_accepted(cast):
    services.evidence_review(evidence=cast.evidence_a, by=cast.commissioner, accept=True)
    assert recipients(Rung.EVIDENCE_ACCEPTED) == {"a.lead", "a.contributor"}
    notice = told(cast.provider_a_contributor)[0]
    assert notice.action == cast.action_a
    assert "was accepted" in notice.message
    # Told in the tracker, never emailed: the sender only claims pending rows.
    assert notice.state == ReminderState.SKIPPED
    assert notice.read_at is None


def test_it_tells_the_provider_why_evidence_was_rejected(cast):
    services.evidence_review(
        evidence=cast.evidence_a, by=cast.commissioner, accept=False, reason="Unsigned policy."
    )
    (notice,) = told(cast.provider_a_lead)
    assert notice.rung == Rung.EVIDENCE_REJECTED
    assert "Unsigned policy." in notice.message


def test_it_tells_no_other_organisation_nor_the_team(cast):
    services.evidence_review(evidence=cast.evidence_a, by=cast.commissioner, accept=True)
    for person in (cast.provider_b_lead, cast.commissioner, cast.viewer, cast.secretary):
        assert told(person) == []


def test_it_tells_the_provider_an_extension_was_granted_with_the_new_date(cast):
    request = ask_for_more_time(cast)
    services.extension_decide(request=request, by=cast.commissioner, approve=True)
    assert recipients(Rung.EXTENSION_GRANTED) == {"a.lead", "a.contributor"}
    (notice,) = told(cast.provider_a_lead)
    assert f"{request.proposed_date:%-d %b %Y}" in notice.message
    assert told(cast.provider_b_lead) == []


def test_it_tells_the_provider_an_extension_was_refused_with_the_reason(cast):
    request = ask_for_more_time(cast)
    services.extension_decide(
        request=request, by=cast.commissioner, approve=False, reason="Needed by Q3."
    )
    (notice,) = told(cast.provider_a_contributor)
    assert notice.rung == Rung.EXTENSION_REFUSED
    assert "Needed by Q3." in notice.message
    assert recipients(Rung.EXTENSION_REFUSED) == {"a.lead", "a.contributor"}


def test_a_decision_rolled_back_leaves_no_notice(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.evidence_review(evidence=cast.evidence_a, by=cast.commissioner, accept=True)
        raise RuntimeError("the request failed after the decision")
    assert not Reminder.objects.exists()


def test_the_notice_is_in_the_inbox_with_the_unread_count_until_read(client, cast):
    services.evidence_review(
        evidence=cast.evidence_a, by=cast.commissioner, accept=False, reason="Unsigned policy."
    )
    client.force_login(cast.provider_a_lead)
    page = client.get(reverse("notifications")).content.decode()
    assert "Evidence rejected" in page and "Unsigned policy." in page
    home = client.get(reverse("home")).content.decode()
    assert '<strong class="app-count">1<span class="nhsuk-u-visually-hidden"> unread' in home
    assert 'id="waiting-notices"' in home
    client.post(reverse("notifications_read"))
    home = client.get(reverse("home")).content.decode()
    assert 'class="app-count">' not in home


def test_another_organisation_never_sees_the_notice(client, cast):
    services.evidence_review(
        evidence=cast.evidence_a, by=cast.commissioner, accept=False, reason="Unsigned policy."
    )
    client.force_login(cast.provider_b_lead)
    page = client.get(reverse("notifications")).content.decode()
    assert "Unsigned policy." not in page
    assert 'class="app-count">' not in client.get(reverse("home")).content.decode()
