from __future__ import annotations

from django.urls import path

from api import account_views

app_name = "api_tokens"

urlpatterns = [
    path("new/", account_views.token_create, name="create"),
    path("<int:pk>/revoke/", account_views.token_revoke, name="revoke"),
]
