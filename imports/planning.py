"""Turns the rows of a sheet into what an import will create or update: reviews,
recommendations and actions, each row with its errors, warnings and notes.

Pure: everything it needs from the database arrives in `Lookups`, built by
imports/selectors.py, and the person's choices in `ImportChoices`. Nothing here writes.

The rules, as the preview states them:

1. Review: the one named in each row (Review reference column), or the one chosen on the
   column page. A blank review cell carries the value of the row above.
2. Recommendation: grouped by number, or by wording when there is no number. A row with
   neither belongs to the recommendation of the row above (a merged or blank cell). A
   number can be read from the wording ("1. What were ...") when there is no number
   column; otherwise recommendations are numbered in order after the review's last.
3. Owner organisation and lead are matched by name and abbreviation. Unknown
   organisations are listed for the person to match or create; leads who are not people
   with an account are kept as role titles, and can be linked to a person.
4. Time frame: the wording is kept; the due date is the Due date column when filled,
   else derived from the wording (imports/timeframes.py). No date: flagged.
5. Status: docs/domain.md words and colours (imports/statuses.py). An import loads history:
   completed may arrive without evidence (warned); assured needs a commissioner to
   accept evidence in the tracker, so it is imported as completed (warned); closed takes
   its rationale from the update, or records that the plan gave none (warned).
6. Reference of an action, for duplicates and update in place: the tracker id the
   export writes, when the row has one (it always updates that action, whatever the
   person chose); else the review reference, the recommendation number and the action
   number, or the action's wording (case and spacing ignored) when the plan has no
   action numbers.
7. A plan without recommendations groups its actions by its workstream (objective,
   priority, theme, area) column, or, with no such column, under one group "Whole
   plan"; the groups stand where recommendations would (docs/imports.md).
8. A matched row changes only what differs from the tracker; a row that differs in
   nothing is "unchanged", so the preview counts exactly what the import writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

from actions.choices import FINISHED_STATUSES, Status
from imports.choices import CREATE_ORGANISATION, WHOLE_PLAN, Field, ReviewSource
from imports.headings import grouping_of
from imports.readers import Sheet, cell_name, colour_word
from imports.statuses import accepted_words, normalise_status_word, read_status
from imports.timeframes import read_date, read_time_frame
from reviews.choices import GROUPING_PLURAL, PlanGrouping
from trackerapp.financial_year import financial_year_of, year_label

TIME_FRAME_MAX = 200  # Action.original_time_frame
LEAD_MAX = 150  # Action.lead_role_title
NUMBER_MAX = 20  # Recommendation.number, Action.number
REFERENCE_MAX = 60  # Review.reference
TITLE_MAX = 200  # Review.title
ORGANISATION_NAME_MAX = 200
SHORT_NAME_MAX = 30

MOVE_NOT_MADE = "The action is under"

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
RECOMMENDATION_ONLY = "recommendation"

LEADING_NUMBER = re.compile(
    r"^\s*(?:rec(?:ommendation)?\.?\s*|kloe\s*)?(\d{1,3}(?:[.:]\d{1,3})*)[.):]\s+(.+)$",
    re.S | re.I,
)
ROLE_AND_PERSON = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$", re.S)
# A row with nothing but a line like this is the plan's note ("Note: RAG as agreed at
# the Board", "Key: ...", "Source: ..."), not an action or a group.
NOTE_ROW = re.compile(r"^\s*(?:notes?|key|rag key|source|nb|n\.b\.|\*+)\s*[:.\-–*]", re.I)
# "Workstream 1: Community based care" written as a heading row: its number and name.
NAMED_GROUP = re.compile(
    r"^\s*(?:work ?stream|objective|priority|theme|area|aim|goal)\s+(\d{1,3}(?:\.\d{1,3})*)"
    r"\s*[:.\-–]\s*(.+)$",
    re.I | re.S,
)


# --- what the database tells the planner --------------------------------------------


@dataclass(frozen=True)
class OrganisationRef:
    id: int
    short_name: str
    name: str


@dataclass(frozen=True)
class UserRef:
    id: int
    display_name: str


@dataclass(frozen=True)
class RecommendationRef:
    id: int
    number: str
    text: str


@dataclass(frozen=True)
class ExistingAction:
    id: int
    rec_number: str
    number: str
    description: str
    status: str
    latest_update: str
    has_evidence: bool
    # What a matched row is compared with, so the preview knows whether it changes it.
    owner_id: int | None = None
    lead_role_title: str = ""
    lead_user_id: int | None = None
    time_frame: str = ""
    due_date: date | None = None
    revised_due_date: date | None = None
    expected_outcome: str = ""
    evidence_required: str = ""


@dataclass
class ReviewRef:
    id: int
    reference: str
    title: str
    fy: int | None  # financial year its plan's time frames are read in
    visible: bool = True
    grouping: str = PlanGrouping.RECOMMENDATION
    recommendations: dict[str, RecommendationRef] = field(default_factory=dict)
    actions: list[ExistingAction] = field(default_factory=list)


@dataclass
class Lookups:
    organisations: dict[str, OrganisationRef] = field(default_factory=dict)  # by name key
    organisations_by_id: dict[int, OrganisationRef] = field(default_factory=dict)
    users: dict[str, UserRef | None] = field(default_factory=dict)  # None: ambiguous
    users_by_id: dict[int, UserRef] = field(default_factory=dict)
    reviews: dict[str, ReviewRef] = field(default_factory=dict)  # by reference key
    review_types: dict[str, tuple[int, str]] = field(default_factory=dict)  # code/name → id, code
    short_names: set[str] = field(default_factory=set)  # casefolded, taken


@dataclass(frozen=True)
class NewReview:
    reference: str
    title: str
    type_id: int | None
    type_code: str


@dataclass
class ImportChoices:
    """What the person chose on the column and preview pages."""

    filename: str = ""
    review_source: str = ReviewSource.EXISTING
    review_reference: str = ""  # the chosen existing review's reference
    new_review: NewReview | None = None
    new_review_type: tuple[int, str] | None = None  # type for new reviews named in rows
    commissioning_body_id: int | None = None
    default_owner_id: int | None = None
    plan_year: int | None = None
    organisation_choices: dict[str, int | str] = field(default_factory=dict)
    lead_choices: dict[str, int] = field(default_factory=dict)
    status_choices: dict[str, str] = field(default_factory=dict)
    update_in_place: bool = False
    position_date: date | None = None


@dataclass(frozen=True)
class Mapping:
    header_row: int  # 1-based spreadsheet row of the headings
    columns: dict[int, str]  # column index → Field

    def index_of(self, wanted: str) -> int | None:
        for index, name in self.columns.items():
            if name == wanted:
                return index
        return None


# --- what the planner produces ------------------------------------------------------


@dataclass
class PlannedReview:
    key: str
    reference: str
    title: str
    existing: ReviewRef | None
    type_id: int | None = None
    type_code: str = ""
    fy: int | None = None
    first_row: int = 0
    next_number: int = 1
    grouping: str = PlanGrouping.RECOMMENDATION


@dataclass
class PlannedRecommendation:
    review_key: str
    number: str
    text: str
    existing_id: int | None
    first_row: int
    owner_keys: set[str] = field(default_factory=set)  # "id:3" or "new:<key>"

    @property
    def addressed_to(self) -> str | None:
        """Addressed to the one organisation that owns all its actions, if there is one."""
        return next(iter(self.owner_keys)) if len(self.owner_keys) == 1 else None


@dataclass
class PlannedOrganisation:
    key: str
    name: str
    short_name: str


@dataclass
class Unresolved:
    """A name or word the person is asked about, and the rows that use it."""

    key: str
    label: str
    rows: list[int] = field(default_factory=list)


@dataclass
class RowPlan:
    number: int  # spreadsheet row
    outcome: str = CREATE
    review_key: str = ""
    review_label: str = ""
    rec_number: str = ""
    action_number: str = ""
    description: str = ""
    owner_id: int | None = None
    owner_new: str = ""  # key of an organisation to create
    owner_label: str = ""
    owner_from_cell: bool = False
    lead_role_title: str = ""
    lead_user_id: int | None = None
    lead_label: str = ""
    time_frame: str = ""
    time_frame_full: str = ""  # the whole wording when it is longer than the field
    due: date | None = None
    due_from_wording: bool = False
    revised: date | None = None
    status: str = Status.NOT_STARTED
    status_word: str = ""
    status_from_cell: bool = False
    closure_rationale: str = ""
    update_text: str = ""
    evidence_note: str = ""
    expected_outcome: str = ""
    evidence_required: str = ""
    tracker_id: str = ""
    # For a matched action: field → new value, only where the row differs. An owner the
    # import creates is "new:<key>" until it exists.
    changes: dict[str, object] = field(default_factory=dict)
    existing_action_id: int | None = None
    existing_status: str = ""
    existing_update: str = ""
    existing_has_evidence: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def reference(self) -> tuple[str, str, str]:
        return action_reference(
            self.review_key, self.rec_number, self.action_number, self.description
        )


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    file_warnings: list[str] = field(default_factory=list)
    file_notes: list[str] = field(default_factory=list)
    reviews: dict[str, PlannedReview] = field(default_factory=dict)
    recommendations: dict[tuple[str, str], PlannedRecommendation] = field(default_factory=dict)
    new_organisations: dict[str, PlannedOrganisation] = field(default_factory=dict)
    unknown_organisations: dict[str, Unresolved] = field(default_factory=dict)
    leads_without_account: dict[str, Unresolved] = field(default_factory=dict)
    unknown_statuses: dict[str, Unresolved] = field(default_factory=dict)
    # Names and words the person has already answered about, so they can change them.
    answered_organisations: dict[str, Unresolved] = field(default_factory=dict)
    answered_leads: dict[str, Unresolved] = field(default_factory=dict)
    answered_statuses: dict[str, Unresolved] = field(default_factory=dict)
    rows_skipped: int = 0
    mapped_fields: set[str] = field(default_factory=set)
    # What the file's groups are: recommendations, or a strategy plan's workstreams ...
    grouping: str = PlanGrouping.RECOMMENDATION

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(r.errors) for r in self.rows)

    @property
    def warning_count(self) -> int:
        return len(self.file_warnings) + sum(len(r.warnings) for r in self.rows)

    @property
    def can_commit(self) -> bool:
        """No errors, and some action to add, update or find unchanged (an unchanged
        export imported again is a valid import that changes nothing)."""
        return self.error_count == 0 and any(
            r.outcome in (CREATE, UPDATE, UNCHANGED) for r in self.rows
        )

    @property
    def actions_to_create(self) -> int:
        return sum(1 for r in self.rows if r.outcome == CREATE)

    @property
    def actions_to_update(self) -> int:
        return sum(1 for r in self.rows if r.outcome == UPDATE)

    @property
    def actions_unchanged(self) -> int:
        return sum(1 for r in self.rows if r.outcome == UNCHANGED)

    @property
    def grouping_label(self) -> str:
        return PlanGrouping(self.grouping).label

    @property
    def new_reviews(self) -> list[PlannedReview]:
        return [r for r in self.reviews.values() if r.existing is None]

    @property
    def new_recommendations(self) -> list[PlannedRecommendation]:
        return [r for r in self.recommendations.values() if r.existing_id is None]

    def problems(self) -> Iterator[tuple[int | None, str]]:
        """Every error, file-level first: (row number or None, message)."""
        for message in self.file_errors:
            yield None, message
        for row in self.rows:
            for message in row.errors:
                yield row.number, message


# --- keys -----------------------------------------------------------------------------


def organisation_key(name: object) -> str:
    """Names compared without case, punctuation, "NHS" or "the"; "&" is "and"."""
    text = str(name).lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = [w for w in text.split() if w not in {"nhs", "the"}]
    return " ".join(words)


def person_key(name: object) -> str:
    text = str(name).lower()
    text = re.sub(r"[^a-z0-9@]+", " ", text)
    return " ".join(text.split())


def text_key(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def review_key(reference: object) -> str:
    return text_key(reference)


def action_reference(
    review: str, rec_number: str, action_number: str, description: str
) -> tuple[str, str, str]:
    """How an imported row finds the action it updates (rule 6 above)."""
    if action_number:
        return (review, text_key(rec_number), "#" + text_key(action_number))
    return (review, text_key(rec_number), text_key(description))


def text_of(value: object) -> str:
    """A cell as text: whole numbers without ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value).strip()


