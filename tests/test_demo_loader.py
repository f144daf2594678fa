from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from actions.choices import Status
from actions.models import Action

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_it_loads_the_same_portfolio_twice_without_duplicating_anything(settings, tmp_path):
    call_command("load_demo", stdout=StringIO())
    first = row_counts()
    call_command("load_demo", stdout=StringIO())
    assert row_counts() == first
    assert first["actions.Action"] > 20


def test_it_spreads_actions_over_every_status_with_some_overdue():
    call_command("load_demo", stdout=StringIO())
    assert set(Action.objects.values_list("status", flat=True)) == set(Status.values)
    assert Action.objects.overdue().exists()
    for action in Action.objects.filter(status__in=[Status.COMPLETED, Status.ASSURED]):
        assert action.evidence.exists(), f"{action} is marked done with no evidence"


def test_it_creates_one_user_per_role_and_prints_their_sign_in():
    out = StringIO()
    call_command("load_demo", stdout=out)
    usernames = set(User.objects.values_list("username", flat=True))
    assert {
        "admin",
        "commissioner",
        "secretary",
        "provider.lead",
        "provider.contributor",
        "provider.b",
        "viewer",
    } <= usernames
    assert "demo-tracker-2026" in out.getvalue()
    assert User.objects.get(username="commissioner").check_password("demo-tracker-2026")
