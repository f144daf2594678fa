from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from actions.choices import STATUS_BAND, STATUS_STYLE, Band, Status
from actions.models import Action
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(db):
    body = factories.organisation(short_name="CSP")
    return factories.recommendation(factories.review(body=body))


@pytest.fixture
def owner(db):
    return factories.organisation(short_name="TRUST")


@time_machine.travel(date(2026, 11, 22))
def test_it_is_overdue_once_the_due_date_has_passed(rec, owner):
    assert factories.action(on=rec, owner=owner, due=date(2026, 11, 21)).is_overdue
    assert not factories.action(on=rec, owner=owner, due=date(2026, 11, 22)).is_overdue


@time_machine.travel(date(2026, 11, 22))
def test_it_uses_the_revised_due_date_when_there_is_one(rec, owner):
    extended = factories.action(
        on=rec, owner=owner, due=date(2026, 10, 1), revised=date(2026, 12, 31)
    )
    assert not extended.is_overdue
    slipped = factories.action(
        on=rec, owner=owner, due=date(2026, 10, 1), revised=date(2026, 11, 1)
    )
    assert slipped.is_overdue


@time_machine.travel(date(2026, 11, 22))
@pytest.mark.parametrize("status", [Status.COMPLETED, Status.ASSURED, Status.CLOSED])
def test_it_is_never_overdue_once_finished(rec, owner, status):
    action = factories.action(
        on=rec, owner=owner, due=date(2020, 1, 1), status=status, closure_rationale="Superseded."
    )
    assert not action.is_overdue
    assert action not in Action.objects.overdue()


def test_it_is_not_overdue_without_a_due_date(rec, owner):
    assert not factories.action(on=rec, owner=owner, due=None).is_overdue


@time_machine.travel(date(2026, 11, 22))
def test_the_overdue_filter_agrees_with_the_model_rule(rec, owner):
    late = factories.action(on=rec, owner=owner, due=date(2026, 1, 1))
    extended = factories.action(on=rec, owner=owner, due=date(2026, 1, 1), revised=date(2027, 1, 1))
    on_time = factories.action(on=rec, owner=owner, due=date(2027, 1, 1))
    overdue = set(Action.objects.overdue())
    assert overdue == {late}
    assert {a for a in (late, extended, on_time) if a.is_overdue} == overdue


def test_the_database_keeps_the_effective_due_date(rec, owner):
    action = factories.action(on=rec, owner=owner, due=date(2026, 1, 1), revised=date(2026, 3, 1))
    action.refresh_from_db()
    assert action.effective_due == date(2026, 3, 1)
    action.revised_due_date = None
    action.save()
    action.refresh_from_db()
    assert action.effective_due == date(2026, 1, 1)


def test_it_refuses_a_revised_due_date_before_the_original(rec, owner):
    action = Action(
        recommendation=rec,
        owner_organisation=owner,
        description="x",
        due_date=date(2026, 5, 1),
        revised_due_date=date(2026, 4, 1),
    )
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "revised_due_date" in error.value.message_dict


def test_it_refuses_closure_without_a_rationale(rec, owner):
    action = Action(
        recommendation=rec, owner_organisation=owner, description="x", status=Status.CLOSED
    )
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "closure_rationale" in error.value.message_dict
    action.closure_rationale = "Withdrawn by the panel."
    action.full_clean()


def test_every_status_has_a_colour_and_a_committee_band():
    assert set(STATUS_STYLE) == set(Status.values)
    assert set(STATUS_BAND) == set(Status.values)
    assert STATUS_BAND[Status.ASSURED] == Band.COMPLETED
    assert STATUS_BAND[Status.NOT_STARTED] == STATUS_BAND[Status.CLOSED]


def test_it_keeps_history_of_status_changes(rec, owner):
    action = factories.action(on=rec, owner=owner, status=Status.ON_TRACK)
    action.status = Status.AT_RISK
    action.save()
    statuses = list(action.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == [Status.ON_TRACK, Status.AT_RISK]
