"""A person's iCalendar feed (docs/calendar.md): the meetings and paper deadlines of the
forums they see, and the due dates of the open actions they lead or their organisation
owns (as the provider, or as the safeguarding team of the review's owner).

Every date in it is a whole day as it falls in England (Europe/London): meetings,
deadlines and due dates are dates, not times. Events carry references and links, never
the text of an action: calendars are copied to phones and cloud services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from accounts import access
from actions.models import Action
from governance.models import Meeting
from reviews.models import Review

if TYPE_CHECKING:
    from accounts.models import User

LONDON = ZoneInfo("Europe/London")
# How far back and ahead the feed reaches.
PAST_DAYS = 90
FUTURE_DAYS = 2 * 366


def _event(uid: str, day: date, summary: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{settings.SITE_URL.split('://')[-1]}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def feed_for(user: User) -> bytes:
    today = timezone.localdate()
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    stamp = timezone.now().astimezone(LONDON)
    site = settings.SITE_URL
    calendar = Calendar()
    calendar.add("prodid", "-//NHS learning review action tracker//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Learning review tracker")
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add_component(Timezone.from_tzid("Europe/London"))

    meetings = (
        Meeting.objects.visible_to(user)
        .filter(held_on__gte=start, held_on__lte=end + timedelta(days=60))
        .select_related("forum")
        .order_by("held_on", "pk")
    )
    for meeting in meetings:
        url = site + meeting.get_absolute_url()
        name = meeting.forum.short_name
        if start <= meeting.held_on <= end:
            event = _event(f"meeting-{meeting.pk}", meeting.held_on, f"{name} meeting", url, stamp)
            if meeting.location:
                event.add("location", meeting.location)
            calendar.add_component(event)
        deadline = meeting.paper_deadline
        if start <= deadline <= end:
            summary = f"Papers due for {name} ({meeting.held_on:%-d %b})"
            calendar.add_component(_event(f"papers-{meeting.pk}", deadline, summary, url, stamp))

    r = access.reach(user)
    theirs = Q(lead_user=user) | Q(owner_organisation_id__in=r.provider)
    theirs |= Q(recommendation__review__owner_id__in=r.commissioner)
    actions = list(
        Action.objects.visible_to(user)
        .open()
        .filter(theirs, effective_due__gte=start, effective_due__lte=end)
        .select_related("recommendation__review")
        .order_by("effective_due", "pk")
    )
    review_ids = {a.recommendation.review_id for a in actions}
    # A provider's action on a restricted review is in its calendar, but not the
    # review's reference, which only the people named on it read.
    readable = set(
        Review.objects.visible_to(user).filter(pk__in=review_ids).values_list("pk", flat=True)
    )
    for action in actions:
        review = action.recommendation.review
        where = review.reference if review.pk in readable else "a restricted review"
        label = f"Action {action.number}" if action.number else "An action"
        summary = f"{label} due ({where})"
        url = site + action.get_absolute_url()
        calendar.add_component(
            _event(f"action-{action.pk}-due", action.effective_due, summary, url, stamp)
        )
    return calendar.to_ical()
