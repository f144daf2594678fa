from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts import access
from accounts.access import Verb
from actions.selectors import header_counts_for


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
    counts: dict[str, int] = {}
    nav_counts: dict[str, int] = {}
    if user is not None and user.is_authenticated:
        counts = header_counts_for(user)
        if counts.get("evidence"):
            nav_counts[reverse("actions:evidence_queue")] = counts["evidence"]
        if counts.get("extensions"):
            # No page of their own: the home page lists them, with the evidence.
            extensions_href = reverse("home") + "#extension-requests"
            links.append(("Extension requests", extensions_href))
            nav_counts[extensions_href] = counts["extensions"]
    return {
        "service_name": settings.SERVICE_NAME,
        "nav_links": links,
        # What the person's roles allow anywhere (accounts.access), for templates that
        # show or hide whole sections; object-level answers come from {% may %}.
        "can": can,
        "unread_notifications": counts.get("unread", 0),
        # Work waiting behind a navigation link, by the link's address
        # ({% nav_count href %}, templates/includes/nav_count.html).
        "nav_counts": nav_counts,
    }
