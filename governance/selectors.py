"""Reads for forums, meetings and committee papers.

`paper_snapshot` gathers every figure and row a paper prints into one JSON-safe dict.
The paper is rendered from that dict alone, so an issued paper's snapshot is exactly
what the committee was told, and a rebuild from it gives the same content.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import shared_review_ids
from accounts.models import Organisation
from actions.choices import (
    FINISHED_STATUSES,
    STATUS_BAND,
    Band,
    EvidenceReviewState,
    ExtensionState,
    Status,
)
from actions.models import Action, Evidence, ExtensionRequest
from actions.selectors import (
    HEADLINE_FORMULA,
    band_counts,
    headline_percent,
    status_chart,
    with_listing_columns,
)
from governance.choices import ASSURANCE_MEANING, ForumKind, PaperState
from governance.models import Forum, GlossaryTerm, Meeting, Paper
from governance.quarterly import age_between, forums_reporting_to, forums_scope_q
from reviews.models import Recommendation, RecommendationSimilarity, ReviewType
from reviews.selectors import made_before
from trackerapp.financial_year import FinancialQuarter

if TYPE_CHECKING:
    from accounts.models import User

# 2: exceptions as one list, each action once with all its reasons and the forum it came
# from (roll-up by exception); the cover items; newly added/assured lists; ages in words;
# actions with no due date; glossary naming abbreviations it cannot expand. Issued
# papers keep the schema they were issued with, and the template renders both.
# 3: exceptions also list "learning made before": recommendations in scope whose
# learning was assured in an earlier review (docs/repeated-learning.md). Papers of
# schema 2 have no such list and render as they did.
SNAPSHOT_SCHEMA = 3
# "Newly completed" means newly in the committee's Completed band (completed or assured).
COMPLETED_STATUSES = frozenset(s for s, band in STATUS_BAND.items() if band == Band.COMPLETED)

# Abbreviations a paper may use beyond review types, forums and organisations, which
# come from the database. Only those that appear in a paper go into its glossary.
COMMON_ABBREVIATIONS = {
    "A&E": "Accident and Emergency",
    "BAF": "Board Assurance Framework",
    "CAMHS": "Child and Adolescent Mental Health Services",
    "CCG": "Clinical Commissioning Group",
    "CTR": "Care (Education) and Treatment Review",
    "CYP": "Children and Young People",
    "ED": "Emergency Department",
    "LD": "Learning Disability",
    "SRO": "Senior Responsible Owner",
    "CMHT": "Community Mental Health Team",
    "LD&A": "Learning Disability and Autism",
    "PICU": "Psychiatric Intensive Care Unit",
    "CPA": "Care Programme Approach",
    "CQC": "Care Quality Commission",
    "GP": "General Practitioner",
    "ICB": "Integrated Care Board",
    "IDVA": "Independent Domestic Violence Adviser",
    "MARAC": "Multi-Agency Risk Assessment Conference",
    "MASH": "Multi-Agency Safeguarding Hub",
    "NHS": "National Health Service",
    "NHSE": "NHS England",
    "RAG": "Red, Amber, Green rating",
    "RiO": "The electronic patient record used by the mental health trust",
}


def forum_for_user(user: User, pk: int) -> Forum:
    return get_object_or_404(
        Forum.objects.visible_to(user).select_related(
            "organisation", "provider", "reports_to", "chair", "secretary"
        ),
        pk=pk,
    )


def meeting_for_user(user: User, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(user).select_related("forum__organisation"), pk=pk
    )


def paper_for_user(user: User, pk: int) -> Paper:
    return get_object_or_404(
        Paper.objects.visible_to(user).select_related(
            "meeting__forum__organisation",
            "supersedes",
            "created_by",
            "issued_by",
        ),
        pk=pk,
    )


def forum_list(user: User) -> QuerySet[Forum]:
    return (
        Forum.objects.visible_to(user)
        .select_related("reports_to", "chair", "secretary", "provider")
        .annotate(review_count=Count("monitored_reviews", distinct=True))
        .order_by("kind", "short_name")
    )


# The meetings list leads with this many upcoming meetings; the rest sit behind a
# "more" toggle, so the page opens on what needs papers soon.
NEXT_MEETINGS = 5
# Past meetings shown, latest first: the list stays bounded however long the forums run.
PAST_MEETINGS_SHOWN = 50


@dataclass(frozen=True)
class ForumMeetings:
    """One forum's past meetings on the list, with how many it has held in all."""

    forum: Forum
    meetings: list[Meeting]
    total: int


