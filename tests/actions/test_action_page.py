"""The action page as each person works in it: what it offers them, what waits on them,
what a refused change tells them, and a history they can read."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from actions import services
from actions.choices import EvidenceReviewState, Status
from tests import factories

pytestmark = pytest.mark.django_db


def page_of(client, user, action) -> str:
    client.force_login(user)
    response = client.get(reverse("actions:detail", args=[action.pk]))
    assert response.status_code == 200
    return response.content.decode()


def offered(page: str) -> set[str]:
    return set(re.findall(r'name="status" value="([a-z_]+)"', page))


def unavailable(page: str) -> str:
    part = page.split('id="status-unavailable"')[1]
    return re.sub(r"<[^>]+>", "", part.split("</ul>")[0])


def fresh_action(cast, *, status=Status.ON_TRACK, evidence=()):
    action = factories.action(
        on=cast.recommendation, owner=cast.provider_a, status=status, lead_user=cast.provider_a_lead
    )
    for state in evidence:
        factories.evidence(on=action, by=cast.provider_a_lead, state=state)
    return action


def test_it_offers_a_provider_without_evidence_only_what_it_can_set_and_says_what_the_rest_need(
    client, cast
):
    page = page_of(client, cast.provider_a_lead, fresh_action(cast))
    assert offered(page) == {Status.NOT_STARTED, Status.AT_RISK, Status.OFF_TRACK}
    explained = unavailable(page)
    assert "Completed: needs evidence first" in explained
    assert "Assured: only the safeguarding team, once evidence is accepted" in explained
    assert "Closed: only the safeguarding team" in explained


def test_it_offers_completed_to_a_provider_once_evidence_is_in(client, cast):
    page = page_of(
        client, cast.provider_a_lead, fresh_action(cast, evidence=[EvidenceReviewState.PENDING])
    )
    assert Status.COMPLETED in offered(page)
    assert "Completed:" not in unavailable(page)


def test_it_counts_rejected_evidence_as_none(client, cast):
    action = fresh_action(cast, evidence=[EvidenceReviewState.REJECTED])
    assert Status.COMPLETED not in offered(page_of(client, cast.provider_a_lead, action))


def test_it_offers_assured_to_the_safeguarding_team_only_with_accepted_evidence(client, cast):
    pending = fresh_action(cast, status=Status.COMPLETED, evidence=[EvidenceReviewState.PENDING])
    page = page_of(client, cast.commissioner, pending)
    assert Status.ASSURED not in offered(page)
    assert "Assured: needs accepted evidence first" in unavailable(page)
    assert "Review 1 piece of evidence" in page

    accepted = fresh_action(cast, status=Status.COMPLETED, evidence=[EvidenceReviewState.ACCEPTED])
    page = page_of(client, cast.commissioner, accepted)
    assert {Status.ASSURED, Status.CLOSED} <= offered(page)
    assert 'href="#change-status">Sign off as assured</a>' in page


def test_it_tells_a_provider_of_an_assured_action_that_only_the_team_can_move_it(client, cast):
    action = fresh_action(cast, status=Status.ASSURED, evidence=[EvidenceReviewState.ACCEPTED])
    page = page_of(client, cast.provider_a_lead, action)
    assert offered(page) == set()
    assert "Only the safeguarding team can change the status" in page


def test_a_viewer_gets_no_status_form_and_no_next_step(client, cast):
    page = page_of(client, cast.viewer, cast.action_a)
    assert 'id="save-status"' not in page and 'id="next-step"' not in page
    assert 'id="action-status"' in page


def test_it_tells_the_provider_to_upload_evidence_first(client, cast):
    page = page_of(client, cast.provider_a_lead, fresh_action(cast))
    assert 'href="#add-evidence">Upload evidence</a>' in page
    assert 'id="add-evidence"' in page


def test_it_puts_status_due_date_owner_and_lead_above_the_status_form_and_the_evidence(
    client, cast
):
    action = fresh_action(cast)
    action.due_date, action.revised_due_date = date(2026, 5, 1), date(2026, 6, 30)
    action.save()
    page = page_of(client, cast.commissioner, action)
    glance = page.index('id="at-a-glance"')
    assert glance < page.index('id="change-status"') < page.index('id="evidence"')
    due = page.split('id="action-due"')[1].split("</dd>")[0]
    assert "30 June 2026" in due and "Extended from 1 May 2026" in due


def test_a_refused_status_change_shows_the_error_summary_first_and_says_error_in_the_title(
    client, cast
):
    action = fresh_action(cast)
    client.force_login(cast.provider_a_lead)
    response = client.post(
        reverse("actions:status", args=[action.pk]),
        {"status": Status.COMPLETED, "note": "All done.", "version": action.version},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(r"<title>Error: Action ", page)
    main = page.split('id="maincontent">')[1]
    assert main.index("nhsuk-error-summary") < main.index("<h1")
    assert "Add at least one evidence item before marking the action completed." in main
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("actions:update_add", {"text": ""}),
        ("actions:extension_request", {"proposed_date": "", "reason": ""}),
    ],
)
def test_any_failed_form_on_the_action_page_says_error_in_the_title(client, cast, url, data):
    client.force_login(cast.provider_a_lead)
    response = client.post(reverse(url, args=[cast.action_a.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "<title>Error: " in page
    assert (
        page.split('id="maincontent">')[1].lstrip().startswith('<div class="nhsuk-error-summary"')
    )


def test_other_form_pages_say_error_in_the_title_when_a_form_fails(client, cast):
    client.force_login(cast.commissioner)
    review_form = client.post(
        reverse("actions:create", args=[cast.recommendation.pk]), {"number": "9"}
    )
    assert review_form.status_code == 422
    assert "<title>Error: " in review_form.content.decode()
    edit = client.post(reverse("actions:edit", args=[cast.action_a.pk]), {"version": "1"})
    assert edit.status_code == 422
    assert "<title>Error: " in edit.content.decode()
    unbroken = client.get(reverse("actions:edit", args=[cast.action_a.pk]))
    assert "<title>Error: " not in unbroken.content.decode()


def test_the_sign_in_page_says_error_in_the_title_after_a_wrong_password(client, cast):
    client.logout()
    response = client.post(
        reverse("login"), {"username": cast.viewer.username, "password": "not-it"}
    )
    assert "<title>Error: " in response.content.decode()
    assert "<title>Error: " not in client.get(reverse("login")).content.decode()


def test_the_history_reads_as_sentences_with_date_and_time_in_london(client, cast):
    # 11:05 UTC in June is 12:05 in London (British Summer Time).
    with time_machine.travel(datetime(2026, 6, 2, 11, 5, tzinfo=UTC), tick=False):
        action = fresh_action(cast, evidence=[EvidenceReviewState.ACCEPTED])
        action.due_date = date(2026, 5, 1)
        action.save()
        services.action_update(
            action=action,
            by=cast.commissioner,
            expected_version=action.version,
            due_date=date(2026, 6, 30),
            revised_due_date=date(2026, 7, 31),
            lead_user=None,
        )
        for status, note in ((Status.COMPLETED, "Done."), (Status.ASSURED, "Checked.")):
            action.refresh_from_db()
            services.action_set_status(
                action=action,
                by=cast.commissioner,
                status=status,
                note=note,
                expected_version=action.version,
            )
    history = page_of(client, cast.commissioner, action).split('id="history"')[1]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", history.split("</ol>")[0]))
    name = cast.commissioner.display_name
    assert f"Signed off as assured by {name}." in text
    assert "Status changed from on track to completed." in text
    assert "Due date changed from 1 May 2026 to 30 June 2026." in text
    assert "Revised due date set to 31 July 2026." in text
    assert f"Lead removed (was {cast.provider_a_lead.display_name})." in text
    assert f"2 June 2026 at 12:05, {name}" in text
    assert "→" not in text and "none" not in text
