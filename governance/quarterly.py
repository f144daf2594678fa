"""Reads for the quarterly assurance report: the headline figure and the five committee
bands over the last quarters, as the actions' history stood at each quarter end.

1. Scope: the actions the person may see (`Action.objects.visible_to`), less restricted
   reviews (a report goes to whole committees), and, for one forum, the actions that
   forum and every forum reporting up to it cover (the same rule as a paper's scope).
   An organisation filter is one more `.filter()` on `quarterly_scope`.
2. State at a quarter end: for each action in scope, its last django-simple-history
   record dated before midnight after the quarter's last day: window functions over the
   history table, one query for the whole trend and one for the chosen quarter's rows,
   never a loop over actions. An action with no record by then did not exist
   yet; one whose last record is a deletion no longer did.
3. Everything else (bands, breakdowns, slippage, themes) is counted from those rows.

The report is a JSON-safe dict, so the web page, the PDF and the Word file are rendered
from exactly the same figures.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Lead, RowNumber
from django.utils import timezone

from accounts.models import Organisation
from actions.choices import (
    FINISHED_STATUSES,
    STATUS_STYLE,
    Band,
    ExtensionState,
    Status,
)
from actions.models import Action, ExtensionRequest
from actions.selectors import HEADLINE_FORMULA, band_counts, headline_percent
from governance.models import Forum
from reviews.models import Recommendation, Review, ReviewType, Theme
from trackerapp.financial_year import FinancialQuarter

if TYPE_CHECKING:
    from accounts.models import User

TREND_QUARTERS = 8
# The PDF and Word files list the actions that slipped most, not every one: a committee
# reads the worst; the slippage page has them all.
SLIPPAGE_LISTED = 50
MIN_TREND_QUARTERS = 4

# Each band is drawn in the colour of the status that defines it (docs/domain.md).
BAND_STYLE = {
    Band.COMPLETED: STATUS_STYLE[Status.ASSURED],
    Band.ON_TRACK: STATUS_STYLE[Status.ON_TRACK],
    Band.AT_RISK: STATUS_STYLE[Status.AT_RISK],
    Band.OFF_TRACK: STATUS_STYLE[Status.OFF_TRACK],
    Band.CLOSED_OR_NOT_STARTED: STATUS_STYLE[Status.NOT_STARTED],
}


# --- scope -----------------------------------------------------------------------


def forums_reporting_to(user: User | None, forum: Forum) -> list[Forum]:
    """The forum and every forum that reports up to it, however many levels down
    (CQRG → SAG → QSC), among the forums the person may see (all of them for a paper,
    which is built for its forum, not for a person: user None). One query."""
    forums = Forum.objects.all() if user is None else Forum.objects.visible_to(user)
    visible = list(forums.select_related("provider"))
    below: dict[int | None, list[Forum]] = defaultdict(list)
    for candidate in visible:
        below[candidate.reports_to_id].append(candidate)
    found, queue, seen = [], [forum], set()
    while queue:
        current = queue.pop(0)
        if current.pk in seen:  # a loop in reports_to must not hang the report
            continue
        seen.add(current.pk)
        found.append(current)
        queue.extend(sorted(below.get(current.pk, []), key=lambda f: f.short_name))
    return found


def forums_scope_q(forums: list[Forum], prefix: str = "") -> Q:
    """The actions these forums cover: those assigned to one of them, and those on the
    reviews they monitor (a provider's CQRG: only that provider's actions). The same
    rule for a paper and for the quarterly report."""
    if not forums:
        return Q(pk__in=[])
    review_forums = [f.pk for f in forums if not f.provider_id]
    covered = Q(**{f"{prefix}monitoring_forum_id__in": [f.pk for f in forums]})
    if review_forums:
        covered |= Q(
            **{
                f"{prefix}recommendation__review_id__in": Review.monitoring_forums.through.objects.filter(
                    forum_id__in=review_forums
                ).values("review_id")
            }
        )
    for contract_forum in (f for f in forums if f.provider_id):
        covered |= Q(
            **{
                f"{prefix}owner_organisation_id": contract_forum.provider_id,
                f"{prefix}recommendation__review_id__in": Review.monitoring_forums.through.objects.filter(
                    forum_id=contract_forum.pk
                ).values("review_id"),
            }
        )
    return covered


def quarterly_scope(user: User, forums: list[Forum] | None = None) -> QuerySet[Action]:
    """The actions a quarterly report covers (see the module docstring)."""
    actions = Action.objects.visible_to(user).filter(recommendation__review__restricted=False)
    if forums is not None:
        actions = actions.filter(forums_scope_q(forums))
    return actions


# --- state as at a quarter end --------------------------------------------------


def quarter_cutoff(quarter: FinancialQuarter, now: datetime) -> tuple[datetime, bool]:
    """(the moment the quarter's figures are taken, whether the quarter is still running):
    midnight after its last day, local time, or now for the quarter we are in."""
    end = timezone.make_aware(datetime.combine(quarter.end + timedelta(days=1), time.min))
    if end > now:
        return now, True
    return end, False


def states_at(scope: QuerySet[Action], cutoff: datetime) -> QuerySet:
    """Each in-scope action's last history record before `cutoff`, deletions dropped:
    the action as it stood then. A windowed query, so one pass over the history."""
    HistoricalAction = Action.history.model
    latest = (
        HistoricalAction.objects.filter(id__in=scope.values("pk"), history_date__lt=cutoff)
        .annotate(
            newest_first=Window(
                RowNumber(),
                partition_by=[F("id")],
                order_by=[F("history_date").desc(), F("history_id").desc()],
            )
        )
        .filter(newest_first=1)
        .values("history_id")
    )
    return HistoricalAction.objects.filter(history_id__in=latest).exclude(history_type="-")


def _figures(counts: dict[str, int]) -> dict[str, Any]:
    percent, numerator, denominator = headline_percent(counts)
    return {
        "total": denominator,
        "headline": {"percent": percent, "numerator": numerator, "denominator": denominator},
        "bands": band_counts(counts),
        "counts": {s: counts.get(s, 0) for s in Status.values},
    }


# --- the chart -----------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 260
CHART_LEFT, CHART_TOP, CHART_BOTTOM = 44, 16, 40


def trend_chart(trend: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """A column per quarter, its five bands stacked to 100%, and the headline figure as a
    line with its value written at each point: geometry only, drawn by
    includes/trend_chart_svg.html on the page and in the PDF alike."""
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT - 8) / max(len(trend), 1)
    bar = min(56.0, slot * 0.6)
    columns, points = [], []
    for index, quarter in enumerate(trend):
        x = CHART_LEFT + slot * index + (slot - bar) / 2
        y = float(CHART_TOP + plot_height)
        segments = []
        for band in quarter["bands"]:
            height = plot_height * band["share"] / 100
            y -= height
            style = BAND_STYLE[band["band"]]
            segments.append(
                {
                    "label": band["label"],
                    "count": band["count"],
                    "y": round(y, 2),
                    "height": round(height, 2),
                    "fill": style.fill,
                    "stroke": style.text,
                }
            )
        centre = x + bar / 2
        percent = quarter["headline"]["percent"]
        point_y = CHART_TOP + plot_height * (100 - percent) / 100
        points.append(f"{centre:.2f},{point_y:.2f}")
        columns.append(
            {
                "label": quarter["label"],
                "x": round(x, 2),
                "centre": round(centre, 2),
                "width": round(bar, 2),
                "segments": segments,
                "empty": quarter["total"] == 0,
                "percent": percent,
                "point_y": round(point_y, 2),
                "label_y": round(max(point_y - 7, CHART_TOP + 9), 2),
            }
        )
    return {
        "title": title,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - 8,
        "axis_y": CHART_TOP + plot_height,
        "label_y": CHART_TOP + plot_height + 16,
        "gridlines": [
            {"value": v, "y": round(CHART_TOP + plot_height * (100 - v) / 100, 2)}
            for v in (0, 25, 50, 75, 100)
        ],
        "columns": columns,
        "line": " ".join(points),
        "legend": [
            {"label": Band(band).label, "fill": style.fill, "stroke": style.text}
            for band, style in BAND_STYLE.items()
        ],
    }


# --- the report ----------------------------------------------------------------------


def counts_at(scope: QuerySet[Action], cutoffs: list[datetime]) -> list[dict[str, int]]:
    """Actions by status as they stood at each cutoff, all cutoffs in one pass over the
    history: each record is annotated with the date of the action's next record (a
    window), and a record is the action's state at a cutoff when it is dated before the
    cutoff and the next one is not. One query whatever the number of quarters."""
    HistoricalAction = Action.history.model
    records = (
        HistoricalAction.objects.filter(id__in=scope.values("pk"))
        .annotate(
            superseded_at=Window(
                Lead("history_date"),
                partition_by=[F("id")],
                order_by=[F("history_date").asc(), F("history_id").asc()],
            )
        )
        .values("status", "history_type", "history_date", "superseded_at")
    )
    inner_sql, inner_params = records.query.get_compiler(using=records.db).as_sql()
    columns, params = [], []
    for index, cutoff in enumerate(cutoffs):
        columns.append(
            f"SUM(CASE WHEN r.history_date < %s AND (r.superseded_at IS NULL OR "
            f"r.superseded_at >= %s) THEN 1 ELSE 0 END) AS at_{index}"
        )
        params += [cutoff, cutoff]
    # The cutoffs are parameters, never text; the inner query is Django's own SQL.
    sql = (
        f"SELECT r.status, {', '.join(columns)} FROM ({inner_sql}) r "
        "WHERE r.history_type <> '-' GROUP BY r.status"
    )
    counts: list[dict[str, int]] = [{} for _ in cutoffs]
    with connections[records.db].cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        for status, *per_cutoff in cursor.fetchall():
            for index, n in enumerate(per_cutoff):
                if n:
                    counts[index][status] = int(n)
    return counts


def trend_for(
    scope: QuerySet[Action], quarter: FinancialQuarter, *, quarters: int, now: datetime
) -> list[dict[str, Any]]:
    """The headline and bands at each of the `quarters` quarter ends up to `quarter`,
    oldest first, from one query."""
    wanted = [quarter]
    while len(wanted) < quarters:
        wanted.insert(0, wanted[0].previous())
    cutoffs = [quarter_cutoff(each, now) for each in wanted]
    counts = counts_at(scope, [cutoff for cutoff, _running in cutoffs])
    return [
        {
            "label": each.label,
            "months": each.months,
            "as_at": _long_day(timezone.localdate(cutoff) if running else each.end),
            "running": running,
            **_figures(status_counts),
        }
        for each, (cutoff, running), status_counts in zip(wanted, cutoffs, counts, strict=True)
    ]


def _long_day(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _day(value: date | None) -> str:
    return f"{value:%-d %b %Y}" if value else ""


def _group_rows(
    grouped: dict[Any, dict[str, int]], names: dict[Any, dict[str, str]]
) -> list[dict[str, Any]]:
    rows = []
    for key, counts in grouped.items():
        rows.append({**names.get(key, {"name": "Unknown"}), **_figures(counts)})
    return sorted(rows, key=lambda r: (r.get("sort") or r["name"]).lower())


@dataclass(frozen=True)
class ActionState:
    """One action as it stood at the quarter end (a row of its history)."""

    history_id: int
    id: int
    status: str
    owner_id: int
    recommendation_id: int
    review_id: int
    due_date: date | None
    revised_due_date: date | None


def quarter_states(scope: QuerySet[Action], cutoff: datetime) -> list[ActionState]:
    """The in-scope actions as they stood at `cutoff`, read once: the breakdowns,
    slippage and themes are all counted from these rows. One query."""
    return [
        ActionState(*row)
        for row in states_at(scope, cutoff).values_list(
            "history_id",
            "id",
            "status",
            "owner_organisation_id",
            "recommendation_id",
            "recommendation__review_id",
            "due_date",
            "revised_due_date",
        )
    ]


def _breakdowns(states: list[ActionState]) -> dict[str, list[dict[str, Any]]]:
    """By review, by provider and by review type. Three small queries for the names."""
    by_review: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_owner: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_type: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for state in states:
        by_review[state.review_id][state.status] += 1
        by_owner[state.owner_id][state.status] += 1
    reviews = {
        r.pk: r for r in Review.objects.filter(pk__in=list(by_review)).select_related("review_type")
    }
    for review_id, counts in by_review.items():
        type_id = reviews[review_id].review_type_id
        for status, n in counts.items():
            by_type[type_id][status] += n
    owners = Organisation.objects.filter(pk__in=list(by_owner)).values_list(
        "pk", "short_name", "name"
    )
    types = ReviewType.objects.filter(pk__in=list(by_type)).values_list("pk", "code", "name")
    return {
        "by_review": _group_rows(
            by_review,
            {
                pk: {
                    "name": f"{r.reference}: {r.title}",
                    "sort": r.reference,
                    "type": r.review_type.code,
                }
                for pk, r in reviews.items()
            },
        ),
        "by_provider": _group_rows(
            by_owner, {pk: {"name": short, "full_name": name} for pk, short, name in owners}
        ),
        "by_type": _group_rows(
            by_type, {pk: {"name": code, "full_name": name} for pk, code, name in types}
        ),
    }


def slippage_rows(
    states: list[ActionState], cutoff: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Actions whose due date had been put back by the cutoff: original and revised
    dates as the history stood then, the extensions approved by then, the days slipped;
    and the same summed by provider. Three queries, for the slipped actions only."""
    slipped = {
        s.history_id: s
        for s in states
        if s.due_date and s.revised_due_date and s.revised_due_date > s.due_date
    }
    HistoricalAction = Action.history.model
    details = {
        row["history_id"]: row
        for row in HistoricalAction.objects.filter(history_id__in=list(slipped)).values(
            "history_id",
            "number",
            "description",
            "recommendation__number",
            "recommendation__review__reference",
        )
    }
    extensions = dict(
        ExtensionRequest.objects.filter(
            action_id__in=[s.id for s in slipped.values()],
            state=ExtensionState.APPROVED,
            decided_at__lt=cutoff,
        )
        .values("action_id")
        .annotate(n=Count("pk"))
        .values_list("action_id", "n")
    )
    owners = dict(
        Organisation.objects.filter(pk__in={s.owner_id for s in slipped.values()}).values_list(
            "pk", "short_name"
        )
    )
    rows = []
    for history_id, state in slipped.items():
        row = details[history_id]
        # Slipped means both dates are set (the query that found them asks for both).
        assert state.due_date is not None and state.revised_due_date is not None
        rows.append(
            {
                "id": state.id,
                "reference": f"{row['recommendation__review__reference']} rec "
                f"{row['recommendation__number']}"
                + (f" action {row['number']}" if row["number"] else ""),
                "description": row["description"],
                "owner": owners.get(state.owner_id, ""),
                "status": state.status,
                "status_label": Status(state.status).label,
                "original_due": _day(state.due_date),
                "revised_due": _day(state.revised_due_date),
                # An extension entered directly by a commissioner has no request: the
                # revised date still proves at least one.
                "extensions": max(extensions.get(state.id, 0), 1),
                "days_slipped": (state.revised_due_date - state.due_date).days,
                "slipped": age_between(state.due_date, state.revised_due_date),
            }
        )
    rows.sort(key=lambda r: (-r["days_slipped"], r["reference"]))
    by_provider: dict[str, dict[str, int]] = {}
    for row in rows:
        group = by_provider.setdefault(
            row["owner"], {"actions": 0, "extensions": 0, "days": 0, "longest": 0}
        )
        group["actions"] += 1
        group["extensions"] += row["extensions"]
        group["days"] += row["days_slipped"]
        group["longest"] = max(group["longest"], row["days_slipped"])
    summary = [
        {
            "owner": owner,
            "actions": g["actions"],
            "extensions": g["extensions"],
            "total_days": g["days"],
            # Rounded down, as every average in the report.
            "average_days": g["days"] // g["actions"],
            "longest_days": g["longest"],
        }
        for owner, g in sorted(by_provider.items(), key=lambda kv: (-kv[1]["actions"], kv[0]))
    ]
    return rows, summary


