"""Every API route and the calendar feed against the whole cast, with a token (the way
reporting tools and providers' systems call it), for objects that belong to provider A.

200/201 where the role may, 403 where it sees the object but may not do this, 404 where
it does not see it, 401 without a token. A route with no row fails the test. Each request
runs in a savepoint that is rolled back, so every role meets the same world. Run with
-s for the counts."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from actions.models import ProgressUpdate
from governance.choices import PaperState
from tests import factories
from tests.api.conftest import api_client
from tests.url_walk import iter_patterns

pytestmark = pytest.mark.django_db

CAST = [
    "commissioner",
    "secretary",
    "provider_a_lead",
    "provider_a_contributor",
    "provider_b_lead",
    "viewer",
    "outsider",
    "anonymous",
]


def row(commissioner, secretary, a_lead, a_contributor, b_lead, viewer, outsider, anonymous=401):
    values = [commissioner, secretary, a_lead, a_contributor, b_lead, viewer, outsider, anonymous]
    return dict(zip(CAST, values, strict=True))


EVERYONE = row(200, 200, 200, 200, 200, 200, 200)
OBJECT_READ = row(200, 200, 200, 200, 404, 200, 404)
FORUM_READ = row(200, 200, 404, 404, 404, 200, 404)
ISSUED_PAPER = row(200, 200, 404, 404, 404, 200, 404)
UPDATE_POST = row(201, 403, 201, 201, 404, 403, 404)
STATUS_POST = row(200, 403, 200, 200, 404, 403, 404)


class Objects:
    def __init__(self, cast):
        self.review = factories.review(body=cast.csp)
        self.recommendation = factories.recommendation(self.review, cast.provider_a)
        self.action = factories.action(on=self.recommendation, owner=cast.provider_a)
        self.evidence = factories.evidence(on=self.action, by=cast.provider_a_lead)
        self.update = ProgressUpdate.objects.create(
            action=self.action, author=cast.provider_a_lead, text="Begun.", status="on_track"
        )
        self.forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
        self.meeting = factories.meeting(forum=self.forum)
        self.paper = factories.paper(meeting=self.meeting, by=cast.secretary, built=True)
        self.paper.state, self.paper.issued_at = PaperState.ISSUED, timezone.now()
        self.paper.save()


# route name: (method, URL arguments, body, expected)
MATRIX = {
    "api:v1:review-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:review-detail": ("get", lambda o: [o.review.pk], None, OBJECT_READ),
    "api:v1:recommendation-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:recommendation-detail": ("get", lambda o: [o.recommendation.pk], None, OBJECT_READ),
    "api:v1:action-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:action-detail": ("get", lambda o: [o.action.pk], None, OBJECT_READ),
    "api:v1:action-add-update": (
        "post",
        lambda o: [o.action.pk],
        lambda o: {"text": "Progress."},
        UPDATE_POST,
    ),
    "api:v1:action-set-status": (
        "post",
        lambda o: [o.action.pk],
        lambda o: {"status": "at_risk", "note": "Staff away.", "version": o.action.version},
        STATUS_POST,
    ),
    "api:v1:progress-update-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:progress-update-detail": ("get", lambda o: [o.update.pk], None, OBJECT_READ),
    "api:v1:evidence-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:evidence-detail": ("get", lambda o: [o.evidence.pk], None, OBJECT_READ),
    "api:v1:forum-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:forum-detail": ("get", lambda o: [o.forum.pk], None, FORUM_READ),
    "api:v1:meeting-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:meeting-detail": ("get", lambda o: [o.meeting.pk], None, FORUM_READ),
    "api:v1:paper-list": ("get", lambda o: [], None, EVERYONE),
    "api:v1:paper-detail": ("get", lambda o: [o.paper.pk], None, ISSUED_PAPER),
    "api:v1:paper-pdf": ("get", lambda o: [o.paper.pk], None, ISSUED_PAPER),
    "api:schema": ("get", lambda o: [], None, EVERYONE),
}


def api_routes() -> set[str]:
    return {name for _route, name in iter_patterns() if name.startswith("api:")}


def test_every_api_route_has_a_row():
    # The docs page is a signed-in page, in tests/test_access_matrix.py.
    assert api_routes() - {"api:docs"} == set(MATRIX)


def test_each_role_gets_the_expected_answer_from_the_api(cast):
    objects = Objects(cast)
    clients = {who: api_client(getattr(cast, who, None)) for who in CAST}
    requests, wrong = 0, []
    for name, (method, arguments, body, expected) in MATRIX.items():
        path = reverse(name, args=arguments(objects))
        for who in CAST:
            with transaction.atomic():
                if method == "post":
                    assert body is not None  # every POST row of the matrix has a body
                    data = body(objects)
                    response = clients[who].post(path, data, content_type="application/json")
                else:
                    response = clients[who].get(path)
                transaction.set_rollback(True)
            requests += 1
            if response.status_code != expected[who]:
                wrong.append(
                    f"{method.upper()} {name} as {who}: {response.status_code}, not {expected[who]}"
                )
    print(f"\napi access matrix: {requests} requests over {len(MATRIX)} routes, {len(wrong)} wrong")
    assert not wrong, "\n".join(wrong)


def test_lists_hold_only_what_the_role_sees(cast):
    objects = Objects(cast)
    listed = {}
    for who in ("commissioner", "provider_a_lead", "provider_b_lead", "outsider"):
        client = api_client(getattr(cast, who))
        actions = client.get(reverse("api:v1:action-list"), {"page_size": 500}).json()["results"]
        listed[who] = {a["id"] for a in actions}
    assert (
        objects.action.pk in listed["commissioner"]
        and objects.action.pk in listed["provider_a_lead"]
    )
    assert cast.restricted_action_a.pk in listed["provider_a_lead"]  # their work, restricted or not
    assert listed["provider_b_lead"] == {cast.action_b.pk}
    assert listed["outsider"] == set()
    other = api_client(cast.other_commissioner)
    reviews = other.get(reverse("api:v1:review-list")).json()["results"]
    assert cast.restricted_review.pk not in {r["id"] for r in reviews}
    assert (
        other.get(reverse("api:v1:review-detail", args=[cast.restricted_review.pk])).status_code
        == 404
    )
