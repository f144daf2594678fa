"""The rules of docs/domain.md as the services enforce them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions import services
from actions.choices import EvidenceReviewState, Status
from actions.models import Action, ProgressUpdate
from tests import factories

pytestmark = pytest.mark.django_db


def set_status(action, by, status, note="Moved on.", **kwargs):
    kwargs.setdefault("expected_version", action.version)
    return services.action_set_status(action=action, by=by, status=status, note=note, **kwargs)


def test_it_records_who_when_old_new_and_the_note(cast):
    action = cast.action_a
    set_status(action, cast.provider_a_lead, Status.AT_RISK, note="Staffing gap on ward 3.")
    latest = action.history.first()
    previous = latest.prev_record
    assert (previous.status, latest.status) == (Status.ON_TRACK, Status.AT_RISK)
    assert latest.history_user == cast.provider_a_lead
    assert latest.history_change_reason == "Staffing gap on ward 3."
    assert ProgressUpdate.objects.filter(action=action, status=Status.AT_RISK).exists()


def test_it_needs_evidence_before_completed(cast):
    action = cast.action_b  # has one pending evidence item
    bare = factories.action(on=cast.recommendation, owner=cast.provider_a)
    with pytest.raises(ValidationError, match="evidence"):
        set_status(bare, cast.provider_a_lead, Status.COMPLETED)
    bare.refresh_from_db()
    assert bare.status == Status.ON_TRACK
    set_status(action, cast.provider_b_lead, Status.COMPLETED)
    action.refresh_from_db()
    assert action.status == Status.COMPLETED
    assert action.completed_on is not None


def test_rejected_evidence_does_not_count_for_completed(cast):
    action = factories.action(on=cast.recommendation, owner=cast.provider_a)
    factories.evidence(on=action, by=cast.provider_a_lead, state=EvidenceReviewState.REJECTED)
    with pytest.raises(ValidationError):
        set_status(action, cast.provider_a_lead, Status.COMPLETED)


def test_it_needs_accepted_evidence_before_assured(cast):
    action = cast.action_a  # pending evidence only
    with pytest.raises(ValidationError, match="Accept"):
        set_status(action, cast.commissioner, Status.ASSURED)
    cast.evidence_a.review_state = EvidenceReviewState.ACCEPTED
    cast.evidence_a.save()
    set_status(action, cast.commissioner, Status.ASSURED)
    action.refresh_from_db()
    assert action.status == Status.ASSURED
    assert action.assured_by == cast.commissioner


@pytest.mark.parametrize("who", ["provider_a_lead", "provider_a_contributor"])
@pytest.mark.parametrize("status", [Status.ASSURED, Status.CLOSED])
def test_providers_cannot_assure_or_close(cast, who, status):
    cast.evidence_a.review_state = EvidenceReviewState.ACCEPTED
    cast.evidence_a.save()
    with pytest.raises(PermissionDenied):
        set_status(cast.action_a, getattr(cast, who), status, closure_rationale="Done elsewhere.")
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.ON_TRACK


def test_it_needs_a_rationale_to_close(cast):
    with pytest.raises(ValidationError, match="closed without completion"):
        set_status(cast.action_a, cast.commissioner, Status.CLOSED)
    set_status(cast.action_a, cast.commissioner, Status.CLOSED, closure_rationale="Superseded.")
    cast.action_a.refresh_from_db()
    assert cast.action_a.closure_rationale == "Superseded."


@pytest.mark.parametrize("who", ["secretary", "viewer", "provider_b_lead", "outsider"])
def test_it_refuses_status_changes_from_those_without_the_right(cast, who):
    with pytest.raises(PermissionDenied):
        set_status(cast.action_a, getattr(cast, who), Status.AT_RISK)
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.ON_TRACK


def test_a_provider_cannot_reopen_an_assured_action(cast):
    cast.action_a.status = Status.ASSURED
    cast.action_a.save()
    with pytest.raises(PermissionDenied):
        set_status(cast.action_a, cast.provider_a_lead, Status.ON_TRACK)


def test_it_needs_a_note(cast):
    with pytest.raises(ValidationError):
        set_status(cast.action_a, cast.commissioner, Status.AT_RISK, note="  ")


def test_it_refuses_a_stale_version_and_changes_nothing(cast):
    action = cast.action_a
    opened_version = action.version
    set_status(action, cast.commissioner, Status.AT_RISK, note="First.")
    with pytest.raises(services.StaleActionError) as stale:
        set_status(
            action,
            cast.provider_a_lead,
            Status.OFF_TRACK,
            note="Second.",
            expected_version=opened_version,
        )
    action.refresh_from_db()
    assert action.status == Status.AT_RISK
    assert stale.value.changed_by == cast.commissioner.display_name
    assert "was changed by" in str(stale.value)
    assert stale.value.action.status == Status.AT_RISK


def test_progress_update_keeps_the_status_of_the_moment(cast):
    update = services.progress_update_add(
        action=cast.action_a, by=cast.provider_a_contributor, text="Audit booked."
    )
    assert update.status == Status.ON_TRACK
    assert update.author == cast.provider_a_contributor


@pytest.mark.parametrize("who", ["viewer", "secretary", "provider_b_lead"])
def test_progress_update_refused_for_those_without_the_right(cast, who):
    with pytest.raises(PermissionDenied):
        services.progress_update_add(action=cast.action_a, by=getattr(cast, who), text="x")
    assert not cast.action_a.updates.exists()


def test_action_update_refuses_a_revised_date_before_the_original(cast):
    action = cast.action_a
    action.due_date = date(2026, 6, 30)
    action.save()
    with pytest.raises(ValidationError):
        services.action_update(
            action=action,
            by=cast.commissioner,
            expected_version=action.version,
            revised_due_date=date(2026, 5, 1),
        )
    action.refresh_from_db()
    assert action.revised_due_date is None


def test_only_commissioners_create_or_edit_actions(cast):
    with pytest.raises(PermissionDenied):
        services.action_create(
            recommendation=cast.recommendation,
            by=cast.provider_a_lead,
            description="x",
            owner_organisation=cast.provider_a,
        )
    with pytest.raises(PermissionDenied):
        services.action_update(
            action=cast.action_a, by=cast.secretary, expected_version=None, description="y"
        )
    created = services.action_create(
        recommendation=cast.recommendation,
        by=cast.commissioner,
        description="New action",
        owner_organisation=cast.provider_a,
    )
    assert created.history.first().history_user == cast.commissioner


def test_bulk_changes_record_history_for_each_action(cast):
    forum = factories.forum(organisation=cast.icb)
    count = services.action_bulk_set_forum(
        actions=[cast.action_a, cast.action_b], by=cast.commissioner, forum=forum
    )
    assert count == 2
    for action in (cast.action_a, cast.action_b):
        action.refresh_from_db()
        assert action.monitoring_forum == forum
        assert action.history.first().history_user == cast.commissioner
    services.action_bulk_set_lead(
        actions=[cast.action_b],
        by=cast.commissioner,
        lead_user=cast.provider_b_lead,
        lead_role_title="Head of Safeguarding",
    )
    cast.action_b.refresh_from_db()
    assert cast.action_b.lead_user == cast.provider_b_lead
    services.action_bulk_add_note(
        actions=[cast.action_a, cast.action_b], by=cast.commissioner, text="Reviewed at SAG."
    )
    assert ProgressUpdate.objects.filter(text="Reviewed at SAG.").count() == 2


def test_bulk_changes_refused_for_providers(cast):
    with pytest.raises(PermissionDenied):
        services.action_bulk_add_note(actions=[cast.action_a], by=cast.provider_a_lead, text="x")
    assert not Action.objects.get(pk=cast.action_a.pk).updates.exists()


def test_it_merges_a_stale_edit_field_by_field():
    base = {"description": "Audit", "expected_outcome": "A\nB", "lead_user": 1, "due_date": None}
    current = {**base, "description": "Audit referrals", "lead_user": 2}
    yours = {
        "description": "Audit triage",  # both changed, differently
        "expected_outcome": "A\r\nB ",  # as a browser sends it back: unchanged
        "lead_user": 2,  # both made the same change
        "due_date": date(2026, 6, 30),  # only yours
    }
    merge = services.merge_edits(base=base, current=current, yours=yours)
    assert merge.clashes == ("description",)
    assert merge.yours == ("due_date",)
    assert merge.theirs == ()
    assert merge.values == {**current, "description": "Audit triage", "due_date": date(2026, 6, 30)}
    untouched = services.merge_edits(base=base, current=current, yours={})
    assert untouched.theirs == ("description", "lead_user") and untouched.values == current


def test_it_calls_every_difference_a_clash_when_the_opened_version_is_unknown():
    current = {"description": "Now", "number": "1.1"}
    merge = services.merge_edits(
        base=None, current=current, yours={"description": "Mine", "number": "1.1"}
    )
    assert merge.clashes == ("description",) and merge.yours == () and merge.theirs == ()