def repeated_learning(states: list[ActionState], *, today: date) -> list[dict[str, Any]]:
    """Themes carried by recommendations of two or more reviews in scope, with their
    actions in the committee bands as they stood at the quarter end. Two queries: the
    recommendations' themes, and the reviews' references."""
    recommendation_ids = {s.recommendation_id for s in states}
    themes_of: dict[int, list[int]] = defaultdict(list)
    for recommendation_id, theme_id in Recommendation.themes.through.objects.filter(
        recommendation_id__in=list(recommendation_ids)
    ).values_list("recommendation_id", "theme_id"):
        themes_of[recommendation_id].append(theme_id)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    overdue: dict[int, int] = defaultdict(int)
    reviews: dict[int, set[int]] = defaultdict(set)
    for state in states:
        due = state.revised_due_date or state.due_date
        late = bool(due and due < today and state.status not in FINISHED_STATUSES)
        for theme_id in themes_of.get(state.recommendation_id, ()):
            counts[theme_id][state.status] += 1
            reviews[theme_id].add(state.review_id)
            overdue[theme_id] += late
    repeated = {theme_id for theme_id, ids in reviews.items() if len(ids) >= 2}
    references = dict(
        Review.objects.filter(
            pk__in={pk for theme_id in repeated for pk in reviews[theme_id]}
        ).values_list("pk", "reference")
    )
    names = dict(Theme.objects.filter(pk__in=list(repeated)).values_list("pk", "name"))
    found = []
    for theme_id in repeated:
        status_counts = counts[theme_id]
        found.append(
            {
                "id": theme_id,
                "name": names.get(theme_id, ""),
                "reviews": sorted(references[pk] for pk in reviews[theme_id]),
                "review_count": len(reviews[theme_id]),
                "overdue": overdue[theme_id],
                "open": sum(n for s, n in status_counts.items() if s not in FINISHED_STATUSES),
                "assured": status_counts.get(Status.ASSURED, 0),
                **_figures(status_counts),
            }
        )
    return sorted(found, key=lambda t: (-t["review_count"], -t["total"], t["name"]))


