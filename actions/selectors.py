"""Reads for the action pages: listing, dashboard figures, history timeline."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from accounts.access import Verb
from accounts.models import Organisation, User
from actions.choices import (
    HEADLINE_STATUSES,
    STATUS_BAND,
    STATUS_STYLE,
    Band,
    EvidenceReviewState,
    ExtensionState,
    Status,
)
from actions.models import (
    Action,
    ActionQuerySet,
    Evidence,
    ExtensionRequest,
    PortfolioGeneration,
    ProgressUpdate,
    Reminder,
)
from governance.models import Forum
from reviews.models import Review
from trackerapp.financial_year import FinancialQuarter
from trackerapp.pagination import KnownCountPaginator

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User as UserType
    from actions.forms import ActionFilterForm

HOME_LIST_LIMIT = 50
DASHBOARD_LIST_LIMIT = 10
DUE_SOON_DAYS = 30
HEADLINE_FORMULA = (
    "(completed + assured + on track) ÷ all actions in scope, closed and not started "
    "included, rounded down to a whole percent"
)


def _with_page_relations(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.select_related(
        "recommendation__review__review_type",
        "owner_organisation",
        "lead_user",
        "assured_by",
        "monitoring_forum",
    )


def action_for_user(user: UserType, pk: int) -> Action:
    """The one way a view loads an action: 404 unless the user may see it."""
    return get_object_or_404(_with_page_relations(Action.objects.visible_to(user)), pk=pk)


def action_for_page(user: UserType, pk: int) -> Action:
    """action_for_user, with the portfolio's generation read in the same query (the
    action page's records are kept under it: action_page_records)."""
    return get_object_or_404(
        _with_page_relations(Action.objects.visible_to(user)).annotate(**_generation_columns()),
        pk=pk,
    )


def _generation_columns() -> dict[str, Subquery]:
    """The portfolio's generation as two columns of a query a page makes anyway
    (generation_token, generation_value), for figures_key_at: no query of its own."""
    generation = PortfolioGeneration.objects.filter(pk=1)
    return {
        "generation_token": Subquery(generation.values("token")[:1]),
        "generation_value": Subquery(generation.values("value")[:1]),
    }


Actions = TypeVar("Actions", bound=QuerySet[Action])


