from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts import access
from accounts.access import Verb
from actions.models import Reminder


def navigation(request: HttpRequest) -> dict[str, object]:
    """The header's navigation links, by role (docs/access.md)."""
    user = getattr(request, "user", None)
    links: list[tuple[str, str]] = []
    can: dict[str, bool] = {}
    if user is not None and user.is_authenticated:
        r = access.reach(user)
        can = {
            "read_portfolio": access.may(user, Verb.READ_PORTFOLIO),
            "manage": access.may(user, Verb.MANAGE),
            "work_on_actions": bool(r.provider),
        }
        links.append(("Home", reverse("home")))
        if can["read_portfolio"]:
            links.append(("Reviews", reverse("reviews:list")))
            links.append(("Actions", reverse("actions:list")))
            links.append(("Committees", reverse("governance:meeting_list")))
            links.append(("Reports", reverse("governance:quarterly_report")))
        elif access.may(user, Verb.READ_ACTION_LIST):
            # A provider's own organisation's actions (access.action_list_q).
            links.append(("Actions", reverse("actions:list")))
        if can["manage"]:
            links.append(("Evidence to review", reverse("actions:evidence_queue")))
        if user.is_admin:
            links.append(("Administration", reverse("admin:index")))
    unread = 0
    if user is not None and user.is_authenticated:
        unread = Reminder.objects.addressed_to(user).unread().count()
    return {
        "service_name": settings.SERVICE_NAME,
        "nav_links": links,
        # What the person's roles allow anywhere (accounts.access), for templates that
        # show or hide whole sections; object-level answers come from {% may %}.
        "can": can,
        "unread_notifications": unread,
    }
