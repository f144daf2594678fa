"""Evidence and extensions through the pages, with the shared cast."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.choices import EvidenceReviewState, ExtensionState, Status
from actions.models import Action, Evidence, EvidenceDownload, ExtensionRequest
from tests import evidence_samples as samples
from tests import factories

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def upload(client, action, *files, description="Ward audit"):
    return client.post(
        reverse("actions:evidence_upload", args=[action.pk]),
        {"files": list(files), "description": description},
    )


def test_a_provider_uploads_several_files(client, cast):
    as_user(client, cast.provider_a_contributor)
    response = upload(
        client,
        cast.action_a,
        samples.upload("audit.pdf", samples.pdf()),
        samples.upload("f.csv", samples.CSV),
    )
    assert response.status_code == 302
    names = set(cast.action_a.evidence.values_list("original_filename", flat=True))
    assert {"audit.pdf", "f.csv"} <= names


def test_a_refused_upload_says_why_on_the_page(client, cast):
    as_user(client, cast.provider_a_lead)
    before = Evidence.objects.count()
    response = upload(client, cast.action_a, samples.upload("report.pdf", samples.HTML))
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page and "report.pdf" in page and "web page" in page
    assert Evidence.objects.count() == before


def test_an_upload_to_another_organisations_action_by_editing_the_id_is_not_found(client, cast):
    as_user(client, cast.provider_b_lead)
    before = Evidence.objects.count()
    response = upload(client, cast.action_a, samples.upload("a.pdf", samples.pdf()))
    assert response.status_code == 404
    assert Evidence.objects.count() == before


def test_download_is_an_access_checked_logged_attachment(client, cast):
    as_user(client, cast.provider_a_lead)
    (item,) = services.evidence_attach(
        action=cast.action_a,
        by=cast.provider_a_lead,
        files=[samples.upload("Ward 3 – audit.pdf", samples.pdf())],
        description="Audit",
    )
    response = client.get(reverse("actions:evidence_download", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Ward%203%20%E2%80%93%20audit.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/pdf"
    log = EvidenceDownload.objects.get(evidence=item)
    assert log.user == cast.provider_a_lead


@pytest.mark.parametrize("who", ["provider_b_lead", "outsider", "other_commissioner"])
def test_download_of_evidence_the_user_cannot_see_is_not_found(client, cast, who):
    as_user(client, getattr(cast, who))
    target = cast.restricted_evidence if who == "other_commissioner" else cast.evidence_a
    response = client.get(reverse("actions:evidence_download", args=[target.pk]))
    assert response.status_code == 404
    assert not EvidenceDownload.objects.exists()


def download(client, evidence):
    return client.get(reverse("actions:evidence_download", args=[evidence.pk]))


def test_it_refuses_a_viewer_the_file_without_a_grant(client, cast):
    response = download(as_user(client, cast.viewer), cast.evidence_a)
    # They can see the evidence listed on the action, so refused rather than not found.
    assert response.status_code == 403
    assert not EvidenceDownload.objects.exists()


def test_it_gives_a_viewer_the_file_with_a_grant(client, cast):
    factories.evidence_download_grant(to=cast.viewer)
    response = download(as_user(client, cast.viewer), cast.evidence_a)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"audit"
    assert EvidenceDownload.objects.get().user == cast.viewer


@pytest.mark.parametrize(
    "who", ["admin", "commissioner", "secretary", "provider_a_lead", "provider_a_contributor"]
)
def test_it_still_gives_the_file_to_the_team_and_the_owning_provider(client, cast, who):
    response = download(as_user(client, getattr(cast, who)), cast.evidence_a)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"audit"


def action_page(client, user, action) -> str:
    response = as_user(client, user).get(reverse("actions:detail", args=[action.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_evidence_to_a_viewer_without_a_grant_but_links_no_file(client, cast):
    page = action_page(client, cast.viewer, cast.action_a)
    item = cast.evidence_a
    assert item.description in page
    assert "text file" in page
    assert filesizeformat(item.size_bytes) in page
    assert cast.provider_a_lead.display_name in page
    assert item.get_review_state_display() in page
    assert reverse("actions:evidence_download", args=[item.pk]) not in page
    assert item.original_filename not in page


def test_it_links_the_file_for_a_viewer_with_a_grant(client, cast):
    factories.evidence_download_grant(to=cast.viewer)
    page = action_page(client, cast.viewer, cast.action_a)
    assert reverse("actions:evidence_download", args=[cast.evidence_a.pk]) in page


@pytest.mark.parametrize("who", ["commissioner", "secretary", "provider_a_contributor"])
def test_it_links_the_file_for_the_team_and_the_owning_provider(client, cast, who):
    page = action_page(client, getattr(cast, who), cast.action_a)
    assert reverse("actions:evidence_download", args=[cast.evidence_a.pk]) in page


def test_x_accel_redirect_mode_hands_the_file_to_nginx(client, cast, settings):
    settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    as_user(client, cast.provider_a_lead)
    response = client.get(reverse("actions:evidence_download", args=[cast.evidence_a.pk]))
    assert response["X-Accel-Redirect"] == "/protected/" + cast.evidence_a.file.name
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == b""


def test_the_queue_lists_pending_evidence_oldest_first(client, cast):
    Evidence.objects.filter(pk=cast.evidence_b.pk).update(
        uploaded_at=timezone.now() - timedelta(days=9)
    )
    page = (
        as_user(client, cast.commissioner).get(reverse("actions:evidence_queue")).content.decode()
    )
    assert page.index(f"/evidence/{cast.evidence_b.pk}/download/") < page.index(
        f"/evidence/{cast.evidence_a.pk}/download/"
    )


@pytest.mark.parametrize("who", ["provider_a_lead", "viewer", "secretary"])
def test_only_commissioners_review_evidence(client, cast, who):
    as_user(client, getattr(cast, who))
    assert client.get(reverse("actions:evidence_queue")).status_code == 403
    response = client.post(
        reverse("actions:evidence_review", args=[cast.evidence_a.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    cast.evidence_a.refresh_from_db()
    assert cast.evidence_a.review_state == EvidenceReviewState.PENDING


def test_accepting_the_evidence_lets_the_commissioner_assure(client, cast):
    as_user(client, cast.commissioner)
    client.post(
        reverse("actions:evidence_review", args=[cast.evidence_a.pk]), {"decision": "accept"}
    )
    cast.evidence_a.refresh_from_db()
    assert cast.evidence_a.review_state == EvidenceReviewState.ACCEPTED
    response = client.post(
        reverse("actions:status", args=[cast.action_a.pk]),
        {"status": Status.ASSURED, "note": "Evidence seen.", "version": cast.action_a.version},
    )
    assert response.status_code == 302
    cast.action_a.refresh_from_db()
    assert cast.action_a.status == Status.ASSURED


def test_rejecting_needs_a_reason(client, cast):
    as_user(client, cast.commissioner)
    response = client.post(
        reverse("actions:evidence_review", args=[cast.evidence_a.pk]),
        {"decision": "reject"},
        follow=True,
    )
    assert "Give the provider a reason" in response.content.decode()
    cast.evidence_a.refresh_from_db()
    assert cast.evidence_a.review_state == EvidenceReviewState.PENDING


def test_rejecting_the_evidence_of_a_completed_action_hands_it_back(client, cast):
    services.action_set_status(
        action=cast.action_a,
        by=cast.provider_a_lead,
        status=Status.COMPLETED,
        note="Done.",
        expected_version=cast.action_a.version,
    )
    as_user(client, cast.commissioner)
    client.post(
        reverse("actions:evidence_review", args=[cast.evidence_a.pk]),
        {"decision": "reject", "reason": "This is last year's audit."},
    )
    action = Action.objects.get(pk=cast.action_a.pk)
    assert action.status == Status.ON_TRACK
    assert action.completed_on is None
    update = action.updates.first()
    assert update is not None
    assert "last year's audit" in update.text
    page = as_user(client, cast.provider_a_lead).get(action.get_absolute_url()).content.decode()
    assert "This is last year&#x27;s audit." in page or "This is last year's audit." in page


def test_an_extension_is_asked_for_and_approved_keeping_the_original_date(client, cast):
    action = cast.action_a
    action.due_date = timezone.localdate() + timedelta(days=5)
    action.save()
    new_date = timezone.localdate() + timedelta(days=90)
    as_user(client, cast.provider_a_lead)
    response = client.post(
        reverse("actions:extension_request", args=[action.pk]),
        {"proposed_date": new_date.strftime("%d/%m/%Y"), "reason": "Audit cycle moved."},
    )
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get(action=action)
    as_user(client, cast.commissioner)
    client.post(reverse("actions:extension_decide", args=[extension.pk]), {"decision": "approve"})
    action.refresh_from_db()
    extension.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED
    assert action.revised_due_date == new_date
    assert action.due_date == timezone.localdate() + timedelta(days=5)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Extension requested to" in page and "approved" in page


def test_an_extension_declined_needs_a_reason_and_is_in_the_history(client, cast):
    extension = services.extension_request(
        action=cast.action_a,
        by=cast.provider_a_lead,
        proposed_date=timezone.localdate() + timedelta(days=30),
        reason="Staffing.",
    )
    as_user(client, cast.commissioner)
    client.post(reverse("actions:extension_decide", args=[extension.pk]), {"decision": "decline"})
    extension.refresh_from_db()
    assert extension.state == ExtensionState.PENDING
    client.post(
        reverse("actions:extension_decide", args=[extension.pk]),
        {"decision": "decline", "reason": "The committee needs this by Q3."},
    )
    extension.refresh_from_db()
    assert extension.state == ExtensionState.DECLINED
    cast.action_a.refresh_from_db()
    assert cast.action_a.revised_due_date is None
    assert (
        "declined: The committee needs this by Q3."
        in cast.action_a.history.first().history_change_reason
    )


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2027", "New due date you are asking for must be a real date"),
        ("1", "1", "2020", "must be in the future"),
        ("", "", "", "Enter the new due date"),
        ("", "3", "2027", "New due date you are asking for must include a day"),
        ("1", "3", "27", "Year must include 4 numbers"),
    ],
)
def test_bad_extension_input_gets_a_clear_message(client, cast, day, month, year, message):
    """The NHS.UK date input's messages: each missing part, an impossible date."""
    as_user(client, cast.provider_a_lead)
    response = client.post(
        reverse("actions:extension_request", args=[cast.action_a.pk]),
        {
            "proposed_date_day": day,
            "proposed_date_month": month,
            "proposed_date_year": year,
            "reason": "More time.",
        },
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_providers_cannot_decide_extensions(client, cast):
    extension = services.extension_request(
        action=cast.action_a,
        by=cast.provider_a_lead,
        proposed_date=timezone.localdate() + timedelta(days=30),
        reason="Staffing.",
    )
    as_user(client, cast.provider_a_lead)
    response = client.post(
        reverse("actions:extension_decide", args=[extension.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    as_user(client, cast.provider_b_lead)
    response = client.post(
        reverse("actions:extension_decide", args=[extension.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    extension.refresh_from_db()
    assert extension.state == ExtensionState.PENDING


def test_provider_home_groups_actions_and_flags_stale_ones(client, cast):
    today = timezone.localdate()
    Action.objects.filter(pk=cast.action_a.pk).update(
        due_date=today - timedelta(days=3), updated_at=timezone.now() - timedelta(days=100)
    )
    page = as_user(client, cast.provider_a_lead).get(reverse("home")).content.decode()
    overdue_section = page.split('id="group-overdue"')[1].split('id="group-due-soon"')[0]
    assert cast.action_a.description in overdue_section
    assert "No update for over 60 days" in overdue_section
