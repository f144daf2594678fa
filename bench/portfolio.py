"""Generates a large portfolio for benchmarks, on the database DATABASE_URL names.

Used by bench/bench_pages.py. Rows are written with bulk_create (no history rows),
which is what a long-lived portfolio looks like to the list and dashboard queries.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership, Organisation, User
from actions.choices import EvidenceReviewState, Status
from actions.models import Action, Evidence, ProgressUpdate
from governance.choices import Cadence, ForumKind
from governance.models import Forum
from reviews.models import Recommendation, Review, ReviewType, Theme
from reviews.services import review_types_ensure_defaults

PREFIX = "BENCH"
ACTIONS_PER_RECOMMENDATION = 5
RECOMMENDATIONS_PER_REVIEW = 10
BATCH = 5000


def existing_actions() -> int:
    return Action.objects.filter(recommendation__review__reference__startswith=PREFIX).count()


@transaction.atomic
def generate(total_actions: int, seed: int = 7) -> User:
    """Builds the portfolio (idempotent for the same size) and returns its commissioner."""
    rng = random.Random(seed)
    review_types_ensure_defaults()
    icb, _ = Organisation.objects.get_or_create(
        short_name="BENCH ICB",
        defaults={"name": "Bench ICB", "kind": OrganisationKind.COMMISSIONER},
    )
    board, _ = Organisation.objects.get_or_create(
        short_name="BENCH CSP",
        defaults={"name": "Bench CSP", "kind": OrganisationKind.PARTNERSHIP_BOARD},
    )
    providers = [
        Organisation.objects.get_or_create(
            short_name=f"BENCH P{i:02d}",
            defaults={"name": f"Bench provider {i:02d}", "kind": OrganisationKind.PROVIDER},
        )[0]
        for i in range(20)
    ]
    icb.commissioned_providers.add(*providers)
    commissioner, created = User.objects.get_or_create(username="bench.commissioner")
    if created:
        commissioner.set_password("bench-password-123")
        commissioner.save()
        Membership.objects.create(user=commissioner, organisation=icb, role=Role.SAFEGUARDING_LEAD)
    if existing_actions() >= total_actions:
        return commissioner

    forums = [
        Forum.objects.get_or_create(
            short_name=f"BENCH F{i}",
            defaults={
                "name": f"Bench forum {i}",
                "kind": ForumKind.CQRG,
                "organisation": icb,
                "cadence": Cadence.MONTHLY,
            },
        )[0]
        for i in range(10)
    ]
    themes = [Theme.objects.get_or_create(name=f"bench theme {i}")[0] for i in range(12)]
    types = list(ReviewType.objects.exclude(code="IMR"))
    per_review = ACTIONS_PER_RECOMMENDATION * RECOMMENDATIONS_PER_REVIEW
    n_reviews = -(-total_actions // per_review)
    start = Review.objects.filter(reference__startswith=PREFIX).count()

    reviews = Review.objects.bulk_create(
        Review(
            review_type=rng.choice(types),
            reference=f"{PREFIX} {i:06d}",
            title=f"Person {i}",
            commissioning_body=board,
            owner=icb,
            restricted=(i % 50 == 0),
        )
        for i in range(start, n_reviews)
    )
    Review.monitoring_forums.through.objects.bulk_create(
        Review.monitoring_forums.through(review_id=r.pk, forum_id=rng.choice(forums).pk)
        for r in reviews
    )
    recommendations = Recommendation.objects.bulk_create(
        (
            Recommendation(
                review=r,
                number=str(n),
                text="Bench recommendation",
                addressed_to=rng.choice(providers),
            )
            for r in reviews
            for n in range(1, RECOMMENDATIONS_PER_REVIEW + 1)
        ),
        batch_size=BATCH,
    )
    Recommendation.themes.through.objects.bulk_create(
        (
            Recommendation.themes.through(recommendation_id=r.pk, theme_id=rng.choice(themes).pk)
            for r in recommendations
        ),
        batch_size=BATCH,
    )
    today = timezone.localdate()
    statuses = list(Status.values)
    made = existing_actions()
    actions = []
    for rec in recommendations:
        for k in range(ACTIONS_PER_RECOMMENDATION):
            if made >= total_actions:
                break
            due = today + timedelta(days=rng.randint(-400, 400))
            status = rng.choice(statuses)
            actions.append(
                Action(
                    recommendation=rec,
                    number=f"{rec.number}.{k + 1}",
                    description="Bench action: train staff and audit the result.",
                    owner_organisation=rec.addressed_to,
                    lead_role_title="Named Nurse",
                    lead_user=commissioner if rng.random() < 0.001 else None,
                    original_time_frame="Quarter 3 2026/27",
                    due_date=due,
                    revised_due_date=due + timedelta(days=60) if rng.random() < 0.1 else None,
                    status=status,
                    closure_rationale="Superseded." if status == Status.CLOSED else "",
                    monitoring_forum=rng.choice(forums),
                )
            )
            made += 1
    actions = Action.objects.bulk_create(actions, batch_size=BATCH)
    now = timezone.now()
    ProgressUpdate.objects.bulk_create(
        (
            ProgressUpdate(
                action=a,
                author=commissioner,
                text="Bench update.",
                status=a.status,
                created_at=now - timedelta(days=rng.randint(0, 300)),
            )
            for a in actions
            if rng.random() < 0.6
        ),
        batch_size=BATCH,
    )
    Evidence.objects.bulk_create(
        (
            Evidence(
                action=a,
                description="Audit",
                file=f"evidence/bench-{a.pk}.pdf",
                original_filename="audit.pdf",
                uploaded_by=commissioner,
                review_state=rng.choice(EvidenceReviewState.values),
                rejection_reason="Unreadable.",
            )
            for a in actions
            if rng.random() < 0.3
        ),
        batch_size=BATCH,
    )
    return commissioner