def with_listing_columns(queryset: Actions) -> Actions:
    """Adds what each row of a list shows, in the same query: latest update and
    evidence count (subqueries, so the row count never multiplies)."""
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
    evidence_count = (
        Evidence.objects.filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.select_related(
        "recommendation__review__review_type", "owner_organisation", "lead_user"
    ).annotate(
        latest_update_text=Subquery(latest.values("text")[:1]),
        latest_update_at=Subquery(latest.values("created_at")[:1]),
        evidence_count=Coalesce(Subquery(evidence_count, output_field=IntegerField()), 0),
    )


def action_list_for(
    user: UserType, filters: ActionFilterForm, *, exporting: bool = False
) -> ActionQuerySet:
    """The action list (and its Excel export): the actions this user may see, a
    provider's only those of its own organisation (access.action_list_q), filtered and
    sorted by an ActionFilterForm, with the listing columns."""
    listed = Action.objects.visible_to(user).filter(access.action_list_q(user, exporting=exporting))
    return filters.apply(with_listing_columns(listed))


REVIEW_SUGGESTIONS = 10


def review_suggestions_for(user: UserType, typed: str) -> QuerySet[Review]:
    """The reviews offered as someone types a reference into the action list's review
    filter: the first few this person sees whose reference holds what they typed."""
    typed = typed.strip()
    if not typed:
        return Review.objects.none()
    return (
        Review.objects.visible_to(user)
        .filter(reference__icontains=typed)
        .only("pk", "reference", "title")
        .order_by("reference")[:REVIEW_SUGGESTIONS]
    )


def _listing(queryset):
    return queryset.select_related(
        "recommendation__review", "owner_organisation", "lead_user"
    ).order_by("effective_due", "pk")


STALE_AFTER_DAYS = 60


# The provider's open actions by when they are due: (slug, heading), in page order.
PROVIDER_GROUPS = [
    ("overdue", "Overdue"),
    ("due-soon", f"Due in the next {DUE_SOON_DAYS} days"),
    ("later", "Due later or no date set"),
]
# Rows of each group on the home page; the rest a page at a time, one group at a time.
PROVIDER_GROUP_PREVIEW = 10
PROVIDER_GROUP_PAGE = 25


def _provider_group_q(slug: str, today: date) -> Q:
    soon = today + timedelta(days=DUE_SOON_DAYS)
    if slug == "overdue":
        return Q(effective_due__lt=today)
    if slug == "due-soon":
        return Q(effective_due__gte=today, effective_due__lte=soon)
    return Q(effective_due__gt=soon) | Q(effective_due__isnull=True)


def home_actions_for(
    user: UserType, *, group: str | None = None, page: str | None = None
) -> dict[str, Any]:
    """What the home page shows to someone who does not manage the portfolio: open
    actions they lead; for providers, their organisation's open actions grouped as
    overdue / due in the next 30 days / later, with when each was last updated (the
    first few of each group, or one group a page at a time when `group` names it); for
    viewers and secretaries, the overdue ones. A fixed number of queries, and rows
    drawn, however many actions the organisation has; the counts and first rows are
    kept until the portfolio changes (portfolio_figures)."""
    today = timezone.localdate()
    kept = portfolio_figures(user, "home", today, lambda: _home_figures(user, today))
    stale_before = timezone.now() - timedelta(days=STALE_AFTER_DAYS)

    def marked(actions: Any) -> list[Action]:
        rows = list(actions)
        for action in rows:
            action.is_stale = action.updated_at < stale_before
        return rows

    groups = [{**g, "actions": marked(g["actions"])} for g in kept["organisation_groups"]]
    context: dict[str, Any] = {
        **kept,
        "organisation_groups": groups,
        "organisation_page": None,
        "group": None,
        "stale_after_days": STALE_AFTER_DAYS,
    }
    chosen = next((g for g in groups if g["slug"] == group), None)
    if chosen is not None:
        own = Action.objects.visible_to(user).open()
        own = own.filter(owner_organisation_id__in=access.reach(user).provider)
        paginator = KnownCountPaginator(
            _listing(own.filter(_provider_group_q(chosen["slug"], today))),
            PROVIDER_GROUP_PAGE,
            count=chosen["count"],
        )
        shown_page = paginator.get_page(page)
        shown_page.object_list = marked(shown_page.object_list)
        context["group"] = chosen
        context["organisation_page"] = shown_page
    return context


def _home_figures(user: UserType, today: date) -> dict[str, Any]:
    visible_open = Action.objects.visible_to(user).open()
    figures: dict[str, Any] = {
        "today": today,
        "led_actions": list(_listing(visible_open.filter(lead_user=user))[:HOME_LIST_LIMIT]),
        "organisation_groups": [],
        "portfolio_overdue": [],
        "open_count": visible_open.count(),
        "overdue_count": visible_open.overdue(today).count(),
    }
    if access.may(user, Verb.READ_PORTFOLIO):
        overdue = visible_open.overdue(today)
        figures["portfolio_overdue"] = list(_listing(overdue)[:HOME_LIST_LIMIT])
        figures["portfolio_summary"] = _portfolio_summary(user, today)
    org_ids = access.reach(user).provider
    if not org_ids:
        return figures
    own = visible_open.filter(owner_organisation_id__in=org_ids)
    counts = own.aggregate(
        **{slug: Count("pk", filter=_provider_group_q(slug, today)) for slug, _ in PROVIDER_GROUPS}
    )
    figures["organisation_groups"] = [
        {
            "slug": slug,
            "heading": heading,
            "count": counts[slug],
            "actions": list(
                _listing(own.filter(_provider_group_q(slug, today)))[:PROVIDER_GROUP_PREVIEW]
            ),
        }
        for slug, heading in PROVIDER_GROUPS
    ]
    return figures


def _portfolio_summary(user: UserType, today: date) -> dict[str, Any]:
    """For those who read the portfolio without managing it (viewers, lay members,
    secretaries): how many actions there are by status, and how many were assured
    this financial quarter. One query."""
    quarter = FinancialQuarter.containing(today)
    assured_since = Q(status=Status.ASSURED, assured_at__date__gte=quarter.start)
    rows = list(
        Action.objects.visible_to(user)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), assured=Count("pk", filter=assured_since))
    )
    counts = {row["status"]: row["n"] for row in rows}
    return {
        "total": sum(counts.values()),
        "by_status": [
            {"status": s, "label": Status(s).label, "count": counts.get(s, 0)}
            for s in Status.values
        ],
        "assured_this_quarter": sum(row["assured"] for row in rows),
        "quarter": quarter.label,
    }


