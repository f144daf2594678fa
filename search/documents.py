"""What the search covers, and how one kind of text is matched (docs/search.md).

Each kind is a model's own columns. On PostgreSQL they are matched with full-text search
in the English configuration (`websearch_to_tsquery`, so "self-neglect", quoted phrases
and -exclusions work as people expect), served by one GIN expression index per kind
(search/migrations/0001). The expression below must stay exactly the one indexed, or
PostgreSQL stops using the index: change both together. Elsewhere (SQLite, for
`make run`) every word must appear in one of the columns, case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import Q, QuerySet

CONFIG = "english"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    singular: str
    # The columns searched, also the index expression's (search/migrations/0001).
    fields: tuple[str, ...]


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("review", "Reviews", "Review", ("reference", "title")),
        Kind("recommendation", "Recommendations", "Recommendation", ("text",)),
        Kind("action", "Actions", "Action", ("description", "expected_outcome")),
        Kind("update", "Progress updates", "Progress update", ("text",)),
        Kind("evidence", "Evidence", "Evidence", ("description",)),
    )
}


def full_text(queryset: QuerySet) -> bool:
    """Whether the queryset's database does full-text search (PostgreSQL)."""
    return connections[queryset.db].vendor == "postgresql"


def vector(kind: Kind) -> SearchVector:
    return SearchVector(*kind.fields, config=CONFIG)


def query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


# Words for the fallback and for highlighting there: quotes, a leading minus and other
# search syntax are dropped; a hyphenated word stays one word.
_WORD = re.compile(r"[\w][\w'’-]*[\w]|\w", re.UNICODE)


def words(text: str) -> list[str]:
    seen: list[str] = []
    for word in _WORD.findall(text):
        if word.lower() not in (w.lower() for w in seen) and word.lower() not in {"or", "and"}:
            seen.append(word)
    return seen[:10]


def matching(queryset: QuerySet, kind: Kind, text: str) -> QuerySet:
    """The rows of `queryset` whose text matches; `search_rank`-free, for filters (the
    action list's `q`). An empty or wordless text matches nothing."""
    if not words(text):
        return queryset.none()
    if full_text(queryset):
        return queryset.annotate(search_document=vector(kind)).filter(search_document=query(text))
    return queryset.filter(fallback_q(kind, text))


def fallback_q(kind: Kind, text: str) -> Q:
    """Every word in one of the kind's columns (SQLite)."""
    condition = Q()
    for word in words(text):
        any_column = Q()
        for name in kind.fields:
            any_column |= Q(**{f"{name}__icontains": word})
        condition &= any_column
    return condition
