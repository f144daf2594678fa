from __future__ import annotations

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/export.xlsx", views.review_export, name="export"),
    path("<int:pk>/sharing/", views.review_sharing, name="sharing"),
    path("shares/<int:pk>/remove/", views.review_share_remove, name="share_remove"),
    path(
        "<int:pk>/recommendations/new/", views.recommendation_create, name="recommendation_create"
    ),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<int:pk>/", views.theme_detail, name="theme_detail"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path("repeated-learning/", views.repeated_learning, name="repeated_learning"),
    path(
        "repeated-learning/accept/", views.theme_suggestion_accept, name="theme_suggestion_accept"
    ),
]
