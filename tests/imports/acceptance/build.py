"""Writes the acceptance plans: the action tables of the seed papers as the people who
keep them would hold them in Excel or export them to CSV. The files are committed next
to this script; run it again only to change them:

    python -m tests.imports.acceptance.build

Each file is what its author's team would keep, not what the importer would like:

- 000: the CCG's response to the NHS England quality-assurance review of the DHRs of
  Mr A and Mr B, by key line of enquiry (KLOE). A title block, the KLOE and response
  merged down over the actions that answer them, RAG as the fill colour of an empty
  cell, time frames as written ("Quarter 3 2018/19", "Quarter 2/3", "Ongoing").
- 001: the LINk Mental Health Action Group's report back from the Joint Commissioner
  Liaison of 5 October 2011, kept as an action log by matter discussed, saved from Excel
  as CSV (Windows-1252: en dashes, "£", curly apostrophes), dates as "Oct 5th 2011",
  "Nov 11", "12/10/2011".
- 002: the Birmingham Integrated Care Partnership's annual report (December 2021), its
  next steps by priority area, with real Excel dates, one written as "31.03.22", RAG as
  colour and word, and a notes row under the table.
- 004 (xlsx): the Barking, Havering and Redbridge Transforming Care Partnership plan's
  workstream 1 table (NHSE stocktake, 12 May 2017): objective and learning merged down,
  several actions per objective, "August 17", "Sept 17", "Jan 18".
- 004 (csv): the same partnership's year-one review of its 2017–19 plan, as the issue
  describes it: Workstream, Ref, Action, Lead, Timescale, RAG, Update, no
  recommendation column, saved from Excel as CSV in Windows-1252.
- 005: that year-one review as the programme office keeps it in Excel: no workstream
  column, each workstream a heading row merged across the table ("Workstream 1:
  Community based care and support") above its actions.
- 006: the CCG's later copy of the 000 response, coloured from the workbook theme's
  palette as Excel's colour picker offers it (green and gold accents lightened 40%, a
  blue accent for done) with standard red, and no RAG word anywhere.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.theme import theme_xml

HERE = Path(__file__).resolve().parent

RED, AMBER, GREEN, BLUE = "FFFF0000", "FFFFC000", "FF00B050", "FF0070C0"


def fill(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def save(workbook: Workbook, name: str) -> None:
    workbook.save(HERE / name)


def write_csv(rows: list[list[object]], name: str) -> None:
    """As Excel's "CSV (Comma delimited)" writes it on Windows: Windows-1252, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    (HERE / name).write_bytes(buffer.getvalue().encode("cp1252"))


# --- 000: NHS England QA review of the DHRs of Mr A and Mr B -----------------------