# --- figures ---------------------------------------------------------------------


def headline_percent(counts: dict[str, int]) -> tuple[int, int, int]:
    """(percent, numerator, denominator) of actions completed or on track. Rounded
    down: a committee paper must never overstate progress (docs/domain.md)."""
    denominator = sum(counts.values())
    numerator = sum(counts.get(status, 0) for status in HEADLINE_STATUSES)
    percent = (numerator * 100) // denominator if denominator else 0
    return percent, numerator, denominator


def band_counts(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The five committee bands with count, (rounded-down) percent, and each band's
    exact share and offset for drawing them as one bar."""
    total = sum(counts.values())
    bands = dict.fromkeys(Band.values, 0)
    for status, n in counts.items():
        bands[STATUS_BAND[status]] += n
    result, offset = [], 0.0
    for band, n in bands.items():
        share = 100 * n / total if total else 0.0
        result.append(
            {
                "band": band,
                "label": Band(band).label,
                "count": n,
                "percent": (n * 100) // total if total else 0,
                "share": round(share, 3),
                "offset": round(offset, 3),
            }
        )
        offset += share
    return result


@dataclass
class ChartSegment:
    status: str
    label: str
    count: int
    x: float
    width: float
    fill: str
    text: str
    pattern: str
    show_label: bool


@dataclass
class ChartRow:
    label: str
    total: int
    y: int
    segments: list[ChartSegment] = field(default_factory=list)


@dataclass
class StatusChart:
    """A horizontal stacked bar per group, drawn as inline SVG. Each segment has a
    pattern and its count written on it, and a table follows, so it reads without
    colour."""

    title: str
    rows: list[ChartRow]
    height: int
    label_width: int = 170
    bar_width: int = 520
    row_height: int = 30

    @property
    def statuses(self) -> list[dict[str, str]]:
        return [
            {"status": s, "label": Status(s).label, **STATUS_STYLE[s].__dict__}
            for s in Status.values
        ]


def status_chart(title: str, grouped: dict[str, dict[str, int]]) -> StatusChart:
    label_width, bar_width, row_height = 170, 520, 30
    biggest = max((sum(c.values()) for c in grouped.values()), default=0) or 1
    rows = []
    for index, (label, counts) in enumerate(grouped.items()):
        row = ChartRow(label=label, total=sum(counts.values()), y=index * row_height)
        x = float(label_width)
        for status in Status.values:
            n = counts.get(status, 0)
            if not n:
                continue
            width = bar_width * n / biggest
            style = STATUS_STYLE[status]
            row.segments.append(
                ChartSegment(
                    status=status,
                    label=Status(status).label,
                    count=n,
                    x=round(x, 2),
                    width=round(width, 2),
                    fill=style.fill,
                    text=style.text,
                    pattern=style.pattern,
                    show_label=width >= 22,
                )
            )
            x += width
        rows.append(row)
    return StatusChart(title=title, rows=rows, height=max(len(rows), 1) * row_height + 4)


def _grouped_counts(queryset: QuerySet[Action], key: str) -> dict[str, dict[str, int]]:
    grouped: dict[str, dict[str, int]] = {}
    for row in queryset.order_by().values(key, "status").annotate(n=Count("pk")).order_by(key):
        grouped.setdefault(row[key] or "None", {})[row["status"]] = row["n"]
    return grouped


FIGURES_KEPT_SECONDS = 60 * 60
Figures = TypeVar("Figures")


def figures_key(user: UserType, name: str, today: date) -> str | None:
    """The key under which figures about the portfolio as this person sees it are kept:
    the portfolio's generation (actions.models.PortfolioGeneration, changed by the
    database in the transaction of every write), the person and their roles in each
    organisation (so one person's figures never reach another, nor outlive a change of
    role or a review they are named on), and the day (overdue and due soon move at
    midnight). None without a generation (not PostgreSQL): nothing is kept then."""
    row = PortfolioGeneration.objects.filter(pk=1).values_list("token", "value").first()
    return figures_key_at(row, user, name, today)


def figures_key_at(
    row: tuple[Any, int] | None, user: UserType, name: str, today: date
) -> str | None:
    """figures_key for the generation (token, value) already read, e.g. with the row
    the page reads anyway (action_for_page)."""
    if (
        row is None
        or row[0] is None
        or connection.vendor != "postgresql"
        or not settings.KEEP_PORTFOLIO_FIGURES
    ):
        return None
    r = access.reach(user)
    roles = (
        r.active,
        r.admin,
        *(sorted(ids) for ids in (r.commissioner, r.secretary, r.viewer, r.provider)),
    )
    about = repr((name, str(row[0]), row[1], user.pk, roles, today.isoformat()))
    return "portfolio-figures:" + hashlib.sha256(about.encode()).hexdigest()


def kept_figures(key: str | None, work_out: Callable[[], Figures]) -> Figures:
    """The figures kept under `key` (figures_key), worked out and kept if there are none."""
    if key is None:
        return work_out()
    found = cache.get(key)
    if found is None:
        found = work_out()
        cache.set(key, found, FIGURES_KEPT_SECONDS)
    return found


def portfolio_figures(
    user: UserType, name: str, today: date, work_out: Callable[[], Figures]
) -> Figures:
    """Figures about the portfolio as this person sees it, worked out once and kept (in
    the cache) until anything they are made of changes (figures_key)."""
    return kept_figures(figures_key(user, name, today), work_out)


def dashboard_for(user: UserType, today: date | None = None) -> dict[str, Any]:
    """The commissioner's home. A fixed number of queries whatever the portfolio's size:
    four short lists with their counts, and two grouped counts for the charts, kept
    until the portfolio next changes (portfolio_figures); the undelivered reminders
    counted afresh, as reminder runs do not change the portfolio."""
    today = today or timezone.localdate()
    key = figures_key(user, "dashboard", today)
    figures = kept_figures(key, lambda: _dashboard_figures(user, today))
    return {
        **figures,
        # The page keeps its drawing of the figures under the same key.
        "figures_key": key,
        "undelivered_count": undelivered_reminders_for(user).count(),
    }


def _dashboard_figures(user: UserType, today: date) -> dict[str, Any]:
    visible = Action.objects.visible_to(user)
    open_actions = visible.open()
    overdue = open_actions.overdue(today)
    due_soon = open_actions.filter(
        effective_due__gte=today, effective_due__lte=today + timedelta(days=DUE_SOON_DAYS)
    )
    awaiting = visible.filter(status=Status.COMPLETED)
    mine = open_actions.filter(lead_user=user)
    mine_due = mine.aggregate(
        overdue=Count("pk", filter=Q(effective_due__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(
                effective_due__gte=today,
                effective_due__lte=today + timedelta(days=DUE_SOON_DAYS),
            ),
        ),
    )

    def short_list(queryset, order=("effective_due", "pk")):
        return list(_listing(queryset).order_by(*order)[:DASHBOARD_LIST_LIMIT])

    by_provider = _grouped_counts(visible, "owner_organisation__short_name")
    by_type = _grouped_counts(visible, "recommendation__review__review_type__code")
    totals: dict[str, int] = {}
    for counts in by_provider.values():
        for status, n in counts.items():
            totals[status] = totals.get(status, 0) + n
    percent, numerator, denominator = headline_percent(totals)
    return {
        "today": today,
        "trend": _dashboard_trend(user, today),
        "mine": short_list(mine),
        "mine_count": mine.count(),
        "mine_overdue_count": mine_due["overdue"],
        "mine_due_soon_count": mine_due["due_soon"],
        "overdue": short_list(overdue),
        "overdue_count": overdue.count(),
        "due_soon": short_list(due_soon),
        "due_soon_count": due_soon.count(),
        "awaiting": short_list(awaiting, ("completed_on", "pk")),
        "awaiting_count": awaiting.count(),
        "status_totals": [
            {"status": s, "label": Status(s).label, "count": totals.get(s, 0)}
            for s in Status.values
        ],
        "bands": band_counts(totals),
        "headline": {"percent": percent, "numerator": numerator, "denominator": denominator},
        "headline_formula": HEADLINE_FORMULA,
        "chart_by_provider": status_chart("Actions by owner organisation and status", by_provider),
        "chart_by_type": status_chart("Actions by review type and status", by_type),
        "due_soon_days": DUE_SOON_DAYS,
    }


def _dashboard_trend(user: UserType, today: date) -> dict[str, Any]:
    """The quarterly report's trend for everything the person can see: the last eight
    quarter ends up to today, the same figures and chart. One query."""
    # Imported here: governance's report builds on this module's figures.
    from governance.quarterly import TREND_QUARTERS, quarterly_scope, trend_chart, trend_for

    quarter = FinancialQuarter.containing(today)
    trend = trend_for(quarterly_scope(user), quarter, quarters=TREND_QUARTERS, now=timezone.now())
    return {
        "quarters": trend,
        "chart": trend_chart(trend, "Completed or on track, and the committee bands, by quarter"),
    }


# --- history ---------------------------------------------------------------------

# Shown through the status sentence ("Signed off as assured by …") or not at all.
TIMELINE_HIDDEN_FIELDS = {
    "version",
    "updated_at",
    "created_at",
    "assured_at",
    "assured_by",
    "completed_on",
}
# The fields a history row may change, compared row by row (cheaper than diff_against,
# which builds a model diff of every field, many-to-many included, for each pair).
# Only what the history records: the copied due date in force and the listing keys
# (Action's HistoricalRecords excluded_fields) are not kept in it.
_RECORDED = {f.name for f in Action.history.model._meta.concrete_fields}
TIMELINE_FIELDS = [
    f
    for f in Action._meta.concrete_fields
    if f.name in _RECORDED and f.name not in TIMELINE_HIDDEN_FIELDS | {"id", "recommendation"}
]
TIMELINE_NAMES = {
    "lead_user": "lead",
    "lead_role_title": "lead's role",
    "owner_organisation": "owner",
    "monitoring_forum": "monitoring forum",
    "closure_rationale": "reason for closing",
}


@dataclass
class TimelineEntry:
    when: datetime
    who: str
    changes: list[str]
    note: str


def _display(field_name: str, value: Any, lookups: dict[str, dict[int, str]]) -> str:
    if field_name == "status":
        return Status(value).label.lower()
    if field_name in lookups:
        return lookups[field_name].get(value, "someone no longer listed")
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    text = str(value)
    return "“" + (text if len(text) <= 80 else text[:77] + "…") + "”"


def _sentence(
    field: Field, old: Any, new: Any, lookups: dict[str, dict[int, str]], who: str
) -> str:
    """One change as a person says it: "Due date changed from 1 May 2026 to 30 June
    2026", "Lead set to S. Khan", "Revised due date removed (was 30 June 2026)"."""
    name = TIMELINE_NAMES.get(field.name, str(field.verbose_name))
    name = name[0].upper() + name[1:]
    if field.name == "status" and new == Status.ASSURED:
        return f"Signed off as assured by {who}"
    if field.name == "status":
        return f"Status changed from {_display('status', old, lookups)} to {_display('status', new, lookups)}"
    if old in (None, ""):
        return f"{name} set to {_display(field.name, new, lookups)}"
    if new in (None, ""):
        return f"{name} removed (was {_display(field.name, old, lookups)})"
    return f"{name} changed from {_display(field.name, old, lookups)} to {_display(field.name, new, lookups)}"


