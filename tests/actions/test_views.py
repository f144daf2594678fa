"""The action pages with the shared cast: who sees what, who may change what, and
what bad input gets back."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from actions.choices import Status
from actions.models import Action
from actions.services import EDITABLE_FIELDS
from tests import factories

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def status_post(client, action, **data):
    payload = {"status": Status.AT_RISK, "note": "Slipping.", "version": action.version, **data}
    return client.post(reverse("actions:status", args=[action.pk]), payload)


@pytest.mark.parametrize("who", ["commissioner", "secretary", "viewer", "admin"])
def test_portfolio_readers_reach_the_action_list(client, cast, who):
    response = as_user(client, getattr(cast, who)).get(reverse("actions:list"))
    assert response.status_code == 200
    assert cast.action_a.description in response.content.decode()


@pytest.mark.parametrize(
    "who", ["provider_a_lead", "provider_a_contributor", "provider_b_lead", "outsider"]
)
def test_providers_and_outsiders_cannot_reach_the_portfolio_pages(client, cast, who):
    as_user(client, getattr(cast, who))
    for url in (reverse("reviews:list"), reverse("reviews:create")):
        assert client.get(url).status_code == 403, url
    # The action list is open to providers, holding only their own organisation's
    # actions (tests/actions/test_bulk_status_and_provider_list.py).
    expected = 403 if who == "outsider" else 200
    assert client.get(reverse("actions:list")).status_code == expected


@pytest.mark.parametrize("who", ["outsider", "provider_b_lead", "other_commissioner"])
def test_an_action_the_user_cannot_see_is_not_found(client, cast, who):
    as_user(client, getattr(cast, who))
    target = cast.restricted_action_a if who == "other_commissioner" else cast.action_a
    assert client.get(reverse("actions:detail", args=[target.pk])).status_code == 404
    assert status_post(client, target).status_code == 404
    response = client.post(reverse("actions:update_add", args=[target.pk]), {"text": "x"})
    assert response.status_code == 404
    assert client.get(reverse("actions:edit", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.status == Status.ON_TRACK and not target.updates.exists()


def test_a_provider_sees_its_own_action_page(client, cast):
    response = as_user(client, cast.provider_a_contributor).get(
        reverse("actions:detail", args=[cast.action_a.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Change the status" in page
    assert 'value="assured"' not in page and 'value="closed"' not in page


@pytest.mark.parametrize("who", ["viewer", "secretary"])
def test_read_only_roles_cannot_write(client, cast, who):
    as_user(client, getattr(cast, who))
    page = client.get(reverse("actions:detail", args=[cast.action_a.pk])).content.decode()
    assert "Change the status" not in page
    assert status_post(client, cast.action_a).status_code == 403
    assert (
        client.post(
            reverse("actions:update_add", args=[cast.action_a.pk]), {"text": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("actions:edit", args=[cast.action_a.pk])).status_code == 403
    bulk = {"selected": [cast.action_a.pk], "operation": "add_note", "text": "x"}
    assert client.post(reverse("actions:bulk"), bulk).status_code == 403
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.ON_TRACK and not cast.action_a.updates.exists()


def test_a_status_change_without_javascript_redirects_back_with_the_history(client, cast):
    as_user(client, cast.provider_a_lead)
    response = status_post(client, cast.action_a, note="Ward 3 audit delayed.")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Status changed from on track to at risk" in page
    assert "Ward 3 audit delayed." in page


def test_a_status_change_with_htmx_returns_the_live_part(client, cast):
    as_user(client, cast.provider_a_lead)
    response = client.post(
        reverse("actions:status", args=[cast.action_a.pk]),
        {"status": Status.AT_RISK, "note": "Inline.", "version": cast.action_a.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="action-live"')
    assert "Status changed from on track to at risk" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": Status.ASSURED}, "You cannot set that status"),
        ({"status": "nonsense"}, "You cannot set that status"),
        ({"note": ""}, "Say what has changed"),
        ({"status": Status.COMPLETED}, "Add at least one evidence item"),
    ],
)
def test_bad_status_input_gets_a_clear_message_and_changes_nothing(client, cast, data, message):
    action = Action.objects.get(pk=cast.action_b.pk)
    action.evidence.all().delete()
    as_user(client, cast.provider_b_lead)
    response = status_post(client, action, **data)
    assert response.status_code == 422
    assert message in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK and action.version == 1


def test_closing_without_a_rationale_is_refused(client, cast):
    as_user(client, cast.commissioner)
    response = status_post(client, cast.action_a, status=Status.CLOSED)
    assert response.status_code == 422
    assert "closed without completion" in response.content.decode()
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.ON_TRACK


def test_edit_refuses_impossible_dates(client, cast):
    as_user(client, cast.commissioner)
    url = reverse("actions:edit", args=[cast.action_a.pk])
    base = {
        "description": "Edited",
        "owner_organisation": cast.provider_a.pk,
        "version": cast.action_a.version,
    }
    invalid = client.post(url, {**base, "due_date": "31/02/2026"})
    assert invalid.status_code == 422
    assert "Enter a real date" in invalid.content.decode()
    backwards = client.post(
        url, {**base, "due_date": "30/06/2026", "revised_due_date": "01/05/2026"}
    )
    assert backwards.status_code == 422
    assert "cannot be before the original" in backwards.content.decode()
    cast.action_a.refresh_from_db()
    assert cast.action_a.description != "Edited" and cast.action_a.due_date is None


def test_edit_tells_the_second_editor_and_keeps_the_first_change(client, cast):
    as_user(client, cast.commissioner)
    url = reverse("actions:edit", args=[cast.action_a.pk])
    form = {"description": "First edit", "owner_organisation": cast.provider_a.pk, "version": 1}
    assert client.post(url, form).status_code == 302
    as_user(client, cast.admin)
    second = client.post(url, {**form, "description": "Second edit"})
    assert second.status_code == 409
    assert "was changed by" in second.content.decode()
    cast.action_a.refresh_from_db()
    assert cast.action_a.description == "First edit"


def _uk(day) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def edit_post(action: Action, **changes) -> dict:
    """The edit form as a browser sends it, opened at the action's current version."""
    opened = {
        "number": action.number,
        "description": action.description,
        "owner_organisation": action.owner_organisation_id,
        "lead_role_title": action.lead_role_title,
        "lead_user": action.lead_user_id or "",
        "original_time_frame": action.original_time_frame,
        "due_date": _uk(action.due_date),
        "revised_due_date": _uk(action.revised_due_date),
        "expected_outcome": action.expected_outcome,
        "evidence_required": action.evidence_required,
        "monitoring_forum": action.monitoring_forum_id or "",
        "version": action.version,
    }
    return {**opened, **changes}


