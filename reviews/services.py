from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts import access
from accounts.access import Verb
from accounts.choices import REVIEW_OWNER_KINDS
from actions.models import Action
from audit.choices import AuditEvent
from audit.services import audit_record
from reviews.choices import DEFAULT_REVIEW_TYPES, ShareAccess
from reviews.models import (
    Recommendation,
    RecommendationSimilarity,
    Review,
    ReviewShare,
    ReviewType,
    SimilarityState,
    Theme,
)
from reviews.similarity import similar_pairs
from trackerapp.history import record_change

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import Organisation, User
    from governance.models import Forum


def review_types_ensure_defaults() -> None:
    """Adds any missing default review type (docs/domain.md); never changes existing ones,
    which administrators may have renamed."""
    for code, name, accepts, is_contribution in DEFAULT_REVIEW_TYPES:
        ReviewType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "accepts_contributions": accepts,
                "is_contribution": is_contribution,
            },
        )


def default_owner(by: User) -> Organisation:
    """The organisation a person registers reviews for when they do not say: the one
    in which they are on the safeguarding team. Someone on several must choose."""
    owners = list(access.owner_choices(by)[:2])
    if len(owners) != 1:
        raise ValidationError({"owner": "Choose the organisation that will own this review."})
    return owners[0]


def _check_links(
    review: Review,
    *,
    by: User,
    monitoring_forums: Iterable[Forum] | None,
    named_people: Iterable[User] | None,
) -> None:
    """Refuses a forum, parent review or named person from outside the review's circle
    (docs/access.md): linking across organisations would show the review, or name it,
    where it has not been shared."""
    errors: dict[str, str] = {}
    if monitoring_forums is not None:
        allowed = set(access.assignable_forums(review).values_list("pk", flat=True))
        if any(forum.pk not in allowed for forum in monitoring_forums):
            errors["monitoring_forums"] = (
                "A review is monitored only by forums of its owner or of partners it is "
                "shared with."
            )
    if named_people is not None:
        allowed = set(access.assignable_people(review).values_list("pk", flat=True))
        if any(person.pk not in allowed for person in named_people):
            errors["named_people"] = "Name only people of the organisations this review reaches."
    if (
        review.parent_id
        and review.parent_id != getattr(review, "_saved_parent_id", None)
        and not Review.objects.visible_to(by).filter(pk=review.parent_id).exists()
    ):
        errors["parent"] = "Choose a review that is yours or shared with your organisation."
    if errors:
        raise ValidationError(errors)


def _check_addressee(recommendation: Recommendation) -> None:
    """A recommendation addressed to an organisation shows the review to that
    organisation's providers, so it must be one the review reaches."""
    if recommendation.addressed_to_id and not (
        access.assignable_organisations(recommendation.review)
        .filter(pk=recommendation.addressed_to_id)
        .exists()
    ):
        raise ValidationError(
            {
                "addressed_to": "This organisation does not work with the review's owner, "
                "and the review is not shared with it."
            }
        )


def review_create(
    *,
    by: User,
    monitoring_forums: Iterable[Forum] = (),
    named_people: Iterable[User] = (),
    **fields: Any,
) -> Review:
    """Registers a review for an organisation in which the person is on the
    safeguarding team (their only one, unless they say)."""
    owner = fields.pop("owner", None) or default_owner(by)
    access.require(by, Verb.CREATE_REVIEW, owner)
    review = Review(owner=owner, **fields)
    record_change(review, by=by, reason="Review registered")
    with transaction.atomic():
        review.full_clean()
        _check_links(review, by=by, monitoring_forums=monitoring_forums, named_people=named_people)
        review.save()
        review.monitoring_forums.set(monitoring_forums)
        review.named_people.set(named_people)
    return review


def review_update(
    *,
    review: Review,
    by: User,
    monitoring_forums: Iterable[Forum] | None = None,
    named_people: Iterable[User] | None = None,
    **fields: Any,
) -> Review:
    """Edits a review's details. Its owner is not among them: moving a review to
    another organisation is an administrator's job, in the admin."""
    access.require(by, Verb.MANAGE, review)
    if "owner" in fields:
        raise TypeError("A review's owner is changed in the admin, not here.")
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        locked._saved_parent_id = locked.parent_id
        for name, value in fields.items():
            setattr(locked, name, value)
        record_change(locked, by=by, reason="Details edited")
        locked.full_clean()
        _check_links(locked, by=by, monitoring_forums=monitoring_forums, named_people=named_people)
        locked.save()
        if monitoring_forums is not None:
            locked.monitoring_forums.set(monitoring_forums)
        if named_people is not None:
            locked.named_people.set(named_people)
    return locked


