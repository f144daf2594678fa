"""The evidence queue: each file with its action, the evidence the action asks for, the
organisation, who uploaded it and how long it has waited, oldest first; image files
with a thumbnail we redraw, never the upload's own bytes inline."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.choices import OrganisationKind, Role
from actions.evidence_preview import thumbnail_png
from actions.models import Evidence, EvidenceDownload
from tests import evidence_samples as samples
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE = reverse("actions:evidence_queue")


def picture(width: int = 800, height: int = 600, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 94, 184)).save(out, format=fmt)
    return out.getvalue()


def image_evidence(cast, data: bytes, content_type: str = "image/png") -> Evidence:
    item = factories.evidence(on=cast.action_a, by=cast.provider_a_lead)
    item.file.save("photo", ContentFile(data), save=False)
    item.original_filename = "ward-poster.png"
    item.content_type = content_type
    item.save()
    return item


def test_it_shows_the_action_what_it_asks_for_who_and_how_long(client, cast):
    cast.action_a.evidence_required = "Audit of 50 records on Ward 3"
    cast.action_a.save()
    Evidence.objects.filter(pk=cast.evidence_a.pk).update(
        uploaded_at=timezone.now() - timedelta(days=3, hours=2)
    )
    client.force_login(cast.commissioner)

    page = client.get(QUEUE).content.decode()

    card = page[page.index(f'id="queued-{cast.evidence_a.pk}"') :]
    card = card[: card.index("</li>")]
    assert cast.action_a.get_absolute_url() in card
    assert cast.action_a.recommendation.review.reference in card
    assert "Audit of 50 records on Ward 3" in card
    assert cast.action_a.owner_organisation.name in card
    assert cast.provider_a_lead.display_name in card
    assert "3 days" in card
    listed = page.count('id="queued-')
    assert f"{listed} items waiting" in page


def test_it_lists_the_longest_waiting_first(client, cast):
    Evidence.objects.filter(pk=cast.evidence_b.pk).update(
        uploaded_at=timezone.now() - timedelta(days=9)
    )
    client.force_login(cast.commissioner)
    page = client.get(QUEUE).content.decode()
    assert page.index(f'id="queued-{cast.evidence_b.pk}"') < page.index(
        f'id="queued-{cast.evidence_a.pk}"'
    )
    assert "9 days" in page


def test_the_wait_is_counted_in_the_largest_unit(client, cast):
    with time_machine.travel(cast.evidence_a.uploaded_at + timedelta(hours=5), tick=False):
        client.force_login(cast.commissioner)
        page = client.get(QUEUE).content.decode()
    assert "5 hours" in page and "days" not in page.split("Waiting", 1)[1][:200]


def test_another_organisations_commissioner_sees_none_of_it(client, cast):
    other_icb = factories.organisation(OrganisationKind.COMMISSIONER, "ICB-2")
    other = factories.user("other.lead", organisation=other_icb, role=Role.SAFEGUARDING_LEAD)
    client.force_login(other)
    page = client.get(QUEUE).content.decode()
    assert f"queued-{cast.evidence_a.pk}" not in page
    assert cast.action_a.recommendation.review.reference not in page


def test_an_image_gets_a_redrawn_thumbnail(client, cast):
    item = image_evidence(cast, picture() + b"<script>alert(1)</script>")
    client.force_login(cast.commissioner)

    page = client.get(QUEUE).content.decode()
    preview = reverse("actions:evidence_preview", args=[item.pk])
    assert f'src="{preview}"' in page
    assert reverse("actions:evidence_preview", args=[cast.evidence_a.pk]) not in page

    response = client.get(preview)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "no-store"
    with Image.open(io.BytesIO(response.content)) as thumbnail:
        assert max(thumbnail.size) <= 240
    assert b"script" not in response.content
    # It shows the file's content, so it is on the record as a download is.
    assert EvidenceDownload.objects.filter(evidence=item, user=cast.commissioner).exists()


def test_a_file_that_is_not_an_image_has_no_preview(client, cast):
    client.force_login(cast.commissioner)
    response = client.get(reverse("actions:evidence_preview", args=[cast.evidence_a.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\nnot really", samples.png()[:20]],
    ids=["damaged", "truncated"],
)
def test_an_image_that_will_not_decode_has_no_preview(client, cast, data):
    item = image_evidence(cast, data)
    client.force_login(cast.commissioner)
    assert client.get(reverse("actions:evidence_preview", args=[item.pk])).status_code == 404


def test_an_image_too_large_to_decode_safely_is_not_decoded():
    # 10,000 x 10,000: 100 megapixels in a file of a few hundred kilobytes.
    assert thumbnail_png(io.BytesIO(picture(10_000, 10_000))) is None


def test_a_jpeg_is_redrawn_as_a_png():
    redrawn = thumbnail_png(io.BytesIO(picture(2000, 1000, "JPEG")))
    assert redrawn is not None and redrawn.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(redrawn)) as image:
        assert image.size == (240, 120)


@pytest.mark.parametrize("who", ["provider_b_lead", "outsider"])
def test_who_may_not_open_the_file_gets_no_preview(client, cast, who):
    item = image_evidence(cast, picture())
    client.force_login(getattr(cast, who))
    assert client.get(reverse("actions:evidence_preview", args=[item.pk])).status_code == 404


def test_a_viewer_without_the_grant_is_refused_the_preview(client, cast):
    item = image_evidence(cast, picture())
    client.force_login(cast.viewer)
    assert client.get(reverse("actions:evidence_preview", args=[item.pk])).status_code == 403


def test_the_queue_runs_the_same_queries_for_more_items(client, cast):
    client.force_login(cast.commissioner)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    small = count()
    for _ in range(20):
        action = factories.action(
            on=factories.recommendation(factories.review(body=cast.csp)), owner=cast.provider_b
        )
        factories.evidence(on=action, by=cast.provider_b_lead)
    assert count() == small
