"""Benchmark: how good and how fast the similar-recommendations method is
(docs/repeated-learning.md).

    .venv/bin/python bench/bench_similarity.py [--recommendations 10000] [--runs 15]

1. Quality, on the labelled set tests/data/similar_recommendations.yaml (no database):
   precision and recall over the judged pairs at MATCH_THRESHOLD (and at the other
   thresholds, for choosing), and precision@5: for each recommendation that has a
   learning, the share of its five closest recommendations of other reviews that are
   about the same learning.
2. Recompute time for `--recommendations` recommendations in 1,000 reviews on the
   database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tracker_bench,
   created if missing): the whole service, reading, comparing and storing the pairs.
3. Page overhead: the median server time of a recommendation's page and of an action's
   page, with the similar recommendations and learning made before, minus the same
   page with them switched off.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import bench_django, signed_in_client, without_static_manifest  # noqa: E402

LABELLED = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "similar_recommendations.yaml"
)
PREFIX = "SIMBENCH"
REVIEWS = 1000


def quality() -> dict[str, Any]:
    import yaml

    from reviews.similarity import MATCH_THRESHOLD, similar_pairs

    data = yaml.safe_load(LABELLED.read_text())
    recs = data["recommendations"]
    index = {r["id"]: i for i, r in enumerate(recs)}
    texts = [r["text"] for r in recs]
    # Every pair's score, whatever the review (a judged pair may share a review).
    every = similar_pairs(texts, list(range(len(texts))), keep=len(texts), threshold=0)
    score = {(p.source, p.target): p.score for p in every}

    def precision_recall(threshold: float) -> tuple[float, float]:
        tp = fp = fn = 0
        for a, b, similar in data["pairs"]:
            found = score.get((index[a], index[b]), 0.0) >= threshold
            tp += found and similar
            fp += found and not similar
            fn += similar and not found
        return tp / max(tp + fp, 1), tp / max(tp + fn, 1)

    closest: dict[int, list[int]] = defaultdict(list)
    for pair in similar_pairs(texts, [r["review"] for r in recs], keep=5, threshold=0):
        closest[pair.source].append(pair.target)
    judged = [i for i, r in enumerate(recs) if not r["learning"].startswith("z")]
    at_five = [
        sum(recs[t]["learning"] == recs[i]["learning"] for t in closest[i][:5]) / 5 for i in judged
    ]
    return {
        "recommendations": len(recs),
        "pairs": len(data["pairs"]),
        "similar_pairs": sum(1 for *_ab, s in data["pairs"] if s),
        "threshold": MATCH_THRESHOLD,
        "at": {t: precision_recall(t) for t in (0.15, 0.2, 0.25, 0.3)},
        "precision_at_5": sum(at_five) / len(at_five),
    }


def corpus(count: int, seed: int = 11) -> list[str]:
    """`count` recommendation texts: the labelled ones, each with a few words dropped and
    a few others' words added, so the vocabulary and length are those of real ones."""
    import yaml

    rng = random.Random(seed)
    texts = [r["text"] for r in yaml.safe_load(LABELLED.read_text())["recommendations"]]
    pool = [w for t in texts for w in t.rstrip(".").split()]
    made = []
    for n in range(count):
        words = rng.choice(texts).rstrip(".").split()
        for _ in range(rng.randint(0, 3)):
            words.pop(rng.randrange(len(words)))
        words += rng.sample(pool, rng.randint(0, 6))
        made.append(" ".join(words) + f" ({n}).")
    return made


