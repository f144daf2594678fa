from __future__ import annotations

from reviews.choices import DEFAULT_REVIEW_TYPES
from reviews.models import ReviewType


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
