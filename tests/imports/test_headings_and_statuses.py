"""Heading recognition and status words: pure tables, no database."""

from __future__ import annotations

import pytest

from actions.choices import Status
from governance.plan_workbook import EXPORT_COLUMNS
from imports.choices import Field
from imports.headings import find_heading_row, recognise_columns, recognise_heading
from imports.statuses import read_status
from imports.template_workbook import TEMPLATE_HEADINGS

EXPORT_FIELDS = {
    "Review reference": Field.REVIEW_REFERENCE,
    "Review type": Field.REVIEW_TYPE,
    "Review title": Field.REVIEW_TITLE,
    "Grouped by": Field.GROUPED_BY,
    "Rec no.": Field.REC_NUMBER,
    "Recommendation": Field.REC_TEXT,
    "Action no.": Field.ACTION_NUMBER,
    "Action": Field.ACTION,
    "Owner organisation": Field.OWNER,
    "Lead": Field.LEAD,
    "Time frame": Field.TIME_FRAME,
    "Due date": Field.DUE_DATE,
    "Revised due date": Field.REVISED_DUE_DATE,
    "Status": Field.STATUS,
    "Latest update": Field.UPDATE,
    "Evidence count": Field.EVIDENCE_COUNT,
    "Tracker id": Field.TRACKER_ID,
}


def test_every_heading_of_the_excel_export_is_recognised():
    assert set(EXPORT_COLUMNS) == set(EXPORT_FIELDS)
    assert {h: recognise_heading(h) for h in EXPORT_COLUMNS} == EXPORT_FIELDS
    assert sorted(recognise_columns(list(EXPORT_COLUMNS)).values()) == sorted(
        EXPORT_FIELDS.values()
    )


def test_the_template_uses_the_export_headings():
    assert tuple(TEMPLATE_HEADINGS) == tuple(EXPORT_COLUMNS)


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        # the wordings the issue lists
        ("Recommendation", Field.REC_TEXT),
        ("Rec no.", Field.REC_NUMBER),
        ("Rec No", Field.REC_NUMBER),
        ("Recommendation number", Field.REC_NUMBER),
        ("Action", Field.ACTION),
        ("Actions", Field.ACTION),
        ("Further actions", Field.ACTION),
        ("Lead", Field.LEAD),
        ("Owner", Field.OWNER),
        ("Organisation", Field.OWNER),
        ("Timescale", Field.TIME_FRAME),
        ("Timescales", Field.TIME_FRAME),
        ("Time frame", Field.TIME_FRAME),
        ("Timeframe", Field.TIME_FRAME),
        ("Timeline", Field.TIME_FRAME),
        ("Due date", Field.DUE_DATE),
        ("RAG", Field.STATUS),
        ("RAG rating", Field.STATUS),
        ("BRAG", Field.STATUS),
        ("Status", Field.STATUS),
        ("Update", Field.UPDATE),
        ("Progress", Field.UPDATE),
        ("Progress update", Field.UPDATE),
        ("Evidence", Field.EVIDENCE),
        # the seed tables and other common wordings
        ("KLOE", Field.REC_TEXT),
        ("TCP plan objective", Field.GROUP),
        ("Action 17-19", Field.ACTION),
        ("Action owner", Field.LEAD),
        ("Lead organisation", Field.OWNER),
        ("Progress status", Field.STATUS),
        ("Written evidence/location", Field.EVIDENCE),
        ("Evidence required", Field.EVIDENCE_REQUIRED),
        ("Expected outcome", Field.EXPECTED_OUTCOME),
        ("Target date", Field.DUE_DATE),
        ("By when", Field.TIME_FRAME),
        ("Action no.", Field.ACTION_NUMBER),
        # not plan columns
        ("Response", None),
        ("Learning 16/17", None),
        ("", None),
        (None, None),
    ],
)
def test_it_recognises_common_headings(heading, field):
    assert recognise_heading(heading) == field


def test_the_heading_row_is_found_below_titles():
    rows = [
        ["Birmingham DHR action plan"],
        [],
        ["Updated for the SAG on 20 September 2018"],
        ["KLOE", "Response", "Further actions", "Time frame", "Lead"],
        ["1. What were the arrangements?", "...", "Confirm lines", "Q3 2018/19", "DCN"],
    ]
    assert find_heading_row(rows) == 3


def test_a_sheet_with_no_recognisable_headings_has_no_heading_row():
    rows = [["Name", "Address", "Phone"], ["A", "B", "C"]]
    assert find_heading_row(rows) is None


def test_when_two_columns_name_one_field_the_first_is_taken():
    assert recognise_columns(["Action", "Further actions", "Lead"]) == {
        0: Field.ACTION,
        2: Field.LEAD,
    }


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Red", Status.OFF_TRACK),
        ("R", Status.OFF_TRACK),
        ("Amber", Status.AT_RISK),
        ("Green", Status.ON_TRACK),
        ("Blue", Status.ASSURED),
        ("Grey", Status.NOT_STARTED),
        ("Complete", Status.COMPLETED),
        ("Completed", Status.COMPLETED),
        ("COMPLETED", Status.COMPLETED),
        ("Completed (see audit report)", Status.COMPLETED),
        ("On track", Status.ON_TRACK),
        ("On-track", Status.ON_TRACK),
        ("In progress", Status.ON_TRACK),
        ("Not started", Status.NOT_STARTED),
        ("At risk", Status.AT_RISK),
        ("Amber - awaiting the policy", Status.AT_RISK),
        ("Off track", Status.OFF_TRACK),
        ("Delayed", Status.OFF_TRACK),
        ("Closed", Status.CLOSED),
        ("Withdrawn", Status.CLOSED),
        ("Assured", Status.ASSURED),
        ("Purple", None),
        ("Pending", None),
        ("", None),
        (None, None),
    ],
)
def test_status_words_map_to_the_design_scale(word, status):
    assert read_status(word) == status


def test_every_status_label_reads_back():
    for status in Status:
        assert read_status(status.label) == status.value