LEAD_000 = "Deputy Chief Nurse and AD JCT"
KLOES: list[tuple[str, str, list[tuple[str, str, str | None]]]] = [
    (
        "1. What were/are the existing arrangements for the monitoring of DHRs and IMRs?",
        "DHRs are commissioned by the Birmingham Community Safety Partnership (BCSP), which "
        "publishes them and their action plans. Monitoring continued via the BCSP.",
        [
            (
                "Confirm nominated members of the BSol CCG Safeguarding Assurance Group across "
                "the relevant directorates.",
                "Quarter 3 2018/19",
                GREEN,
            ),
            (
                "Draft the BSol CCG Safeguarding and Public Protection Policy and Procedure for "
                "the Safeguarding Assurance Group on 20 September 2018.",
                "20 September 2018",
                GREEN,
            ),
            (
                "Circulate the policy to the Birmingham and Solihull workforce and make final "
                "amends for approval by the Quality and Safety Committee / Governing Body.",
                "December 2018/January 2019",
                AMBER,
            ),
            (
                "Start the Designated Professionals Safeguarding Team audit cycle, reporting to "
                "the Safeguarding Assurance Group and by exception to the Quality and Safety "
                "Committee.",
                "Q1 2019/2020",
                None,
            ),
        ],
    ),
    (
        "2. What evidence is there to demonstrate that action plans pertaining to the above "
        "reviews were effectively monitored by CCGs via the existing arrangements?",
        "The CCG was represented on the Partnership DHR Steering Group; there was no evidence "
        "that the plans were reported to CCG governance.",
        [
            (
                "Confirm lines of communication between BCSP and CCG commissioning and contracting "
                "functions and onward reporting.",
                "Quarter 3 2018/19",
                GREEN,
            ),
            (
                "Review the CQRM terms of reference to include DHR and IMR action plans.",
                "end of December 2018",
                AMBER,
            ),
            (
                "Identify any current DHRs and other reviews open to BSMHFT.",
                "Quarter 3 2018/19",
                GREEN,
            ),
        ],
    ),
    (
        "3. To what extent did the existing contract quality assurance regime monitor indicators?",
        "The contract contains quality indicators monitored via CQRG, but with a limited view "
        "of DHR/IMR action plans.",
        [
            (
                "Review recommendations of open DHRs and other reviews so that quality metrics "
                "are in place.",
                "Quarter 2 and ongoing business as usual.",
                AMBER,
            ),
            (
                "Agree via CQRG a programme of quality visits to stress test actions taken in "
                "response to recommendations.",
                "Quarter 2/3",
                RED,
            ),
        ],
    ),
    (
        "4. To what extent is the CCG currently assured of the status of these and any "
        "subsequent action plans?",
        "The CCG has had sight of the action plan and has requested copies of all open DHRs "
        "and IMRs.",
        [
            (
                "Agree via CQRG and the Birmingham and Solihull SAG a programme of quality visits.",
                "Ongoing",
                AMBER,
            ),
            (
                "Update the CQRG terms of reference to monitor delivery of the plans.",
                "Quarter 3 2018/19",
                GREEN,
            ),
        ],
    ),
    (
        "5. What plans are in place to address any actions/recommendations that are outstanding?",
        "BSMHFT has raised concerns about its level of assurance on bed management.",
        [
            ("CCG attendance at bed management meetings.", "Quarter 2/3", GREEN),
            (
                "Test the value of increased staffing levels in respite settings.",
                "Quarter 2/3",
                AMBER,
            ),
            (
                "Plan to implement the BSMHFT and FTB Personality Disorder Strategy.",
                "Quarter 3 2018/19",
                RED,
            ),
        ],
    ),
]


