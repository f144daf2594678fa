"""The pages that belong to no one app: the start page each person lands on."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import Verb, may
from actions.selectors import dashboard_for, home_actions_for
from trackerapp.types import AuthenticatedRequest


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The start page: the safeguarding team's dashboard of the portfolio they manage;
    for everyone else, the open actions that are theirs to work on."""
    if may(request.user, Verb.MANAGE):
        return render(request, "actions/dashboard.html", dashboard_for(request.user))
    context = home_actions_for(
        request.user, group=request.GET.get("group"), page=request.GET.get("page")
    )
    return render(request, "actions/home.html", context)
