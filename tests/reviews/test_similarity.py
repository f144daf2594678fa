"""Similar recommendations, learning made before and repeated-learning groups
(docs/repeated-learning.md): the method on the labelled set, the recompute on write, and
that nothing a person may not see leaks through them (the shared cast)."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import docx
import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.choices import OrganisationKind
from actions.choices import Status
from actions.models import Action
from governance.rendering import render_paper_html
from governance.selectors import paper_snapshot
from governance.word import paper_docx
from reviews import services
from reviews.models import RecommendationSimilarity, SimilarityState, Theme
from reviews.selectors import repeated_learning_groups
from reviews.similarity import MATCH_THRESHOLD, similar_pairs
from tests import factories

LABELLED = Path(__file__).resolve().parent.parent / "data" / "similar_recommendations.yaml"

CARERS = "Carers who live with a patient are offered a carer's assessment and a crisis contact."
RESTRICTED = (
    "SECRET-RESTRICTED carers living with a patient get a carer's assessment and crisis contact."
)
OTHER_ORG = (
    "SECRET-OTHER-ORG family carers of a patient get a carer's assessment and crisis contacts."
)
EARLIER = "EARLIER-OWN carers are offered a carer's assessment and told who to contact in a crisis."


def labelled() -> dict:
    return yaml.safe_load(LABELLED.read_text())


# --- the method --------------------------------------------------------------------


def test_the_labelled_set_has_sixty_pairs_judged_both_ways():
    data = labelled()
    ids = {r["id"] for r in data["recommendations"]}
    assert len(data["pairs"]) >= 60
    assert {label for _a, _b, label in data["pairs"]} == {True, False}
    assert all(a in ids and b in ids for a, b, _label in data["pairs"])


def test_precision_at_five_on_the_labelled_set_is_at_least_point_eight():
    recs = labelled()["recommendations"]
    pairs = similar_pairs([r["text"] for r in recs], [r["review"] for r in recs], keep=5)
    top: dict[int, list[int]] = defaultdict(list)
    for pair in pairs:
        top[pair.source].append(pair.target)
    grouped = [i for i, r in enumerate(recs) if not r["learning"].startswith("z")]
    hits = [
        sum(recs[t]["learning"] == recs[i]["learning"] for t in top[i][:5]) / 5 for i in grouped
    ]
    assert sum(hits) / len(hits) >= 0.8


def test_it_never_pairs_recommendations_of_the_same_review():
    pairs = similar_pairs([CARERS, CARERS, CARERS], [1, 1, 2])
    assert {(p.source, p.target) for p in pairs} == {(0, 2), (1, 2), (2, 0), (2, 1)}
    assert all(p.score > 0.99 for p in pairs)


# --- the world of the shared cast ----------------------------------------------------


@pytest.fixture
def world(cast):
    """The cast's review (published today) says again what three others said: an earlier
    review of the ICB whose action was assured a year ago, the restricted review (named
    only `commissioner`) and another ICB's review not shared with this one; each of the
    three has an assured action, so only access decides what is shown."""
    today = timezone.localdate()
    cast.review.published_date = today
    cast.review.save()
    cast.recommendation.text = CARERS
    cast.recommendation.save()
    restricted = cast.restricted_action_a.recommendation
    restricted.text = RESTRICTED
    restricted.save()
    earlier_review = factories.review(body=cast.csp)
    earlier = factories.recommendation(earlier_review)
    earlier.text = EARLIER
    earlier.save()
    elsewhere = factories.organisation(OrganisationKind.COMMISSIONER, "ELSEWHERE")
    other_review = factories.review(body=cast.csp, owner=elsewhere)
    other = factories.recommendation(other_review)
    other.text = OTHER_ORG
    other.save()
    a_year_ago = timezone.now() - timedelta(days=365)
    # A provider none of the cast works for: providers A and B see none of the three.
    provider_c = factories.organisation(OrganisationKind.PROVIDER, "PROV-C")
    for recommendation in (earlier, restricted, other):
        action = factories.action(on=recommendation, owner=provider_c)
        Action.objects.filter(pk=action.pk).update(status=Status.ASSURED, assured_at=a_year_ago)
    services.similarities_recompute(force=True)
    return {"earlier": earlier, "restricted": restricted, "other": other}


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_recommendation_page_lists_only_what_each_person_may_see(client, cast, world):
    secret = {
        "commissioner": {"SECRET-OTHER-ORG"},
        "secretary": {"SECRET-OTHER-ORG", "SECRET-RESTRICTED"},
        "viewer": {"SECRET-OTHER-ORG", "SECRET-RESTRICTED"},
        # Providers see their own recommendations only: none of the three.
        "provider_a_lead": {"SECRET-OTHER-ORG", "SECRET-RESTRICTED", "EARLIER-OWN"},
        "provider_b_lead": {"SECRET-OTHER-ORG", "SECRET-RESTRICTED", "EARLIER-OWN"},
    }
    for who, hidden in secret.items():
        text = page(
            client, getattr(cast, who), "reviews:recommendation_detail", cast.recommendation.pk
        )
        for marker in hidden:
            assert marker not in text, (who, marker)
        # Not even a count: the table has one row per recommendation shown.
        shown = {"SECRET-OTHER-ORG", "SECRET-RESTRICTED", "EARLIER-OWN"} - hidden
        assert text.count('<tr class="nhsuk-table__row">') == len(shown), who
        for marker in shown:
            assert marker in text, (who, marker)


@pytest.mark.django_db
def test_the_recommendation_page_links_to_repeated_learning_only_for_those_who_may_open_it(
    client, cast, world
):
    link = reverse("reviews:repeated_learning")
    for who, linked in [("commissioner", True), ("viewer", True), ("provider_a_lead", False)]:
        text = page(
            client, getattr(cast, who), "reviews:recommendation_detail", cast.recommendation.pk
        )
        assert (f'href="{link}"' in text) is linked, who
        client.force_login(getattr(cast, who))
        assert (client.get(link).status_code == 200) is linked, who


@pytest.mark.django_db
def test_a_restricted_recommendation_page_is_not_found_for_people_not_named(client, cast, world):
    client.force_login(cast.secretary)
    url = reverse("reviews:recommendation_detail", args=[world["restricted"].pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_learning_made_before_is_shown_on_the_recommendation_and_action_pages(client, cast, world):
    month = f"{timezone.localtime(timezone.now() - timedelta(days=365)):%B %Y}"
    expected = f"Similar learning was assured in {world['earlier'].review.reference} in {month}"
    for name, pk in (
        ("reviews:recommendation_detail", cast.recommendation.pk),
        ("actions:detail", cast.action_a.pk),
    ):
        text = page(client, cast.viewer, name, pk)
        assert expected in text
        assert world["restricted"].review.reference not in text
        assert world["other"].review.reference not in text
    # A provider does not see the earlier review: no signal, and no hint of one.
    text = page(client, cast.provider_a_lead, "actions:detail", cast.action_a.pk)
    assert 'id="made-before"' not in text


@pytest.mark.django_db
def test_the_paper_names_learning_made_before_only_from_reviews_its_committee_reads(cast, world):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cast.review.monitoring_forums.add(forum)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)

    snapshot = paper_snapshot(paper)

    assert snapshot["schema"] == 3
    (item,) = snapshot["made_before"]
    assert [e["review"] for e in item["earlier"]] == [world["earlier"].review.reference]
    html = render_paper_html(snapshot, draft=True, for_pdf=False)
    assert "Similar learning was assured in " + world["earlier"].review.reference in html
    assert world["restricted"].review.reference not in html
    assert world["other"].review.reference not in html
    document = docx.Document(io.BytesIO(paper_docx(snapshot, draft=True)))
    assert any("Similar learning was assured" in p.text for p in document.paragraphs)


@pytest.mark.django_db
def test_a_paper_issued_before_schema_three_renders_as_it_was(cast, world):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cast.review.monitoring_forums.add(forum)
    paper = factories.paper(meeting=factories.meeting(forum=forum), by=cast.secretary)
    snapshot = paper_snapshot(paper)
    snapshot["schema"] = 2
    del snapshot["made_before"]

    html = render_paper_html(snapshot, draft=False, for_pdf=False)
    document = docx.Document(io.BytesIO(paper_docx(snapshot, draft=False)))

    assert "Learning made before" not in html
    assert not any("Learning made before" in p.text for p in document.paragraphs)


# --- recompute on write ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_recompute_with_nothing_written_since_does_nothing(cast, world):
    state = SimilarityState.objects.get()
    RecommendationSimilarity.objects.all().delete()

    services.similarities_recompute()

    assert not RecommendationSimilarity.objects.exists()
    assert SimilarityState.objects.get().computed_at == state.computed_at


@pytest.mark.django_db
def test_many_writes_in_one_transaction_hand_over_one_recompute(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    from reviews.tasks import similarities_recompute_run

    handed: list[dict] = []

    def worker(**options):
        handed.append(options)
        similarities_recompute_run()

    monkeypatch.setattr(similarities_recompute_run, "apply_async", worker)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for n in range(5):
            services.recommendation_create(
                review=cast.review, by=cast.commissioner, number=f"R{n}", text=CARERS
            )
    assert len(callbacks) == 1
    assert len(handed) == 1 and handed[0]["countdown"] >= 0
    state = SimilarityState.objects.get()
    assert not state.stale
    assert state.recommendation_count >= 6


@pytest.mark.django_db
def test_editing_only_the_addressee_does_not_ask_for_a_recompute(cast):
    services.similarities_recompute(force=True)
    before = SimilarityState.objects.get().requested_at
    services.recommendation_update(
        recommendation=cast.recommendation, by=cast.commissioner, addressed_to=cast.provider_a
    )
    assert SimilarityState.objects.get().requested_at == before
    services.recommendation_update(
        recommendation=cast.recommendation, by=cast.commissioner, text="Something else."
    )
    assert SimilarityState.objects.get().stale


# --- repeated-learning groups ------------------------------------------------------------


@pytest.mark.django_db
def test_groups_span_reviews_and_hold_only_what_the_person_sees(cast, world):
    (group,) = repeated_learning_groups(cast.viewer)
    shown = {r.pk for r in group.recommendations}
    assert shown == {cast.recommendation.pk, world["earlier"].pk}
    assert world["restricted"].pk not in shown
    (group,) = repeated_learning_groups(cast.commissioner)
    assert world["restricted"].pk in {r.pk for r in group.recommendations}
    assert repeated_learning_groups(cast.provider_a_lead) == []


@pytest.mark.django_db
def test_a_commissioner_accepts_a_suggested_theme_in_one_click(client, cast, world):
    (group,) = repeated_learning_groups(cast.commissioner)
    client.force_login(cast.commissioner)
    text = client.get(reverse("reviews:repeated_learning")).content.decode()
    assert f'value="{escape(group.suggestion)}"' in text

    response = client.post(
        reverse("reviews:theme_suggestion_accept"),
        {"name": group.suggestion, "recommendations": group.ids},
    )

    theme = Theme.objects.get(name=group.suggestion)
    assert response.status_code == 302
    assert set(theme.recommendations.values_list("pk", flat=True)) == {
        r.pk for r in group.recommendations
    }
    (again,) = repeated_learning_groups(cast.commissioner)
    assert again.tagged


@pytest.mark.django_db
def test_accepting_a_theme_tags_nothing_the_person_may_not_change(cast, world):
    with pytest.raises(Exception, match="None of these"):
        services.theme_suggestion_accept(
            name="carers", recommendation_ids=[world["other"].pk], by=cast.commissioner
        )
    assert not world["other"].themes.exists()


@pytest.mark.django_db
def test_groups_on_the_labelled_set_are_mostly_one_learning_each(cast):
    """Every group built from the labelled set holds mostly one learning: the groups
    a commissioner is offered as themes make sense."""
    reviews = {}
    recommendation_learning = {}
    for item in labelled()["recommendations"]:
        if item["review"] not in reviews:
            reviews[item["review"]] = factories.review(body=cast.csp)
        recommendation = factories.recommendation(reviews[item["review"]])
        recommendation.text = item["text"]
        recommendation.save()
        recommendation_learning[recommendation.pk] = item["learning"]
    services.similarities_recompute(force=True)
    groups = repeated_learning_groups(cast.commissioner)
    assert groups
    for group in groups:
        learning = [recommendation_learning.get(r.pk) for r in group.recommendations]
        most = max(learning.count(x) for x in set(learning))
        assert most / len(learning) >= 0.8, (group.suggestion, learning)
    assert MATCH_THRESHOLD > 0