def action_timeline(action: Action) -> list[TimelineEntry]:
    """The action's history as sentences, newest first: when (date and time), who, and
    what changed ("Status changed from on track to completed"). Two queries, and one
    more per kind of person, organisation or forum named in a change."""
    records = list(
        action.history.select_related("history_user").order_by("history_date", "history_id")
    )
    pairs: list[tuple[Any, list[tuple[Field, Any, Any]]]] = []
    ids: dict[str, set[int]] = {
        "lead_user": set(),
        "owner_organisation": set(),
        "monitoring_forum": set(),
    }
    previous = None
    for record in records:
        changes: list[tuple[Field, Any, Any]] = []
        if previous is not None:
            for field in TIMELINE_FIELDS:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append((field, old, new))
                    if field.name in ids:
                        ids[field.name].update(v for v in (old, new) if v)
        pairs.append((record, changes))
        previous = record
    lookups = {
        "lead_user": {u.pk: u.display_name for u in User.objects.filter(pk__in=ids["lead_user"])}
        if ids["lead_user"]
        else {},
        "owner_organisation": dict(
            Organisation.objects.filter(pk__in=ids["owner_organisation"]).values_list(
                "pk", "short_name"
            )
        )
        if ids["owner_organisation"]
        else {},
        "monitoring_forum": dict(
            Forum.objects.filter(pk__in=ids["monitoring_forum"]).values_list("pk", "short_name")
        )
        if ids["monitoring_forum"]
        else {},
    }
    entries = []
    for index, (record, changes) in enumerate(pairs):
        who = record.history_user.display_name if record.history_user else "the system"
        if index == 0:
            sentences = ["Action added"]
        else:
            sentences = [_sentence(field, old, new, lookups, who) for field, old, new in changes]
        if not sentences and not record.history_change_reason:
            continue
        entries.append(
            TimelineEntry(
                when=record.history_date,
                who=who,
                changes=sentences,
                note=record.history_change_reason or "",
            )
        )
    entries.reverse()
    return entries