def themes_ensure(*, names: Iterable[str], by: User) -> list[Theme]:
    """The themes with these names, created if new. A name already used with other
    capitals is the existing theme, so "bed management" never splits from "Bed management"."""
    access.require(by, Verb.MANAGE)
    themes = []
    for name in names:
        theme = Theme.objects.filter(name__iexact=name).first()
        if theme is None:
            theme = Theme(name=name)
            theme.full_clean()
            theme.save()
        themes.append(theme)
    return themes


def recommendation_create(
    *,
    review: Review,
    by: User,
    themes: Iterable[Theme] = (),
    new_themes: Iterable[str] = (),
    **fields: Any,
) -> Recommendation:
    access.require(by, Verb.MANAGE, review)
    recommendation = Recommendation(review=review, **fields)
    record_change(recommendation, by=by)
    with transaction.atomic():
        recommendation.full_clean()
        _check_addressee(recommendation)
        recommendation.save()
        recommendation.themes.set([*themes, *themes_ensure(names=new_themes, by=by)])
        similarities_request()
    return recommendation


def recommendation_update(
    *,
    recommendation: Recommendation,
    by: User,
    themes: Iterable[Theme] | None = None,
    new_themes: Iterable[str] = (),
    **fields: Any,
) -> Recommendation:
    access.require(by, Verb.MANAGE, recommendation)
    with transaction.atomic():
        added = themes_ensure(names=new_themes, by=by)
        if added:
            themes = [
                *(themes if themes is not None else list(recommendation.themes.all())),
                *added,
            ]
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        compared = (locked.text, locked.review_id)
        for name, value in fields.items():
            setattr(locked, name, value)
        # Asked again of the recommendation as changed: moved to another review, it must
        # be one the person may change too.
        access.require(by, Verb.MANAGE, locked)
        record_change(locked, by=by)
        locked.full_clean()
        _check_addressee(locked)
        locked.save()
        if themes is not None:
            locked.themes.set(themes)
        # Only the wording and the review count: a new addressee changes no similarity.
        if (locked.text, locked.review_id) != compared:
            similarities_request()
    return locked


# --- Sharing with partners (docs/access.md) ---------------------------------------


def review_share(
    *,
    review: Review,
    organisation: Organisation,
    access_level: str,
    by: User,
    request: HttpRequest | None = None,
) -> ReviewShare:
    """Shares a review with a partner organisation, or changes what an existing
    partner may do. Only the owner's safeguarding team shares."""
    access.require(by, Verb.SHARE, review)
    if access_level == ShareAccess.CONTRIBUTE and organisation.kind not in REVIEW_OWNER_KINDS:
        raise ValidationError(
            {"access": "Only a commissioner, partnership or board contributes as commissioner."}
        )
    with transaction.atomic():
        share = ReviewShare.objects.filter(review=review, organisation=organisation).first()
        if share is None:
            share = ReviewShare(review=review, organisation=organisation, shared_by=by)
        share.access = access_level
        record_change(share, by=by)
        share.full_clean()
        share.save()
        audit_record(
            event=AuditEvent.REVIEW_SHARED,
            request=request,
            user=by,
            target=review,
            partner=organisation.short_name,
            access=access_level,
        )
    return share


def review_unshare(*, share: ReviewShare, by: User, request: HttpRequest | None = None) -> None:
    """Stops sharing a review with a partner. Refused while anything of the review
    still points into the partner's side (an action, a recommendation, a forum, a
    named person): those would be left reaching a review they no longer see, so they
    are moved first."""
    review = share.review
    access.require(by, Verb.SHARE, review)
    partner = share.organisation
    with transaction.atomic():
        # A fresh copy is deleted, so the caller's share is untouched if this is refused
        # (the exception leaves the block and rolls the deletion back).
        leaving = ReviewShare.objects.select_for_update().get(pk=share.pk)
        record_change(leaving, by=by)
        leaving.delete()
        left_out = outside_circle(review)
        if left_out:
            raise ValidationError(
                f"{partner} still has a part in this review ({'; '.join(left_out)}). "
                "Move these to another organisation first, then stop sharing."
            )
        audit_record(
            event=AuditEvent.REVIEW_UNSHARED,
            request=request,
            user=by,
            target=review,
            partner=partner.short_name,
        )


def outside_circle(review: Review) -> list[str]:
    """What of the review points outside its circle (docs/access.md), as a person
    would list it; empty when everything is within."""

    organisations = access.assignable_organisations(review).values("pk")
    forums = access.assignable_forums(review).values("pk")
    people = access.assignable_people(review).values("pk")
    actions = Action.objects.filter(recommendation__review=review)
    counts = {
        ("action", "actions", "assigned to it"): actions.exclude(
            owner_organisation__in=organisations
        ).count(),
        ("action", "actions", "led by its people"): actions.filter(lead_user__isnull=False)
        .exclude(lead_user__in=people)
        .count(),
        ("action", "actions", "monitored by its forums"): actions.filter(
            monitoring_forum__isnull=False
        )
        .exclude(monitoring_forum__in=forums)
        .count(),
        ("recommendation", "recommendations", "addressed to it"): review.recommendations.filter(
            addressed_to__isnull=False
        )
        .exclude(addressed_to__in=organisations)
        .count(),
        ("forum", "forums", "monitoring the review"): review.monitoring_forums.exclude(
            pk__in=forums
        ).count(),
        ("person", "people", "named on the review"): review.named_people.exclude(
            pk__in=people
        ).count(),
    }
    return [f"{n} {one if n == 1 else many} {what}" for (one, many, what), n in counts.items() if n]