def as_page_sends(form) -> dict:
    """What a browser posts back from a rendered form: every input's value as written
    into the page; a radio group with nothing chosen sends nothing."""
    sent = {}
    for field in form:
        shown = field.field.widget.format_value(field.value())
        if isinstance(shown, list):
            if not shown and field.widget_type == "radioselect":
                continue
            shown = shown[0] if shown else ""
        sent[field.html_name] = "" if shown is None else shown
    return sent


def another_value(cast, name: str):
    """A valid new value for each editable field, as the form posts it."""
    return {
        "number": "9.9",
        "description": "Audit the front door's triage of DHR referrals",
        "owner_organisation": cast.provider_b.pk,
        "lead_role_title": "Deputy Chief Nurse",
        "lead_user": cast.provider_a_contributor.pk,
        "original_time_frame": "Quarter 4",
        "due_date": "31/05/2026",
        "revised_due_date": "30/09/2026",
        "expected_outcome": "Fewer missed referrals\r\nin the quarterly audit",
        "evidence_required": "Audit report",
        "monitoring_forum": factories.forum(organisation=cast.icb).pk,
    }[name]


@pytest.mark.parametrize("theirs", EDITABLE_FIELDS)
def test_it_keeps_a_field_only_the_first_editor_changed(client, cast, theirs):
    """Both opened version 1; the first changed one field, the second another. Saving
    again from the conflict page applies the second change and keeps the first."""
    action = cast.action_a
    action.due_date = date(2026, 6, 30)  # so that a revised due date is valid
    action.save()
    opened = edit_post(action)
    mine, my_change = ("number", "7.7") if theirs == "description" else ("description", "Mine")
    url = reverse("actions:edit", args=[action.pk])
    first_change = another_value(cast, theirs)
    as_user(client, cast.commissioner)
    assert client.post(url, {**opened, theirs: first_change}).status_code == 302
    as_user(client, cast.other_commissioner)
    conflict = client.post(url, {**opened, mine: my_change})
    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert f"changed by {cast.commissioner.display_name}" in page
    assert "Changed by both of you" not in page
    again = client.post(url, as_page_sends(conflict.context["form"]))
    assert again.status_code == 302
    action.refresh_from_db()
    saved = edit_post(action)
    assert saved[theirs] == first_change
    assert saved[mine] == my_change
    assert action.version == 3