def _heading(
    quarter: FinancialQuarter, forum: Forum | None, forums: list[Forum] | None, now: datetime
) -> dict[str, Any]:
    """What the report covers and when its figures were taken."""
    cutoff, running = quarter_cutoff(quarter, now)
    as_at_day = timezone.localdate(cutoff) if running else quarter.end
    if forum is None:
        scope_label = "all the forums you can see"
    elif len(forums or []) > 1:
        scope_label = f"the {forum.short_name} and the forums that report to it"
    else:
        scope_label = f"the {forum.short_name}"
    return {
        "as_at": now.isoformat(),
        "as_at_display": f"{timezone.localtime(now):%-d %B %Y at %H:%M}",
        "quarter": {
            "label": quarter.label,
            "months": quarter.months,
            "running": running,
            "figures_at": _long_day(as_at_day),
        },
        "scope": {
            "label": scope_label,
            "forum": forum.name if forum else "",
            "forum_short_name": forum.short_name if forum else "",
            "forums": [
                {
                    "name": f.name,
                    "short_name": f.short_name,
                    "kind": f.kind,
                    "provider": f.provider.short_name if f.provider else "",
                }
                for f in forums or []
            ],
        },
        "classification": "OFFICIAL-SENSITIVE",
    }


def slippage_report(
    user: User,
    *,
    quarter: FinancialQuarter,
    forum: Forum | None = None,
    now: datetime | None = None,
    **_unused: Any,
) -> dict[str, Any]:
    """The slippage section alone, for its own page: no trend to compute."""
    now = now or timezone.now()
    forums = forums_reporting_to(user, forum) if forum is not None else None
    cutoff, _running = quarter_cutoff(quarter, now)
    rows, summary = slippage_rows(quarter_states(quarterly_scope(user, forums), cutoff), cutoff)
    return {
        **_heading(quarter, forum, forums, now),
        "slippage": rows,
        "slippage_by_provider": summary,
    }


