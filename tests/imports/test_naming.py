"""The new review's title, type and reference, guessed from the file (imports/naming.py):
the title block is only ever the lines above the headings that are a title, never the
row of headings, a data row, a group heading, a position date or a note."""

from __future__ import annotations

from datetime import date

from imports.headings import find_heading_row
from imports.naming import (
    ReviewTypeName,
    guess_title,
    guess_type,
    reference_base,
    title_block_lines,
    unique_reference,
)
from imports.readers import Sheet
from reviews.choices import DEFAULT_REVIEW_TYPES, PlanGrouping

TYPES = [
    ReviewTypeName(n, code, name) for n, (code, name, _a, _c) in enumerate(DEFAULT_REVIEW_TYPES)
]
HEADINGS: list[object] = ["Rec no.", "Recommendation", "Action", "Lead", "Timescale", "RAG"]
DATA: list[object] = [
    1,
    "Share information",
    "Agree a protocol",
    "Named nurse",
    "Q3 2018/19",
    "Green",
]


def lines_of(rows: list[list[object]]) -> list[str]:
    found = find_heading_row(rows)
    assert found is not None
    return title_block_lines(Sheet(name="Plan", rows=rows), found + 1)


def test_it_never_takes_the_row_of_headings_or_a_data_row():
    assert lines_of([HEADINGS, DATA, ["Agree a protocol"]]) == []
    assert lines_of([["DHR Mr X – action plan"], HEADINGS, DATA]) == ["DHR Mr X – action plan"]


def test_it_never_takes_a_single_heading_above_the_headings_a_date_or_a_note():
    rows: list[list[object]] = [
        ["SAR Ms E – action plan"],
        ["Position as at 31 March 2019"],
        ["Updated: 30/11/2011"],
        ["31/03/2019"],
        [date(2019, 3, 31)],
        ["Note: RAG as agreed at the Board"],
        ["Recommendations"],
        ["Action plan", None, "Draft"],  # two cells: part of a table, not a title
        HEADINGS,
        DATA,
    ]
    assert lines_of(rows) == ["SAR Ms E – action plan"]


def test_no_row_is_a_title_when_no_headings_were_found():
    sheet = Sheet(name="Sheet1", rows=[["Agree a protocol"], ["Train the team"]])
    assert title_block_lines(sheet, 1) == []
    assert guess_title([], "Sheet1", "DHR 2012-03 action plan v3 FINAL.xlsx") == (
        "DHR 2012 03 action plan"
    )


def test_the_title_is_the_first_two_title_lines_else_the_sheet_else_the_file():
    lines = ["BHR Transforming Care Partnership", "Workstream 1: Community based care"]
    assert guess_title(lines, "Plan", "x.xlsx") == (
        "BHR Transforming Care Partnership – Workstream 1: Community based care"
    )
    assert guess_title([], "SAR Ms E", "x.xlsx") == "SAR Ms E"
    assert guess_title([], "plan.csv", "004-tcp-year-one.csv") == "Tcp year one"


def test_the_type_is_the_first_named_else_a_plan_for_workstreams():
    def code(*texts: str, grouping: str = PlanGrouping.RECOMMENDATION) -> str | None:
        found = guess_type(texts, TYPES, grouping)
        return found.code if found else None

    assert code("Mr A and Mr B – Quality Assurance Review of the DHRs") == "QAR"
    assert code("Domestic Homicide Review: Mrs C") == "DHR"
    assert code("Action plan", "SARs 2019") == "SAR"
    assert code("Safeguarding Adults Review – Ms E") == "SAR"
    assert code("CSPR Child F") == "CSPR"
    assert code("IMR for DHR 2012/03") == "IMR"
    assert code("BHR TCP Workstream 1 plan 2017–19") == "PLAN"
    assert code("Integrated care strategy 2022") == "PLAN"
    assert code("Our action plan") is None  # "plan" in lower case names no type
    assert code("Our action plan", grouping=PlanGrouping.PRIORITY) == "PLAN"


def test_the_reference_is_type_subject_and_year_and_unique():
    title = "Mr A and Mr B – Quality Assurance Review – CCG response"
    assert reference_base(title, "QAR", date(2018, 11, 29)) == "QAR Mr A and Mr B 2018"
    assert reference_base("BHR TCP Workstream 1 plan 2017–19", "PLAN", None) == (
        "BHR TCP Workstream 1 plan 2017-19"
    )
    assert reference_base("Birmingham Integrated Care Partnership (BICP) – next steps", "PLAN", date(2021, 12, 31)) == "BICP plan 2021"  # fmt: skip
    assert reference_base("DHR 2012/03 action plan", "DHR", None) == "DHR 2012/03"
    assert reference_base("Domestic Homicide Review action plan", "DHR", date(2019, 4, 1)) == (
        "DHR 2019"
    )
    assert unique_reference("BICP plan 2021", ["bicp plan 2021", "BICP plan 2021 (2)"]) == (
        "BICP plan 2021 (3)"
    )
    assert len(reference_base("x" * 300, "DHR", date(2020, 1, 1))) <= 55
