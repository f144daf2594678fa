"""The migration that introduced organisations (docs/access.md, "Organisations introduced
into an existing installation"): run on an installation as it was before, it gives every
review an owner and keeps everybody's reach, losing nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def latest_but(app: str, name: str) -> list[tuple[str, str | None]]:
    """Every app at its latest migration that does not build on this one past `name`
    (None: none of its migrations), and this one held at `name`."""
    graph = MigrationExecutor(connection).loader.graph
    # backwards_plan: every migration that builds on this one, itself included.
    too_new = set(graph.backwards_plan((app, name))) - {(app, name)}
    targets: list[tuple[str, str | None]] = []
    for label, leaf in graph.leaf_nodes():
        node: tuple[str, str] | None = (app, name) if label == app else (label, leaf)
        while node is not None and node in too_new:
            earlier = [p.key for p in graph.node_map[node].parents if p.key[0] == label]
            node = earlier[0] if earlier else None
        targets.append((label, node[1] if node is not None else None))
    return targets


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # An app at None has none of its migrations, so nothing of it in the state.
    applied = [(label, name) for label, name in targets if name is not None]
    return executor.loader.project_state(applied).apps


BEFORE = "reviews", "0003_review_owner_and_shares"


@pytest.fixture
def old_installation(transactional_db):
    """One ICB's installation before organisations were kept apart: its team and
    viewer, two providers, the CSP that commissions DHRs, NHS England with a viewer of
    its own, a review with a forum, a lead and a named person, and a restricted one."""
    apps = migrate(latest_but(*BEFORE))
    Organisation = apps.get_model("accounts", "Organisation")
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    Review = apps.get_model("reviews", "Review")
    HistoricalReview = apps.get_model("reviews", "HistoricalReview")
    ReviewType = apps.get_model("reviews", "ReviewType")
    Recommendation = apps.get_model("reviews", "Recommendation")
    Action = apps.get_model("actions", "Action")
    Forum = apps.get_model("governance", "Forum")

    def org(short, kind):
        return Organisation.objects.create(
            name=f"{short} organisation", short_name=short, kind=kind
        )

    icb, nhse = org("ICB", "commissioner"), org("NHSE", "commissioner")
    trust, practice = org("TRUST", "provider"), org("GP", "provider")
    csp = org("CSP", "partnership_board")
    people = {}
    for name, where, role in [
        ("lead", icb, "safeguarding_lead"),
        ("sec", icb, "committee_secretary"),
        ("lay", icb, "viewer"),
        ("nhse.viewer", nhse, "viewer"),
        ("nurse", trust, "provider_lead"),
    ]:
        people[name] = User.objects.create(username=name)
        Membership.objects.create(user=people[name], organisation=where, role=role)
    dhr, _ = ReviewType.objects.get_or_create(code="DHR", defaults={"name": "DHR"})
    forum = Forum.objects.create(
        name="SAG", short_name="SAG", kind="sag", organisation=icb, cadence="quarterly"
    )
    review = Review.objects.create(
        review_type=dhr, reference="DHR 1", title="Mr A", commissioning_body=csp
    )
    HistoricalReview.objects.create(
        id=review.pk,
        review_type_id=dhr.pk,
        reference="DHR 1",
        title="Mr A",
        commissioning_body_id=csp.pk,
        lifecycle="in_progress",
        restricted=False,
        history_date="2025-01-01T00:00:00Z",
        history_type="+",
        created_at="2025-01-01T00:00:00Z",
        updated_at="2025-01-01T00:00:00Z",
    )
    review.monitoring_forums.add(forum)
    rec = Recommendation.objects.create(review=review, number="1", text="Share.", addressed_to=csp)
    Action.objects.create(
        recommendation=rec,
        number="1.1",
        description="Agree a protocol.",
        owner_organisation=trust,
        lead_user=people["nurse"],
        monitoring_forum=forum,
        status="on_track",
    )
    restricted = Review.objects.create(
        review_type=dhr, reference="DHR 2", title="Ms B", commissioning_body=csp, restricted=True
    )
    restricted.named_people.add(people["lead"])
    # Through the owner migrations and every later one: the test reads with today's
    # models.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    yield {"icb": icb.pk, "nhse": nhse.pk, "csp": csp.pk, "trust": trust.pk, "gp": practice.pk}
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_it_gives_every_review_the_single_organisation_as_owner_and_loses_nothing(
    old_installation,
):
    from accounts.models import Organisation, User
    from actions.models import Action
    from reviews.models import Review, ReviewShare
    from reviews.services import outside_circle

    ids = old_installation
    assert set(Review.objects.values_list("owner_id", flat=True)) == {ids["icb"]}
    assert set(Review.history.values_list("owner_id", flat=True)) == {ids["icb"]}
    assert Review.objects.count() == 2 and Action.objects.count() == 1
    # Both providers work with the ICB, so their actions stay assignable.
    for provider in ("trust", "gp"):
        assert list(
            Organisation.objects.get(pk=ids[provider]).commissioned_by.values_list("pk", flat=True)
        ) == [ids["icb"]]
    # The CSP (a recommendation is addressed to it) and NHS England (a viewer reads the
    # portfolio there) keep their reach through read shares; the ICB shares with nobody
    # it owns.
    shares = set(ReviewShare.objects.values_list("review__reference", "organisation_id", "access"))
    assert shares == {
        (reference, ids[partner], "read")
        for reference in ("DHR 1", "DHR 2")
        for partner in ("csp", "nhse")
    }
    for review in Review.objects.all():
        assert outside_circle(review) == []
    # Everyone sees what they saw before.
    seen = {
        username: set(
            Review.objects.visible_to(User.objects.get(username=username)).values_list(
                "reference", flat=True
            )
        )
        for username in ("lead", "sec", "lay", "nhse.viewer", "nurse")
    }
    assert seen == {
        "lead": {"DHR 1", "DHR 2"},
        "sec": {"DHR 1"},
        "lay": {"DHR 1"},
        "nhse.viewer": {"DHR 1"},
        "nurse": {"DHR 1"},
    }


def test_it_does_nothing_on_a_new_installation(transactional_db):
    migrate(latest_but(*BEFORE))
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from reviews.models import Review, ReviewShare

    assert not Review.objects.exists() and not ReviewShare.objects.exists()