def quarterly_report(
    user: User,
    *,
    quarter: FinancialQuarter,
    forum: Forum | None = None,
    quarters: int = TREND_QUARTERS,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Everything the quarterly assurance report prints, for `quarter` and the
    `quarters` - 1 before it. A fixed number of queries whatever the number of actions:
    one for the whole trend, and a handful for the chosen quarter's breakdowns."""
    now = now or timezone.now()
    quarters = max(MIN_TREND_QUARTERS, min(quarters, TREND_QUARTERS))
    forums = forums_reporting_to(user, forum) if forum is not None else None
    scope = quarterly_scope(user, forums)
    trend = trend_for(scope, quarter, quarters=quarters, now=now)
    cutoff, running = quarter_cutoff(quarter, now)
    as_at_day = timezone.localdate(cutoff) if running else quarter.end
    states = quarter_states(scope, cutoff)
    slippage, slippage_by_provider = slippage_rows(states, cutoff)
    current = trend[-1]
    previous = trend[-2] if len(trend) > 1 else None
    report: dict[str, Any] = {
        **_heading(quarter, forum, forums, now),
        "formula": HEADLINE_FORMULA,
        "trend": trend,
        "chart": trend_chart(trend, "Headline figure and committee bands at each quarter end"),
        "current": current,
        "change": (
            current["headline"]["percent"] - previous["headline"]["percent"] if previous else None
        ),
        **_breakdowns(states),
        "slippage": slippage,
        "slippage_listed": SLIPPAGE_LISTED,
        "slippage_by_provider": slippage_by_provider,
        "themes": repeated_learning(states, today=as_at_day),
        "similar_groups": similar_learning(user, states),
    }
    return report


def similar_learning(user: User, states: list[ActionState]) -> list[dict[str, Any]]:
    """Groups of similar recommendations (by wording, whatever their themes) among those
    of the report's actions, two or more reviews each, largest first
    (docs/repeated-learning.md). As plain data, for the page and the files alike."""
    # Imported here: reviews.selectors reads actions, which read this module's figures.
    from reviews.selectors import repeated_learning_groups

    groups = repeated_learning_groups(user, within={s.recommendation_id for s in states})
    return [
        {
            "suggestion": group.suggestion,
            "reviews": [review.reference for review in group.reviews],
            "organisations": group.organisations,
            "from": f"{group.first:%b %Y}" if group.first else "",
            "to": f"{group.last:%b %Y}" if group.last else "",
            "tagged": group.tagged,
            "recommendations": [
                {"id": r.pk, "reference": f"{r.review.reference} rec {r.number}", "text": r.text}
                for r in group.recommendations
            ],
        }
        for group in groups
    ]


def age_between(earlier: date, later: date) -> str:
    """The time from one date to another as people say it, in calendar years, months
    and days ("9 years 2 months 5 days", "3 days"), never "3350 days"."""
    if later < earlier:
        earlier, later = later, earlier

    def add_months(day: date, count: int) -> date:
        index = day.month - 1 + count
        year, month = day.year + index // 12, index % 12 + 1
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

    total = (later.year - earlier.year) * 12 + later.month - earlier.month
    if add_months(earlier, total) > later:
        total -= 1
    days = (later - add_months(earlier, total)).days
    years, months = divmod(total, 12)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((years, "year"), (months, "month"), (days, "day"))
        if n
    ]
    return " ".join(parts) or "0 days"
