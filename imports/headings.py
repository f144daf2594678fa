"""Recognises the column headings of action plans ("Rec no.", "Further actions",
"Time frame", "RAG" ...) and finds the row that holds them.

Pure functions, no database. The patterns are tried in order, most specific first, so
that "Action owner" is a lead, "Progress status" a status and "Evidence count" not the
evidence text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from imports.choices import Field
from reviews.choices import PlanGrouping

# Headings are compared lower-case, "&" read as "and", punctuation as spaces.
HEADING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        Field.EVIDENCE_COUNT,
        re.compile(
            r"^(evidence|evidence items?) (count|number|no|total)$|^(no|number) of evidence"
        ),
    ),
    (
        Field.EVIDENCE_REQUIRED,
        re.compile(r"^(evidence (required|needed|expected)|required evidence)\b"),
    ),
    (
        Field.EVIDENCE,
        re.compile(
            r"^(written )?evidence\b|^(location of|where is the) evidence|^evidence location"
        ),
    ),
    (
        Field.REVIEW_REFERENCE,
        re.compile(
            r"^review( (ref|reference|no|number|id|name))?$|^case( (ref|reference|no|number))?$"
            r"|^(dhr|sar|scr|cspr|imr) (ref|reference|no|number)$"
        ),
    ),
    (Field.TRACKER_ID, re.compile(r"^(tracker|tracker id|tracker ref|tracker no|id)$")),
    (Field.GROUPED_BY, re.compile(r"^(grouped by|grouping|group type)$")),
    (Field.REVIEW_TYPE, re.compile(r"^(review type|type of review|type)$")),
    (Field.REVIEW_TITLE, re.compile(r"^(review title|title|subject)$")),
    (
        Field.REC_NUMBER,
        re.compile(
            r"^(rec|recs|recommendation|recommendations) ?(no|nos|number|num|ref|reference|id)$"
            r"|^rec$|^no$|^kloe (no|number)$"
        ),
    ),
    (Field.ACTION_NUMBER, re.compile(r"^action (no|number|ref|reference|id)$|^ref( no)?$")),
    (
        Field.REVISED_DUE_DATE,
        re.compile(
            r"^(revised|new|extended|amended|agreed revised) (due |target |completion )?date$"
        ),
    ),
    (
        Field.DUE_DATE,
        re.compile(
            r"^(due|due date|date due|due by|target date|target completion date|completion date"
            r"|date for completion|deadline date)$"
        ),
    ),
    (
        Field.TIME_FRAME,
        re.compile(
            r"^(time ?scales?|time ?frames?|time ?lines?|target|deadline|by when|when"
            r"|expected completion|target completion|completion by)\b"
        ),
    ),
    (
        Field.STATUS,
        re.compile(
            r"^(b?rag|b?rag (status|rating|rated)|status|current status|progress status"
            r"|action status|rating|completion status)$|\bb?rag\b"
        ),
    ),
    (
        Field.OWNER,
        re.compile(
            r"^(owner|owners|owner organisation|owning organisation|organisation|organisations"
            r"|agency|agencies|provider|responsible (organisation|agency)"
            r"|organisation responsible|lead (organisation|agency)|partner)$"
        ),
    ),
    (
        Field.LEAD,
        re.compile(
            r"^(leads?|lead (officer|person|role|name|professional|manager)|named lead"
            r"|responsible (lead|officer|person|manager)|action owner|accountable (lead|officer)"
            r"|person responsible|who)$|^lead\b"
        ),
    ),
    (
        Field.REC_TEXT,
        re.compile(
            r"^recommendations?( (text|made|wording))?$|^kloe$|^key lines? of enquiry"
            r"|^findings?$|^issues? identified$"
        ),
    ),
    (
        # Strategy and programme plans group their actions under these instead of
        # recommendations (docs/imports.md).
        Field.GROUP,
        re.compile(
            r"\bwork ?streams?\b|\bobjectives?\b|\bpriorit(y|ies)\b|^(key |strategic )?themes?$"
            r"|^(programme |focus |key |priority )?areas?( of (review|work|focus))?$"
            r"|^(aims?|goals?|matters?( discussed)?|topics?|agenda items?)$"
        ),
    ),
    (
        Field.ACTION,
        re.compile(
            r"^(further |agreed |proposed |planned |key )?actions?\b|^what (will|we will) (be done|do)"
            r"|^tasks?$|^activity$|^activities$"
        ),
    ),
    (
        Field.UPDATE,
        re.compile(
            r"^(latest |current |progress )?(update|updates|commentary|comments?|position|narrative)$"
            r"|^progress\b|^update\b|^status update"
        ),
    ),
    (
        Field.EXPECTED_OUTCOME,
        re.compile(
            r"^(expected |intended |desired )?outcomes?$|what is expected to change"
            r"|^measures? of success|^success (measure|criteria)|^impact$"
        ),
    ),
]

# The row of headings is looked for among the first rows of a sheet (titles and notes
# often come first).
HEADING_SCAN_ROWS = 20


def normalise_heading(value: object) -> str:
    if value is None:
        return ""
    text = str(value).lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def recognise_heading(value: object) -> str | None:
    """The field a heading names, or None."""
    text = normalise_heading(value)
    if not text:
        return None
    for field, pattern in HEADING_PATTERNS:
        if pattern.search(text):
            return field
    return None


def recognise_columns(headings: Sequence[object]) -> dict[int, str]:
    """Column index → field for every recognised heading; when two columns name the same
    field the first (leftmost) wins, and the person can change it."""
    columns: dict[int, str] = {}
    taken: set[str] = set()
    for index, heading in enumerate(headings):
        field = recognise_heading(heading)
        if field and field not in taken:
            columns[index] = field
            taken.add(field)
    return columns


def grouping_of(heading: object) -> PlanGrouping:
    """What a grouping column's heading says its groups are: "Workstream & Objective"
    is a workstream, "TCP plan objective" an objective, "Priority" a priority."""
    text = normalise_heading(heading)
    for word, grouping in (
        ("work stream", PlanGrouping.WORKSTREAM),
        ("workstream", PlanGrouping.WORKSTREAM),
        ("objective", PlanGrouping.OBJECTIVE),
        ("aim", PlanGrouping.OBJECTIVE),
        ("goal", PlanGrouping.OBJECTIVE),
        ("priorit", PlanGrouping.PRIORITY),
        ("theme", PlanGrouping.THEME),
        ("matter", PlanGrouping.THEME),
        ("topic", PlanGrouping.THEME),
        ("area", PlanGrouping.AREA),
    ):
        if word in text:
            return grouping
    return PlanGrouping.WORKSTREAM


def find_heading_row(rows: Sequence[Sequence[object]]) -> int | None:
    """The 0-based index of the row with the most recognised headings, among the first
    HEADING_SCAN_ROWS; it must name the action column. None when no row does."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADING_SCAN_ROWS]):
        # Headings are short text; a row of narrative or numbers is not a heading row.
        texts = [v if isinstance(v, str) and len(v) <= 80 else None for v in row]
        fields = set(recognise_columns(texts).values())
        if Field.ACTION not in fields:
            continue
        if len(fields) > best_score:
            best, best_score = index, len(fields)
    return best
