from __future__ import annotations

from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("forums/", views.forums, name="forum_list"),
    path("forums/new/", views.forum_create, name="forum_create"),
    path("forums/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path("forums/<int:forum_pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/", views.meetings, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("papers/new/", views.paper_create, name="paper_create"),
    path("papers/<int:pk>/", views.paper_detail, name="paper_detail"),
    path("papers/<int:pk>/edit/", views.paper_edit, name="paper_edit"),
    path("papers/<int:pk>/preview/", views.paper_preview, name="paper_preview"),
    path("papers/<int:pk>/progress/", views.paper_progress, name="paper_progress"),
    path("papers/<int:pk>/build/", views.paper_build, name="paper_build"),
    path("papers/<int:pk>/issue/", views.paper_issue, name="paper_issue"),
    path("papers/<int:pk>/new-version/", views.paper_new_version, name="paper_new_version"),
    path("papers/<int:pk>/download/", views.paper_download, name="paper_download"),
    path("papers/<int:pk>/download.docx", views.paper_download_docx, name="paper_download_docx"),
    path("reports/quarterly/", views.quarterly_report_page, name="quarterly_report"),
    path(
        "reports/quarterly/download.<str:file_format>",
        views.quarterly_report_download,
        name="quarterly_report_download",
    ),
    path("reports/slippage/", views.slippage, name="slippage"),
]
