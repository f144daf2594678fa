from __future__ import annotations

from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("new/", views.create, name="create"),
    path("stop/", views.revoke, name="revoke"),
    # The secret is the only key: see trackerapp.logs.redact_secrets for the logs.
    path("<str:secret>.ics", views.feed, name="feed"),
]
