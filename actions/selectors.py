from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from actions.models import Action

if TYPE_CHECKING:
    from accounts.models import User

HOME_LIST_LIMIT = 50


def _listing(queryset):
    return queryset.select_related(
        "recommendation__review", "owner_organisation", "lead_user"
    ).order_by("effective_due", "pk")


def home_actions_for(user: User) -> dict[str, Any]:
    """What the home page shows: open actions the user leads; for providers, the open
    actions their organisation owns; for those who read the whole portfolio, the overdue
    ones. Counts come from the same visible set."""
    today = timezone.localdate()
    visible_open = Action.objects.visible_to(user).open()
    context: dict[str, Any] = {
        "today": today,
        "led_actions": list(_listing(visible_open.filter(lead_user=user))[:HOME_LIST_LIMIT]),
        "organisation_actions": [],
        "portfolio_overdue": [],
        "open_count": visible_open.count(),
        "overdue_count": visible_open.overdue(today).count(),
    }
    if user.is_authenticated and (user.reads_portfolio or user.is_admin):
        overdue = visible_open.overdue(today)
        context["portfolio_overdue"] = list(_listing(overdue)[:HOME_LIST_LIMIT])
    org_ids = user.provider_organisation_ids if user.is_authenticated else frozenset()
    if org_ids:
        own = visible_open.filter(owner_organisation_id__in=org_ids)
        context["organisation_actions"] = list(_listing(own)[:HOME_LIST_LIMIT])
    return context
