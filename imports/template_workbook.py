"""The workbook a team downloads to fill in: the same headings as the Excel export
(governance/plan_workbook.py), so that an exported plan and a filled-in template import the
same way, and a guidance sheet with the wordings the importer understands."""

from __future__ import annotations

import io
from typing import cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from actions.choices import Status
from governance.plan_workbook import COLUMN_WIDTHS, EXPORT_COLUMNS, XLSX_CONTENT_TYPE

__all__ = ["TEMPLATE_HEADINGS", "XLSX_CONTENT_TYPE", "template_workbook"]

TEMPLATE_HEADINGS: tuple[str, ...] = EXPORT_COLUMNS
TEMPLATE_ROWS = 1000

GUIDANCE: list[tuple[str, str]] = [
    (
        "Review reference",
        'The review\'s reference, e.g. "DHR 2012/03". A new reference creates the review.',
    ),
    (
        "Review type",
        "DHR, SAR, SCR, CSPR, IMR, LeDeR, MHHR, CDR, QAR or PLAN (needed for a new review).",
    ),
    ("Review title", 'Anonymised, e.g. "Mr A" (needed for a new review).'),
    (
        "Grouped by",
        "Recommendation for a learning review; Workstream, Objective, Priority, Theme or Area "
        "for a strategy plan (what the next two columns hold). Blank: Recommendation.",
    ),
    (
        "Rec no.",
        'The recommendation\'s number, e.g. "7" or "7:7". Leave blank below the first action to repeat it.',
    ),
    ("Recommendation", "The recommendation's wording. Rows with the same number belong together."),
    ("Action no.", 'The plan\'s own number for the action, e.g. "1.2" or "Y1.01".'),
    ("Action", "What the organisation will do: one action per row."),
    (
        "Owner organisation",
        "Its name or abbreviation, e.g. BSMHFT. Unknown names can be matched or created.",
    ),
    ("Lead", 'A role title, e.g. "Deputy Chief Nurse", or a person\'s name.'),
    (
        "Time frame",
        'As written, e.g. "Q3 2018/19", "Quarter 2/3", "Aug 17", "December 2018/January 2019", "Ongoing".',
    ),
    ("Due date", "A date (dd/mm/yyyy). Blank: worked out from the time frame where it can be."),
    ("Revised due date", "After an agreed extension; the original due date is kept."),
    ("Status", "; ".join(Status.labels) + ". Colours also work: Grey, Green, Amber, Red, Blue."),
    ("Latest update", "The most recent progress narrative."),
    (
        "Evidence count",
        "Filled in by the export; evidence files are uploaded to each action after import.",
    ),
    (
        "Tracker id",
        "Filled in by the export: the action's id in the tracker, so that a re-imported "
        "export updates that action. Leave blank for new actions.",
    ),
]
TIME_FRAME_EXAMPLES: list[tuple[str, str]] = [
    (
        "Q3 2018/19 or Quarter 3 2018/19",
        "31/12/2018 (NHS financial year: Q1 April–June ... Q4 January–March)",
    ),
    ("Quarter 2/3", "end of the later quarter, in the plan's financial year"),
    ("Aug 17, Sept 17, June '17, September 2018", "end of that month"),
    ("December 2018/January 2019", "the later: 31/01/2019"),
    ("31/12/2018", "that day (day/month/year)"),
    ("Ongoing, TBC, blank", "no due date; the row is flagged for attention"),
]


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "Action plan"
    sheet.append(list(TEMPLATE_HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, heading in enumerate(TEMPLATE_HEADINGS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = COLUMN_WIDTHS.get(heading, 16)
    sheet.freeze_panes = "A2"
    status_letter = get_column_letter(TEMPLATE_HEADINGS.index("Status") + 1)
    statuses = DataValidation(
        type="list", formula1='"' + ",".join(Status.labels) + '"', allow_blank=True
    )
    statuses.error = "Choose a status from the list."
    statuses.prompt = "Not started, On track, At risk, Off track, Completed, Assured or Closed"
    sheet.add_data_validation(statuses)
    statuses.add(f"{status_letter}2:{status_letter}{TEMPLATE_ROWS}")

    guidance = workbook.create_sheet("Guidance")
    guidance.append(("Column", "What to put in it"))
    guidance.append(())
    for row in GUIDANCE:
        guidance.append(row)
    guidance.append(())
    guidance.append(("Time frame as written", "Due date worked out"))
    for row in TIME_FRAME_EXAMPLES:
        guidance.append(row)
    for row_number in (1, len(GUIDANCE) + 4):
        for cell in guidance[row_number]:
            cell.font = Font(bold=True)
    guidance.column_dimensions["A"].width = 40
    guidance.column_dimensions["B"].width = 100
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
