"""The access policy (accounts/access.py, docs/access.md) across two organisations: a
second ICB with its own team, and what a share opens."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.access import Verb, may, settable_statuses
from accounts.choices import OrganisationKind, Role
from actions.choices import Status
from actions.models import Action, Evidence
from audit.choices import AuditEvent
from audit.models import AuditEntry
from governance.models import Forum, Paper
from reviews import services
from reviews.choices import ShareAccess
from reviews.models import Recommendation, Review, ReviewShare
from tests import factories

pytestmark = pytest.mark.django_db


class Other:
    """A second ICB, kept apart from the cast's: its team, its provider, its review."""

    def __init__(self, cast):
        self.icb = factories.organisation(OrganisationKind.COMMISSIONER, "BC ICB")
        self.provider = factories.organisation(
            OrganisationKind.PROVIDER, "BCHFT", commissioned_by=(self.icb,)
        )
        self.commissioner = factories.user(
            "other.commissioner", organisation=self.icb, role=Role.SAFEGUARDING_LEAD
        )
        self.secretary = factories.user(
            "other.secretary", organisation=self.icb, role=Role.COMMITTEE_SECRETARY
        )
        self.viewer = factories.user("other.viewer", organisation=self.icb, role=Role.VIEWER)
        self.review = factories.review(body=cast.csp, owner=self.icb)
        self.action = factories.action(
            on=factories.recommendation(self.review), owner=self.provider
        )


@pytest.fixture
def other(cast):
    return Other(cast)


def test_it_keeps_a_second_icb_out_of_the_first_ones_reviews(cast, other):
    for person in (other.commissioner, other.secretary, other.viewer):
        assert list(Review.objects.visible_to(person)) == [other.review]
        assert list(Action.objects.visible_to(person)) == [other.action]
        assert not Evidence.objects.visible_to(person).exists()
    assert not may(other.commissioner, Verb.MANAGE, cast.review)
    assert not may(other.commissioner, Verb.UPDATE, cast.action_a)
    assert not may(other.commissioner, Verb.EXPORT, cast.review)
    assert other.review not in Review.objects.visible_to(cast.commissioner)
    assert other.action not in Action.objects.visible_to(cast.viewer)


def test_it_refuses_the_second_icb_a_write_on_the_first_ones_action(cast, other):
    from actions import services as action_services

    with pytest.raises(PermissionDenied):
        action_services.evidence_review(
            evidence=cast.evidence_a, by=other.commissioner, accept=False, reason="No."
        )
    with pytest.raises(PermissionDenied):
        action_services.progress_update_add(action=cast.action_a, by=other.commissioner, text="Hi")
    assert settable_statuses(other.commissioner, cast.action_a) == []


def test_a_read_share_opens_the_review_to_the_partner_but_not_its_changes(cast, other):
    services.review_share(
        review=cast.review,
        organisation=other.icb,
        access_level=ShareAccess.READ,
        by=cast.commissioner,
    )
    assert cast.review in Review.objects.visible_to(other.viewer)
    assert cast.action_a in Action.objects.visible_to(other.secretary)
    assert cast.restricted_review not in Review.objects.visible_to(other.commissioner)
    assert may(other.commissioner, Verb.EXPORT, cast.review)
    assert not may(other.commissioner, Verb.MANAGE, cast.review)
    assert not may(other.commissioner, Verb.SHARE, cast.review)
    # Raw evidence: the partner's commissioners, as the owner's; its viewer without a grant, no.
    assert may(other.commissioner, Verb.DOWNLOAD_EVIDENCE, cast.evidence_a)
    assert not may(other.viewer, Verb.DOWNLOAD_EVIDENCE, cast.evidence_a)


def test_a_contribute_share_lets_the_partner_team_change_it_but_not_share_it(cast, other):
    services.review_share(
        review=cast.review,
        organisation=other.icb,
        access_level=ShareAccess.CONTRIBUTE,
        by=cast.commissioner,
    )
    assert may(other.commissioner, Verb.MANAGE, cast.action_a)
    assert settable_statuses(other.commissioner, cast.action_a) == list(Status.values)
    assert not may(other.commissioner, Verb.SHARE, cast.review)
    assert not may(other.secretary, Verb.MANAGE, cast.review)
    assert not may(other.viewer, Verb.MANAGE, cast.review)
    # Its provider is now assignable on the review: the partner contributes.
    recommendation = services.recommendation_create(
        review=cast.review,
        by=other.commissioner,
        number="99",
        text="More.",
        addressed_to=other.provider,
    )
    assert recommendation.addressed_to == other.provider


def test_a_provider_reaches_its_actions_whoever_owns_the_review(cast, other):
    shared_provider_action = factories.action(
        on=factories.recommendation(other.review), owner=cast.provider_a
    )
    visible = set(Action.objects.visible_to(cast.provider_a_lead))
    assert shared_provider_action in visible and other.action not in visible
    assert other.review in Review.objects.visible_to(cast.provider_a_lead)
    assert may(cast.provider_a_lead, Verb.UPDATE, shared_provider_action)
    assert not may(cast.provider_a_lead, Verb.MANAGE, shared_provider_action)


