from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from accounts import views as account_views
from actions import views as action_views
from trackerapp import views as site_views

# Django's 403 and 404 pages, with an audit entry for a signed-in person (audit.views).
handler403 = "audit.views.access_denied"
handler404 = "audit.views.not_found"

# The notifications pages are the in-app side of reminders (actions.models.Reminder):
# "notifications" is the word people see, so it stays in the paths and URL names.
urlpatterns = [
    path("", site_views.home, name="home"),
    path("sign-in/", account_views.SignInView.as_view(), name="login"),
    path("sign-out/", account_views.SignOutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("account/two-factor/", include("mfa.urls")),
    path("account/api-tokens/", include("api.account_urls")),
    path("notifications/", action_views.reminder_inbox, name="notifications"),
    path("notifications/read/", action_views.reminder_inbox_mark_read, name="notifications_read"),
    path(
        "notifications/preferences/",
        action_views.reminder_digest_preference,
        name="notification_preferences",
    ),
    path(
        "notifications/undelivered/",
        action_views.undelivered_reminders,
        name="undelivered_reminders",
    ),
    path(
        "notifications/undelivered/retry/",
        action_views.undelivered_reminders_retry,
        name="undelivered_reminders_retry",
    ),
    path("reviews/", include("reviews.urls")),
    path("actions/", include("actions.urls")),
    path("imports/", include("imports.urls")),
    path("", include("governance.urls")),
    path("", include("search.urls")),
    path("api/", include("api.urls")),
    path("calendar/", include("feeds.urls")),
    path("admin/", admin.site.urls),
]


if settings.BENCH_REFERENCE_VIEW:

    def bench_signed_in(request: HttpRequest) -> HttpResponse:
        """The benchmark's reference (bench/bench_http.py): every middleware runs, the
        person is signed in with the second factor, and the view itself does nothing."""
        return HttpResponse("signed in\n", content_type="text/plain")

    urlpatterns.append(path("bench/signed-in/", bench_signed_in, name="bench_signed_in"))
