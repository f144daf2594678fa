"""Action plans as Excel workbooks (DESIGN §7): one row per action, status cells in the
app's RAG colours, and a key to the colours.

The heading row is a contract: the Excel importer reads plans back by these headings.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
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
    "Rec no.",
    "Recommendation",
    "Action",
    "Owner organisation",
    "Lead",
    "Time frame",
    "Due date",
    "Revised due date",
    "Status",
    "Latest update",
    "Evidence count",
)

# Width in characters; the long narrative columns wrap instead of growing.
COLUMN_WIDTHS: dict[str, int] = {
    "Review reference": 16,
    "Review type": 9,
    "Review title": 22,
    "Rec no.": 8,
    "Recommendation": 48,
    "Action": 48,
    "Owner organisation": 14,
    "Lead": 24,
    "Time frame": 16,
    "Due date": 12,
    "Revised due date": 12,
    "Status": 12,
    "Latest update": 48,
    "Evidence count": 10,
}
WRAPPED_COLUMNS = frozenset(
    {"Review title", "Recommendation", "Action", "Lead", "Time frame", "Latest update"}
)
DATE_FORMAT = "dd/mm/yyyy"
KEY_SHEET = "Key"

# Excel's limits: a cell holds at most 32,767 characters (longer ones make Excel
# "repair" the file); a sheet name at most 31, without []:*?/\ or a leading/trailing
# apostrophe; "History" is reserved.
CELL_MAX_CHARS = 32_767
SHEET_NAME_MAX_CHARS = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEET_NAMES = frozenset({"history", KEY_SHEET.casefold()})


def actions_workbook(*, actions: Iterable[Action], title: str) -> bytes:
    """The actions as an .xlsx file, in the order given.

    `actions` must carry the listing columns (actions.selectors.with_listing_columns),
    so that reading every row is one query however many there are."""
    workbook = Workbook()
    workbook.properties.title = title
    sheet = workbook.active
    sheet.title = sheet_name(title)
    _write_plan(sheet, actions)
    _write_key(workbook.create_sheet(KEY_SHEET))
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


def export_filename(stem: str) -> str:
    """A filename any system accepts: "DHR 2012/03 plan" → "DHR-2012-03-plan.xlsx"."""
    safe = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:100].strip("-")
    return f"{safe or 'actions'}.xlsx"


def plan_row(action: Action) -> list[object]:
    """One action's cells, in EXPORT_COLUMNS order."""
    recommendation = action.recommendation
    review = recommendation.review
    organisation = action.owner_organisation
    return [
        review.reference,
        review.review_type.code,
        review.title,
        recommendation.number,
        recommendation.text,
        action.description,
        organisation.short_name or organisation.name,
        lead_of(action),
        action.original_time_frame,
        action.due_date,
        action.revised_due_date,
        Status(action.status).label,
        action.latest_update_text or "",
        action.evidence_count,
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


def _write_plan(sheet: Worksheet, actions: Iterable[Action]) -> None:
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
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


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


def _put(cell: Cell, value: object) -> None:
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
