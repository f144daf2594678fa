from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, object]:
    """The header's navigation links, by role (DESIGN §4)."""
    user = getattr(request, "user", None)
    links: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated:
        links.append(("Home", reverse("home")))
        if user.reads_portfolio or user.is_admin:
            links.append(("Reviews", reverse("reviews:list")))
            links.append(("Actions", reverse("actions:list")))
            links.append(("Committees", reverse("governance:meeting_list")))
            links.append(("Reports", reverse("governance:quarterly_report")))
        if user.manages_portfolio:
            links.append(("Evidence to review", reverse("actions:evidence_queue")))
        if user.is_admin:
            links.append(("Administration", reverse("admin:index")))
    unread = 0
    if user is not None and user.is_authenticated:
        from actions.models import Reminder

        unread = Reminder.objects.for_user(user).unread().count()
    return {
        "service_name": settings.SERVICE_NAME,
        "nav_links": links,
        "unread_notifications": unread,
    }
