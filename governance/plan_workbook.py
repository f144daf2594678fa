"""Action plans as Excel workbooks (docs/papers.md): one row per action, status cells in the
app's RAG colours, and a key to the colours.

Every workbook carries its classification marking, as a paper does: a first
"Classification" sheet saying what the file holds, who exported it, when, and how to
handle it, and the marking in every sheet's printed header and footer and in the file
name.

The heading row is a contract: the Excel importer reads plans back by these headings
(it takes the first sheet with a row of them, so the Classification sheet must not
start a line with "Action"). "Action no." keeps the plan's own numbering and "Tracker
id" the action's id here, so that an export imported again updates the very actions it
came from and changes nothing when nothing was changed (docs/imports.md). "Grouped by"
says whether the "Rec no." and "Recommendation" cells hold recommendations or a strategy
plan's workstreams (objectives, priorities ...).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from actions.choices import STATUS_MEANING, STATUS_STYLE, Status
from actions.models import Action

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXPORT_COLUMNS: tuple[str, ...] = (
    "Review reference",
    "Review type",
    "Review title",
    "Grouped by",
    "Rec no.",
    "Recommendation",
    "Action no.",
    "Action",
    "Owner organisation",
    "Lead",
    "Time frame",
    "Due date",
    "Revised due date",
    "Status",
    "Latest update",
    "Evidence count",
    "Tracker id",
)

# Width in characters; the long narrative columns wrap instead of growing.
COLUMN_WIDTHS: dict[str, int] = {
    "Review reference": 16,
    "Review type": 9,
    "Review title": 22,
    "Grouped by": 13,
    "Rec no.": 8,
    "Recommendation": 48,
    "Action no.": 8,
    "Action": 48,
    "Owner organisation": 14,
    "Lead": 24,
    "Time frame": 16,
    "Due date": 12,
    "Revised due date": 12,
    "Status": 12,
    "Latest update": 48,
    "Evidence count": 10,
    "Tracker id": 10,
}
WRAPPED_COLUMNS = frozenset(
    {"Review title", "Recommendation", "Action", "Lead", "Time frame", "Latest update"}
)
DATE_FORMAT = "dd/mm/yyyy"
KEY_SHEET = "Key"
CLASSIFICATION_SHEET = "Classification"

# Excel's limits: a cell holds at most 32,767 characters (longer ones make Excel
# "repair" the file); a sheet name at most 31, without []:*?/\ or a leading/trailing
# apostrophe; "History" is reserved.
CELL_MAX_CHARS = 32_767
SHEET_NAME_MAX_CHARS = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEET_NAMES = frozenset({"history", KEY_SHEET.casefold(), CLASSIFICATION_SHEET.casefold()})


@dataclass(frozen=True)
class ExportMarking:
    """What a workbook says about itself: its marking, what it holds, who exported it and
    when. `filters` is None for an export that has none (a review's plan)."""

    classification: str
    holds: str  # "the action list", "the action plan of DHR 2012/03 (Mr A)"
    exported_by: str
    exported_at: datetime
    restricted_reviews: Sequence[str] = ()
    filters: Mapping[str, str] | None = None

    @property
    def running_text(self) -> str:
        """The marking as printed at the top and bottom of every page."""
        if self.restricted_reviews:
            return f"{self.classification} – includes restricted reviews (named people only)"
        return self.classification


def actions_workbook(*, actions: Sequence[Action], title: str, marking: ExportMarking) -> bytes:
    """The actions as an .xlsx file, in the order given, behind a Classification sheet.

    `actions` must carry the listing columns (actions.selectors.with_listing_columns),
    so that reading every row is one query however many there are."""
    workbook = Workbook()
    workbook.properties.title = title
    cover = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    cover.title = CLASSIFICATION_SHEET
    plan = workbook.create_sheet(sheet_name(title))
    _write_plan(plan, actions)
    _write_key(workbook.create_sheet(KEY_SHEET))
    _write_cover(cover, marking, rows=len(actions), plan=plan.title)
    for sheet in workbook.worksheets:
        _mark_pages(sheet, marking)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def sheet_name(title: str) -> str:
    name = SHEET_NAME_FORBIDDEN.sub("-", title)
    name = " ".join(name.split())[:SHEET_NAME_MAX_CHARS].strip(" '")
    if not name:
        return "Actions"
    if name.casefold() in RESERVED_SHEET_NAMES:
        return f"{name} actions"
    return name


def export_filename(stem: str, *, classification: str) -> str:
    """A filename any system accepts, led by the marking so that it shows in a folder or
    an email attachment: "DHR 2012/03 plan" → "OFFICIAL-SENSITIVE-DHR-2012-03-plan.xlsx"."""
    marking = _filename_safe(classification)[:40].strip("-")
    safe = _filename_safe(stem)[:100].strip("-")
    return "-".join(part for part in (marking, safe or "actions") if part) + ".xlsx"


def _filename_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def plan_row(action: Action) -> list[object]:
    """One action's cells, in EXPORT_COLUMNS order."""
    recommendation = action.recommendation
    review = recommendation.review
    organisation = action.owner_organisation
    return [
        review.reference,
        review.review_type.code,
        review.title,
        review.grouping_label,
        recommendation.number,
        recommendation.text,
        action.number,
        action.description,
        organisation.short_name or organisation.name,
        lead_of(action),
        action.original_time_frame,
        action.due_date,
        action.revised_due_date,
        Status(action.status).label,
        action.latest_update_text or "",
        action.evidence_count,
        action.pk,
    ]


def lead_of(action: Action) -> str:
    """The role title as the plan names it, with the person when one is set."""
    person = action.lead_user.display_name if action.lead_user else ""
    if action.lead_role_title and person:
        return f"{action.lead_role_title} ({person})"
    return action.lead_role_title or person


def status_fill(status: str) -> PatternFill:
    colour = _argb(STATUS_STYLE[status].fill)
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def status_font(status: str) -> Font:
    return Font(color=_argb(STATUS_STYLE[status].text))


def _argb(hex_colour: str) -> str:
    """ "#CCE2D8" → "FFCCE2D8", the opaque colour Excel expects."""
    return "FF" + hex_colour.removeprefix("#").upper()


def _write_cover(sheet: Worksheet, marking: ExportMarking, *, rows: int, plan: str) -> None:
    """The first sheet a reader sees. No value starts with "Action", or the importer
    would take this sheet for the plan (see the module docstring)."""
    exported_at = timezone.localtime(marking.exported_at)
    if marking.restricted_reviews:
        restricted = (
            "Includes the actions of restricted reviews the exporter is named on: "
            f"{', '.join(marking.restricted_reviews)}. Share them only with the people "
            "named on those reviews."
        )
    else:
        restricted = (
            "None. Restricted reviews are left out of exports unless the exporter is named on them."
        )
    lines: list[tuple[str, str]] = [
        (
            "This file holds",
            f"{rows} action{'s' if rows != 1 else ''} from {marking.holds}, one a row, on "
            f'the sheet "{plan}"; the {KEY_SHEET} sheet explains the status colours.',
        ),
        ("Restricted reviews", restricted),
    ]
    if marking.filters is not None:
        filters = "; ".join(f"{name}: {value}" for name, value in marking.filters.items())
        lines.append(("Filters", filters or "None: every action the exporter may see."))
    lines += [
        ("Exported by", marking.exported_by),
        ("Exported at", f"{exported_at:%d/%m/%Y %H:%M} ({exported_at.tzname()})"),
        (
            "Handling",
            f"This file is {marking.classification} and must be handled accordingly: keep "
            "it on approved, secure systems; share it only with people who need it for "
            "their work, by secure email; do not copy it to personal devices or accounts; "
            "delete it when it is no longer needed.",
        ),
    ]
    _put(sheet.cell(row=1, column=1), marking.running_text)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    top, wrapped = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    for row_number, (label, value) in enumerate(lines, start=3):
        label_cell = sheet.cell(row=row_number, column=1)
        _put(label_cell, label)
        label_cell.font = Font(bold=True)
        label_cell.alignment = top
        value_cell = sheet.cell(row=row_number, column=2)
        _put(value_cell, value)
        value_cell.alignment = wrapped
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 90
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    page_setup = sheet.sheet_properties.pageSetUpPr
    assert page_setup is not None  # every new sheet has one
    page_setup.fitToPage = True


def _mark_pages(sheet: Worksheet, marking: ExportMarking) -> None:
    """The marking at the top and bottom of every printed page, as on a paper. "&" starts
    a code in Excel's header language, so a literal one is doubled."""
    text = marking.running_text.replace("&", "&&")
    header, footer = sheet.oddHeader, sheet.oddFooter
    assert header is not None and footer is not None  # every new sheet has both
    header.center.text = text
    footer.center.text = text
    footer.right.text = "Page &P of &N"


def _write_plan(sheet: Worksheet, actions: Sequence[Action]) -> None:
    sheet.append(EXPORT_COLUMNS)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    status_column = EXPORT_COLUMNS.index("Status") + 1
    top, wrapped = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    for row_number, action in enumerate(actions, start=2):
        for column, value in enumerate(plan_row(action), start=1):
            cell = sheet.cell(row=row_number, column=column)
            _put(cell, value)
            cell.alignment = wrapped if EXPORT_COLUMNS[column - 1] in WRAPPED_COLUMNS else top
        status_cell = sheet.cell(row=row_number, column=status_column)
        status_cell.fill = status_fill(action.status)
        status_cell.font = status_font(action.status)
    for column, heading in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = COLUMN_WIDTHS[heading]
    last_column = get_column_letter(len(EXPORT_COLUMNS))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{sheet.max_row}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    page_setup = sheet.sheet_properties.pageSetUpPr
    assert page_setup is not None  # every new sheet has one
    page_setup.fitToPage = True


def _write_key(sheet: Worksheet) -> None:
    sheet.append(("Status", "Colour", "Meaning"))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, status in enumerate(Status.values, start=2):
        sheet.append((Status(status).label, STATUS_STYLE[status].colour, STATUS_MEANING[status]))
        label = sheet.cell(row=row_number, column=1)
        label.fill = status_fill(status)
        label.font = status_font(status)
    for letter, width in (("A", 14), ("B", 14), ("C", 80)):
        sheet.column_dimensions[letter].width = width


def _put(cell: Cell | MergedCell, value: Any) -> None:
    """Dates as real Excel dates; text always as text. openpyxl would otherwise store
    text starting with "=" as a formula (spreadsheet injection), and refuses control
    characters pasted in from other documents."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(text) > CELL_MAX_CHARS:
            text = text[: CELL_MAX_CHARS - 1] + "…"
        cell.value = text or None
        if text:
            cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = DATE_FORMAT
