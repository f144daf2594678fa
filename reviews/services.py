from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from reviews.choices import DEFAULT_REVIEW_TYPES
from reviews.models import Recommendation, Review, ReviewType, Theme

if TYPE_CHECKING:
    from accounts.models import User
    from governance.models import Forum


def review_types_ensure_defaults() -> None:
    """Adds any missing default review type (DESIGN §2); never changes existing ones,
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


def _require_manager(by: User) -> None:
    if not (by.is_authenticated and by.manages_portfolio):
        raise PermissionDenied("Only the safeguarding team can change reviews.")


def review_create(
    *,
    by: User,
    monitoring_forums: Iterable[Forum] = (),
    named_people: Iterable[User] = (),
    **fields: Any,
) -> Review:
    _require_manager(by)
    review = Review(**fields)
    review._history_user = by
    review._change_reason = "Review registered"
    with transaction.atomic():
        review.full_clean()
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
    _require_manager(by)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked._history_user = by
        locked._change_reason = "Details edited"
        locked.full_clean()
        locked.save()
        if monitoring_forums is not None:
            locked.monitoring_forums.set(monitoring_forums)
        if named_people is not None:
            locked.named_people.set(named_people)
    return locked


def themes_ensure(*, names: Iterable[str], by: User) -> list[Theme]:
    """The themes with these names, created if new. A name already used with other
    capitals is the existing theme, so "bed management" never splits from "Bed management"."""
    _require_manager(by)
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
    _require_manager(by)
    recommendation = Recommendation(review=review, **fields)
    recommendation._history_user = by
    with transaction.atomic():
        recommendation.full_clean()
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
    _require_manager(by)
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
        locked._history_user = by
        locked.full_clean()
        locked.save()
        if themes is not None:
            locked.themes.set(themes)
    return locked
