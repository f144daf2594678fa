"""Gives every existing review an owner, and keeps everyone's reach as it was.

Before organisations were kept apart an installation served one commissioning
organisation: every commissioner, secretary and viewer saw every non-restricted review.
So (docs/access.md, "Organisations introduced into an existing installation"):

1. the owner is that single organisation: the commissioner (or, failing one, the
   partnership) where most people hold commissioner, secretary or viewer roles;
2. every provider works with it, so actions stay assignable;
3. any other organisation that something of a review points to (an action, a
   recommendation, a forum, a lead or a named person), or in which people hold the
   roles that read the portfolio, is given a share of every review: to contribute where
   it has a safeguarding team, to read otherwise. Nobody loses what they could see or do.

History rows are given the same owner, so the review's history reads whole.
"""

from __future__ import annotations

from collections import Counter

from django.db import migrations

COMMISSIONER = "commissioner"
PARTNERSHIP_BOARD = "partnership_board"
PROVIDER = "provider"
SAFEGUARDING_LEAD = "safeguarding_lead"
PORTFOLIO_ROLES = ("safeguarding_lead", "committee_secretary", "viewer")


def _home(Organisation, Membership, Review):
    held = Counter(
        Membership.objects.filter(
            role__in=PORTFOLIO_ROLES, organisation__kind__in=(COMMISSIONER, PARTNERSHIP_BOARD)
        ).values_list("organisation_id", flat=True)
    )
    if held:
        kinds = dict(Organisation.objects.filter(pk__in=held).values_list("pk", "kind"))
        # Commissioners first, then the most people, then the oldest.
        return min(held, key=lambda pk: (kinds[pk] != COMMISSIONER, -held[pk], pk))
    for kind in (COMMISSIONER, PARTNERSHIP_BOARD):
        first = Organisation.objects.filter(kind=kind).order_by("pk").first()
        if first is not None:
            return first.pk
    first_review = Review.objects.order_by("pk").first()
    return first_review.commissioning_body_id if first_review else None


def forwards(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Membership = apps.get_model("accounts", "Membership")
    Review = apps.get_model("reviews", "Review")
    HistoricalReview = apps.get_model("reviews", "HistoricalReview")
    ReviewShare = apps.get_model("reviews", "ReviewShare")
    Action = apps.get_model("actions", "Action")
    Forum = apps.get_model("governance", "Forum")

    home = _home(Organisation, Membership, Review)
    if home is None:
        return  # a new installation: nothing to own
    Review.objects.filter(owner__isnull=True).update(owner_id=home)
    HistoricalReview.objects.filter(owner__isnull=True).update(owner_id=home)

    Link = Organisation.commissioned_by.through
    providers = Organisation.objects.filter(kind=PROVIDER).values_list("pk", flat=True)
    Link.objects.bulk_create(
        [Link(from_organisation_id=pk, to_organisation_id=home) for pk in providers],
        ignore_conflicts=True,
    )

    # Organisations that something points to, or whose people read the portfolio.
    pointed: set[int] = set()
    pointed |= set(Action.objects.values_list("owner_organisation_id", flat=True))
    Recommendation = apps.get_model("reviews", "Recommendation")
    pointed |= set(
        Recommendation.objects.exclude(addressed_to=None).values_list("addressed_to_id", flat=True)
    )
    forums = set(
        Action.objects.exclude(monitoring_forum=None).values_list("monitoring_forum_id", flat=True)
    )
    forums |= set(Review.monitoring_forums.through.objects.values_list("forum_id", flat=True))
    pointed |= set(Forum.objects.filter(pk__in=forums).values_list("organisation_id", flat=True))
    people = set(Action.objects.exclude(lead_user=None).values_list("lead_user_id", flat=True))
    people |= set(Review.named_people.through.objects.values_list("user_id", flat=True))
    pointed |= set(
        Membership.objects.filter(user_id__in=people).values_list("organisation_id", flat=True)
    )
    pointed |= set(
        Membership.objects.filter(role__in=PORTFOLIO_ROLES).values_list(
            "organisation_id", flat=True
        )
    )
    linked = set(providers)
    partners = sorted(pointed - linked - {home})
    if not partners:
        return
    safeguarding = set(
        Membership.objects.filter(role=SAFEGUARDING_LEAD, organisation_id__in=partners).values_list(
            "organisation_id", flat=True
        )
    )
    review_ids = list(Review.objects.values_list("pk", flat=True))
    ReviewShare.objects.bulk_create(
        [
            ReviewShare(
                review_id=review_id,
                organisation_id=partner,
                access="contribute" if partner in safeguarding else "read",
            )
            for review_id in review_ids
            for partner in partners
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_review_owner_and_shares"),
        ("accounts", "0005_organisation_partners"),
        ("actions", "0005_evidence_download_permission"),
        ("governance", "0003_export_permission"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