@dataclass(frozen=True)
class MeetingCalendar:
    """Upcoming meetings soonest first and past ones latest first, each with its paper
    counts; the past also grouped by forum, for a list a committee member can scan."""

    upcoming: list[Meeting]
    past: list[Meeting]
    past_totals: dict[int, int]

    @property
    def next(self) -> list[Meeting]:
        return self.upcoming[:NEXT_MEETINGS]

    @property
    def later(self) -> list[Meeting]:
        return self.upcoming[NEXT_MEETINGS:]

    @property
    def later_by_forum(self) -> list[ForumMeetings]:
        return _by_forum(self.later, {})

    @property
    def past_total(self) -> int:
        return sum(self.past_totals.values())

    @property
    def past_by_forum(self) -> list[ForumMeetings]:
        return _by_forum(self.past, self.past_totals)


def _by_forum(meetings: list[Meeting], totals: dict[int, int]) -> list[ForumMeetings]:
    """Meetings grouped by forum, in forum order; a forum's total is what `totals` says
    (all it has held, when only the latest are listed) or else the meetings listed."""
    groups: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        groups.setdefault(meeting.forum_id, []).append(meeting)
    return sorted(
        (
            ForumMeetings(forum=listed[0].forum, meetings=listed, total=totals.get(pk, len(listed)))
            for pk, listed in groups.items()
        ),
        key=lambda group: group.forum.short_name,
    )


def meeting_calendar(user: User, *, forum: Forum | None = None) -> MeetingCalendar:
    """The meetings the person sees, upcoming and past; three queries whatever the
    number of meetings."""
    meetings = Meeting.objects.visible_to(user)
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    today = timezone.localdate()
    counted = meetings.select_related("forum").annotate(
        paper_count=Count("papers", distinct=True),
        issued_count=Count("papers", filter=Q(papers__state=PaperState.ISSUED), distinct=True),
    )
    past_totals = {
        row["forum"]: row["held"]
        for row in meetings.filter(held_on__lt=today)
        .order_by()
        .values("forum")
        .annotate(held=Count("pk"))
    }
    return MeetingCalendar(
        upcoming=list(counted.filter(held_on__gte=today).order_by("held_on", "forum__name")),
        past=list(
            counted.filter(held_on__lt=today).order_by("-held_on", "forum__name")[
                :PAST_MEETINGS_SHOWN
            ]
        ),
        past_totals=past_totals,
    )


# --- the paper -------------------------------------------------------------------


def paper_scope(forum: Forum) -> QuerySet[Action]:
    """The actions a forum's paper covers: those assigned to the forum, and those on the
    reviews it monitors (for a provider's CQRG, only that provider's actions). Restricted
    reviews are never in a paper: papers go to whole committees and to viewers."""
    ids = Action.objects.filter(forums_scope_q([forum])).values("pk")
    return Action.objects.filter(pk__in=ids, recommendation__review__restricted=False)


def previous_issued_paper(paper: Paper) -> Paper | None:
    """The forum's last paper issued to an earlier meeting: movement is counted from
    the moment its figures were taken."""
    return (
        Paper.objects.issued()
        .filter(
            meeting__forum_id=paper.meeting.forum_id,
            meeting__held_on__lt=paper.meeting.held_on,
            data_as_at__isnull=False,
        )
        .select_related("meeting")
        .order_by("-meeting__held_on", "-version")
        .first()
    )


def _day(value: date | None) -> str:
    return f"{value:%-d %b %Y}" if value else ""


