from __future__ import annotations

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_start, name="start"),
    path("template.xlsx", views.import_template, name="template"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/columns/", views.import_columns, name="columns"),
    path("<int:pk>/preview/", views.import_preview, name="preview"),
    path("<int:pk>/answers/", views.import_answers, name="answers"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/discard/", views.import_discard, name="discard"),
]