# --- Similar recommendations (docs/repeated-learning.md) ---------------------------


def similarities_request() -> None:
    """Says the similarities need computing again, and hands that to the worker once
    the caller's transaction commits. However many recommendations one transaction
    writes (an import of hundreds of rows), it hands over one recompute; and a recompute
    that finds the work done since the last request does nothing."""
    SimilarityState.objects.update_or_create(pk=1, defaults={"requested_at": timezone.now()})
    # One hand-over per transaction: the callbacks waiting for this commit are Django's
    # list on the connection, so look there before adding another.
    if any(callback[1] is _publish_recompute for callback in connection.run_on_commit):
        return
    transaction.on_commit(_publish_recompute)


def _publish_recompute() -> None:
    """Hand the recompute to the broker. Never raises (an on_commit callback that
    raised would fail the request that saved the recommendation): a lost hand-over is
    picked up by the periodic check (trackerapp/beat_schedule.py)."""
    # Imported here: the task module imports this one.
    from reviews.tasks import similarities_recompute_run

    try:
        similarities_recompute_run.apply_async(
            countdown=settings.SIMILARITY_DEBOUNCE_SECONDS, ignore_result=True
        )
    except Exception:
        logger.exception("Similarities: the recompute could not be handed to the broker")


def _lock_recompute() -> None:
    """One recompute at a time (PostgreSQL: a transaction-scoped advisory lock, so a
    second worker waits, then finds the work done). SQLite runs one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SIMILARITY_LOCK])


# An arbitrary constant naming the similarity recompute among advisory locks.
SIMILARITY_LOCK = 7_334_001


def similarities_recompute(*, force: bool = False) -> SimilarityState:
    """Computes the most similar recommendations of other reviews for every
    recommendation and replaces the stored pairs with them, in one transaction, so a
    page reads the old pairs or the new, never half of each. Nothing to do (and nothing
    done) when no recommendation was written since the last run, unless forced.

    Every recommendation of every review is compared, whoever may see it: what a
    person is shown is filtered when it is read (RecommendationSimilarity.visible_to)."""
    with transaction.atomic():
        _lock_recompute()
        state, _created = SimilarityState.objects.get_or_create(pk=1)
        if not force and state.computed_at is not None and not state.stale:
            return state
        started = time.perf_counter()
        read_at = timezone.now()
        rows = list(Recommendation.objects.order_by("pk").values_list("pk", "review_id", "text"))
        pairs = similar_pairs([text for _pk, _review, text in rows], [r for _pk, r, _t in rows])
        RecommendationSimilarity.objects.all().delete()
        RecommendationSimilarity.objects.bulk_create(
            (
                RecommendationSimilarity(
                    recommendation_id=rows[pair.source][0],
                    similar_id=rows[pair.target][0],
                    score=pair.score,
                )
                for pair in pairs
            ),
            batch_size=5000,
        )
        state.computed_at = read_at
        state.recommendation_count = len(rows)
        state.pair_count = len(pairs)
        state.seconds = round(time.perf_counter() - started, 3)
        state.save(update_fields=["computed_at", "recommendation_count", "pair_count", "seconds"])
    logger.info(
        "Similarities recomputed: %s recommendations, %s pairs, %.1f s",
        state.recommendation_count,
        state.pair_count,
        state.seconds,
    )
    return state


def theme_suggestion_accept(
    *, name: str, recommendation_ids: Iterable[int], by: User
) -> tuple[Theme, int]:
    """Tags a group of similar recommendations with a theme (created if new) in one
    go: the repeated-learning page offers each group as a suggestion. Only the
    recommendations the person may change are tagged; the others, which the page never
    offered them, are left alone. Returns the theme and how many were tagged."""
    access.require(by, Verb.MANAGE)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the theme a name."})
    with transaction.atomic():
        (theme,) = themes_ensure(names=[name], by=by)
        ids = set(recommendation_ids)
        changeable = Recommendation.objects.filter(
            access.managed_review_q(by, to_review="review__"), pk__in=ids
        )
        tagged = 0
        for recommendation in changeable.select_related("review"):
            if access.may(by, Verb.MANAGE, recommendation):
                recommendation.themes.add(theme)
                tagged += 1
        if not tagged:
            raise ValidationError("None of these recommendations is one you may change.")
    return theme, tagged
