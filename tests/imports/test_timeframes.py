"""The time-frame parser as a table: every wording the issue names, the seed plans'
wordings, and the edge cases. The due date is the end of the period named; NHS
financial years run April to March; dates are day/month/year."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from imports.timeframes import read_date, read_time_frame
from trackerapp.financial_year import financial_year_of, quarter_end

# wording, plan's financial year (first calendar year), due date (None: no date)
CASES = [
    # NHS financial-year quarters
    ("Q3 2018/19", None, date(2018, 12, 31)),
    ("Quarter 3 2018/19", None, date(2018, 12, 31)),
    ("Q1 2018/19", None, date(2018, 6, 30)),
    ("Q2 2018/19", None, date(2018, 9, 30)),
    ("Q4 2018/19", None, date(2019, 3, 31)),
    ("Q3 18/19", None, date(2018, 12, 31)),
    ("Q3 2018-19", None, date(2018, 12, 31)),
    ("Q1 2019/2020", None, date(2019, 6, 30)),
    ("Q2 2019/2020", None, date(2019, 9, 30)),
    ("Q1 of 2019/20", None, date(2019, 6, 30)),
    ("during Q1 2019/2020.", None, date(2019, 6, 30)),
    ("Quarter 2/3", 2018, date(2018, 12, 31)),
    ("Quarter 2/3", 2019, date(2019, 12, 31)),
    ("Q2/Q3", 2018, date(2018, 12, 31)),
    ("Quarters 3 and 4", 2018, date(2019, 3, 31)),
    ("Quarter 2 and ongoing business as usual.", 2018, date(2018, 9, 30)),
    ("Quarter 2/3", None, None),  # no year anywhere: never guessed
    # months
    ("June '17", None, date(2017, 6, 30)),
    ("June \u201917", None, date(2017, 6, 30)),
    ("Aug 17", None, date(2017, 8, 31)),
    ("August 17", None, date(2017, 8, 31)),
    ("Sept 17", None, date(2017, 9, 30)),
    ("Sep 17", None, date(2017, 9, 30)),
    ("Dec 17", None, date(2017, 12, 31)),
    ("Jan 18", None, date(2018, 1, 31)),
    ("May 17", None, date(2017, 5, 31)),
    ("Nov 17", None, date(2017, 11, 30)),
    ("July 17", None, date(2017, 7, 31)),
    ("December 17", None, date(2017, 12, 31)),
    ("September 2018", None, date(2018, 9, 30)),
    ("end of January 2019", None, date(2019, 1, 31)),
    ("early October 2018", None, date(2018, 10, 31)),
    ("June", 2018, date(2018, 6, 30)),
    ("by end of March", 2018, date(2019, 3, 31)),  # January–March fall in the next year
    ("May", 2017, date(2017, 5, 31)),
    ("06/2019", None, date(2019, 6, 30)),
    # ranges and lists: the later
    ("December 2018/January 2019", None, date(2019, 1, 31)),
    (
        "Quality and Safety Committee/ Governing Body - December 2018/January 2019.",
        None,
        date(2019, 1, 31),
    ),
    ("June \u2013 August '17", None, date(2017, 8, 31)),
    ("June-August 2017", None, date(2017, 8, 31)),
    ("December/January 19", None, date(2019, 1, 31)),
    (
        "Quarter 3 2018/19 20 September 2018, attendance at SAG. Review of CQRMs Terms of "
        "Reference completed by end of December 2018. Audit for compliance as outlined in "
        "section 1, Q1 of 2019/20.",
        2018,
        date(2019, 6, 30),
    ),
    # plain dates, UK order
    ("31/12/2018", None, date(2018, 12, 31)),
    ("03/04/2019", None, date(2019, 4, 3)),
    ("3/4/19", None, date(2019, 4, 3)),
    ("31.12.2018", None, date(2018, 12, 31)),
    ("31-12-2018", None, date(2018, 12, 31)),
    ("2018-12-31", None, date(2018, 12, 31)),
    ("20 September 2018", None, date(2018, 9, 20)),
    ("20th September 2018", None, date(2018, 9, 20)),
    ("20 September", 2018, date(2018, 9, 20)),
    ("March 31st 2019", None, date(2019, 3, 31)),
    # real Excel dates
    (datetime(2018, 12, 31, 0, 0), None, date(2018, 12, 31)),
    (date(2019, 1, 15), None, date(2019, 1, 15)),
    # financial years and years
    ("2019/20", None, date(2020, 3, 31)),
    ("within the contracts round 2019/20", None, date(2020, 3, 31)),
    ("by 2021", None, date(2021, 12, 31)),
    # no date: flagged
    ("Ongoing", 2018, None),
    ("ongoing", None, None),
    ("On-going", None, None),
    ("TBC", 2018, None),
    ("To be confirmed", None, None),
    ("Business as usual", None, None),
    ("", 2018, None),
    (None, 2018, None),
    ("   ", None, None),
    ("Within 6 months of publication", None, None),
    ("one-month post publication", None, None),
    ("may be later", 2018, None),  # "may" the word, not the month
    ("31/02/2019", None, None),  # not a real date
    ("12/31/2018", None, None),  # month/day order is not read
]


@pytest.mark.parametrize(
    ("wording", "plan_year", "due"), CASES, ids=[str(c[0])[:40] for c in CASES]
)
def test_it_reads_the_due_date_of_a_time_frame(wording, plan_year, due):
    reading = read_time_frame(wording, plan_year=plan_year)
    assert reading.due == due
    if due is None:
        assert reading.attention, "a row with no date must be flagged for attention"
    else:
        assert reading.attention == ""


def test_it_keeps_the_wording_as_written():
    assert read_time_frame("  Quarter   2/3 ", plan_year=2018).wording == "Quarter 2/3"
    assert read_time_frame(datetime(2018, 12, 31)).wording == "31/12/2018"


def test_it_says_when_the_year_came_from_the_plan():
    assert read_time_frame("Quarter 2/3", plan_year=2018).assumed_year
    assert not read_time_frame("Q3 2018/19", plan_year=2018).assumed_year


def test_it_explains_why_there_is_no_date():
    assert "Ongoing" in read_time_frame("Ongoing").attention
    assert "no year" in read_time_frame("Quarter 2/3").attention
    assert "not a real date" in read_time_frame("31/02/2019").attention
    assert read_time_frame("").attention == "No time frame given."


@pytest.mark.parametrize(
    ("value", "due", "problem"),
    [
        (datetime(2019, 4, 3), date(2019, 4, 3), False),
        (date(2019, 4, 3), date(2019, 4, 3), False),
        ("03/04/2019", date(2019, 4, 3), False),  # text, read day/month/year
        ("3.4.2019", date(2019, 4, 3), False),
        ("Q3 2018/19", date(2018, 12, 31), False),  # a wording in a date column
        (43465, date(2018, 12, 31), False),  # an Excel serial without a date format
        ("31/02/2019", None, True),
        ("12/31/2018", None, True),
        ("next spring", None, True),
        (12, None, True),
        (None, None, False),
        ("", None, False),
    ],
)
def test_it_reads_a_date_column(value, due, problem):
    reading = read_date(value)
    assert reading.due == due
    assert bool(reading.problem) is problem


def test_a_date_written_as_text_is_read_in_uk_order_and_says_so():
    reading = read_date("03/04/2019")
    assert reading.due == date(2019, 4, 3)
    assert "3 April 2019" in reading.note


def test_quarters_and_financial_years_follow_the_nhs_year():
    assert [quarter_end(2018, q) for q in (1, 2, 3, 4)] == [
        date(2018, 6, 30),
        date(2018, 9, 30),
        date(2018, 12, 31),
        date(2019, 3, 31),
    ]
    assert financial_year_of(date(2018, 4, 1)) == 2018
    assert financial_year_of(date(2019, 3, 31)) == 2018
