"""An audit entry for each event the security issue lists (item 6): who, what, when
(UTC), from where; never a password."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.models import Membership
from audit.choices import AuditEvent
from audit.models import AuditEntry
from tests import factories
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


class NewEntries:
    """The entries written after the cast was set up (creating it writes some of its
    own: memberships, an administrator)."""

    def __init__(self) -> None:
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.after = last or 0

    def of(self, event: AuditEvent) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(event=event, pk__gt=self.after).order_by("pk"))

    def one(self, event: AuditEvent) -> AuditEntry:
        (entry,) = self.of(event)
        return entry


@pytest.fixture
def new(cast) -> NewEntries:
    return NewEntries()


# --- signing in and out -----------------------------------------------------------


def test_it_records_a_sign_in_with_who_when_and_where(cast, new):
    browser = Client(HTTP_USER_AGENT="Edge on an NHS laptop")
    browser.post(reverse("login"), {"username": "commissioner", "password": "test-password-123"})

    entry = new.one(AuditEvent.SIGN_IN)
    assert (entry.user, entry.username) == (cast.commissioner, "commissioner")
    assert (entry.ip_address, entry.path) == ("127.0.0.1", reverse("login"))
    assert entry.user_agent == "Edge on an NHS laptop"
    assert entry.at.utcoffset().total_seconds() == 0


def test_it_records_a_failed_sign_in_with_the_name_typed_and_never_the_password(cast, new):
    Client().post(reverse("login"), {"username": "commisioner", "password": "Secret-Guess-42"})

    entry = new.one(AuditEvent.SIGN_IN_FAILED)
    assert (entry.user, entry.username, entry.ip_address) == (None, "commisioner", "127.0.0.1")
    stored = " ".join(str(value) for value in AuditEntry.objects.values().get(pk=entry.pk).values())
    assert "Secret-Guess-42" not in stored


def test_it_records_a_sign_out(client, cast, new):
    client.force_login(cast.provider_a_lead)

    client.post(reverse("logout"))

    entry = new.one(AuditEvent.SIGN_OUT)
    assert (entry.user, entry.path) == (cast.provider_a_lead, reverse("logout"))


# --- permissions and memberships ----------------------------------------------------


def test_it_records_who_changed_a_persons_access_in_the_admin(client, cast, new):
    client.force_login(cast.admin)
    change = reverse("admin:accounts_user_change", args=[cast.provider_a_lead.pk])
    data = form_data(client.get(change).content.decode(), "user_form")
    data["is_staff"] = ["on"]

    response = client.post(change, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = new.one(AuditEvent.PERMISSION_CHANGED)
    assert (entry.user, entry.object_type, entry.object_id) == (
        cast.admin,
        "accounts.User",
        str(cast.provider_a_lead.pk),
    )
    assert entry.detail == {"changes": {"is_staff": [False, True]}}
    assert entry.path == change


def test_it_records_deactivation_and_nothing_for_a_save_that_changes_no_access(cast, new):
    person = cast.provider_b_lead
    person.job_title = "Named nurse"
    person.save()
    assert not new.of(AuditEvent.PERMISSION_CHANGED)

    person.is_active = False
    person.save()

    entry = new.one(AuditEvent.PERMISSION_CHANGED)
    # Outside a request (a command, the shell) there is nobody to name.
    assert (entry.user, entry.username) == (None, "")
    assert entry.detail == {"changes": {"is_active": [True, False]}}


def test_it_records_groups_and_permissions_granted_and_withdrawn(cast, new):
    auditors = Group.objects.create(name="Auditors")
    permission = Permission.objects.get(codename="view_auditentry")
    person = cast.viewer

    person.groups.add(auditors)
    person.user_permissions.add(permission)
    auditors.permissions.add(permission)
    auditors.user_set.remove(person)
    person.user_permissions.clear()

    details = [(e.object_type, e.detail) for e in new.of(AuditEvent.PERMISSION_CHANGED)]
    assert details == [
        ("accounts.User", {"groups_added": ["Auditors"]}),
        ("accounts.User", {"user_permissions_added": ["audit.view_auditentry"]}),
        ("auth.Group", {"permissions_added": ["audit.view_auditentry"]}),
        ("accounts.User", {"groups_removed": ["Auditors"]}),
        ("accounts.User", {"user_permissions_removed": ["audit.view_auditentry"]}),
    ]


def test_it_records_who_added_a_membership_in_the_admin(client, cast, new):
    client.force_login(cast.admin)
    person = factories.user("new.lead")

    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": person.pk, "organisation": cast.provider_b.pk, "role": Role.PROVIDER_LEAD},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = new.one(AuditEvent.MEMBERSHIP_CHANGED)
    membership = Membership.objects.get(user=person)
    assert (entry.user, entry.object_id) == (cast.admin, str(membership.pk))
    assert entry.detail == {
        "change": "added",
        "member": "new.lead",
        "organisation": "PROV-B",
        "role": Role.PROVIDER_LEAD,
    }


def test_it_records_a_membership_changed_and_removed(cast, new):
    membership = cast.provider_a_contributor.memberships.get()

    membership.role = Role.PROVIDER_LEAD
    membership.save()
    membership.delete()

    changed, removed = new.of(AuditEvent.MEMBERSHIP_CHANGED)
    assert changed.detail["change"] == "changed"
    assert changed.detail["was"]["role"] == Role.PROVIDER_CONTRIBUTOR
    assert changed.detail["role"] == Role.PROVIDER_LEAD
    assert removed.detail["change"] == "removed"
    assert removed.object_id == changed.object_id


# --- refusals -----------------------------------------------------------------------


def test_it_records_a_refusal_with_the_path(client, cast, new):
    client.force_login(cast.provider_a_lead)
    url = reverse("reviews:list")

    assert client.get(url).status_code == 403

    entry = new.one(AuditEvent.ACCESS_DENIED)
    assert (entry.user, entry.path) == (cast.provider_a_lead, url)
    assert entry.detail == {"reason": "These pages are for the safeguarding team and committees."}


def test_it_records_provider_b_asking_for_provider_as_action(client, cast, new):
    client.force_login(cast.provider_b_lead)
    url = reverse("actions:detail", args=[cast.action_a.pk])

    response = client.get(url)

    assert response.status_code == 404
    assert b"Page not found" in response.content
    entry = new.one(AuditEvent.NOT_FOUND)
    assert (entry.user, entry.path) == (cast.provider_b_lead, url)


def test_it_records_no_404_for_someone_not_signed_in(cast, new):
    assert Client().get("/no-such-page/").status_code == 404
    assert not new.of(AuditEvent.NOT_FOUND)


# --- downloads and exports ----------------------------------------------------------


def test_it_records_an_evidence_download(client, cast, new):
    client.force_login(cast.provider_a_lead)
    url = reverse("actions:evidence_download", args=[cast.evidence_a.pk])

    assert client.get(url).status_code == 200

    entry = new.one(AuditEvent.EVIDENCE_DOWNLOAD)
    assert (entry.user, entry.path, entry.ip_address) == (cast.provider_a_lead, url, "127.0.0.1")
    assert (entry.object_type, entry.object_id) == ("actions.Evidence", str(cast.evidence_a.pk))
    assert entry.detail["action"] == cast.action_a.pk


def test_it_records_a_paper_download(client, cast, new):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary, built=True)
    client.force_login(cast.secretary)

    assert client.get(reverse("governance:paper_download", args=[paper.pk])).status_code == 200

    entry = new.one(AuditEvent.PAPER_DOWNLOAD)
    assert (entry.user, entry.object_type, entry.object_id) == (
        cast.secretary,
        "governance.Paper",
        str(paper.pk),
    )
    assert entry.detail == {"sha256": "0" * 64}


def test_it_records_an_export_of_the_action_list_with_its_filters_and_size(client, cast, new):
    client.force_login(cast.secretary)

    client.get(reverse("actions:export"), {"sort": "-due", "status": ["on_track", "not_started"]})

    entry = new.one(AuditEvent.EXPORT)
    assert entry.user == cast.secretary
    assert entry.path.startswith(reverse("actions:export") + "?sort=-due")
    assert entry.detail == {
        "export": "action list",
        "filters": {"Status": "Not started, On track", "Sort by": "Due date, latest first"},
        "rows": 2,
        "restricted_included": False,
        "restricted_reviews": [],
    }


def test_it_records_an_export_of_a_review_plan(client, cast, new):
    client.force_login(cast.secretary)

    client.get(reverse("reviews:export", args=[cast.review.pk]))

    entry = new.one(AuditEvent.EXPORT)
    assert (entry.object_type, entry.object_id) == ("reviews.Review", str(cast.review.pk))
    assert entry.detail == {
        "export": "review plan",
        "rows": 2,
        "restricted_included": False,
        "restricted_reviews": [],
    }


def test_it_records_which_restricted_reviews_an_export_carried(client, cast, new):
    client.force_login(cast.commissioner)  # named on the restricted review

    client.get(reverse("actions:export"))

    entry = new.one(AuditEvent.EXPORT)
    assert entry.detail["rows"] == 3
    assert entry.detail["restricted_included"] is True
    assert entry.detail["restricted_reviews"] == [cast.restricted_review.reference]
