"""The search page's reads: ranked, highlighted hits over everything a person may read
(docs/search.md). Every kind is read through its model's `visible_to(user)`, the same
choke point as every page, so a search never finds what the person could not open."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchHeadline, SearchRank
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from actions.models import Action, Evidence, ProgressUpdate
from reviews.models import Recommendation, Review
from search.documents import KINDS, Kind, fallback_q, full_text, query, vector, words

if TYPE_CHECKING:
    from accounts.models import User

# Hits kept per kind before ranking across kinds: a search that finds more is asked to
# be narrowed (the page says "more than 200").
MAX_PER_KIND = 200
# Characters either side of the first match in a long text, on the fallback.
SNIPPET_RADIUS = 120
# PostgreSQL marks matches with these (private-use characters no one types); the text
# is escaped first and only then are they turned into <mark>, so a review's own text can
# never inject markup.
START, STOP = "\ue000", "\ue001"


@dataclass
class Hit:
    kind: Kind
    pk: int
    rank: float
    title: SafeString | str = ""
    snippet: SafeString | str = ""
    url: str = ""
    context: str = ""


def visible(kind: Kind, user: User) -> QuerySet:
    querysets: dict[str, Callable[[], QuerySet]] = {
        "review": lambda: Review.objects.visible_to(user),
        "recommendation": lambda: Recommendation.objects.visible_to(user),
        "action": lambda: Action.objects.visible_to(user),
        "update": lambda: ProgressUpdate.objects.visible_to(user),
        "evidence": lambda: Evidence.objects.visible_to(user),
    }
    return querysets[kind.key]()


def ranked_ids(user: User, kind: Kind, text: str) -> list[tuple[float, int]]:
    """(rank, id) of the best matches of one kind, best first, at most MAX_PER_KIND + 1
    (the one more says there are more)."""
    queryset = visible(kind, user).order_by()
    if full_text(queryset):
        search = query(text)
        rows = (
            queryset.annotate(search_document=vector(kind))
            .filter(search_document=search)
            .annotate(search_rank=SearchRank(F("search_document"), search))
            .order_by("-search_rank", "-pk")
            .values_list("search_rank", "pk")[: MAX_PER_KIND + 1]
        )
        return [(float(rank), pk) for rank, pk in rows]
    # SQLite: the rank is how often the words occur, shorter texts first on a tie.
    found = queryset.filter(fallback_q(kind, text)).values_list("pk", *kind.fields)
    terms = [w.lower() for w in words(text)]
    scored = []
    for pk, *columns in found[: MAX_PER_KIND * 5]:
        body = " ".join(c or "" for c in columns).lower()
        hits = sum(body.count(term) for term in terms)
        scored.append((hits / (1 + len(body) / 1000), pk))
    scored.sort(key=lambda pair: (-pair[0], -pair[1]))
    return scored[: MAX_PER_KIND + 1]


@dataclass
class Results:
    text: str
    kind: Kind | None
    counts: dict[str, int]
    hits: list[Hit]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def search_for(user: User, text: str, kind_key: str | None = None) -> Results:
    """Every kind's count, and the hits (of one kind if asked), best first. The page
    then draws one page of them with `drawn`."""
    text = text.strip()
    chosen = KINDS.get(kind_key or "")
    counts: dict[str, int] = {}
    hits: list[Hit] = []
    if words(text):
        for kind in KINDS.values():
            ranked = ranked_ids(user, kind, text)
            counts[kind.key] = len(ranked)
            if chosen is None or chosen is kind:
                hits += [Hit(kind=kind, pk=pk, rank=rank) for rank, pk in ranked[:MAX_PER_KIND]]
    order = list(KINDS)
    hits.sort(key=lambda h: (-h.rank, order.index(h.kind.key), -h.pk))
    return Results(text=text, kind=chosen, counts=counts, hits=hits)


# --- Drawing one page of hits ------------------------------------------------------


def marked(text: str) -> SafeString:
    """PostgreSQL's headline, escaped, with its match markers made into <mark>."""
    safe = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped above; only our own <mark> is added


def highlighted(text: str, terms: Iterable[str], *, snippet: bool = False) -> SafeString:
    """The fallback's highlighting: each word marked wherever it occurs (case-insensitive),
    and for a snippet only the stretch around the first match."""
    text = text or ""
    terms = [t for t in terms if t]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    if snippet and pattern and len(text) > 2 * SNIPPET_RADIUS:
        first = pattern.search(text)
        middle = first.start() if first else 0
        start, end = max(0, middle - SNIPPET_RADIUS), middle + SNIPPET_RADIUS
        text = ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped


def _headlines(queryset: QuerySet, text: str, fields: dict[str, bool]) -> QuerySet:
    """Adds `hl_<field>` headlines on PostgreSQL: whole short fields, fragments of long."""
    search = query(text)
    annotations: dict[str, Any] = {}
    for name, whole in fields.items():
        options: dict[str, Any] = {"start_sel": START, "stop_sel": STOP, "config": "english"}
        if whole:
            options["highlight_all"] = True
        else:
            options.update(max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ")
        annotations[f"hl_{name}"] = SearchHeadline(name, search, **options)
    return queryset.annotate(**annotations)


def drawn(user: User, hits: list[Hit], text: str) -> list[Hit]:
    """Fills in title, snippet, link and context of these hits (one page of them), with
    a few queries per kind."""
    terms = words(text)
    by_kind: dict[str, dict[int, Hit]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind.key, {})[hit.pk] = hit
    if not by_kind:
        return hits
    review_ids: set[int] = set()
    loaded: dict[str, list[Any]] = {}
    for key, wanted in by_kind.items():
        kind = KINDS[key]
        queryset = visible(kind, user).filter(pk__in=list(wanted))
        queryset = _related(key, queryset)
        if full_text(queryset):
            queryset = _headlines(queryset, text, _display_fields(key))
        loaded[key] = list(queryset)
        review_ids |= {_review_id(key, obj) for obj in loaded[key]}
    # A provider's action on a restricted review is theirs to find, but the review's
    # reference is not theirs to read: it is named only to those who read the review.
    readable = set(
        Review.objects.visible_to(user).filter(pk__in=review_ids).values_list("pk", flat=True)
    )
    for key, objects in loaded.items():
        for obj in objects:
            hit = by_kind[key][obj.pk]

            def show(name: str, *, snippet: bool = False, obj: Any = obj) -> SafeString:
                headline = getattr(obj, f"hl_{name}", None)
                if headline is not None:
                    return marked(headline)
                return highlighted(getattr(obj, name), terms, snippet=snippet)

            review_label = (
                _review_label(obj, key)
                if _review_id(key, obj) in readable
                else "A restricted review"
            )
            _fill(hit, key, obj, show, review_label)
    return hits


def _display_fields(key: str) -> dict[str, bool]:
    """The columns drawn for a kind: True for a short one shown whole."""
    return {
        "review": {"reference": True, "title": True},
        "recommendation": {"text": False},
        "action": {"description": False, "expected_outcome": False},
        "update": {"text": False},
        "evidence": {"description": True},
    }[key]


def _related(key: str, queryset: QuerySet) -> QuerySet:
    return {
        "review": lambda: queryset.select_related("review_type"),
        "recommendation": lambda: queryset.select_related("review"),
        "action": lambda: queryset.select_related("recommendation__review", "owner_organisation"),
        "update": lambda: queryset.select_related("action__recommendation__review", "author"),
        "evidence": lambda: queryset.select_related("action__recommendation__review"),
    }[key]()


def _review_id(key: str, obj: Any) -> int:
    if key == "review":
        return obj.pk
    if key == "recommendation":
        return obj.review_id
    if key == "action":
        return obj.recommendation.review_id
    return obj.action.recommendation.review_id


def _review_label(obj: Any, key: str) -> str:
    review = {
        "review": lambda: obj,
        "recommendation": lambda: obj.review,
        "action": lambda: obj.recommendation.review,
    }.get(key, lambda: obj.action.recommendation.review)()
    return review.reference


def _fill(hit: Hit, key: str, obj: Any, show: Callable[..., SafeString], review: str) -> None:
    if key == "review":
        hit.title = mark_safe(f"{show('reference')} – {show('title')}")  # noqa: S308 - escaped
        hit.url = obj.get_absolute_url()
        hit.context = obj.review_type.code if obj.review_type_id else ""
    elif key == "recommendation":
        hit.title = f"Recommendation {obj.number}"
        hit.snippet = show("text", snippet=True)
        hit.url = reverse("reviews:detail", args=[obj.review_id])
        hit.context = review
    elif key == "action":
        hit.title = f"Action {obj.number}".strip() if obj.number else "Action"
        description = show("description", snippet=True)
        outcome = show("expected_outcome", snippet=True) if obj.expected_outcome else ""
        hit.snippet = description if "<mark>" in description or not outcome else outcome
        hit.url = obj.get_absolute_url()
        hit.context = f"{review} · {obj.owner_organisation.short_name}"
    elif key == "update":
        hit.title = f"Update on action {obj.action.number}".rstrip()
        hit.snippet = show("text", snippet=True)
        hit.url = obj.action.get_absolute_url()
        hit.context = f"{review} · {obj.created_at:%-d %b %Y}"
    else:
        hit.title = show("description")
        hit.snippet = escape(obj.original_filename)
        hit.url = obj.action.get_absolute_url() + "#evidence"
        hit.context = f"{review} · action {obj.action.number}".rstrip()