@pytest.mark.parametrize("keep", ["theirs", "yours"])
def test_it_asks_which_value_to_keep_when_both_changed_one_field(client, cast, keep):
    action = cast.action_a
    opened = edit_post(action)
    url = reverse("actions:edit", args=[action.pk])
    as_user(client, cast.commissioner)
    assert (
        client.post(url, {**opened, "expected_outcome": "Fewer missed referrals"}).status_code
        == 302
    )
    as_user(client, cast.other_commissioner)
    conflict = client.post(
        url, {**opened, "expected_outcome": "All staff trained", "evidence_required": "Register"}
    )
    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "Changed by both of you" in page
    assert "Fewer missed referrals" in page and "All staff trained" in page
    assert "choose which to keep" in page
    resent = as_page_sends(conflict.context["form"])

    undecided = client.post(url, resent)
    assert undecided.status_code == 422
    assert "Choose which expected outcome to keep" in undecided.content.decode()
    assert "Changed by both of you" in undecided.content.decode()
    action.refresh_from_db()
    assert action.expected_outcome == "Fewer missed referrals" and action.version == 2

    decided = client.post(url, {**resent, "keep_expected_outcome": keep})
    assert decided.status_code == 302
    action.refresh_from_db()
    expected = "Fewer missed referrals" if keep == "theirs" else "All staff trained"
    assert action.expected_outcome == expected
    assert action.evidence_required == "Register"


def test_it_merges_again_when_a_third_person_saves_before_the_second_tries_again(client, cast):
    action = cast.action_a
    opened = edit_post(action)
    url = reverse("actions:edit", args=[action.pk])
    as_user(client, cast.commissioner)
    client.post(url, {**opened, "expected_outcome": "First"})
    as_user(client, cast.other_commissioner)
    conflict = client.post(url, {**opened, "description": "Second"})
    resent = as_page_sends(conflict.context["form"])
    as_user(client, cast.admin)
    action.refresh_from_db()
    assert client.post(url, edit_post(action, evidence_required="Third")).status_code == 302
    as_user(client, cast.other_commissioner)
    second_conflict = client.post(url, resent)
    assert second_conflict.status_code == 409
    assert "Changed by both of you" not in second_conflict.content.decode()
    again = client.post(url, as_page_sends(second_conflict.context["form"]))
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.description == "Second"
    assert action.expected_outcome == "First" and action.evidence_required == "Third"


def test_it_refuses_an_edit_posted_without_a_version(client, cast):
    as_user(client, cast.commissioner)
    data = edit_post(cast.action_a, description="Saved with no conflict check")
    del data["version"]
    response = client.post(reverse("actions:edit", args=[cast.action_a.pk]), data)
    assert response.status_code == 422
    assert "sent without the version of the action you opened" in response.content.decode()
    cast.action_a.refresh_from_db()
    assert cast.action_a.description != "Saved with no conflict check"
    assert cast.action_a.version == 1


def test_it_refuses_a_status_change_posted_without_a_version(client, cast):
    as_user(client, cast.provider_a_lead)
    response = client.post(
        reverse("actions:status", args=[cast.action_a.pk]),
        {"status": Status.AT_RISK, "note": "No version"},
    )
    assert response.status_code == 422
    assert "sent without the version of the action you opened" in response.content.decode()
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.ON_TRACK and cast.action_a.version == 1


def test_the_action_list_filters(client, cast):
    cast.action_b.status = Status.OFF_TRACK
    cast.action_b.save()
    as_user(client, cast.commissioner)
    page = client.get(reverse("actions:list"), {"status": Status.OFF_TRACK}).content.decode()
    assert cast.action_b.description in page and cast.action_a.description not in page
    page = client.get(reverse("actions:list"), {"owner": cast.provider_a.pk}).content.decode()
    assert cast.action_a.description in page and cast.action_b.description not in page


def test_the_action_list_reports_a_bad_filter_rather_than_guessing(client, cast):
    as_user(client, cast.commissioner)
    response = client.get(reverse("actions:list"), {"due_from": "not a date"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Enter a real date" in response.content.decode()


def test_bulk_set_lead_from_the_list(client, cast):
    as_user(client, cast.commissioner)
    response = client.post(
        reverse("actions:bulk"),
        {
            "selected": [cast.action_a.pk, cast.action_b.pk],
            "operation": "set_lead",
            "lead_user": cast.provider_a_lead.pk,
            "next": "/actions/?status=on_track",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/actions/?status=on_track"
    assert Action.objects.filter(lead_user=cast.provider_a_lead).count() == 2


def test_bulk_cannot_reach_an_action_the_user_cannot_see(client, cast):
    as_user(client, cast.other_commissioner)
    client.post(
        reverse("actions:bulk"),
        {"selected": [cast.restricted_action_a.pk], "operation": "add_note", "text": "x"},
    )
    assert not cast.restricted_action_a.updates.exists()


def test_bulk_refuses_an_offsite_return_address(client, cast):
    as_user(client, cast.commissioner)
    response = client.post(
        reverse("actions:bulk"),
        {
            "selected": [cast.action_a.pk],
            "operation": "add_note",
            "text": "x",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("actions:list")
