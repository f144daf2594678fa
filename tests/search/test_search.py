"""Search finds text across every kind, ranked and highlighted, and only what the person
may read (docs/search.md): a provider never finds another organisation's text, and a
restricted review is found only by the people named on it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from actions.models import Action, Evidence, ProgressUpdate
from reviews.models import Recommendation
from search.selectors import drawn, search_for

pytestmark = pytest.mark.django_db


def texts(cast):
    """Marked text on every kind, for provider A's action, provider B's and the
    restricted review's."""
    Action.objects.filter(pk=cast.action_a.pk).update(
        description="Launch the self-neglect escalation pathway", expected_outcome="Fewer refusals"
    )
    Action.objects.filter(pk=cast.action_b.pk).update(description="Bravo hoarding audit")
    Action.objects.filter(pk=cast.restricted_action_a.pk).update(
        description="Restricted kestrel safety plan"
    )
    Recommendation.objects.filter(pk=cast.recommendation.pk).update(
        text="District nurses escalate self-neglect concerns"
    )
    cast.restricted_review.title = "Kestrel family"
    cast.restricted_review.save()
    ProgressUpdate.objects.create(
        action=cast.action_a,
        author=cast.provider_a_lead,
        text="Self-neglect training done",
        status="on_track",
    )
    ProgressUpdate.objects.create(
        action=cast.action_b,
        author=cast.provider_b_lead,
        text="Bravo hoarding panel met",
        status="on_track",
    )
    Evidence.objects.filter(pk=cast.evidence_b.pk).update(description="Bravo hoarding minutes")


def found(user, text, kind=None):
    results = search_for(user, text, kind)
    hits = drawn(user, results.hits, text)
    return results, hits


def test_it_finds_a_phrase_in_every_kind_ranked_and_highlighted(cast):
    texts(cast)
    results, hits = found(cast.commissioner, "self-neglect")
    kinds = {hit.kind.key for hit in hits}
    assert {"action", "recommendation", "update"} <= kinds
    assert results.counts["action"] == 1
    snippet = next(h for h in hits if h.kind.key == "action").snippet
    assert "<mark>" in snippet and "escalation pathway" in snippet


def test_it_filters_by_kind(cast):
    texts(cast)
    results, hits = found(cast.commissioner, "self-neglect", "update")
    assert {hit.kind.key for hit in hits} == {"update"}
    assert results.counts["recommendation"] == 1  # the other kinds are still counted


def test_a_provider_never_finds_another_organisations_text(cast):
    texts(cast)
    for word in ("bravo", "hoarding"):
        results, hits = found(cast.provider_a_lead, word)
        assert results.total == 0, [h.kind.key for h in hits]
    # ...but finds its own, and provider B its own.
    assert found(cast.provider_a_lead, "self-neglect")[0].counts["action"] == 1
    assert found(cast.provider_b_lead, "hoarding")[0].counts == {
        "review": 0,
        "recommendation": 0,
        "action": 1,
        "update": 1,
        "evidence": 1,
    }


def test_a_restricted_review_is_found_only_by_the_people_named_on_it(cast):
    texts(cast)
    named, _ = found(cast.commissioner, "kestrel")
    assert named.counts["review"] == 1 and named.counts["action"] == 1
    for person in (cast.other_commissioner, cast.secretary, cast.viewer, cast.provider_b_lead):
        results, _ = found(person, "kestrel")
        assert results.total == 0, person
    # Provider A's own action on it is theirs to find, but not the review's name.
    results, hits = found(cast.provider_a_lead, "kestrel")
    assert results.counts["review"] == 0 and results.counts["action"] == 1
    assert cast.restricted_review.reference not in hits[0].context
    assert "A restricted review" in hits[0].context


def test_the_page_escapes_text_and_marks_only_matches(client, cast):
    Action.objects.filter(pk=cast.action_a.pk).update(
        description="<script>alert(1)</script> neglect plan"
    )
    client.force_login(cast.commissioner)
    response = client.get(reverse("search"), {"q": "neglect"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    assert "<mark>neglect</mark>" in body


def test_highlighting_escapes_the_text_before_marking_it():
    from search.selectors import START, STOP, highlighted, marked

    assert marked(f"<b>x</b> {START}neglect{STOP}") == "&lt;b&gt;x&lt;/b&gt; <mark>neglect</mark>"
    assert highlighted("<i>Neglect</i>", ["neglect"]) == "&lt;i&gt;<mark>Neglect</mark>&lt;/i&gt;"


def test_the_header_has_a_search_box_and_the_page_says_when_nothing_matches(client, cast):
    client.force_login(cast.provider_b_lead)
    response = client.get(reverse("search"), {"q": "zebra"})
    body = response.content.decode()
    assert 'id="search-field"' in body
    assert "Nothing you can see matches" in body


def test_the_action_list_accepts_q(client, cast):
    texts(cast)
    client.force_login(cast.commissioner)
    response = client.get(reverse("actions:list"), {"q": "self-neglect"})
    page = response.context["page"]
    assert [a.pk for a in page.object_list] == [cast.action_a.pk]
    response = client.get(reverse("actions:list"), {"q": "fewer refusals"})
    assert [a.pk for a in response.context["page"].object_list] == [cast.action_a.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_postgresql_answers_from_the_gin_index(cast):
    from search.documents import KINDS, matching

    texts(cast)
    queryset = matching(Action.objects.all(), KINDS["action"], "self-neglect")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "action_search_idx" in plan, plan
