"""The pages that belong to no one app: the start page each person lands on."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import Verb, may, reach
from actions.selectors import (
    PAPERS_DUE_DAYS,
    dashboard_for,
    home_actions_for,
    manager_waiting_for,
    papers_due_for,
    provider_waiting_for,
)
from trackerapp.types import AuthenticatedRequest


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The start page, built around what waits on the person: for the safeguarding
    team, the decisions waiting (evidence, extensions) above the dashboard of the
    portfolio they manage; for a provider, their organisation's actions due and the
    evidence sent back; for a secretary, the papers due; for a viewer, a summary."""
    user = request.user
    if may(user, Verb.MANAGE):
        context = {**dashboard_for(user), **manager_waiting_for(user)}
        return render(request, "actions/dashboard.html", context)
    context = home_actions_for(user, group=request.GET.get("group"), page=request.GET.get("page"))
    roles = reach(user)
    if roles.provider:
        context.update(provider_waiting_for(user))
    if roles.secretary:
        context["papers_due"] = papers_due_for(user)
        context["papers_due_days"] = PAPERS_DUE_DAYS
    return render(request, "actions/home.html", context)
