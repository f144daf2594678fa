"""Administrators search the log in the admin, in UTC, and export what they found as
CSV; nobody else can."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.choices import AuditEvent
from audit.models import AuditEntry
from audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:audit_auditentry_export")
CHANGELIST = reverse("admin:audit_auditentry_changelist")
# 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
LATE_EVENING = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)


@pytest.fixture
def log(db):
    with time_machine.travel(LATE_EVENING, tick=False):
        audit_record(event=AuditEvent.SIGN_IN_FAILED, username='=HYPERLINK("http://x")')
        audit_record(event=AuditEvent.SIGN_IN_FAILED, username="@SUM(A1)")
        audit_record(event=AuditEvent.SIGN_IN_FAILED, username="-2+3")
        audit_record(event=AuditEvent.SIGN_IN_FAILED, username="+44 121")
        audit_record(event=AuditEvent.ACCESS_DENIED, username="j.bloggs", reason="Not yours.")


@pytest.fixture
def admin(db):
    return factories.user("root", is_superuser=True, is_staff=True)


def rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_it_exports_the_filtered_entries_with_utc_times(client, log, admin):
    client.force_login(admin)

    response = client.get(EXPORT, {"event__exact": AuditEvent.ACCESS_DENIED})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    heading, *entries = rows(response)
    assert heading[:4] == ["Time (UTC)", "Event", "Event description", "Username"]
    assert len(entries) == 1
    assert entries[0][:4] == [
        "2026-06-30T23:30:00+00:00",
        "access_denied",
        "Access refused (403)",
        "j.bloggs",
    ]
    assert entries[0][-1] == '{"reason": "Not yours."}'


def test_it_defuses_cells_a_spreadsheet_would_run_as_formulas(client, log, admin):
    client.force_login(admin)

    response = client.get(EXPORT, {"event__exact": AuditEvent.SIGN_IN_FAILED})

    usernames = sorted(row[3] for row in rows(response)[1:])
    assert usernames == ["'+44 121", "'-2+3", '\'=HYPERLINK("http://x")', "'@SUM(A1)"]


def test_it_records_the_export_itself(client, log, admin):
    client.force_login(admin)

    rows(client.get(EXPORT, {"q": "j.bloggs"}))

    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT)
    assert entry.user == admin
    assert entry.detail == {"export": "audit log", "rows": 1, "query": "q=j.bloggs"}


def test_it_exports_the_entries_selected_in_the_list(client, log, admin):
    client.force_login(admin)
    chosen = AuditEntry.objects.get(username="j.bloggs")

    response = client.post(
        CHANGELIST, {"action": "export_selected", "_selected_action": [chosen.pk], "index": 0}
    )

    assert [row[3] for row in rows(response)[1:]] == ["j.bloggs"]


def test_it_refuses_the_export_to_everyone_but_administrators(client, cast, log):
    client.force_login(cast.commissioner)
    assert client.get(EXPORT)["Location"].startswith(reverse("admin:login"))

    client.force_login(factories.user("helpdesk", is_staff=True))
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(event=AuditEvent.EXPORT).exists()


def test_it_lets_a_staff_member_granted_the_log_read_and_export_it(client, log):
    auditor = factories.user("auditor", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(auditor)

    assert client.get(CHANGELIST).status_code == 200
    failed = rows(client.get(EXPORT, {"event__exact": AuditEvent.SIGN_IN_FAILED}))
    assert len(failed) == 1 + 4


def test_it_lists_searches_and_filters_in_utc(client, log, admin):
    client.force_login(admin)

    page = client.get(CHANGELIST, {"q": "j.bloggs"}).content.decode()
    by_day = client.get(CHANGELIST, {"at__day": 30, "at__month": 6, "at__year": 2026})

    assert "2026-06-30 23:30:00 UTC" in page
    assert "Export these entries as CSV" in page
    assert f'href="{EXPORT}?q=j.bloggs"' in page
    assert "@SUM(A1)" not in page
    # The date drill-down counts days in UTC too: 30 June, not 1 July.
    assert by_day.context["cl"].result_count == 5