def reminder_inbox_for(user: UserType) -> QuerySet:
    """The user's reminders, newest first, only about things they may still see."""
    from django.db.models import Q

    visible = Action.objects.visible_to(user).values("pk")
    return (
        Reminder.objects.addressed_to(user)
        .filter(Q(action__isnull=True) | Q(action__in=visible))
        .select_related(
            "action__recommendation__review", "action__owner_organisation", "meeting__forum"
        )
        .order_by("-created_at", "-pk")
    )


def undelivered_reminders_for(user: UserType) -> QuerySet:
    """Reminder emails that could not be delivered (refused by the mail server, or
    failing past the retry cap), newest first, for the safeguarding team and admins to
    put right: about what the user may see."""

    return (
        Reminder.objects.undelivered()
        .about_work_of(user)
        .select_related(
            "recipient",
            "action__recommendation__review",
            "action__owner_organisation",
            "meeting__forum",
        )
        .order_by("-claimed_at", "-pk")
    )


# --- what is waiting on a person ---------------------------------------------------

# Rows of each "waiting on you" list on a home page; the counts say how many in all.
WAITING_LIST_LIMIT = 5
# Meetings whose paper deadline falls within this many days are "papers due".
PAPERS_DUE_DAYS = 60


def _count_of(queryset: QuerySet) -> Subquery:
    """COUNT(*) of `queryset` as a subquery, so several counts share one query."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def pending_extensions_for(user: UserType) -> QuerySet[ExtensionRequest]:
    """Extension requests awaiting a decision on the actions this person manages."""
    return ExtensionRequest.objects.filter(
        state=ExtensionState.PENDING,
        action__in=Action.objects.managed_by(user).values("pk"),
    )


def pending_evidence_for(user: UserType) -> QuerySet[Evidence]:
    """Evidence waiting for this person's decision (the evidence queue's rows)."""
    return Evidence.objects.awaiting_decision_of(user)


def header_counts_for(user: UserType) -> dict[str, Any]:
    """The counts in the header: unread notifications for everyone; for the safeguarding
    team, the evidence and the extension requests awaiting their decision (and when the
    oldest evidence came). One query a request: the unread count (small, by recipient,
    and moved by reminders, which are not portfolio writes) is read fresh with the
    portfolio's generation, and the decisions waiting, which at 100,000 actions took
    70 ms to count through who may see what, are kept under the generation like the
    figures (figures_key; evidence and extension requests move it), so they are
    counted again only after a write, in one more query. Worked out once per request
    (kept on the user object, as accounts.access.reach is), so the home page reuses
    them."""
    found = getattr(user, "_header_counts", None)
    if found is not None:
        return found
    with connection.cursor() as cursor:
        cursor.execute(_header_sql(), [user.pk])
        unread, token, value = cursor.fetchone()
    generation = (token, value) if token is not None else None
    found = {"unread": unread or 0, "generation": generation}
    if access.may(user, Verb.MANAGE):
        key = figures_key_at(generation, user, "decisions waiting", timezone.localdate())
        found.update(kept_figures(key, lambda: _decisions_waiting(user)))
    setattr(user, "_header_counts", found)  # noqa: B010 - the user object lives one request
    return found


@functools.cache
def _header_sql() -> str:
    """The header's one query, written out once: every page asks it, and building it
    through the ORM (a count and two subqueries) took longer than the database took to
    answer it. The unread count is Reminder.objects.addressed_to(user).unread(), which
    tests/actions/test_home.py holds it to."""
    quote = connection.ops.quote_name
    reminders = Reminder._meta
    generation = PortfolioGeneration._meta
    recipient = reminders.get_field("recipient").column
    read_at = reminders.get_field("read_at").column
    table = quote(generation.db_table)
    return (
        f"SELECT (SELECT COUNT(*) FROM {quote(reminders.db_table)} "
        f"WHERE {quote(recipient)} = %s AND {quote(read_at)} IS NULL), "
        f"(SELECT {quote('token')} FROM {table} WHERE {quote('id')} = 1), "
        f"(SELECT {quote('value')} FROM {table} WHERE {quote('id')} = 1)"
    )


def page_drawing_key(request: HttpRequest, name: str) -> str | None:
    """The key a drawing of this page is kept under (trackerapp.kept_pages): the
    figures_key of the person, their roles, the day and the portfolio's generation as
    the header read it at the start of this request (so what the page then reads is at
    least as new as the key says), with the address asked for, query and all, whether
    htmx asked for part of it, and what the header shows besides (the unread count,
    which reminders move without a portfolio write, and whether the second factor is
    passed). None for anything but a GET."""
    if request.method != "GET":
        return None
    user = cast("UserType", request.user)
    header = header_counts_for(user)
    shown = sorted((k, str(v)) for k, v in header.items() if k != "generation")
    # The menu is hidden from a session part way through signing in (mfa).
    verified = getattr(user, "is_verified", lambda: None)()
    about = (
        f"{name} {request.get_full_path()} htmx={bool(request.headers.get('HX-Request'))} "
        f"header={shown} verified={verified}"
    )
    return figures_key_at(header["generation"], user, about, timezone.localdate())


def _decisions_waiting(user: UserType) -> dict[str, Any]:
    """The evidence and extension requests awaiting this person's decision: how many,
    and when the oldest evidence came. One query."""
    evidence = pending_evidence_for(user)
    counts: dict[str, Any] = {
        "evidence": _count_of(evidence),
        "evidence_oldest": Subquery(evidence.order_by("uploaded_at").values("uploaded_at")[:1]),
        "extensions": _count_of(pending_extensions_for(user)),
    }
    row = User.objects.filter(pk=user.pk).annotate(**counts).values(*counts).first() or {}
    return {name: row.get(name) or (None if name == "evidence_oldest" else 0) for name in counts}


def manager_waiting_for(user: UserType) -> dict[str, Any]:
    """What waits on the safeguarding team's decision, for their home page: the
    evidence to review (how many, and since when the oldest has waited) and the
    extension requests (how many, the oldest few). The counts are the header's
    (header_counts_for); one query more for the requests when there are any. These are
    decisions waiting, not the portfolio, so never kept."""
    counts = header_counts_for(user)
    oldest = counts["evidence_oldest"]
    hint = ""
    if oldest is not None:
        days = (timezone.now() - oldest).days
        waited = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
        hint = f"The oldest was uploaded {waited} ({timezone.localtime(oldest):%-d %b %Y})."
    extensions: list[ExtensionRequest] = []
    if counts["extensions"]:
        extensions = list(
            pending_extensions_for(user)
            .select_related(
                "action__recommendation__review", "action__owner_organisation", "requested_by"
            )
            .order_by("requested_at", "pk")[:WAITING_LIST_LIMIT]
        )
    return {
        "evidence_waiting": counts["evidence"],
        "evidence_oldest": oldest,
        "evidence_hint": hint,
        "led_due_soon_name": f"Actions you lead due in the next {DUE_SOON_DAYS} days",
        "extensions_waiting": counts["extensions"],
        "extensions": extensions,
    }


def provider_waiting_for(user: UserType) -> dict[str, Any]:
    """What waits on a provider: evidence the safeguarding team rejected on their
    organisation's open actions with nothing uploaded since (to send again), and their
    extension requests still awaiting a decision (the oldest few). Two queries, three
    when more evidence was sent back than is shown; kept under the portfolio's
    generation (evidence and extension requests move it), since finding what was sent
    back walks the organisation's open actions (55 ms for 8,000 of them)."""
    return portfolio_figures(
        user, "provider waiting", timezone.localdate(), lambda: _provider_waiting(user)
    )


