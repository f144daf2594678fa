from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import access
from accounts.access import Verb
from accounts.choices import REVIEW_OWNER_KINDS
from actions.models import Action
from audit.choices import AuditEvent
from audit.services import audit_record
from reviews.choices import DEFAULT_REVIEW_TYPES, ShareAccess
from reviews.models import Recommendation, Review, ReviewShare, ReviewType, Theme
from trackerapp.history import record_change

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