def short_name_for(name: str, taken: set[str]) -> str:
    """The abbreviation a new organisation is listed under: its name when short enough,
    else its initials; made unique with a number."""
    base = name if len(name) <= SHORT_NAME_MAX else ""
    if not base:
        initials = "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", name) if w[0].isupper())
        base = (initials or name)[:SHORT_NAME_MAX]
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" {n}"
        candidate = base[: SHORT_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def review_references(sheet: Sheet, mapping: Mapping) -> set[str]:
    """The review references the rows name, so the selectors load only those reviews."""
    index = mapping.index_of(Field.REVIEW_REFERENCE)
    if index is None:
        return set()
    found = set()
    for row_number in range(mapping.header_row + 1, len(sheet.rows) + 1):
        value = text_of(sheet.cell(row_number, index))
        if value:
            found.add(value)
    return found


def mapping_problems(mapping: Mapping, review_source: str) -> list[str]:
    """What the column choices lack before any row can be read."""
    chosen = set(mapping.columns.values())
    problems = []
    if Field.ACTION not in chosen:
        problems.append("Choose the column that holds the actions.")
    if review_source == ReviewSource.COLUMN and Field.REVIEW_REFERENCE not in chosen:
        problems.append(
            "Choose the column that holds the review reference, or choose the review below."
        )
    return problems


# --- the planner ------------------------------------------------------------------------


class Planner:
    """One pass over the rows; see the module docstring for the rules."""

    def __init__(
        self, sheet: Sheet, mapping: Mapping, lookups: Lookups, choices: ImportChoices
    ) -> None:
        self.sheet = sheet
        self.mapping = mapping
        self.lookups = lookups
        self.choices = choices
        self.plan = Plan()
        self.columns = {
            name: index for index, name in mapping.columns.items() if name != Field.IGNORE
        }
        self.carried: dict[str, tuple[str, int]] = {}
        self.last_rec: dict[str, tuple[str, int]] = {}  # review key → (number, row)
        self.rec_by_text: dict[tuple[str, str], str] = {}  # (review key, text key) → number
        self.seen_references: dict[tuple[str, str, str], int] = {}
        self.existing_by_reference: dict[tuple[str, str, str], list[ExistingAction]] = {}
        self.taken_short_names = set(lookups.short_names)
        # (review key, tracker id) → the action; and the action each matched row updates.
        self.by_tracker_id: dict[tuple[str, str], ExistingAction] = {}
        self.seen_tracker_ids: dict[str, int] = {}
        self.matched: dict[int, ExistingAction] = {}
        self.gaps: defaultdict[int, list[int]] = defaultdict(list)
        for row_number, column in sheet.formula_gaps:
            self.gaps[row_number].append(column)
        # Rows that are a group's heading written across the table, and the group the
        # rows below the latest one are under (rule 7).
        self.heading_rows = self._find_heading_rows()
        self.heading_group: str | None = None

    def run(self) -> Plan:
        plan = self.plan
        plan.mapped_fields = set(self.columns)
        problems = mapping_problems(self.mapping, self.choices.review_source)
        if problems:
            plan.file_errors.extend(problems)
            return plan
        self._check_review_choices()
        if plan.file_errors:
            return plan
        self._grouping()
        self._file_notes()
        for row_number in range(self.mapping.header_row + 1, len(self.sheet.rows) + 1):
            values = {
                name: self.sheet.cell(row_number, index) for name, index in self.columns.items()
            }
            gaps = [c for c in self.gaps.get(row_number, []) if c in self.mapping.columns]
            if all(v is None for v in values.values()) and not gaps:
                if any(v is not None for v in self.sheet.rows[row_number - 1]):
                    plan.rows_skipped += 1
                continue
            if row_number in self.heading_rows:
                # Listed in the file notes as headings, not among the empty rows.
                self.heading_group = self.heading_rows[row_number]
                continue
            written = [v for v in self.sheet.rows[row_number - 1] if v is not None]
            if len(written) == 1 and isinstance(written[0], str) and NOTE_ROW.match(written[0]):
                plan.rows_skipped += 1
                plan.file_notes.append(
                    f"Row {row_number} is a note, not an action, and is not imported: "
                    f"“{_short(written[0])}”."
                )
                continue
            row = RowPlan(number=row_number)
            plan.rows.append(row)
            for column in gaps:
                row.errors.append(
                    f"Cell {cell_name(row_number, column)} holds a formula with no saved "
                    "result. Open the file in Excel, save it, and upload it again."
                )
            self._merged_notes(row, row_number)
            self._row(row, values)
        self._after_rows()
        return plan

    def _check_review_choices(self) -> None:
        choices, plan = self.choices, self.plan
        if choices.review_source == ReviewSource.EXISTING:
            existing = self.lookups.reviews.get(review_key(choices.review_reference))
            if existing is None or not existing.visible:
                plan.file_errors.append("Choose the review these actions belong to.")
        elif choices.review_source == ReviewSource.NEW:
            if choices.new_review is None or not choices.new_review.reference:
                plan.file_errors.append("Give the new review's reference, type and title.")
            elif review_key(choices.new_review.reference) in self.lookups.reviews:
                plan.file_errors.append(
                    f"A review with the reference {choices.new_review.reference} already "
                    "exists: choose it as an existing review."
                )
            if choices.commissioning_body_id is None:
                plan.file_errors.append("Choose the body that commissioned the new review.")

    def _find_heading_rows(self) -> dict[int, str]:
        """Row number → group name of the rows below the headings whose one piece of
        text is in a cell merged across the table (at least half its imported columns):
        "Workstream 1: Community based care" above that workstream's actions."""
        mapped = [i for i, name in self.mapping.columns.items() if name != Field.IGNORE]
        needed = max(2, (len(mapped) + 1) // 2)
        headings = {}
        for row_number, (left, right) in self.sheet.row_merges.items():
            if row_number <= self.mapping.header_row or row_number > len(self.sheet.rows):
                continue
            written = [v for v in self.sheet.rows[row_number - 1] if v is not None]
            if len(written) != 1 or not isinstance(written[0], str):
                continue
            if NOTE_ROW.match(written[0]):
                continue
            if sum(1 for i in mapped if left <= i <= right) >= needed:
                text = " ".join(written[0].split())
                named = NAMED_GROUP.match(text)
                headings[row_number] = f"{named[1]}. {named[2]}" if named else text
        return dict(sorted(headings.items()))

    def _grouping(self) -> None:
        """What the file's groups are (rule 7)."""
        plan = self.plan
        if self.heading_rows:
            listed = ", ".join(str(n) for n in list(self.heading_rows)[:8])
            more = len(self.heading_rows) - 8
            plan.file_notes.append(
                f"Row{'s' if len(self.heading_rows) != 1 else ''} {listed}"
                f"{f' and {more} more' if more > 0 else ''} "
                f"{'are headings' if len(self.heading_rows) != 1 else 'is a heading'} "
                "across the table, not actions."
            )
        if Field.REC_NUMBER in self.columns or Field.REC_TEXT in self.columns:
            plan.grouping = PlanGrouping.RECOMMENDATION
            if Field.GROUP in self.columns:
                plan.file_notes.append(
                    "The plan has recommendations: they group its actions, and the "
                    f"{self._group_heading()} column is not imported."
                )
            return
        if Field.GROUP not in self.columns and self.heading_rows:
            first_row = next(iter(self.heading_rows))
            original = text_of(self.sheet.cell(first_row, self.sheet.row_merges[first_row][0]))
            plan.grouping = grouping_of(original)
            plan.file_notes.append(
                f"The plan has no recommendations: its actions are grouped by "
                f"{plan.grouping_label.lower()}, written as headings across the table; each "
                "heading's actions are the rows below it."
            )
            return
        if Field.GROUP in self.columns:
            plan.grouping = grouping_of(self._group_heading())
            plan.file_notes.append(
                f"The plan has no recommendations: its actions are grouped by "
                f"{plan.grouping_label.lower()} (the {self._group_heading()} column)."
            )
            return
        plan.grouping = PlanGrouping.WORKSTREAM
        plan.file_notes.append(
            "The plan has no recommendation or workstream column: its actions are kept "
            f"under one workstream, “{WHOLE_PLAN}”."
        )

    def _group_heading(self) -> str:
        index = self.columns.get(Field.GROUP)
        heading = (
            text_of(self.sheet.cell(self.mapping.header_row, index)) if index is not None else ""
        )
        return f"“{heading}”" if heading else "grouping"

    @property
    def _group_word(self) -> str:
        return self.plan.grouping_label.lower()

    def _file_notes(self) -> None:
        sheet, plan = self.sheet, self.plan
        if sheet.formula_count:
            plan.file_notes.append(
                f"{sheet.formula_count} formula cell{'s' if sheet.formula_count != 1 else ''} "
                "read as the values Excel last saved."
            )
        if sheet.merged_from:
            plan.file_notes.append(
                "Merged cells spanning several rows: their value is used for every row they "
                "cover; those rows say so."
            )

    def _merged_notes(self, row: RowPlan, row_number: int) -> None:
        for (merged_row, column), label in self.sheet.merged_from.items():
            if merged_row == row_number and column in self.mapping.columns:
                name = Field(self.mapping.columns[column]).label
                if self.mapping.columns[column] != Field.IGNORE:
                    row.notes.append(f"{name} taken from the merged cells {label}.")

    # the row
    def _row(self, row: RowPlan, values: dict[str, object]) -> None:
        review = self._review(row, values)
        if review is None:
            return
        row.review_key, row.review_label = review.key, review.reference
        if self.plan.grouping != PlanGrouping.RECOMMENDATION or (
            Field.REC_NUMBER not in self.columns and Field.REC_TEXT not in self.columns
        ):
            # A plan without recommendations: its group stands where one would (rule 7).
            values = dict(values)
            if Field.GROUP in self.columns:
                values[Field.REC_TEXT] = values.get(Field.GROUP)
            elif self.heading_rows:
                values[Field.REC_TEXT] = self.heading_group or WHOLE_PLAN
            else:
                values[Field.REC_TEXT] = WHOLE_PLAN
        if not self._recommendation(row, values, review):
            return
        row.description = text_of(values.get(Field.ACTION))
        if not row.description:
            row.outcome = RECOMMENDATION_ONLY
            others = [
                values.get(name)
                for name in (
                    Field.OWNER,
                    Field.LEAD,
                    Field.TIME_FRAME,
                    Field.STATUS,
                    Field.DUE_DATE,
                )
            ]
            if any(v is not None for v in others):
                row.warnings.append(
                    "No action on this row: only its recommendation is imported, the other "
                    "cells are not."
                )
            return
        row.action_number = text_of(values.get(Field.ACTION_NUMBER)).rstrip(".")
        row.tracker_id = text_of(values.get(Field.TRACKER_ID))
        if len(row.action_number) > NUMBER_MAX:
            row.errors.append(f"The action number is longer than {NUMBER_MAX} characters.")
        self._owner(row, values)
        self._lead(row, values)
        self._status(row, values)
        self._dates(row, values, review)
        row.update_text = text_of(values.get(Field.UPDATE))
        row.evidence_note = text_of(values.get(Field.EVIDENCE))
        row.expected_outcome = text_of(values.get(Field.EXPECTED_OUTCOME))
        row.evidence_required = text_of(values.get(Field.EVIDENCE_REQUIRED))
        evidence_count = self._evidence_count(row, values)
        self._reference(row, review)
        self._status_rules(row, evidence_count)
        self._changes(row)

    def _carried(self, row: RowPlan, values: dict[str, object], name: str) -> str:
        text = text_of(values.get(name))
        if text:
            self.carried[name] = (text, row.number)
            return text
        if name in self.carried:
            return self.carried[name][0]
        return ""

    def _review(self, row: RowPlan, values: dict[str, object]) -> PlannedReview | None:
        choices, plan = self.choices, self.plan
        if choices.review_source == ReviewSource.EXISTING:
            chosen = self.lookups.reviews[review_key(choices.review_reference)]
            return self._planned_review(chosen.reference, row, existing=chosen)
        if choices.review_source == ReviewSource.NEW:
            new = choices.new_review
            assert new is not None  # the choices for a new review describe it
            return self._planned_review(
                new.reference, row, title=new.title, type_id=new.type_id, type_code=new.type_code
            )
        reference = self._carried(row, values, Field.REVIEW_REFERENCE)
        type_text = self._carried(row, values, Field.REVIEW_TYPE)
        title = self._carried(row, values, Field.REVIEW_TITLE)
        if not reference:
            row.errors.append("No review reference on this row or above it.")
            return None
        key = review_key(reference)
        if key in plan.reviews:
            return plan.reviews[key]
        existing = self.lookups.reviews.get(key)
        if existing is not None and not existing.visible:
            row.errors.append(
                f"The reference {reference} belongs to a review you cannot open (a restricted "
                "review); ask the people named on it or an administrator."
            )
            return None
        if existing is not None:
            return self._planned_review(existing.reference, row, existing=existing)
        if len(reference) > REFERENCE_MAX:
            row.errors.append(f"The review reference is longer than {REFERENCE_MAX} characters.")
            return None
        review_type = None
        if type_text:
            review_type = self.lookups.review_types.get(type_text.casefold())
            if review_type is None:
                row.errors.append(
                    f"Review type “{type_text}” is not one the tracker knows (DHR, SAR, SCR, "
                    "CSPR, IMR ...)."
                )
                return None
        else:
            review_type = choices.new_review_type
        problems = []
        if review_type is None:
            problems.append("its type (a Review type column, or the type on the column page)")
        if not title:
            problems.append("its title (a Review title column)")
        if choices.commissioning_body_id is None:
            problems.append("the body that commissioned it (on the column page)")
        if problems:
            row.errors.append(
                f"{reference} is a new review: the import needs {' and '.join(problems)}."
            )
            return None
        assert review_type is not None  # else it is among the problems above
        return self._planned_review(
            reference,
            row,
            title=title[:TITLE_MAX],
            type_id=review_type[0],
            type_code=review_type[1],
        )

    def _planned_review(
        self,
        reference: str,
        row: RowPlan,
        *,
        existing: ReviewRef | None = None,
        title: str = "",
        type_id: int | None = None,
        type_code: str = "",
    ) -> PlannedReview:
        key = review_key(reference)
        if key in self.plan.reviews:
            return self.plan.reviews[key]
        # A wording without a year takes the plan's year: as given, else the review's
        # dates, else the year of the plan's position (a new review has no dates yet).
        fy = self.choices.plan_year or (existing.fy if existing else None)
        if fy is None and self.choices.position_date is not None:
            fy = financial_year_of(self.choices.position_date)
        grouping = self._review_grouping(existing, row)
        planned = PlannedReview(
            key=key,
            reference=reference,
            title=existing.title if existing else title,
            existing=existing,
            type_id=type_id,
            type_code=type_code,
            fy=fy,
            first_row=row.number,
            grouping=grouping,
        )
        numbers = [int(n) for n in (existing.recommendations if existing else {}) if n.isdigit()]
        planned.next_number = max(numbers, default=0) + 1
        if existing:
            for rec in existing.recommendations.values():
                self.rec_by_text.setdefault((key, text_key(rec.text)), rec.number)
            for action in existing.actions:
                reference_key = action_reference(
                    key, action.rec_number, action.number, action.description
                )
                self.existing_by_reference.setdefault(reference_key, []).append(action)
                self.by_tracker_id[(key, str(action.id))] = action
                if action.number:
                    by_text = action_reference(key, action.rec_number, "", action.description)
                    self.existing_by_reference.setdefault(by_text, []).append(action)
        self.plan.reviews[key] = planned
        return planned

    def _review_grouping(self, existing: ReviewRef | None, row: RowPlan) -> str:
        """A new review takes the file's grouping (or, in the export's layout, its
        Grouped by cell); an existing one keeps its own, unless it has no plan yet."""
        if existing is None:
            written = self.carried.get(Field.GROUPED_BY, ("", 0))[0].casefold()
            for value, label in PlanGrouping.choices:
                if written in (value, label.casefold()):
                    return value
            return self.plan.grouping
        if not existing.recommendations and not existing.actions:
            return self.plan.grouping
        if Field.GROUP in self.columns and existing.grouping != self.plan.grouping:
            self.plan.file_warnings.append(
                f"{existing.reference}'s plan is grouped by "
                f"{GROUPING_PLURAL[existing.grouping].lower()}; this file's "
                f"{GROUPING_PLURAL[self.plan.grouping].lower()} are added as such."
            )
        return existing.grouping

    def _recommendation(
        self, row: RowPlan, values: dict[str, object], review: PlannedReview
    ) -> bool:
        number = text_of(values.get(Field.REC_NUMBER)).rstrip(".")
        text = text_of(values.get(Field.REC_TEXT))
        if not number and text:
            found = LEADING_NUMBER.match(text)
            if found and Field.REC_NUMBER not in self.columns:
                number, text = found.group(1), found.group(2).strip()
        if not number and not text:
            if review.key in self.last_rec:
                number, from_row = self.last_rec[review.key]
                row.rec_number = number
                row.notes.append(
                    f"{self.plan.grouping_label} {number} carried down from row {from_row}."
                )
                return True
            row.errors.append(f"No {self._group_word} on this row or above it.")
            return False
        if not number:
            number = self.rec_by_text.get((review.key, text_key(text)), "")
        if not number:
            number = self._next_number(review)
            row.notes.append(
                f"{self.plan.grouping_label} numbered {number} (the plan gives no number)."
            )
        if len(number) > NUMBER_MAX:
            row.errors.append(f"The recommendation number is longer than {NUMBER_MAX} characters.")
            return False
        key = (review.key, number)
        planned = self.plan.recommendations.get(key)
        if planned is None:
            existing = review.existing.recommendations.get(number) if review.existing else None
            if existing is None and not text:
                row.errors.append(
                    f"Recommendation {number} has no wording here and is not in the review yet."
                )
                return False
            planned = PlannedRecommendation(
                review_key=review.key,
                number=number,
                text=existing.text if existing else text,
                existing_id=existing.id if existing else None,
                first_row=row.number,
            )
            self.plan.recommendations[key] = planned
            if existing and text and text_key(text) != text_key(existing.text):
                row.warnings.append(
                    f"Recommendation {number} is worded differently in the tracker; the "
                    "tracker's wording is kept."
                )
            if text:
                self.rec_by_text.setdefault((review.key, text_key(text)), number)
        elif text and text_key(text) != text_key(planned.text):
            row.warnings.append(
                f"Recommendation {number} is worded differently on row {planned.first_row}; "
                "that wording is used."
            )
        row.rec_number = number
        self.last_rec[review.key] = (number, row.number)
        return True

    def _next_number(self, review: PlannedReview) -> str:
        used = {n for (k, n) in self.plan.recommendations if k == review.key}
        if review.existing:
            used |= set(review.existing.recommendations)
        while str(review.next_number) in used:
            review.next_number += 1
        number = str(review.next_number)
        review.next_number += 1
        return number

    def _owner(self, row: RowPlan, values: dict[str, object]) -> None:
        text = text_of(values.get(Field.OWNER))
        lookups, choices = self.lookups, self.choices
        if not text:
            default = lookups.organisations_by_id.get(choices.default_owner_id or 0)
            if default is None:
                row.errors.append(
                    "No owner organisation: fill the Owner organisation column, or choose one "
                    "for rows without on the column page."
                )
                return
            row.owner_id, row.owner_label = default.id, default.short_name
            return
        key = organisation_key(text)
        found = lookups.organisations.get(key)
        choice = choices.organisation_choices.get(key)
        if found is None and isinstance(choice, int):
            found = lookups.organisations_by_id.get(choice)
        row.owner_from_cell = True
        if choice is not None:
            answered = self.plan.answered_organisations.setdefault(key, Unresolved(key, text))
            answered.rows.append(row.number)
        if found is not None:
            row.owner_id, row.owner_label = found.id, found.short_name
            return
        if choice == CREATE_ORGANISATION:
            planned = self.plan.new_organisations.get(key)
            if planned is None:
                name = text[:ORGANISATION_NAME_MAX]
                planned = PlannedOrganisation(
                    key=key, name=name, short_name=short_name_for(name, self.taken_short_names)
                )
                self.plan.new_organisations[key] = planned
            row.owner_new, row.owner_label = key, planned.short_name
            return
        unknown = self.plan.unknown_organisations.setdefault(key, Unresolved(key, text))
        unknown.rows.append(row.number)
        row.owner_label = text
        row.errors.append(
            f"Organisation “{text}” is not in the tracker: match it to one, or create it, "
            "under “Organisations not recognised”."
        )

    def _lead(self, row: RowPlan, values: dict[str, object]) -> None:
        text = text_of(values.get(Field.LEAD))
        if not text:
            return
        users = self.lookups.users
        role, person = text, None
        pair = ROLE_AND_PERSON.match(text)
        if pair and users.get(person_key(pair.group(2))):
            role, person = pair.group(1).strip(), users[person_key(pair.group(2))]
        elif users.get(person_key(text)):
            role, person = "", users[person_key(text)]
        else:
            chosen = self.choices.lead_choices.get(person_key(text))
            person = self.lookups.users_by_id.get(chosen) if chosen else None
            if person is not None:
                answered = self.plan.answered_leads.setdefault(
                    person_key(text), Unresolved(person_key(text), text)
                )
                answered.rows.append(row.number)
            else:
                unknown = self.plan.leads_without_account.setdefault(
                    person_key(text), Unresolved(person_key(text), text)
                )
                unknown.rows.append(row.number)
        if len(role) > LEAD_MAX:
            row.errors.append(
                f"The lead is {len(role)} characters long; the tracker holds {LEAD_MAX}. "
                "Give the role or person only."
            )
        row.lead_role_title = role
        row.lead_user_id = person.id if person else None
        row.lead_label = (
            text
            if not person
            else (f"{role} ({person.display_name})" if role else person.display_name)
        )

    def _status(self, row: RowPlan, values: dict[str, object]) -> None:
        if Field.STATUS not in self.columns:
            return
        word = text_of(values.get(Field.STATUS))
        if not word:
            # Plans kept in Excel often give the RAG as the cell's colour alone.
            index = self.columns[Field.STATUS]
            word = colour_word(self.sheet.fills.get((row.number, index), ""))
            if word:
                row.notes.append(f"Status read from the cell's colour ({word.lower()}).")
        row.status_word = word
        if not word:
            row.warnings.append("No status given: imported as not started.")
            return
        status = read_status(word)
        if status is None:
            key = normalise_status_word(word)
            status = self.choices.status_choices.get(key)
            if status is not None:
                answered = self.plan.answered_statuses.setdefault(key, Unresolved(key, word))
                answered.rows.append(row.number)
        if status is None:
            key = normalise_status_word(word)
            unknown = self.plan.unknown_statuses.setdefault(key, Unresolved(key, word))
            unknown.rows.append(row.number)
            row.errors.append(
                f"Status “{word}” is not recognised: choose what it means under “Status "
                f"words not recognised”, or use one of: {accepted_words()}."
            )
            return
        row.status = status
        row.status_from_cell = True

    def _dates(self, row: RowPlan, values: dict[str, object], review: PlannedReview) -> None:
        fy = review.fy
        wording_cell = values.get(Field.TIME_FRAME)
        due_cell = values.get(Field.DUE_DATE)
        reading = (
            read_time_frame(wording_cell, plan_year=fy)
            if Field.TIME_FRAME in self.columns
            else None
        )
        wording = reading.wording if reading else ""
        if due_cell is not None:
            due = read_date(due_cell, plan_year=fy)
            if due.problem:
                row.errors.append(f"Due date: {due.problem}")
            else:
                row.due = due.due
                if due.note:
                    row.notes.append(f"Due date {due.note}.")
            if (
                reading is None
                and isinstance(due_cell, str)
                and not re.fullmatch(r"[\d/.\- ]+", due_cell)
            ):
                wording = due_cell
        elif reading is not None and reading.due is not None:
            row.due, row.due_from_wording = reading.due, True
            if reading.assumed_year:
                row.notes.append(
                    # A year is assumed only from the plan's year.
                    f"Due date from “{_short(wording)}” in the financial year {year_label(cast(int, fy))}."
                )
        if reading is not None:
            for piece in reading.not_real:
                row.warnings.append(f"“{piece}” in the time frame is not a real date.")
        if row.due is None and reading is not None and reading.attention:
            row.warnings.append(f"Needs attention: {reading.attention}")
        elif row.due is None and reading is None and due_cell is None:
            row.warnings.append("Needs attention: no due date or time frame.")
        if len(wording) > TIME_FRAME_MAX:
            row.time_frame = wording[: TIME_FRAME_MAX - 1].rstrip() + "…"
            row.time_frame_full = wording
            row.warnings.append(
                f"The time frame is {len(wording)} characters long; the tracker's field holds "
                f"{TIME_FRAME_MAX}, so the whole wording is also kept as a progress update."
            )
        else:
            row.time_frame = wording
        revised_cell = values.get(Field.REVISED_DUE_DATE)
        if revised_cell is not None:
            revised = read_date(revised_cell, plan_year=fy)
            if revised.problem:
                row.errors.append(f"Revised due date: {revised.problem}")
            elif row.due is None:
                row.errors.append("A revised due date needs the original due date.")
            # A reading without a problem has its date.
            elif cast(date, revised.due) < row.due:
                row.errors.append("The revised due date is before the original due date.")
            else:
                row.revised = revised.due

    def _evidence_count(self, row: RowPlan, values: dict[str, object]) -> int:
        value = values.get(Field.EVIDENCE_COUNT)
        if value is None:
            return 0
        try:
            count = int(float(str(value)))
        except ValueError:
            row.warnings.append(f"Evidence count “{value}” is not a number; it is ignored.")
            return 0
        if count > 0:
            row.warnings.append(
                f"The plan counts {count} evidence item{'s' if count != 1 else ''}; files are "
                "not imported: upload them to the action after import."
            )
        return count

    def _reference(self, row: RowPlan, review: PlannedReview) -> None:
        if row.tracker_id and self._by_tracker_id(row, review):
            return
        reference = row.reference
        earlier = self.seen_references.get(reference)
        self.seen_references.setdefault(reference, row.number)
        matches = self.existing_by_reference.get(reference, []) if review.existing else []
        matches = [m for m in matches if m.id not in self.ids_taken]
        if self.choices.update_in_place:
            if earlier is not None and matches:
                row.errors.append(
                    f"Rows {earlier} and {row.number} would update the same action; keep one."
                )
                return
            if len(matches) > 1:
                row.errors.append(
                    f"{len(matches)} actions in the tracker match this row (same review, "
                    f"{self._group_word} and wording), so it cannot say which to update."
                )
                return
            if matches:
                self._matched(row, matches[0])
            return
        if matches:
            row.warnings.append(
                f"{review.reference} {self._group_word} {row.rec_number} already has this "
                "action. Importing adds a second copy; choose “update existing actions in "
                "place” to update it instead."
            )
        elif earlier is not None:
            row.warnings.append(f"The same action as row {earlier}.")

    @property
    def ids_taken(self) -> set[int]:
        return {m.id for m in self.matched.values()}

    def _by_tracker_id(self, row: RowPlan, review: PlannedReview) -> bool:
        """The export's tracker id names the action a row came from: it is updated in
        place whatever the person chose, so an export imported again never adds copies.
        False when the id cannot apply (a review the import creates) and the row is
        matched as any other."""
        tracker_id = row.tracker_id
        earlier = self.seen_tracker_ids.get(tracker_id)
        if earlier is not None:
            row.errors.append(
                f"Rows {earlier} and {row.number} carry the same tracker id {tracker_id}; keep one."
            )
            return True
        self.seen_tracker_ids[tracker_id] = row.number
        if review.existing is None:
            row.notes.append(
                f"Tracker id {tracker_id} is from a review not in this tracker yet: the row "
                "is added as a new action."
            )
            return False
        match = self.by_tracker_id.get((review.key, tracker_id))
        if match is None:
            row.errors.append(
                f"Tracker id {tracker_id} is not an action of {review.reference} that you can "
                "change. Clear the cell to add the row as a new action."
            )
            return True
        if text_key(match.rec_number) != text_key(row.rec_number):
            row.warnings.append(
                f"{MOVE_NOT_MADE} {self._group_word} {match.rec_number} in the tracker and "
                "stays there; move it in the tracker if it belongs elsewhere."
            )
            row.rec_number = match.rec_number
        self._matched(row, match)
        return True

    def _matched(self, row: RowPlan, existing: ExistingAction) -> None:
        row.outcome = UPDATE
        row.existing_action_id = existing.id
        row.existing_status = existing.status
        row.existing_update = existing.latest_update
        row.existing_has_evidence = existing.has_evidence
        self.matched[row.number] = existing

    def _changes(self, row: RowPlan) -> None:
        """What a matched row changes (rule 8): only columns the file has, only cells with
        a value, only where the value differs. A due date worked out from an unchanged
        time frame leaves the tracker's date alone."""
        existing = self.matched.get(row.number)
        if existing is None or row.outcome != UPDATE or row.errors:
            return
        mapped = self.columns
        new: dict[str, object] = {}
        if row.description != existing.description:
            new["description"] = row.description
        if row.action_number and row.action_number != existing.number:
            new["number"] = row.action_number
        if row.owner_from_cell:
            owner: object = row.owner_id or f"new:{row.owner_new}"
            if owner != existing.owner_id:
                new["owner_organisation_id"] = owner
        if (
            Field.LEAD in mapped
            and (row.lead_role_title or row.lead_user_id)
            and (row.lead_role_title, row.lead_user_id)
            != (existing.lead_role_title, existing.lead_user_id)
        ):
            new["lead_role_title"] = row.lead_role_title
            new["lead_user_id"] = row.lead_user_id
        wording_changed = bool(row.time_frame) and row.time_frame != existing.time_frame
        if Field.TIME_FRAME in mapped and wording_changed:
            new["original_time_frame"] = row.time_frame
        derived_only = row.due_from_wording and not wording_changed
        if (
            row.due is not None
            and row.due != existing.due_date
            and not (derived_only and existing.due_date is not None)
        ):
            new["due_date"] = row.due
        if row.revised is not None and row.revised != existing.revised_due_date:
            new["revised_due_date"] = row.revised
        if row.expected_outcome and row.expected_outcome != existing.expected_outcome:
            new["expected_outcome"] = row.expected_outcome
        if row.evidence_required and row.evidence_required != existing.evidence_required:
            new["evidence_required"] = row.evidence_required
        if row.status_from_cell and row.status != existing.status:
            new["status"] = row.status
        row.changes = new
        if not new and not (row.update_text and row.update_text != existing.latest_update):
            row.outcome = UNCHANGED
            # Nothing of the row is written, so nothing it brings needs attention; only
            # a move the import will not make is still worth saying.
            row.warnings = [w for w in row.warnings if w.startswith(MOVE_NOT_MADE)]
            row.notes = ["The tracker already holds this action as the row gives it."]

    def _status_rules(self, row: RowPlan, evidence_count: int) -> None:
        word = row.status_word or Status(row.status).label
        has_evidence = row.outcome == UPDATE and row.existing_has_evidence
        if row.status == Status.ASSURED:
            if row.outcome == UPDATE and row.existing_status == Status.ASSURED:
                row.notes.append("Already assured in the tracker; stays assured.")
                return
            row.status = Status.COMPLETED
            row.warnings.append(
                f"“{word}” means assured, which needs a commissioner to accept evidence in the "
                "tracker: imported as completed, ready for its evidence and sign-off."
            )
        if row.status == Status.COMPLETED:
            if row.outcome == UPDATE and row.existing_status == Status.ASSURED:
                row.status = Status.ASSURED
                row.notes.append("Already assured in the tracker; stays assured.")
                return
            if not has_evidence and evidence_count == 0:
                row.warnings.append(
                    "Completed with no evidence on file; evidence can be added after import."
                )
        if row.status == Status.CLOSED:
            if row.update_text:
                row.closure_rationale = row.update_text
            else:
                row.closure_rationale = (
                    f"Closed in the imported plan {self.choices.filename}; it gives no reason."
                )
                row.warnings.append(
                    "Closed with no reason in the plan: add the reason after import."
                )
        if row.due is None and row.status in FINISHED_STATUSES:
            row.warnings = [w for w in row.warnings if not w.startswith("Needs attention")]

    def _after_rows(self) -> None:
        plan = self.plan
        # A group only a tracker-id row named (the action stays in its own group) is not
        # created empty.
        used = {(row.review_key, row.rec_number) for row in plan.rows}
        for key, planned in list(plan.recommendations.items()):
            if planned.existing_id is None and key not in used:
                del plan.recommendations[key]
        for row in plan.rows:
            if row.outcome in (CREATE, UPDATE) and row.rec_number and not row.errors:
                rec = plan.recommendations.get((row.review_key, row.rec_number))
                if rec is not None:
                    rec.owner_keys.add(
                        f"id:{row.owner_id}" if row.owner_id else f"new:{row.owner_new}"
                    )
        if not plan.rows:
            plan.file_errors.append(
                "No rows to import were found below the headings. Check the sheet and the row "
                "of headings."
            )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_plan(sheet: Sheet, mapping: Mapping, lookups: Lookups, choices: ImportChoices) -> Plan:
    return Planner(sheet, mapping, lookups, choices).run()


POSITION_WORDS = re.compile(
    r"\b(?:position|status|progress|update[sd]?|updated|accurate|correct|exported|as)\s+"
    r"(?:as\s+)?(?:at|of|on)\b[:\s]*(?P<when>.+)$"
    r"|^(?:date(?: of update)?|last updated|updated|date updated)\s*[:\-]?\s+(?P<after>.+)$",
    re.I,
)


def position_date_in(sheet: Sheet, header_row: int) -> date | None:
    """The "position as at" date a plan's title block gives ("Position as at 31 March
    2019", "Updated: 30.4.17"), in the rows above its headings; None when it gives none.
    Only whole dates count: a month alone says too little to date an update by."""
    for row in sheet.rows[: max(header_row - 1, 0)]:
        # A label and its date are often in neighbouring cells ("Exported at" | date).
        cells = [text_of(v) for v in row if v is not None]
        for start in range(len(cells)):
            text = " ".join(cells[start : start + 2])
            found = POSITION_WORDS.search(text) if text else None
            if not found:
                continue
            written = (found.group("when") or found.group("after") or "").strip(" .)")
            reading = _whole_date(written)
            if reading is not None:
                return reading
    return None


def _whole_date(text: str) -> date | None:
    numeric = re.match(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b", text)
    day_month = re.match(
        r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]+)\.?,?\s+(\d{4}|'?\d{2})\b", text
    )
    month_day = re.match(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", text)
    try:
        if numeric:
            year = int(numeric[3]) + (2000 if len(numeric[3]) == 2 else 0)
            return date(year, int(numeric[2]), int(numeric[1]))
        if day_month and day_month[2][:3].lower() in MONTH_NUMBERS:
            year_text = day_month[3].lstrip("'")
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, MONTH_NUMBERS[day_month[2][:3].lower()], int(day_month[1]))
        if month_day and month_day[1][:3].lower() in MONTH_NUMBERS:
            return date(
                int(month_day[3]), MONTH_NUMBERS[month_day[1][:3].lower()], int(month_day[2])
            )
    except ValueError:
        return None
    return None


MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def review_fy(*dates: date | None) -> int | None:
    """The financial year of the first date given (published, commissioned, incident)."""
    for day in dates:
        if day is not None:
            return financial_year_of(day)
    return None