def _provider_waiting(user: UserType) -> dict[str, Any]:
    org_ids = access.reach(user).provider
    own_open = Action.objects.visible_to(user).open().filter(owner_organisation_id__in=org_ids)
    newer = Evidence.objects.filter(
        action_id=OuterRef("action_id"), uploaded_at__gt=OuterRef("reviewed_at")
    ).exclude(review_state=EvidenceReviewState.REJECTED)
    rejected = (
        Evidence.objects.filter(
            action__in=own_open.values("pk"), review_state=EvidenceReviewState.REJECTED
        )
        .exclude(Exists(newer))
        .select_related("action__recommendation__review", "reviewed_by")
        .order_by("-reviewed_at", "-pk")
    )
    asked = (
        ExtensionRequest.objects.filter(
            state=ExtensionState.PENDING, action__in=own_open.values("pk")
        )
        .select_related("action__recommendation__review")
        .order_by("requested_at", "pk")
    )
    shown = list(rejected[:WAITING_LIST_LIMIT])
    return {
        "rejected_evidence": shown,
        # Counted only when there may be more than are shown.
        "rejected_count": rejected.count() if len(shown) == WAITING_LIST_LIMIT else len(shown),
        "extensions_asked": list(asked[:WAITING_LIST_LIMIT]),
        "due_soon_days": DUE_SOON_DAYS,
    }