def generate(count: int) -> Any:
    """Reviews and recommendations (one action each, a fifth of them assured) for the
    benchmark, created once; returns the commissioner who owns them."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Membership, Organisation, User
    from actions.choices import Status
    from actions.models import Action
    from reviews.models import Recommendation, Review, ReviewType
    from reviews.services import review_types_ensure_defaults

    review_types_ensure_defaults()
    icb, _ = Organisation.objects.get_or_create(
        short_name="SIMBENCH ICB",
        defaults={"name": "Similarity bench ICB", "kind": OrganisationKind.COMMISSIONER},
    )
    provider, _ = Organisation.objects.get_or_create(
        short_name="SIMBENCH P",
        defaults={"name": "Similarity bench provider", "kind": OrganisationKind.PROVIDER},
    )
    icb.commissioned_providers.add(provider)
    commissioner, created = User.objects.get_or_create(username="simbench.commissioner")
    if created:
        Membership.objects.create(user=commissioner, organisation=icb, role=Role.SAFEGUARDING_LEAD)
    have = Recommendation.objects.filter(review__reference__startswith=PREFIX).count()
    if have >= count:
        return commissioner
    Recommendation.objects.filter(review__reference__startswith=PREFIX).delete()
    Action.objects.filter(recommendation__review__reference__startswith=PREFIX).delete()
    Review.objects.filter(reference__startswith=PREFIX).delete()
    dhr = ReviewType.objects.get(code="DHR")
    now = timezone.now()
    with transaction.atomic():
        reviews = Review.objects.bulk_create(
            Review(
                review_type=dhr,
                reference=f"{PREFIX} {n:04d}",
                title=f"Bench {n}",
                commissioning_body=icb,
                owner=icb,
                published_date=(now - timedelta(days=4000 - 4 * n)).date(),
            )
            for n in range(REVIEWS)
        )
        recommendations = Recommendation.objects.bulk_create(
            (
                Recommendation(review=reviews[n % REVIEWS], number=str(n // REVIEWS + 1), text=t)
                for n, t in enumerate(corpus(count))
            ),
            batch_size=5000,
        )
        Action.objects.bulk_create(
            (
                Action(
                    recommendation=r,
                    owner_organisation=provider,
                    description=f"Bench action {n}",
                    status=Status.ASSURED if n % 5 == 0 else Status.ON_TRACK,
                    assured_at=now - timedelta(days=3000) if n % 5 == 0 else None,
                )
                for n, r in enumerate(recommendations)
            ),
            batch_size=5000,
        )
    return commissioner


def median_ms(client: Any, url: str, runs: int) -> float:
    client.get(url)  # warm: templates, connection
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recommendations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    found = quality()
    print(
        f"labelled set: {found['recommendations']} recommendations, {found['pairs']} judged "
        f"pairs ({found['similar_pairs']} similar)"
    )
    for threshold, (precision, recall) in found["at"].items():
        chosen = "  <- chosen (MATCH_THRESHOLD)" if threshold == found["threshold"] else ""
        print(f"  at {threshold:.2f}: precision {precision:.2f}, recall {recall:.2f}{chosen}")
    print(f"  precision@5: {found['precision_at_5']:.3f}")

    bench_django()
    from unittest import mock

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from actions.models import Action
    from reviews import selectors
    from reviews.models import Recommendation, RecommendationSimilarity
    from reviews.services import similarities_recompute

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    without_static_manifest()
    call_command("migrate", verbosity=0)
    commissioner = generate(args.recommendations)
    total = Recommendation.objects.count()
    started = time.perf_counter()
    state = similarities_recompute(force=True)
    seconds = time.perf_counter() - started
    print(
        f"recompute: {state.recommendation_count:,} recommendations ({total:,} in the "
        f"database), {state.pair_count:,} pairs stored, {seconds:.1f} s on {connection.vendor}"
    )

    # The page of a recommendation with five similar ones shown, one of them made before.
    shown = (
        RecommendationSimilarity.objects.filter(
            recommendation__review__reference__startswith=PREFIX, score__gte=0.3
        )
        .order_by("-recommendation__review__published_date")
        .values_list("recommendation_id", flat=True)
        .first()
    )
    assert shown is not None, "no recommendation with a close match"
    recommendation = Recommendation.objects.get(pk=shown)
    action = Action.objects.filter(recommendation=recommendation).first()
    assert action is not None
    client = signed_in_client(commissioner)
    pages = {
        "recommendation page": reverse("reviews:recommendation_detail", args=[recommendation.pk]),
        "action page": reverse("actions:detail", args=[action.pk]),
    }
    with_similar = {name: median_ms(client, url, args.runs) for name, url in pages.items()}
    empty = RecommendationSimilarity.objects.none()
    with (
        mock.patch.object(RecommendationSimilarity.objects, "visible_to", return_value=empty),
        mock.patch("actions.views.made_before_for", return_value=[]),
    ):
        without = {name: median_ms(client, url, args.runs) for name, url in pages.items()}
    context = selectors.recommendation_page(commissioner, recommendation)
    print(
        f"pages ({len(context['similar'])} similar shown, "
        f"{len(context['made_before'])} made before; median of {args.runs}):"
    )
    for name in pages:
        print(
            f"  {name}: {with_similar[name]:.1f} ms, {without[name]:.1f} ms without similar "
            f"recommendations: adds {with_similar[name] - without[name]:.1f} ms"
        )


if __name__ == "__main__":
    main()
