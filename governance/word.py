"""Word (.docx) versions of the quarterly report, built with python-docx from the same
JSON-safe dict as the web page and the PDF, so the figures cannot differ.

Committee offices assemble meeting packs in Word: the marking is in every page's header
and footer, with "Page X of Y" as Word fields, and the headings use Word's own heading
styles so the navigation pane and a pack's table of contents find them. Word cannot show
an SVG chart reliably, so the trend is given as the table that follows the chart in the
PDF.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
BAND_HEADINGS = ["Completed", "On track", "At risk", "Off track", "Closed or not started"]


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def new_document(*, marking: str, running: str, title: str):
    """An A4 document with the marking at the top and bottom of every page and the
    running title and page numbers in the footer."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = 7560310, 10692130  # A4 in EMU
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    document.core_properties.title = title
    document.core_properties.category = marking
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = header.add_run(marking)
    run.bold = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking_run = footer.add_run(marking)
    marking_run.bold = True
    footer.add_run(f"\n{running} · Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    heading = document.add_heading(title, level=0)
    for run in heading.runs:
        run.font.color.rgb = NHS_BLUE
    return document


def add_table(document, headings: list[str], rows: list[list[Any]], *, numeric_from: int = 1):
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
    # Repeat the heading row on every page a long table runs over.
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = str(value)
            if index >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()
    return table


def add_key_values(document, pairs: list[tuple[str, str]]) -> None:
    add_table(document, ["", ""], [list(p) for p in pairs], numeric_from=99)


def to_bytes(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _band_row(name: str, figures: dict[str, Any]) -> list[Any]:
    return [
        name,
        figures["total"],
        *(b["count"] for b in figures["bands"]),
        f"{figures['headline']['percent']}%",
    ]


def quarterly_report_docx(report: dict[str, Any]) -> bytes:
    """The quarterly report in Word, section for section as in the PDF."""
    quarter = report["quarter"]
    document = new_document(
        marking=report["classification"],
        running=f"Quarterly assurance report · {quarter['label']}",
        title="Quarterly assurance report: learning review action plans",
    )
    scope = report["scope"]
    covers = scope["label"][:1].upper() + scope["label"][1:]
    if scope["forums"]:
        covers += ": " + ", ".join(f["short_name"] for f in scope["forums"])
    add_key_values(
        document,
        [
            ("Quarter", f"{quarter['label']} ({quarter['months']})"),
            ("Covers", covers),
            (
                "Figures as at",
                "The end of each quarter"
                + (
                    f"; {quarter['label']} as at {quarter['figures_at']}"
                    if quarter["running"]
                    else ""
                ),
            ),
            ("Produced", report["as_at_display"]),
            ("Classification", report["classification"]),
        ],
    )

    document.add_heading("1. Summary", level=1)
    current = report["current"]
    change = report["change"]
    moved = ""
    if change is not None:
        points = "percentage point" + ("" if abs(change) == 1 else "s")
        moved = (
            f", up {change} {points} on the quarter before"
            if change > 0
            else f", down {-change} {points} on the quarter before"
            if change < 0
            else ", no change on the quarter before"
        )
    document.add_paragraph(
        f"{current['headline']['percent']}% of actions were completed or on track at the end "
        f"of {quarter['label']} ({current['headline']['numerator']} of "
        f"{current['headline']['denominator']}){moved}."
    )
    document.add_paragraph(
        f"Calculated as {report['formula']}. Each quarter's figures are counted from the "
        "actions' history as it stood at the end of that quarter. Percentages are rounded "
        "down to a whole percent. Restricted reviews are not included."
    )

    document.add_heading("2. Trend", level=1)
    document.add_paragraph(
        f"{report['chart']['title']}. (The PDF shows this as a chart; the figures are the same.)"
    )
    add_table(
        document,
        ["Quarter", "Actions", *BAND_HEADINGS, "Completed or on track"],
        [
            [
                q["label"] + (" (to date)" if q["running"] else ""),
                q["total"],
                *(f"{b['count']} ({b['percent']}%)" for b in q["bands"]),
                f"{q['headline']['percent']}%",
            ]
            for q in report["trend"]
        ],
    )

    document.add_heading(f"3. At the end of {quarter['label']}", level=1)
    for title, key, heading in (
        ("3.1 By provider", "by_provider", "Provider"),
        ("3.2 By review type", "by_type", "Review type"),
        ("3.3 By review", "by_review", "Review"),
    ):
        document.add_heading(title, level=2)
        rows = report[key]
        if rows:
            add_table(
                document,
                [heading, "Actions", *BAND_HEADINGS, "Completed or on track"],
                [_band_row(row["name"], row) for row in rows],
            )
        else:
            document.add_paragraph("No actions in scope at the quarter end.")

    document.add_heading("4. Learning repeated across reviews", level=1)
    if report["themes"]:
        add_table(
            document,
            ["Theme", "Reviews", "Actions", "Open", "Overdue", "Assured", "Completed or on track"],
            [
                [
                    t["name"],
                    ", ".join(t["reviews"]),
                    t["total"],
                    t["open"],
                    t["overdue"],
                    t["assured"],
                    f"{t['headline']['percent']}%",
                ]
                for t in report["themes"]
            ],
            numeric_from=2,
        )
    else:
        document.add_paragraph(
            "No theme is carried by recommendations of more than one review in this report."
        )

    document.add_heading("5. Slippage", level=1)
    if report["slippage"]:
        add_table(
            document,
            [
                "Provider",
                "Actions extended",
                "Extensions",
                "Average days slipped",
                "Longest (days)",
            ],
            [
                [p["owner"], p["actions"], p["extensions"], p["average_days"], p["longest_days"]]
                for p in report["slippage_by_provider"]
            ],
        )
        add_table(
            document,
            [
                "Action",
                "Provider",
                "Original due",
                "Revised due",
                "Extensions",
                "Slipped",
                "Status",
            ],
            [
                [
                    f"{a['reference']}: {a['description']}",
                    a["owner"],
                    a["original_due"],
                    a["revised_due"],
                    a["extensions"],
                    f"{a['slipped']} ({a['days_slipped']} days)",
                    a["status_label"],
                ]
                for a in report["slippage"][: report["slippage_listed"]]
            ],
            numeric_from=99,
        )
    else:
        document.add_paragraph(
            "No action in scope had its due date put back by the end of the quarter."
        )
    return to_bytes(document)