def papers_due_for(user: UserType, today: date | None = None) -> list[Any]:
    """The meetings this person arranges papers for whose paper deadline is coming
    (within PAPERS_DUE_DAYS), soonest first, each with its draft and issued papers
    counted. One query."""
    from governance.choices import PaperState
    from governance.models import Meeting

    today = today or timezone.localdate()
    meetings = (
        Meeting.objects.arranged_by(user)
        .upcoming(today)
        .filter(held_on__lte=today + timedelta(days=PAPERS_DUE_DAYS + 31))
        .select_related("forum")
        .annotate(
            drafts=Count("papers", filter=~Q(papers__state=PaperState.ISSUED)),
            issued=Count("papers", filter=Q(papers__state=PaperState.ISSUED)),
        )
        .order_by("held_on", "pk")
    )
    due = [m for m in meetings[:20] if m.paper_deadline <= today + timedelta(days=PAPERS_DUE_DAYS)]
    return due[:WAITING_LIST_LIMIT]


# --- the action page ---------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """The next thing this person can do on an action page, and where on it."""

    text: str
    anchor: str


def action_next_step(
    *,
    action: Action,
    evidence_states: list[str],
    status_choices: list[Any],
    pending_extension: Any,
    can_update: bool,
    can_manage: bool,
) -> NextStep | None:
    """What the action is waiting on from this person, first things first: a decision
    on more time, evidence to review, the sign-off; for the provider, evidence and
    then marking it completed. None when nothing waits on them."""
    offered = {c.value for c in status_choices if c.offered}
    if can_manage:
        pending = evidence_states.count(EvidenceReviewState.PENDING)
        if pending_extension is not None:
            return NextStep("Decide the extension request", "extensions")
        if pending:
            pieces = "piece" if pending == 1 else "pieces"
            return NextStep(f"Review {pending} {pieces} of evidence", "evidence")
        if action.status == Status.COMPLETED and Status.ASSURED in offered:
            return NextStep("Sign off as assured", "change-status")
    if can_update and not action.is_finished:
        if not set(evidence_states) - {EvidenceReviewState.REJECTED}:
            return NextStep("Upload evidence", "add-evidence")
        if Status.COMPLETED in offered:
            return NextStep("Mark as completed", "change-status")
        return NextStep("Add a progress update", "add-update")
    return None


