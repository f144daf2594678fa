from __future__ import annotations

from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("bulk/", views.action_bulk, name="bulk"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/edit/", views.action_edit, name="edit"),
    path("<int:pk>/status/", views.action_status, name="status"),
    path("<int:pk>/updates/", views.action_update_add, name="update_add"),
    path("new/for-recommendation/<int:recommendation_pk>/", views.action_create, name="create"),
]
