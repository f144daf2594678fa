from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from actions.selectors import home_actions_for


def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's starting page: the open actions that are theirs."""
    return render(request, "actions/home.html", home_actions_for(request.user))