def action_page_records(user: UserType, action: Action) -> dict[str, Any]:
    """What the action page shows of the action's records as this person sees them:
    evidence, extension requests, progress updates, the history, learning made before,
    and whether they see the recommendation and the review's title. Worked out once
    and kept under figures_key, whose generation every write to these records (and to
    the visibility they depend on, and to people's names) moves
    (actions.models.PORTFOLIO_TABLES; docs/performance.md)."""
    # Imported here: reviews' selectors build on this module.
    from reviews.models import Recommendation
    from reviews.selectors import made_before_for

    def work_out() -> dict[str, Any]:
        review = action.recommendation.review
        return {
            "evidence": list(action.evidence.select_related("uploaded_by")),
            "extensions": list(
                action.extension_requests.select_related("requested_by", "decided_by")
            ),
            "updates": list(action.updates.select_related("author")),
            "timeline": action_timeline(action),
            "made_before": made_before_for(user, action.recommendation),
            "recommendation_visible": Recommendation.objects.visible_to(user)
            .filter(pk=action.recommendation_id)
            .exists(),
            "review_title_visible": not review.restricted
            or user.is_admin
            or review.named_people.filter(pk=user.pk).exists(),
        }

    if hasattr(action, "generation_token"):  # loaded by action_for_page
        annotated: Any = action
        generation = (annotated.generation_token, annotated.generation_value)
        key = figures_key_at(generation, user, f"action-page:{action.pk}", timezone.localdate())
    else:
        key = figures_key(user, f"action-page:{action.pk}", timezone.localdate())
    return kept_figures(key, work_out)
