"""The API: tokens (created after the second factor, shown once, stored hashed,
expiring, revocable, scoped), the access policy as on the pages, writes through the
action services (evidence gate, commissioner-only statuses, version → 409), every write
audited, bad input a 400 with field errors, and a rate per token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import ProgressUpdate
from api.choices import TokenScope
from api.models import ApiToken, token_hash
from audit.choices import AuditEvent
from audit.models import AuditEntry
from tests import factories
from tests.api.conftest import api_client, token_for

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api:v1:{name}", args=args)


def test_a_token_is_created_after_the_second_factor_shown_once_and_stored_hashed(client, cast):
    client.force_login(cast.provider_a_lead)
    response = client.post(
        reverse("api_tokens:create"), {"name": "Power BI", "scope": "read", "days": "90"}
    )
    assert response.status_code == 201
    secret = response.context["new"].secret
    token = ApiToken.objects.get(user=cast.provider_a_lead)
    assert token.key_hash == token_hash(secret) and secret not in token.key_hash
    assert token.expires_at.date() == (timezone.now() + timedelta(days=90)).date()
    assert secret not in client.get(reverse("mfa:manage")).content.decode()
    assert AuditEntry.objects.filter(event=AuditEvent.API_TOKEN_CREATED).count() == 1
    reader = Client(headers={"Authorization": f"Bearer {secret}"})
    assert reader.get(url("action-detail", cast.action_a.pk)).status_code == 200


def test_a_session_without_the_second_factor_cannot_create_a_token(cast):
    password_only = Client()
    password_only.force_login(cast.provider_a_lead)
    response = password_only.post(
        reverse("api_tokens:create"), {"name": "x", "scope": "read", "days": "90"}
    )
    assert response.status_code == 302 and "two-factor" in response["Location"]
    assert not ApiToken.objects.exists()


def test_revoked_expired_unknown_and_query_string_tokens_are_refused(cast):
    secret = token_for(cast.commissioner)
    good = Client(headers={"Authorization": f"Bearer {secret}"})
    assert good.get(url("review-list")).status_code == 200
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    from api.services import api_token_revoke

    api_token_revoke(token=token, by=cast.admin)  # an administrator can revoke any
    assert good.get(url("review-list")).status_code == 401
    assert AuditEntry.objects.filter(event=AuditEvent.API_TOKEN_REVOKED).count() == 1
    expired = token_for(cast.commissioner, expires_at=timezone.now() - timedelta(seconds=1))
    assert (
        Client(headers={"Authorization": f"Bearer {expired}"}).get(url("review-list")).status_code
        == 401
    )
    assert (
        Client(headers={"Authorization": "Bearer lrt_nope"}).get(url("review-list")).status_code
        == 401
    )
    fresh = token_for(cast.commissioner)
    assert Client().get(url("review-list"), {"token": fresh}).status_code == 401
    assert Client().get(url("review-list"))["WWW-Authenticate"].startswith("Bearer")


def test_only_its_owner_or_an_administrator_revokes_a_token(client, cast):
    secret = token_for(cast.commissioner)
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    client.force_login(cast.secretary)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    client.force_login(cast.commissioner)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_read_only_token_cannot_write(cast):
    reader = api_client(cast.provider_a_lead, TokenScope.READ)
    response = reader.post(
        url("action-add-update", cast.action_a.pk), {"text": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_provider_posts_an_update_through_the_service_and_it_is_audited(cast):
    writer = api_client(cast.provider_a_lead)
    response = writer.post(
        url("action-add-update", cast.action_a.pk),
        {"text": "Training delivered."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert ProgressUpdate.objects.get(pk=response.json()["id"]).author == cast.provider_a_lead
    entry = AuditEntry.objects.get(event=AuditEvent.API_WRITE)
    assert entry.user == cast.provider_a_lead and entry.object_id == str(cast.action_a.pk)
    assert entry.detail["operation"] == "progress_update"


def test_status_changes_keep_the_pages_rules(cast):
    provider = api_client(cast.provider_a_lead)
    status_url = url("action-set-status", cast.action_b.pk)
    # Provider A cannot see provider B's action at all.
    assert provider.post(status_url, {}, content_type="application/json").status_code == 404

    action = cast.action_a
    status_url = url("action-set-status", action.pk)
    body = {"status": "at_risk", "note": "Staff away.", "version": action.version}
    ok = provider.post(status_url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == action.version + 1
    # The same version again: someone changed it since (409, nothing saved).
    stale = provider.post(
        status_url, body | {"status": "on_track"}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["version"] == action.version + 1
    # Only commissioners assure.
    assured = {"status": "assured", "note": "Done.", "version": action.version + 1}
    assert provider.post(status_url, assured, content_type="application/json").status_code == 403
    # Completed needs evidence that was not rejected: action B has some, so use a bare one.
    bare = factories.action(on=cast.recommendation, owner=cast.provider_a)
    completed = {"status": "completed", "note": "Done.", "version": bare.version}
    refused = provider.post(
        url("action-set-status", bare.pk), completed, content_type="application/json"
    )
    assert refused.status_code == 400 and "status" in refused.json()
    assert AuditEntry.objects.filter(event=AuditEvent.API_WRITE).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "nonsense", "note": "x", "version": 1},
        {"status": "at_risk", "note": "", "version": 1},
        {"status": "at_risk", "note": "x", "version": "one"},
        {"status": "at_risk", "note": "x\x00", "version": 1},
        {"status": "at_risk", "note": "x", "version": 10**30},
    ],
)
def test_bad_input_is_a_400_with_field_errors(cast, body):
    response = api_client(cast.commissioner).post(
        url("action-set-status", cast.action_a.pk), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert isinstance(response.json(), dict) and response.json()


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "due_from=31/02/2026", "owner=abc", "lead=99999999999999999999", "cursor=zz"],
)
def test_bad_filters_are_refused_not_ignored(cast, query):
    response = api_client(cast.commissioner).get(url("action-list") + "?" + query)
    assert response.status_code in (400, 404)  # an unknown cursor is DRF's 404


def test_the_action_list_takes_the_pages_filters_in_keyset_pages(cast):
    reader = api_client(cast.commissioner)
    first = reader.get(url("action-list"), {"page_size": 1}).json()
    assert len(first["results"]) == 1 and first["next"]
    second = reader.get(first["next"]).json()
    assert second["results"][0]["id"] > first["results"][0]["id"]
    owner = reader.get(url("action-list"), {"owner": cast.provider_b.pk}).json()
    assert [a["id"] for a in owner["results"]] == [cast.action_b.pk]


def test_issued_paper_pdfs_only(cast):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary, built=True)
    secretary = api_client(cast.secretary)
    assert secretary.get(url("paper-pdf", paper.pk)).status_code == 404
    paper.state = "issued"
    paper.save()
    response = api_client(cast.viewer).get(url("paper-pdf", paper.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(event=AuditEvent.PAPER_DOWNLOAD, user=cast.viewer).exists()


def test_requests_are_throttled_per_token(cast, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    reader = api_client(cast.viewer)
    codes = [reader.get(url("forum-list")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another token (another person) has its own count.
    assert api_client(cast.secretary).get(url("forum-list")).status_code == 200


def test_the_schema_and_docs_page(client, cast):
    schema = api_client(cast.viewer).get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    client.force_login(cast.viewer)
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "<style>" not in body and "cdn" not in body.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
