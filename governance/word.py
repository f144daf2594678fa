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
import zipfile
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor

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
    section.page_width, section.page_height = Emu(7560310), Emu(10692130)  # A4
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


def to_bytes(document, *, as_at: datetime | None = None) -> bytes:
    """The .docx bytes, the same every time for the same content: the document's dates
    are `as_at` (when its figures were taken) and every zip member carries one fixed
    timestamp, so an issued paper's Word file is byte-identical however often it is
    downloaded, as its PDF is."""
    if as_at is not None:
        properties = document.core_properties
        properties.created = properties.modified = as_at.replace(tzinfo=None)
        properties.last_printed = as_at.replace(tzinfo=None)
        properties.revision = 1
        properties.author = properties.last_modified_by = "Learning review action tracker"
    saved = io.BytesIO()
    document.save(saved)
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(saved) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member.filename))
    return fixed.getvalue()


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
    if "similar_groups" in report:
        document.add_heading("Similar recommendations across reviews", level=2)
        for group in report["similar_groups"]:
            document.add_paragraph(
                f"\u201c{group['suggestion']}\u201d: {len(group['recommendations'])} "
                f"recommendations in {len(group['reviews'])} reviews, {group['from']} to "
                f"{group['to']} ({', '.join(group['organisations'])})"
            ).runs[0].bold = True
            for rec in group["recommendations"]:
                document.add_paragraph(f"{rec['reference']}: {rec['text']}", style="List Bullet")
        if not report["similar_groups"]:
            document.add_paragraph(
                "No group of similar recommendations spans two or more reviews in this report."
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
    return to_bytes(document, as_at=datetime.fromisoformat(report["as_at"]))


def _action_lines(document, a: dict[str, Any], *, reasons: list[str] | None = None) -> None:
    """One action as in the PDF: reference line, text, facts, reasons, latest update."""
    head = document.add_paragraph(style="List Bullet")
    ref = head.add_run(f"{a['reference']} · {a['owner']} · {a['status_label']}")
    ref.bold = True
    if a.get("overdue"):
        overdue = a.get("overdue_by") or f"{a['days_overdue']} days"
        late = head.add_run(f" · overdue {overdue}")
        late.bold = True
        late.font.color.rgb = RGBColor(0xD5, 0x28, 0x1B)
    if a.get("from"):
        head.add_run(f" · from the {a['from']}").bold = True
    document.add_paragraph(a["description"])
    due = a["due"] or "no date"
    if a.get("revised_due"):
        due += f" (revised to {a['revised_due']})"
    facts = document.add_paragraph(
        f"Lead: {a['lead'] or 'not named'} · Time frame: {a['time_frame'] or 'none given'} · "
        f"Due: {due} · Evidence: {a['evidence_count']}"
    )
    facts.runs[0].font.size = Pt(8.5)
    for reason in reasons or []:
        document.add_paragraph(reason, style="List Bullet 2")
    when = f" ({a['latest_update_on']})" if a.get("latest_update_on") else ""
    if a.get("mitigation"):
        document.add_paragraph(f"Mitigation (latest update{when}): {a['mitigation']}")
    else:
        document.add_paragraph(f"Latest update{when}: {a['latest_update'] or 'none recorded.'}")


def paper_docx(s: dict[str, Any], *, draft: bool) -> bytes:
    """A committee paper in Word from its snapshot: the same sections, figures and
    marking as its PDF (DRAFT on every page of a draft)."""
    paper = s["paper"]
    marking = f"DRAFT – {paper['classification']}" if draft else paper["classification"]
    document = new_document(
        marking=marking,
        running=f"{s['forum']['short_name']} · {s['meeting']['date']}",
        title=paper["title"],
    )
    if draft:
        document.add_paragraph(
            f"Draft – figures as at {s['as_at_display']}. Not for circulation until issued."
        ).runs[0].bold = True
    document.add_paragraph(s["organisation"]).runs[0].bold = True
    period = paper["period"] or "Not set"
    if paper.get("period_months"):
        period += f" ({paper['period_months']})"
    version = str(paper["version"])
    if paper.get("supersedes"):
        version += f": supersedes version {paper['supersedes']['version']}"
    cover = [
        ("Meeting", f"{s['forum']['name']} ({s['forum']['short_name']})"),
        ("Date of meeting", s["meeting"]["date"]),
        ("Agenda item", paper["agenda_item"] or "To be confirmed"),
        ("Author", paper["author"]),
    ]
    if s.get("schema", 1) >= 2:
        cover += [
            ("Executive lead", paper["executive_lead"] or "Not stated"),
            ("Presented by", paper["presenter"] or paper["author"]),
            (
                "Previously considered by",
                paper["previously_considered_by"] or "Not previously considered",
            ),
            ("Level of assurance", paper["assurance_level"] or "Not stated"),
            ("Risk register / BAF reference", paper["baf_reference"] or "None given"),
        ]
    cover += [
        ("Reporting period", period),
        ("Figures as at", s["as_at_display"]),
        ("Version", version),
        ("Classification", paper["classification"]),
    ]
    add_key_values(document, cover)
    if paper["purpose"]:
        document.add_heading("Purpose", level=1)
        document.add_paragraph(paper["purpose"])
    document.add_heading("The Committee is asked to:", level=1)
    for ask in paper["asks"] or ["Receive this report for information."]:
        document.add_paragraph(ask, style="List Number")
    if s.get("schema", 1) >= 2:
        document.add_heading("Executive summary", level=1)
        document.add_paragraph(
            paper["executive_summary"] or "The author has not written an executive summary."
        )
        document.add_heading(
            f"Level of assurance offered: {paper['assurance_level'] or 'not stated'}", level=2
        )
        if paper["assurance_meaning"]:
            document.add_paragraph(paper["assurance_meaning"])
        if paper["assurance_rationale"]:
            document.add_paragraph(paper["assurance_rationale"])
        document.add_heading("Risks", level=2)
        document.add_paragraph(
            paper["risks"] or "No risks are identified for the committee's attention."
        )
        if paper["baf_reference"]:
            document.add_paragraph(
                f"Risk register / Board Assurance Framework reference: {paper['baf_reference']}."
            )

    document.add_heading("1. Summary", level=1)
    if s["total"]:
        headline = s["headline"]
        document.add_paragraph(
            f"This paper covers {s['total']} actions on {s['review_count']} reviews monitored "
            f"by the {s['forum']['short_name']}, as at {s['as_at_display']}. Restricted reviews "
            "are reported separately and are not included."
        )
        p = document.add_paragraph()
        p.add_run(f"{headline['percent']}%").bold = True
        p.add_run(
            f" of actions are completed or on track ({headline['numerator']} of "
            f"{headline['denominator']}). Calculated as {s['formula']}."
        )
        add_table(
            document,
            ["Band", "Actions", "Per cent"],
            [[b["label"], b["count"], f"{b['percent']}%"] for b in s["bands"]]
            + [["All actions", s["total"], ""]],
        )
        add_table(
            document,
            ["Status", "Actions"],
            [[row["label"], row["count"]] for row in s["status_totals"]],
        )
    else:
        document.add_paragraph(
            f"The {s['forum']['short_name']} monitors no actions yet: no reviews are assigned "
            "to it and no actions name it as their monitoring forum."
        )

    document.add_heading("2. Movement since the last paper", level=1)
    movement = s["movement"]
    if not movement.get("since"):
        document.add_paragraph(
            f"This is the first paper issued to the {s['forum']['short_name']} from the "
            "tracker; movement will be reported from the next paper."
        )
    else:
        document.add_paragraph(
            f'Since the figures for "{movement["previous_title"]}" (meeting of '
            f"{movement['previous_meeting']}) were taken on {movement['since']}:"
        )
        counts = movement["counts"]
        add_table(
            document,
            ["", "Actions"],
            [
                ["New actions", counts["new"]],
                ["Newly completed", counts["newly_completed"]],
                ["Newly assured", counts["newly_assured"]],
                ["Newly overdue", counts["newly_overdue"]],
            ],
        )
        for key, title in (
            ("new", "New actions"),
            ("newly_assured", "Newly assured"),
            ("newly_completed", "Newly completed"),
            ("newly_overdue", "Newly overdue"),
        ):
            if movement[key]:
                document.add_heading(title, level=2)
                for a in movement[key]:
                    _action_lines(document, a)

    document.add_heading("3. Exceptions", level=1)
    exceptions = s["exceptions"]
    if "items" in exceptions:
        current_from = None
        for item in exceptions["items"]:
            if item["from"] != current_from:
                current_from = item["from"]
                document.add_heading(
                    f"Reported by exception from the {current_from}"
                    if current_from
                    else s["forum"]["short_name"],
                    level=2,
                )
            _action_lines(document, item, reasons=item["reasons"])
        if not exceptions["items"]:
            document.add_paragraph(
                "No actions are exceptions: none is off track or overdue, and nothing waits "
                "for a decision, sign-off or review."
            )
        if s.get("schema", 1) >= 3:
            document.add_heading("Learning made before", level=2)
            for made in s["made_before"]:
                document.add_paragraph(f"{made['reference']}: {made['text']}").runs[0].bold = True
                for earlier in made["earlier"]:
                    document.add_paragraph(
                        f"{earlier['sentence']} ({earlier['reference']}).", style="List Bullet"
                    )
            if not s["made_before"]:
                document.add_paragraph(
                    "No open recommendation repeats learning assured in an earlier review."
                )
        document.add_heading("Open actions with no due date", level=2)
        for a in s.get("no_due_date", []):
            _action_lines(document, a)
        if not s.get("no_due_date"):
            document.add_paragraph("Every open action has a due date.")
    else:  # a paper issued before exceptions were one list (snapshot schema 1)
        for key, title in (
            ("off_track", "3.1 Actions off track"),
            ("overdue", "3.2 Overdue actions"),
            ("extensions", "3.3 Extension requests for decision"),
            ("awaiting_sign_off", "3.4 Completed actions awaiting sign-off"),
            ("evidence", "3.5 Evidence awaiting review"),
        ):
            document.add_heading(title, level=2)
            for a in exceptions[key]:
                _action_lines(document, a)
            if not exceptions[key]:
                document.add_paragraph("None.")

    document.add_heading("4. Actions due in the period", level=1)
    for a in s["period_due"]:
        _action_lines(document, a)
    if not s["period_due"]:
        document.add_paragraph(
            f"No actions were due in {paper['period']}."
            if paper["period"]
            else "No reporting period was set for this paper."
        )

    document.add_heading("5. Detail by review", level=1)
    for review in s["reviews"]:
        document.add_heading(f"{review['reference']}: {review['title']}", level=2)
        published = f", published {review['published']}" if review["published"] else ""
        document.add_paragraph(f"{review['type_name']}{published}.")
        grouping = review.get("grouping", "Recommendation")  # older snapshots lack it
        for rec in review["recommendations"]:
            document.add_paragraph(f"{grouping} {rec['number']}: {rec['text']}").runs[0].bold = True
            for a in rec["actions"]:
                _action_lines(document, a)
            if not rec["actions"]:
                document.add_paragraph(
                    f"No action in this forum's scope is recorded against this {grouping.lower()}."
                )
    if not s["reviews"]:
        document.add_paragraph("No reviews are in this paper's scope.")

    document.add_heading("6. Glossary", level=1)
    if s["glossary"]:
        add_table(
            document,
            ["Abbreviation", "Meaning"],
            [
                [
                    entry["term"],
                    entry["meaning"]
                    or "Meaning not recorded in the tracker: an administrator can add it "
                    "(Glossary terms).",
                ]
                for entry in s["glossary"]
            ],
            numeric_from=99,
        )
    else:
        document.add_paragraph("This paper uses no abbreviations.")
    return to_bytes(document, as_at=datetime.fromisoformat(s["as_at"]))
