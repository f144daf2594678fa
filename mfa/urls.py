from __future__ import annotations

from django.urls import path

from mfa import views

app_name = "mfa"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("set-up/", views.enrol, name="enrol"),
    path("check/", views.verify, name="verify"),
    path("check/recovery-code/", views.verify_recovery, name="verify_recovery"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/new/", views.recovery_codes_new, name="recovery_codes_new"),
]