def build_000() -> None:
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "Action plan"
    sheet["A1"] = (
        "NHS Birmingham and Solihull CCG – response to the NHS England quality assurance "
        "review of the DHRs of Mr A and Mr B"
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Position as at 29 November 2018 (Safeguarding Assurance Group)"
    sheet.merge_cells("A2:F2")
    sheet.append([])
    headings = ["KLOE", "Response", "Further actions", "Time frame", "Lead", "RAG"]
    sheet.append(headings)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    row = 5
    for kloe, response, actions in KLOES:
        first = row
        for text, when, colour in actions:
            sheet.cell(row, 3, text)
            sheet.cell(row, 4, when)
            sheet.cell(row, 5, LEAD_000)
            if colour:
                sheet.cell(row, 6).fill = fill(colour)
            row += 1
        sheet.cell(first, 1, kloe)
        sheet.cell(first, 2, response)
        if row - 1 > first:
            sheet.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
            sheet.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
    for letter, width in zip("ABCDEF", (40, 40, 50, 20, 20, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=5):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    save(workbook, "000-mr-a-mr-b-qa-review-ccg-response.xlsx")


# --- 001: LINk MHAG report back, 5 October 2011 ------------------------------------


def build_001() -> None:
    rows: list[list[object]] = [
        ["Birmingham LINk – Mental Health Action Group: report back actions", "", "", "", "", ""],
        ["Joint Health & Social Care Commissioner Liaison, Ciba Building, Oct 5th 2011", "", "", "", "", ""],
        ["Updated: 30/11/2011", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["Matter discussed", "Action agreed", "Who", "By when", "Status", "Update"],
        ["Host admin support", "Make the LINk report back available to the Commissioners as the mutual record of the meeting", "MHAG Co-Chairs", "12/10/2011", "Complete", "Report back circulated to Rob Devlin and Mike Kay."],
        ["QIPP and other matters", "Monitor the use of local commissioning resources in QIPP service redesigns (“Quality Innovation Productivity Practice”)", "MHAG Co-Chairs", "Ongoing", "Green", "Standing item at each liaison meeting."],
        ["", "Keep the “Hub and Spoke” day service redesign under review alongside the City Council’s STaR service model", "Commissioners", "Mar 12", "Amber", "Spokes in Sheldon – Shard End still to be enabled."],
        ["Access and Well Being pilot (AAWB)", "Send MHAG the final report of the 2010 Access and Well Being pilot", "Rob Devlin, Commissioner", "Nov 11", "Amber", "Promised at the Oct 5th meeting; not yet received."],
        ["Improving Access to Psychological Therapies (IAPT)", "Share the further IAPT figures for people coming off benefits (HOB 1, SBPCT 11, BEN 5 in Apr–Jun 2011)", "IAPT lead commissioner", "31st October 2011", "Completed", "Figures received by email; better than the national data set."],
        ["", "Meet the Birmingham Healthy Minds IAPT manager on patient choice across the five partner providers", "Elsie Gayle (MHAG collaborative lead)", "Dec 2011", "Not started", ""],
        ["Section 117 aftercare", "Review how Section 117 aftercare plans are expressed across the city, with case law examples", "MHAG Co-Chair (S117 lead)", "Q4 2011/12", "Amber", "Variances found between teams; £ cost of aftercare packages to be queried."],
        ["Community Personality Disorder Service 2010–11", "Press the Trust to appoint the User Co-ordinator the service specification requires", "Commissioners", "January 2012", "Red", "No User network co-ordinated throughout 2010 – Oct 2011."],
    ]  # fmt: skip
    write_csv(rows, "001-link-mhag-report-back-oct-2011.csv")


# --- 002: BICP annual report, next steps ------------------------------------------


def build_002() -> None:
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "Next steps 2022"
    sheet["A1"] = "Birmingham Integrated Care Partnership (BICP) – annual report next steps"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "Progress position as at 31 December 2021"
    sheet.merge_cells("A2:H2")
    headings = [
        "Priority area",
        "Ref",
        "Action",
        "Lead organisation",
        "Lead",
        "Target date",
        "RAG",
        "Progress update",
    ]
    sheet.append([])
    sheet.append(headings)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    rows: list[tuple[Any, ...]] = [
        ("Early Intervention", "EI.1", "Keep all five Early Intervention components running with real-time data for every decision", "UHB", "EI Programme Director", datetime(2022, 3, 31), "Green", GREEN, "All five components launched by October 2020."),
        (None, "EI.2", "Develop the Early Intervention beds model against the Discharge to Assess guidance", "BCHC", "Head of Intermediate Care", datetime(2022, 6, 30), "Amber", AMBER, "D2A guidance of March and August 2020 skewed the original rationale."),
        ("Neighbourhood Integration", "NI.1", "Agree Integrated Neighbourhood Team principles with each PCN locality", "BSol CCG", "NI Programme Lead", datetime(2022, 3, 31), "Green", GREEN, "Principles agreed by the NI board in 2021."),
        (None, "NI.2", "Deliver the organisational development programme for locality and neighbourhood teams", "BCC", "NI Programme Lead", "31.03.22", "Amber", AMBER, "Funding secured from BICP in October 2021."),
        ("Care Homes", "CH.1", "Connect care homes with neighbourhood multi-disciplinary teams for consistent access to primary care and mental health services", "BCHC", "Care Homes Programme Lead", datetime(2022, 9, 30), "Amber", AMBER, ""),
        (None, "CH.2", "Write the business case from the Advanced Clinical Practitioner proof of concept in 26 older people's care homes", "BCHC", "Care Homes Programme Lead", datetime(2022, 3, 31), "Green", GREEN, "Proof of concept runs until March 2022."),
        (None, "CH.3", "Develop a joined-up system of quality assurance for the care market, led by one organisation", "BCC", "Director of Commissioning", None, "", RED, "No lead organisation agreed yet."),
        ("Palliative and End of Life Care", "EOL.1", "Roll out quarterly staff focus groups across the system", "BCHC", "EOL Collaborative Chair", "spring 2022", "Amber", AMBER, "Focus groups under way at BCHC and the hospices."),
        (None, "EOL.2", "Develop the urgent palliative response for care homes with the hospices, EICT, OPAL and WMAS", "BCHC", "EOL Collaborative Chair", datetime(2022, 12, 31), "Red", RED, "Individuals identified; scoping with the hospices."),
        ("Mental Health", "MH.1", "Widen the mental health offer across all BICP workstreams, beyond older adult services", "BSMHFT", "Associate Director, Integrated Care", "2022/23", "Amber", AMBER, "£15m community transformation funding secured."),
        (None, "MH.2", "Improve referral pathways between BSMHFT and the OPAL service", "BSMHFT", "OPAL+ Lead", datetime(2022, 6, 30), "Green", GREEN, "Reservoir Court pilot: seven of eight callers stayed at home."),
    ]  # fmt: skip
    row_number = 5
    for area, ref, action, org, lead, target, rag, colour, update in rows:
        values = [area, ref, action, org, lead, target, rag or None, update or None]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, column, value)
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy"
        sheet.cell(row_number, 7).fill = fill(colour)
        row_number += 1
    # Priority areas are written once and merged down over their actions.
    for first, last in ((5, 6), (7, 8), (9, 11), (12, 13), (14, 15)):
        sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    sheet.cell(row_number + 1, 1, "Note: RAG as agreed at the BICP Board; Blue = completed.")
    save(workbook, "002-bicp-annual-report-next-steps-2021.xlsx")


# --- 004: BHR Transforming Care Partnership ---------------------------------------

TCP_OBJECTIVES = [
    (
        "All community patients at risk of admission have CTR",
        "79% of TCP cohort recorded as having CTR (01/17). Children's CTR not embedded "
        "across all teams (RCA).",
        [
            (
                "Complete training programme on CTR for CLDTs and CYP services.",
                "August 17",
                "Green",
            ),
            (
                "Establish regular monthly CTR assurance meetings to identify patients requiring "
                "community CTR – targeted on B&D",
                "May 17",
                "Green",
            ),
        ],
    ),
    (
        "Implement robust all age admissions avoidance registers",
        "Most admissions in B&D (B&D 9, Havering 3, Redbridge 4).",
        [
            (
                "CYP/TCP leads in place and contributing monthly to CTR assurance meetings.",
                "August 17",
                "Amber",
            ),
            ("Start monthly reporting on numbers on registers to TCP Board.", "June 17", "Green"),
        ],
    ),
    (
        "Improve management of crisis",
        "Outreach/crisis model developed with NELFT adult services unaffordable.",
        [
            (
                "Develop and implement PBS strategy supported by clinical psychology and working "
                "with family carers and providers to prevent crisis.",
                "December 17",
                "Amber",
            ),
            ("Review CYP crisis offer for TCP cohort.", "Sept 17", "Green"),
            (
                "CTR assurance meetings to review all 52 week residential school placement "
                "transition arrangements.",
                "August 17",
                "Red",
            ),
        ],
    ),
    (
        "Implement effective inpatient gatekeeping function",
        "Lack of effective gatekeeping in children and adult inpatient care – particularly B&D.",
        [("Develop ATU specification with INEL based on NEL TCP cohort needs", "Jan 18", "Amber")],
    ),
    (
        "Develop community respite offer",
        "Limited spot purchased respite largely available as direct payments.",
        [
            (
                "Undertake options appraisal across BHR and draft service specification",
                "August 17",
                "Green",
            )
        ],
    ),
    (
        "Implement collaborative discharge process between inpatient care & community",
        "Lack of process between spec comm and BHR community teams.",
        [
            (
                "Establish spec comm surgeries and agree standard discharge planning processes.",
                "Sept 17",
                "Green",
            ),
            (
                "Commission OOA and 5+ year patient review and placement support service",
                "Dec 17",
                "Red",
            ),
        ],
    ),
    (
        "Ensure effective community services to support discharge",
        "Gaps in community provision – autism, personality disorder, community forensic.",
        [
            ("Complete TCP cohort needs assessment.", "August 17", "Amber"),
            ("Develop business case for children autism support", "June 17", "Green"),
            (
                "Develop proposals to enhance for adult autism post diagnosis pathway",
                "Nov 17",
                "Amber",
            ),
            (
                "Develop business cases for use of CCG TCP investment – recurrent/non-recurrent",
                "July 17",
                "Amber",
            ),
        ],
    ),
]


def build_004_xlsx() -> None:
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "Workstream 1"
    sheet["A1"] = "Barking, Havering and Redbridge Transforming Care Partnership"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Workstream 1: Community based care and support – plan 17-19"
    sheet.merge_cells("A2:F2")
    sheet["A3"] = "Position as at 12 May 2017 (NHSE stocktake)"
    sheet.merge_cells("A3:F3")
    sheet.append(
        ["TCP plan objective", "Learning 16/17", "Action 17-19", "Timeline", "Lead", "RAG"]
    )
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    colours = {"Green": GREEN, "Amber": AMBER, "Red": RED}
    row = 5
    for objective, learning, actions in TCP_OBJECTIVES:
        first = row
        for text, when, rag in actions:
            sheet.cell(row, 3, text)
            sheet.cell(row, 4, when)
            sheet.cell(row, 5, "CCG LD commissioner")
            status = sheet.cell(row, 6, rag)
            status.fill = fill(colours[rag])
            row += 1
        sheet.cell(first, 1, objective)
        sheet.cell(first, 2, learning)
        if row - 1 > first:
            sheet.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
            sheet.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
    save(workbook, "004-bhr-tcp-workstream-1-plan-2017-19.xlsx")


TCP_WORKSTREAMS = [
    ("1. Community based care and support", [
        ("Implement effective community/blue light CTRs", "CCG LD commissioner", "Q2 2017/18", "Green", "Blue light CTRs in place in all three boroughs."),
        ("Implement admission avoidance processes", "CCG LD commissioner", "Sept 17", "Green", "Registers live in B&D since August."),
        ("Improve management of crisis", "TCP programme manager", "Dec-17", "Amber", "PBS strategy drafted; crisis offer under review."),
        ("Implement effective hospital gatekeeping function", "CCG LD commissioner", "Jan 18", "Amber", "ATU specification with INEL in draft."),
        ("Offer community respite as alternative to hospital care", "LBBD commissioning director ASC", "31/03/2018", "Red", "Options appraisal done; no provider yet."),
        ("Implement effective arrangements to receive people from CCG and spec comm inpatient facilities into local community based care", "Spec comm case manager", "Ongoing", "Amber", ""),
    ]),
    ("2. Inpatient care", [
        ("Review Out of Borough hospital placements", "CCG LD commissioner", "June 17", "Complete", "All 11 OOA placements reviewed."),
        ("Demand and capacity modelling for inpatient care across BHR and NEL", "NELFT", "Q3 2017/18", "Green", "Model shared with NEL TCP."),
        ("Commission service in line with need and complexity", "CCG LD commissioner", "2018/19", "Not started", ""),
        ("Develop service specification for ATU", "NELFT", "Jan 18", "Amber", "Draft with INEL for comment."),
        ("Implement effective discharge planning processes", "Spec comm case manager", "Q4 2017/18", "Green", "Spec comm surgeries running quarterly."),
    ]),
    ("3. Developing community solutions", [
        ("Business case for a respite/short breaks resource available for children and adults", "LBH commissioner", "March 2018", "Amber", ""),
        ("Intelligence/evidence gathering – gaps, voids, sites and vacant buildings across BHR", "Housing leads", "Dec 17", "Green", "Site list agreed with the three councils."),
        ("Transition plan across BHR in which to fully understand the projections", "LBR commissioner", "31.03.18", "Amber", ""),
        ("Brokerage function across BHR for LD/Complex care and support", "LBBD commissioning director ASC", "2018/19", "Red", "No agreement on hosting."),
    ]),
    ("4. Developing the right support – families, carers and workforce", [
        ("Develop PBS strategy and implementation plan", "Clinical psychology lead", "December 17", "Complete", "Signed off at the TCP Board on 7 December 2017."),
        ("Develop workforce strategy and plan", "HEE / TCP programme manager", "Q4 2017/18", "Amber", ""),
        ("Provider development", "CCG LD commissioner", "Ongoing", "Green", "Provider forum meets bi-monthly."),
    ]),
    ("5. Children and transition", [
        ("Implement appropriate identification and admission avoidance processes for children and young people", "CYP commissioner", "August 17", "Green", ""),
        ("Take forward TCP children guidance (due to be issued shortly)", "CYP commissioner", "TBC", "Not started", "Guidance not yet issued by NHSE."),
        ("Work with CYPMHTP lead/children lead to ensure specific needs of children and young people likely to be in TCP cohort met", "CYPMHTP lead", "Q2 2018/19", "Amber", ""),
    ]),
    ("6. Improving health and wellbeing", [
        ("LD health checks", "Primary care commissioner", "March 2018", "Amber", "Uptake 48% against 75% target."),
        ("Implement output of mortality review work", "LeDeR local area contact", "Ongoing", "Green", ""),
        ("Ensure mainstream services across health and social care make reasonable adjustments for people with LD", "Acute liaison nurses", "Q4 2017/18", "Amber", ""),
    ]),
    ("7. Co-design and engagement", [
        ("Co-design strategy and plan which covers all other work streams", "Engagement lead", "Sept 17", "Complete", "Co-design plan agreed with the Carers Forum."),
        ("TCP Carers Forum", "Engagement lead", "Ongoing", "Green", "Meets monthly."),
    ]),
    ("8. Integrated & personalised commissioning", [
        ("Finance plan and S75 pooled budget development", "CCG finance lead", "31 March 2018", "Red", "£200K non-recurrent NHSE funding targeted; S75 not agreed."),
        ("Personal Health Budgets and Personal Budgets", "PHB lead", "Q4 2017/18", "Amber", ""),
        ("S117 arrangements", "CCG LD commissioner", "June '17", "Complete", "BHR S117 policy agreed."),
    ]),
]  # fmt: skip


def build_004_csv() -> None:
    rows: list[list[object]] = [
        [
            "BHR Transforming Care Partnership – plan 2017-19, year one review",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["Position as at 31 March 2018", "", "", "", "", "", ""],
        ["Workstream", "Ref", "Action", "Lead", "Timescale", "RAG", "Update"],
    ]
    ref = 0
    for workstream, actions in TCP_WORKSTREAMS:
        for position, (action, lead, when, rag, update) in enumerate(actions):
            ref += 1
            # The workstream is written on its first row only, as the plan's authors do.
            shown = workstream if position == 0 else ""
            rows.append([shown, f"Y1.{ref:02d}", action, lead, when, rag, update])
    write_csv(rows, "004-bhr-tcp-year-one-review-2018.csv")


def build_005() -> None:
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "Year one review"
    sheet["A1"] = "BHR TCP plan 2017–19: year one review by workstream"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Position as at 31 March 2018"
    sheet.merge_cells("A2:F2")
    sheet.append(["Ref", "Action", "Lead", "Timescale", "RAG", "Update"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    row, ref = 4, 0
    for workstream, actions in TCP_WORKSTREAMS:
        number, name = workstream.split(". ", 1)
        heading = sheet.cell(row, 1, f"Workstream {number}: {name}")
        heading.font = Font(bold=True)
        heading.fill = fill("FFD9D9D9")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
        row += 1
        for action, lead, when, rag, update in actions:
            ref += 1
            values = [f"Y1.{ref:02d}", action, lead, when, rag, update or None]
            for column, value in enumerate(values, start=1):
                sheet.cell(row, column, value)
            row += 1
    save(workbook, "005-bhr-tcp-year-one-review-2018-by-workstream.xlsx")


# The Office theme (Excel 2013 on): its accents as the colour picker shows them.
OFFICE_ACCENTS = {
    "4F81BD": "4472C4",  # accent1 blue
    "C0504D": "ED7D31",  # accent2 orange
    "9BBB59": "A5A5A5",  # accent3 grey
    "8064A2": "FFC000",  # accent4 gold
    "4BACC6": "5B9BD5",  # accent5 blue
    "F79646": "70AD47",  # accent6 green
}
# Theme colour numbers: 0 and 1 are the light and dark backgrounds, 4 to 9 the accents.
THEME_FILLS = {
    GREEN: Color(theme=9, tint=0.3999755851924192),  # Green, Accent 6, Lighter 40%
    AMBER: Color(theme=7, tint=0.3999755851924192),  # Gold, Accent 4, Lighter 40%
    BLUE: Color(theme=4),  # Blue, Accent 1
}


def build_006() -> None:
    workbook = Workbook()
    theme = theme_xml
    for old, new in OFFICE_ACCENTS.items():
        theme = theme.replace(f'val="{old}"', f'val="{new}"')
    workbook.loaded_theme = theme.encode()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "CCG response"
    sheet["A1"] = "Mr A and Mr B – Quality Assurance Review – CCG response"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Position as at 31 January 2019"
    sheet.merge_cells("A2:F2")
    sheet.append([])
    sheet.append(["KLOE", "Response", "Further actions", "Time frame", "Lead", "RAG"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    row = 5
    done = "Identify any current DHRs and other reviews open to BSMHFT."
    for kloe, response, actions in KLOES:
        first = row
        for text, when, colour in actions:
            sheet.cell(row, 3, text)
            sheet.cell(row, 4, when)
            sheet.cell(row, 5, LEAD_000)
            colour = BLUE if text == done else colour
            if colour == RED:
                sheet.cell(row, 6).fill = fill(RED)  # standard red: the theme has none
            elif colour:
                theme_colour = THEME_FILLS[colour]
                sheet.cell(row, 6).fill = PatternFill(
                    fill_type="solid", fgColor=theme_colour, bgColor=Color(indexed=64)
                )
            row += 1
        sheet.cell(first, 1, kloe)
        sheet.cell(first, 2, response)
        if row - 1 > first:
            sheet.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
            sheet.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
    save(workbook, "006-mr-a-mr-b-qa-review-ccg-response-theme-colours.xlsx")


def main() -> None:
    build_000()
    build_001()
    build_002()
    build_004_xlsx()
    build_004_csv()
    build_005()
    build_006()


if __name__ == "__main__":
    main()