def _long_day(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _action_row(action: Action, today: date) -> dict[str, Any]:
    review = action.recommendation.review
    due = action.effective_due
    overdue = action.is_overdue_on(today)
    return {
        "id": action.pk,
        "reference": f"{review.reference} rec {action.recommendation.number}"
        + (f" action {action.number}" if action.number else ""),
        "description": action.description,
        "owner": action.owner_organisation.short_name,
        "lead": action.lead_role_title
        + (f" ({action.lead_user.display_name})" if action.lead_user else ""),
        "time_frame": action.original_time_frame,
        "due": _day(action.due_date),
        "revised_due": _day(action.revised_due_date),
        "status": action.status,
        "status_label": Status(action.status).label,
        "overdue": overdue,
        "days_overdue": (today - due).days if overdue and due else 0,
        "overdue_by": age_between(due, today) if overdue and due else "",
        "no_due_date": due is None and action.status not in FINISHED_STATUSES,
        "latest_update": action.latest_update_text or "",
        "latest_update_on": _day(action.latest_update_at.date()) if action.latest_update_at else "",
        "evidence_count": action.evidence_count,
    }


def _movement(paper: Paper, actions: list[Action], now: datetime) -> dict[str, Any]:
    """What changed since the forum's previous issued paper, from the actions' history:
    each action's state at that moment is its last history record at or before it."""
    previous = previous_issued_paper(paper)
    if previous is None:
        return {"since": None}
    then = previous.data_as_at
    then_day = timezone.localdate(then)
    HistoricalAction = Action.history.model
    ids = [a.pk for a in actions]
    last_record = (
        HistoricalAction.objects.filter(id__in=ids, history_date__lte=then)
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    was = {
        row["id"]: row
        for row in HistoricalAction.objects.filter(history_id__in=last_record)
        .exclude(history_type="-")
        .values("id", "status", "due_date", "revised_due_date")
    }
    today = timezone.localdate(now)
    lists: dict[str, list[dict[str, Any]]] = {
        "new": [],
        "newly_completed": [],
        "newly_assured": [],
        "newly_overdue": [],
    }
    for action in actions:
        before = was.get(action.pk)
        row = _action_row(action, today)
        if before is None:
            lists["new"].append(row)
        before_status = before["status"] if before else None
        if action.status in COMPLETED_STATUSES and before_status not in COMPLETED_STATUSES:
            lists["newly_completed"].append(row)
        if action.status == Status.ASSURED and before_status != Status.ASSURED:
            lists["newly_assured"].append(row)
        if action.is_overdue_on(today):
            before_due = before and (before["revised_due_date"] or before["due_date"])
            was_overdue = bool(
                before
                and before_due
                and before_due < then_day
                and before_status not in FINISHED_STATUSES
            )
            if not was_overdue:
                lists["newly_overdue"].append(row)
    return {
        "since": _long_day(then_day),
        "previous_title": previous.title,
        "previous_meeting": _long_day(previous.meeting.held_on),
        **lists,
        "counts": {key: len(rows) for key, rows in lists.items()},
    }


# Capitalised words that are not abbreviations a reader needs expanded.
NOT_ABBREVIATIONS = frozenset({"OFFICIAL", "SENSITIVE", "DRAFT", "I", "II", "III", "IV", "UK"})
_ABBREVIATION = re.compile(r"(?<![\w&])([A-Z][A-Za-z]*[A-Z](?:&[A-Z]+)?s?)(?![\w&])")


def _rolled_up(
    forum: Forum, own_ids: set[int], today: date
) -> tuple[dict[int, str], dict[int, dict[str, Any]]]:
    """Roll-up by exception: the off-track and overdue actions of the forums that report
    to this one (however many levels down) that are not already in its own scope, each
    with the nearest forum it came from. One query per reporting forum and one for the
    actions."""
    came_from: dict[int, str] = {}
    for reporting in forums_reporting_to(None, forum)[1:]:
        ids = Action.objects.filter(
            forums_scope_q([reporting]), recommendation__review__restricted=False
        ).values_list("pk", flat=True)
        for pk in ids:
            if pk not in own_ids and pk not in came_from:
                came_from[pk] = reporting.short_name
    if not came_from:
        return {}, {}
    exceptional = with_listing_columns(
        Action.objects.filter(pk__in=list(came_from))
        .exclude(status__in=FINISHED_STATUSES)
        .filter(
            Q(status=Status.OFF_TRACK)
            | Q(effective_due__lt=today)
            | Q(extension_requests__state=ExtensionState.PENDING)
        )
        .distinct()
    )
    rows = {action.pk: _action_row(action, today) for action in exceptional}
    return {pk: came_from[pk] for pk in rows}, rows


def _exception_items(
    *,
    forum: Forum,
    rows: dict[int, dict[str, Any]],
    rolled_rows: dict[int, dict[str, Any]],
    rolled_up: dict[int, str],
    extensions: list[dict[str, Any]],
    evidence: list[dict[str, Any]],
    today: date,
) -> dict[str, Any]:
    """Each exceptional action once, with every reason it is an exception: off track,
    overdue (how long, in words), an extension to decide, completed awaiting sign-off,
    evidence awaiting review; those rolled up from a reporting forum say which. The
    latest update of an off-track or overdue action is its mitigation."""
    reasons: dict[int, list[str]] = {}
    for pk, row in {**rows, **rolled_rows}.items():
        found = []
        if row["status"] == Status.OFF_TRACK:
            found.append("Off track")
        if row["overdue"]:
            found.append(f"Overdue by {row['overdue_by']} (due {row['revised_due'] or row['due']})")
        if pk in rows and row["status"] == Status.COMPLETED:
            found.append("Completed: awaiting sign-off")
        if found:
            reasons[pk] = found
    for extension in extensions:
        reasons.setdefault(extension["id"], []).append(
            f"Extension for decision: to {extension['proposed']}, asked by "
            f"{extension['requested_by']} on {extension['requested_on']}: {extension['reason']}"
        )
    for item in evidence:
        reasons.setdefault(item["id"], []).append(
            f"Evidence awaiting review since {item['uploaded_on']} ("
            + (
                age_between(today - timedelta(days=item["days_waiting"]), today)
                if item["days_waiting"]
                else "today"
            )
            + f"): {item['evidence']}"
        )
    items = []
    for pk, found in reasons.items():
        row = rows.get(pk) or rolled_rows[pk]
        items.append(
            {
                **row,
                "reasons": found,
                "from": rolled_up.get(pk, ""),
                "mitigation": row["latest_update"]
                if row["status"] == Status.OFF_TRACK or row["overdue"]
                else "",
            }
        )
    items.sort(
        key=lambda i: (
            bool(i["from"]),
            i["from"],
            i["status"] != Status.OFF_TRACK,
            -i["days_overdue"],
            i["reference"],
        )
    )
    return {
        "items": items,
        "own_count": sum(1 for i in items if not i["from"]),
        "rolled_up_count": sum(1 for i in items if i["from"]),
        "rolled_up_from": sorted({i["from"] for i in items if i["from"]}),
        "counts": {
            "off_track": sum(1 for i in items if i["status"] == Status.OFF_TRACK),
            "overdue": sum(1 for i in items if i["overdue"]),
            "extensions": len(extensions),
            "awaiting_sign_off": sum(1 for r in rows.values() if r["status"] == Status.COMPLETED),
            "evidence": len(evidence),
        },
    }


def _made_before_items(forum: Forum, actions: list[Action]) -> list[dict[str, Any]]:
    """Recommendations in the paper's scope, with open actions, whose learning was
    assured in an earlier review: so the committee can ask why it recurred. Only earlier
    reviews the forum's whole committee may read are named: not restricted, and owned
    by or shared with the forum's organisation (a paper goes to its viewers too). Two
    queries."""
    open_recommendations = {
        a.recommendation_id: a.recommendation for a in actions if not a.is_finished
    }
    organisation = frozenset({forum.organisation_id})
    readable = Q(similar__review__restricted=False) & (
        Q(similar__review__owner_id=forum.organisation_id)
        | Q(similar__review_id__in=shared_review_ids(organisation))
    )
    found = made_before(
        list(open_recommendations.values()),
        pairs=RecommendationSimilarity.objects.filter(readable),
        actions=Action.objects.all(),
    )
    items = []
    for pk, earlier in found.items():
        recommendation = open_recommendations[pk]
        items.append(
            {
                "reference": f"{recommendation.review.reference} rec {recommendation.number}",
                "text": recommendation.text,
                "earlier": [
                    {
                        "reference": f"{m.recommendation.review.reference} rec "
                        f"{m.recommendation.number}",
                        "review": m.recommendation.review.reference,
                        "assured": f"{timezone.localtime(m.assured_at):%B %Y}",
                        "sentence": m.sentence,
                    }
                    for m in earlier
                ],
            }
        )
    return sorted(items, key=lambda i: _natural_key(i["reference"]))


def _glossary(text: str) -> list[dict[str, str]]:
    """Every abbreviation the paper uses: expanded from the administrators' glossary
    terms, review types, forums, organisations and the common list (in that order of
    precedence); one the tracker cannot expand is listed as such, so the secretary sees
    it and an administrator can add it, rather than it being left out."""
    candidates: dict[str, str] = dict(COMMON_ABBREVIATIONS)
    for short, name in Organisation.objects.values_list("short_name", "name"):
        if short and short != name:
            candidates[short] = name
    candidates.update({kind.value: kind.label for kind in ForumKind if kind != ForumKind.OTHER})
    candidates.update(dict(ReviewType.objects.values_list("code", "name")))
    candidates.update(dict(GlossaryTerm.objects.values_list("term", "meaning")))
    found = {}
    for term, meaning in candidates.items():
        if re.search(r"(?<![\w&])" + re.escape(term) + r"(?![\w&])", text):
            found[term] = meaning
    # "BHR TCP" is known, so neither "BHR" nor "TCP" alone is reported as unknown.
    known = {word.lower() for term in candidates for word in (term, *term.split())}
    for match in _ABBREVIATION.finditer(text):
        word = match.group(1)
        singular = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
        upper = sum(1 for c in singular if c.isupper())
        if (
            upper < 2
            or singular in NOT_ABBREVIATIONS
            or singular.lower() in known
            or singular in found
            or not singular[:2].isupper()
        ):
            continue
        found[singular] = ""
    return sorted(
        ({"term": term, "meaning": meaning} for term, meaning in found.items()),
        key=lambda entry: entry["term"].lower(),
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def paper_snapshot(paper: Paper, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the paper prints, taken now. A fixed number of queries whatever the
    number of actions (the benchmark in bench/bench_paper.py holds it to that)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    meeting = paper.meeting
    forum = meeting.forum
    actions = list(
        with_listing_columns(paper_scope(forum)).order_by(
            "recommendation__review__reference",
            "recommendation__number",
            "recommendation_id",
            "number",
            "pk",
        )
    )
    counts: dict[str, int] = {}
    for action in actions:
        counts[action.status] = counts.get(action.status, 0) + 1
    percent, numerator, denominator = headline_percent(counts)
    rows = {action.pk: _action_row(action, today) for action in actions}

    by_owner: dict[str, dict[str, int]] = {}
    for action in actions:
        group = by_owner.setdefault(action.owner_organisation.short_name, {})
        group[action.status] = group.get(action.status, 0) + 1
    chart = status_chart("Actions by owner organisation and status", dict(sorted(by_owner.items())))

    try:
        quarter = FinancialQuarter.parse(paper.period)
    except ValueError:
        quarter = None
    period_due = []
    if quarter:
        period_due = [
            rows[a.pk]
            for a in actions
            if a.effective_due and quarter.start <= a.effective_due <= quarter.end
        ]

    rolled_up, rolled_rows = _rolled_up(forum, set(rows), today)
    action_ids = list(rows) + list(rolled_rows)
    all_rows = {**rows, **rolled_rows}
    pending_extensions = [
        {
            **all_rows[extension.action_id],
            "proposed": _day(extension.proposed_date),
            "reason": extension.reason,
            "requested_by": extension.requested_by.display_name,
            "requested_on": _day(timezone.localdate(extension.requested_at)),
        }
        for extension in ExtensionRequest.objects.filter(
            action_id__in=action_ids, state=ExtensionState.PENDING
        )
        .select_related("requested_by")
        .order_by("requested_at", "pk")
    ]
    evidence_waiting = [
        {
            **rows[evidence.action_id],
            "evidence": evidence.description,
            "uploaded_on": _day(timezone.localdate(evidence.uploaded_at)),
            "days_waiting": (today - timezone.localdate(evidence.uploaded_at)).days,
        }
        for evidence in Evidence.objects.filter(
            action_id__in=list(rows), review_state=EvidenceReviewState.PENDING
        ).order_by("uploaded_at", "pk")
    ]

    reviews: dict[int, dict[str, Any]] = {}
    recommendations: dict[int, dict[str, Any]] = {}
    for action in actions:
        recommendation = action.recommendation
        review = recommendation.review
        if review.pk not in reviews:
            reviews[review.pk] = {
                "reference": review.reference,
                "title": review.title,
                "type": review.review_type.code,
                "type_name": review.review_type.name,
                "published": _day(review.published_date),
                # What the plan's groups are called: recommendations, or a strategy
                # plan's workstreams (objectives ...). Older snapshots lack it.
                "grouping": review.grouping_label,
                "recommendations": [],
            }
        if recommendation.pk not in recommendations:
            recommendations[recommendation.pk] = {
                "number": recommendation.number,
                "text": recommendation.text,
                "actions": [],
            }
            reviews[review.pk]["recommendations"].append(recommendations[recommendation.pk])
        recommendations[recommendation.pk]["actions"].append(rows[action.pk])
    # Recommendations of these reviews with no action in scope are shown as such, so
    # the committee can see a gap rather than miss it.
    for recommendation in Recommendation.objects.filter(review_id__in=list(reviews)).exclude(
        pk__in=list(recommendations)
    ):
        reviews[recommendation.review_id]["recommendations"].append(
            {"number": recommendation.number, "text": recommendation.text, "actions": []}
        )
    for entry in reviews.values():
        entry["recommendations"].sort(key=lambda r: _natural_key(r["number"]))

    snapshot: dict[str, Any] = {
        "schema": SNAPSHOT_SCHEMA,
        "as_at": now.isoformat(),
        "as_at_display": f"{timezone.localtime(now):%-d %B %Y at %H:%M}",
        "organisation": forum.organisation.name,
        "forum": {
            "name": forum.name,
            "short_name": forum.short_name,
            "kind": forum.get_kind_display(),
            "provider": forum.provider.name if forum.provider else "",
        },
        "meeting": {"date": _long_day(meeting.held_on), "location": meeting.location},
        "paper": {
            "title": paper.title,
            "author": paper.author,
            "agenda_item": paper.agenda_item,
            "period": paper.period,
            "period_months": quarter.months if quarter else "",
            "purpose": paper.purpose,
            "asks": list(paper.asks),
            "classification": paper.classification,
            "executive_lead": paper.executive_lead,
            "presenter": paper.presenter,
            "previously_considered_by": paper.previously_considered_by,
            "assurance_level": paper.get_assurance_level_display() if paper.assurance_level else "",
            "assurance_meaning": ASSURANCE_MEANING.get(paper.assurance_level, ""),
            "assurance_rationale": paper.assurance_rationale,
            "executive_summary": paper.executive_summary,
            "risks": paper.risks,
            "baf_reference": paper.baf_reference,
            "version": paper.version,
            "supersedes": (
                {
                    "version": paper.supersedes.version,
                    "issued": _long_day(timezone.localdate(paper.supersedes.issued_at))
                    if paper.supersedes.issued_at
                    else "",
                }
                if paper.supersedes
                else None
            ),
        },
        "total": len(actions),
        "review_count": len(reviews),
        "status_totals": [
            {"status": s, "label": Status(s).label, "count": counts.get(s, 0)}
            for s in Status.values
        ],
        "bands": band_counts(counts),
        "headline": {"percent": percent, "numerator": numerator, "denominator": denominator},
        "formula": HEADLINE_FORMULA,
        "chart": {**asdict(chart), "statuses": chart.statuses},
        "movement": _movement(paper, actions, now),
        "exceptions": _exception_items(
            forum=forum,
            rows=rows,
            rolled_rows=rolled_rows,
            rolled_up=rolled_up,
            extensions=pending_extensions,
            evidence=evidence_waiting,
            today=today,
        ),
        "no_due_date": [r for r in rows.values() if r["no_due_date"]],
        "made_before": _made_before_items(forum, actions),
        "period_due": period_due,
        "reviews": list(reviews.values()),
    }
    # The chart holds colours ("#FFFFFF"), not words a reader meets.
    snapshot["glossary"] = _glossary(
        "\n".join(_strings({k: v for k, v in snapshot.items() if k != "chart"}))
    )
    return snapshot


def _natural_key(number: str) -> list[Any]:
    """'2' before '10', and '1.2' before '1.10'."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", number)]


def paper_summary_offer(forum: Forum, today: date | None = None) -> dict[str, Any]:
    """Today's figures for the forum's paper, offered to its author to write the
    executive summary from. Two queries."""
    today = today or timezone.localdate()
    scope = paper_scope(forum)
    counts = {
        row["status"]: row["n"] for row in scope.order_by().values("status").annotate(n=Count("pk"))
    }
    percent, numerator, denominator = headline_percent(counts)
    open_scope = scope.exclude(status__in=FINISHED_STATUSES)
    flags = open_scope.aggregate(
        overdue=Count("pk", filter=Q(effective_due__lt=today)),
        undated=Count("pk", filter=Q(effective_due__isnull=True)),
    )
    off_track = counts.get(Status.OFF_TRACK, 0)
    suggestion = (
        f"Of the {denominator} actions the {forum.short_name} monitors, {percent}% "
        f"({numerator}) are completed or on track; {off_track} "
        f"{'is' if off_track == 1 else 'are'} off track and {flags['overdue']} overdue."
    )
    return {
        "total": denominator,
        "percent": percent,
        "off_track": off_track,
        "assured": counts.get(Status.ASSURED, 0),
        "awaiting_sign_off": counts.get(Status.COMPLETED, 0),
        "overdue": flags["overdue"],
        "no_due_date": flags["undated"],
        "suggestion": suggestion,
    }
