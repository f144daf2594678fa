from __future__ import annotations

from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("export.xlsx", views.action_export, name="export"),
    path("bulk/", views.action_bulk, name="bulk"),
    path("review-suggestions/", views.review_suggestions, name="review_suggestions"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/edit/", views.action_edit, name="edit"),
    path("<int:pk>/status/", views.action_status, name="status"),
    path("<int:pk>/updates/", views.action_update_add, name="update_add"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("new/for-recommendation/<int:recommendation_pk>/", views.action_create, name="create"),
    path("evidence/review/", views.evidence_queue, name="evidence_queue"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/review/", views.evidence_review, name="evidence_review"),
    path("evidence/<int:pk>/preview/", views.evidence_preview, name="evidence_preview"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
]
