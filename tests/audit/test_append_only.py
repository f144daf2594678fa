"""The log is append-only from the application's point of view: nothing in the app can
change or delete an entry (retention, in test_prune, is the one exception)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.choices import AuditEvent
from audit.models import AuditEntry
from audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db) -> AuditEntry:
    return audit_record(event=AuditEvent.SIGN_IN_FAILED, username="someone")


def test_it_refuses_to_save_a_changed_entry(entry):
    entry.username = "someone else"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).username == "someone"


def test_it_refuses_to_delete_an_entry(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_refuses_bulk_updates_and_deletes(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).username == "someone"


def test_it_keeps_a_persons_entries_and_name_when_their_account_is_deleted(db):
    person = factories.user("leaver")
    Client().post(reverse("login"), {"username": "leaver", "password": "test-password-123"})

    person.delete()

    entry = AuditEntry.objects.get(event=AuditEvent.SIGN_IN)
    assert (entry.user, entry.username) == (None, "leaver")


def test_the_admin_offers_no_way_to_add_change_or_delete(client, entry):
    admin = factories.user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])

    page = client.get(change).content.decode()

    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(change, {"username": "x"}).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert 'name="username"' not in page
    assert AuditEntry.objects.get(pk=entry.pk).username == "someone"
