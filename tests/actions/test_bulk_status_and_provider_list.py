"""The action list's bulk status change (the single change's rules, row by row), and the
action list as a provider sees it: its own organisation's actions only, filtered and
exported, never another organisation's."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from actions.choices import EvidenceReviewState, Status
from actions.models import Action
from tests import factories
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def named(action: Action, description: str) -> Action:
    Action.objects.filter(pk=action.pk).update(description=description)
    action.refresh_from_db()
    return action


def bulk_status(client, actions, status, **extra):
    payload = {
        "selected": [a.pk for a in actions],
        "operation": "set_status",
        "status": status,
        "text": "Agreed at the assurance group.",
        "next": "/actions/?sort=due",
        **extra,
    }
    return client.post(reverse("actions:bulk"), payload)


# --- bulk status ---------------------------------------------------------------------


def test_it_sets_the_status_of_every_chosen_action_and_says_so(client, cast):
    client.force_login(cast.commissioner)
    response = bulk_status(client, [cast.action_a, cast.action_b], Status.AT_RISK)
    assert response.status_code == 302 and response["Location"] == "/actions/?sort=due"
    for action in (cast.action_a, cast.action_b):
        action.refresh_from_db()
        assert action.status == Status.AT_RISK
        # Recorded as the single change records it: the note becomes an update.
        assert action.updates.get().text == "Agreed at the assurance group."
    page = client.get(response["Location"]).content.decode()
    assert "nhsuk-notification-banner--success" in page
    assert "2 actions set to at risk." in page
    # Shown once: the outcome does not come back on the next visit.
    assert "set to at risk" not in client.get(reverse("actions:list")).content.decode()


def test_it_reports_each_refused_action_with_its_reason_and_changes_none_of_them(client, cast):
    client.force_login(cast.commissioner)
    response = bulk_status(client, [cast.action_a, cast.action_b], Status.ASSURED)
    page = client.get(response["Location"]).content.decode()
    assert "nhsuk-error-summary" in page and "2 actions not changed" in page
    assert page.count("Accept at least one evidence item before marking the action assured.") == 2
    assert "nhsuk-notification-banner--success" not in page
    for action in (cast.action_a, cast.action_b):
        action.refresh_from_db()
        assert action.status == Status.ON_TRACK and not action.updates.exists()
        assert action.assured_at is None


def test_a_mixed_selection_applies_the_allowed_and_reports_the_refused(client, cast):
    cast.evidence_a.review_state = EvidenceReviewState.ACCEPTED
    cast.evidence_a.save()
    without_evidence = factories.action(on=cast.recommendation, owner=cast.provider_a)
    client.force_login(cast.commissioner)
    response = bulk_status(client, [cast.action_a, without_evidence], Status.ASSURED)
    page = client.get(response["Location"]).content.decode()
    assert "1 action set to assured." in page
    assert "1 action not changed" in page
    assert reverse("actions:detail", args=[without_evidence.pk]) in page
    cast.action_a.refresh_from_db()
    without_evidence.refresh_from_db()
    assert cast.action_a.status == Status.ASSURED and cast.action_a.assured_by == cast.commissioner
    # Nothing of the refused one written: no status, no update, no version.
    assert without_evidence.status == Status.ON_TRACK and without_evidence.version == 1
    assert not without_evidence.updates.exists()


def test_an_action_already_at_the_status_is_reported_not_counted(client, cast):
    client.force_login(cast.commissioner)
    response = bulk_status(client, [cast.action_a, cast.action_b], Status.ON_TRACK)
    page = client.get(response["Location"]).content.decode()
    assert page.count("The action is already on track.") == 2


def test_a_missing_field_shows_the_error_summary_and_keeps_what_was_chosen(client, cast):
    client.force_login(cast.commissioner)
    response = bulk_status(client, [cast.action_b], Status.COMPLETED, text="")
    assert response.status_code == 422
    page = response.content.decode()
    assert "nhsuk-error-summary" in page and "Say what has changed." in page
    assert "<title>Error: " in page
    assert "nhsuk-inset-text" not in page
    # The ticked row still ticked, the other not; the chosen change and status kept.
    posted = form_data(page, "bulk-form")
    assert posted["selected"] == [str(cast.action_b.pk)]
    assert posted["operation"] == ["set_status"] and posted["status"] == [Status.COMPLETED]
    # Sent again, it still returns to the list it came from.
    assert posted["next"] == ["/actions/?sort=due"]
    cast.action_b.refresh_from_db()
    assert cast.action_b.status == Status.ON_TRACK


def test_closing_needs_a_rationale_before_anything_is_tried(client, cast):
    client.force_login(cast.commissioner)
    response = bulk_status(client, [cast.action_a], Status.CLOSED)
    assert response.status_code == 422
    assert "Say why the actions are closed without completion." in response.content.decode()
    response = bulk_status(
        client, [cast.action_a], Status.CLOSED, closure_rationale="Superseded by the new plan."
    )
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.CLOSED
    assert cast.action_a.closure_rationale == "Superseded by the new plan."


def test_no_action_ticked_is_an_error_on_the_list(client, cast):
    client.force_login(cast.commissioner)
    response = client.post(
        reverse("actions:bulk"),
        {"operation": "set_status", "status": Status.AT_RISK, "text": "x", "next": "/actions/"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert '<a href="#id_selected">Select at least one action.</a>' in page
    assert 'id="id_selected"' in page


@pytest.mark.parametrize("who", ["secretary", "viewer", "provider_a_lead"])
def test_only_the_safeguarding_team_sets_statuses_in_bulk(client, cast, who):
    client.force_login(getattr(cast, who))
    assert bulk_status(client, [cast.action_a], Status.AT_RISK).status_code == 403
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.ON_TRACK


def test_a_bulk_status_change_cannot_reach_an_action_out_of_reach(client, cast):
    client.force_login(cast.other_commissioner)
    response = bulk_status(client, [cast.restricted_action_a], Status.AT_RISK)
    assert response.status_code == 422
    cast.restricted_action_a.refresh_from_db()
    assert cast.restricted_action_a.status == Status.ON_TRACK


def test_select_all_is_offered_only_to_those_who_may_change_in_bulk(client, cast):
    client.force_login(cast.commissioner)
    page = client.get(reverse("actions:list")).content.decode()
    assert 'id="select-all"' in page and "Select all 3 actions on this page" in page
    client.force_login(cast.provider_a_lead)
    page = client.get(reverse("actions:list")).content.decode()
    assert 'id="select-all"' not in page and "Change the selected actions" not in page


# --- the provider's own action list --------------------------------------------------


def test_a_provider_lists_its_own_organisations_actions_and_no_others(client, cast):
    named(cast.action_a, "Audit ward 3 discharge letters")
    named(cast.action_b, "Train the UHB emergency department")
    named(cast.restricted_action_a, "Review the restricted case notes")
    client.force_login(cast.provider_a_contributor)
    response = client.get(reverse("actions:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>All your organisation's actions</h1>" in page
    assert "Audit ward 3 discharge letters" in page
    # Its own action on a restricted review is its work; the review's title is not.
    assert "Review the restricted case notes" in page
    assert cast.restricted_review.title not in page
    assert "Train the UHB emergency department" not in page
    # The filters offer nothing of another organisation: no owner or forum choice.
    assert 'name="owner"' not in page and 'name="forum"' not in page


def test_another_provider_sees_none_of_them(client, cast):
    named(cast.action_a, "Audit ward 3 discharge letters")
    named(cast.restricted_action_a, "Review the restricted case notes")
    client.force_login(cast.provider_b_lead)
    page = client.get(reverse("actions:list")).content.decode()
    assert "Audit ward 3 discharge letters" not in page
    assert "Review the restricted case notes" not in page
    assert cast.action_b.description in page
    # Not by asking for them either.
    for query in (
        {"owner": cast.provider_a.pk},
        {"lead": cast.provider_a_lead.pk},
        {"q": "ward"},
        {"review": cast.review.reference},
    ):
        page = client.get(reverse("actions:list"), query).content.decode()
        assert "Audit ward 3 discharge letters" not in page, query
        assert cast.provider_a_lead.display_name not in page, query


def test_a_provider_named_on_a_restricted_review_lists_only_its_own_actions(client, cast):
    cast.restricted_review.named_people.add(cast.provider_b_lead)
    named(cast.restricted_action_a, "Review the restricted case notes")
    client.force_login(cast.provider_b_lead)
    # It may open the action (it is named on the review); its list is its own work only.
    detail = reverse("actions:detail", args=[cast.restricted_action_a.pk])
    assert client.get(detail).status_code == 200
    page = client.get(reverse("actions:list")).content.decode()
    assert "Review the restricted case notes" not in page


def test_a_provider_filters_its_list(client, cast):
    named(cast.action_a, "Audit ward 3 discharge letters")
    second = named(
        factories.action(on=cast.recommendation, owner=cast.provider_a, status=Status.OFF_TRACK),
        "Refresh the safeguarding supervision policy",
    )
    client.force_login(cast.provider_a_lead)

    def listed(**query) -> str:
        return client.get(reverse("actions:list"), query).content.decode()

    page = listed(status=Status.OFF_TRACK)
    assert second.description in page and "Audit ward 3" not in page
    page = listed(q="discharge")
    assert "Audit ward 3 discharge letters" in page and second.description not in page
    page = listed(lead=cast.provider_a_lead.pk)
    assert "Audit ward 3 discharge letters" in page and second.description not in page
    page = listed(review=cast.review.reference)
    assert "Audit ward 3 discharge letters" in page and second.description in page


def workbook_text(response) -> str:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return "\n".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def test_a_provider_exports_its_own_actions_and_no_others(client, cast):
    named(cast.action_a, "Audit ward 3 discharge letters")
    named(cast.action_b, "Train the UHB emergency department")
    named(cast.restricted_action_a, "Review the restricted case notes")
    client.force_login(cast.provider_a_lead)
    page = client.get(reverse("actions:list")).content.decode()
    assert reverse("actions:export") in page
    response = client.get(reverse("actions:export"))
    assert response.status_code == 200
    text = workbook_text(response)
    assert "Audit ward 3 discharge letters" in text
    assert "Train the UHB emergency department" not in text
    # A restricted review's rows leave only with the people named on it.
    assert "Review the restricted case notes" not in text
    assert cast.restricted_review.title not in text


def test_another_provider_exports_none_of_them(client, cast):
    named(cast.action_a, "Audit ward 3 discharge letters")
    client.force_login(cast.provider_b_lead)
    for query in ({}, {"owner": cast.provider_a.pk}, {"review": cast.review.pk}):
        response = client.get(reverse("actions:export"), query)
        assert response.status_code == 200
        text = workbook_text(response)
        assert "Audit ward 3 discharge letters" not in text, query


def test_the_quarterly_report_download_stays_closed_to_providers(client, cast):
    """The provider's export is its own action list, not every export (Verb.EXPORT)."""
    client.force_login(cast.provider_a_lead)
    response = client.get(reverse("reviews:export", args=[cast.review.pk]))
    assert response.status_code == 403


def test_a_viewer_without_the_grant_still_cannot_export(client, cast):
    client.force_login(cast.viewer)
    page = client.get(reverse("actions:list")).content.decode()
    assert reverse("actions:export") not in page
    assert client.get(reverse("actions:export")).status_code == 403


def test_providers_have_the_action_list_in_the_menu(client, cast):
    client.force_login(cast.provider_a_contributor)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("actions:list")}"' in page
    client.force_login(cast.outsider)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("actions:list")}"' not in page