def test_only_the_owners_team_shares_and_a_share_is_audited(cast, other):
    for person in (cast.secretary, cast.viewer, cast.provider_a_lead, other.commissioner):
        with pytest.raises(PermissionDenied):
            services.review_share(
                review=cast.review, organisation=other.icb, access_level="read", by=person
            )
    share = services.review_share(
        review=cast.review, organisation=other.icb, access_level="read", by=cast.commissioner
    )
    entry = AuditEntry.objects.get(event=AuditEvent.REVIEW_SHARED)
    assert (entry.user, entry.detail["partner"], entry.detail["access"]) == (
        cast.commissioner,
        "BC ICB",
        "read",
    )
    assert share.history.count() == 1


def test_it_refuses_a_provider_as_a_contributing_partner_and_the_owner_as_its_own_partner(cast):
    with pytest.raises(ValidationError):
        services.review_share(
            review=cast.review,
            organisation=cast.provider_b,
            access_level="contribute",
            by=cast.commissioner,
        )
    with pytest.raises(ValidationError):
        services.review_share(
            review=cast.review, organisation=cast.icb, access_level="read", by=cast.commissioner
        )


def test_it_will_not_stop_sharing_while_the_partner_still_has_a_part(cast, other):
    share = services.review_share(
        review=cast.review, organisation=other.icb, access_level="contribute", by=cast.commissioner
    )
    Recommendation.objects.create(review=cast.review, number="77", text="x", addressed_to=other.icb)
    with pytest.raises(ValidationError, match="1 recommendation addressed to it"):
        services.review_unshare(share=share, by=cast.commissioner)
    assert ReviewShare.objects.filter(pk=share.pk).exists()
    Recommendation.objects.filter(number="77").delete()
    services.review_unshare(share=share, by=cast.commissioner)
    assert not ReviewShare.objects.exists()
    assert cast.review not in Review.objects.visible_to(other.commissioner)
    assert AuditEntry.objects.filter(event=AuditEvent.REVIEW_UNSHARED).count() == 1


def test_forums_meetings_and_papers_stay_with_their_organisation(cast, other):
    own_forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    theirs = factories.forum(organisation=other.icb, secretary=other.secretary)
    paper = factories.paper(meeting=factories.meeting(forum=theirs), by=other.secretary)
    assert list(Forum.objects.visible_to(cast.secretary)) == [own_forum]
    assert list(Forum.objects.visible_to(other.viewer)) == [theirs]
    assert not Paper.objects.visible_to(cast.commissioner).filter(pk=paper.pk).exists()
    assert Paper.objects.visible_to(other.commissioner).filter(pk=paper.pk).exists()
    # Drafts are not for viewers, even of the forum's own organisation.
    assert not Paper.objects.visible_to(other.viewer).filter(pk=paper.pk).exists()
    assert not may(cast.secretary, Verb.MANAGE_PAPERS, theirs)
    assert may(other.secretary, Verb.MANAGE_PAPERS, paper)


def test_a_review_is_registered_for_the_persons_own_organisation(cast, other):
    review = services.review_create(
        by=other.commissioner,
        review_type=factories.review_type("SAR"),
        reference="SAR BC 1",
        title="Mrs K",
        commissioning_body=cast.csp,
    )
    assert review.owner == other.icb
    with pytest.raises(PermissionDenied):
        services.review_create(
            by=other.commissioner,
            owner=cast.icb,
            review_type=factories.review_type("SAR"),
            reference="SAR BC 2",
            title="Mr L",
            commissioning_body=cast.csp,
        )


def test_the_admin_is_for_superusers_whatever_a_staff_account_is_granted(client, cast):
    staff = factories.user("helpdesk", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_review", "change_review"])
    )
    client.force_login(staff)
    assert client.get(reverse("admin:reviews_review_changelist")).status_code == 403
    assert (
        client.get(reverse("admin:reviews_review_change", args=[cast.review.pk])).status_code == 403
    )
    client.force_login(cast.admin)
    assert client.get(reverse("admin:reviews_review_changelist")).status_code == 200


def test_an_auditor_of_an_organisation_sees_only_its_peoples_audit_entries(client, cast, other):
    from audit.services import audit_record

    audit_record(event=AuditEvent.SIGN_IN, user=cast.commissioner)
    audit_record(event=AuditEvent.SIGN_IN, user=other.commissioner)
    auditor = factories.user("ig.officer", is_staff=True, organisation=other.icb, role=Role.VIEWER)
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(auditor)
    page = client.get(reverse("admin:audit_auditentry_changelist"))
    assert page.status_code == 200
    shown = {entry.username for entry in page.context["cl"].result_list}
    assert "other.commissioner" in shown and "commissioner" not in shown


def test_undelivered_reminders_are_the_owners_teams_to_put_right_not_a_readers(cast, other):
    from actions.choices import ReminderState, Rung
    from actions.models import Reminder
    from actions.selectors import undelivered_reminders_for

    services.review_share(
        review=cast.review, organisation=other.icb, access_level="read", by=cast.commissioner
    )
    Reminder.objects.create(
        recipient=cast.provider_a_lead,
        rung=Rung.OVERDUE,
        subject_key=f"action:{cast.action_a.pk}",
        key_date=cast.action_a.due_date or other.review.created_at.date(),
        action=cast.action_a,
        state=ReminderState.FAILED,
    )
    assert undelivered_reminders_for(cast.commissioner).count() == 1
    assert undelivered_reminders_for(other.commissioner).count() == 0
    assert undelivered_reminders_for(cast.viewer).count() == 0
