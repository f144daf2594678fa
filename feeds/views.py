from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from feeds.calendar import feed_for
from feeds.models import CalendarFeed
from feeds.services import calendar_feed_create, calendar_feed_owner, calendar_feed_revoke
from trackerapp.types import AuthenticatedRequest


@require_GET
def manage(request: AuthenticatedRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "feeds/manage.html", {"feed": feed})


@require_POST
def create(request: AuthenticatedRequest) -> HttpResponse:
    """Shows the new address once: only its hash is kept."""
    secret = calendar_feed_create(user=request.user, request=request)
    address = request.build_absolute_uri(reverse("feeds:feed", args=[secret]))
    context = {
        "feed": CalendarFeed.objects.get(user=request.user),
        "address": address,
        "webcal": "webcal://" + address.split("://", 1)[1],
    }
    return render(request, "feeds/manage.html", context)


@require_POST
def revoke(request: AuthenticatedRequest) -> HttpResponse:
    if calendar_feed_revoke(user=request.user, request=request):
        messages.info(request, "Your calendar address has stopped working.")
    return redirect("feeds:manage")


@login_not_required
@require_GET
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed, for calendar apps that cannot sign in: the secret in the address is the
    key. Unknown or replaced: a bare 404 (not the site's 404 page, which would audit and
    log the address)."""
    user = calendar_feed_owner(secret)
    if user is None:
        return HttpResponseNotFound("No such calendar.", content_type="text/plain")
    response = HttpResponse(feed_for(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tracker.ics"'
    return response
