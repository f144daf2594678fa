"""The NHS financial year and its quarters: the periods committee papers report on and
action plans are written in. The one place that knows where a financial year starts.

The NHS financial year runs from 1 April to 31 March, so "Q3 2018/19" is October to
December 2018 and "Q4 2018/19" is January to March 2019.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_QUARTER_LABEL = re.compile(r"^\s*Q([1-4])\s+(\d{4})/(\d{2})\s*$", re.IGNORECASE)
FIRST_MONTH = 4  # April


def financial_year_of(day: date) -> int:
    """The first calendar year of the NHS financial year holding `day` (2018 for 2018/19)."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def calendar_year_of(start_year: int, month: int) -> int:
    """The calendar year in which `month` of the financial year starting in `start_year`
    falls: June of 2018/19 is in 2018, February of 2018/19 in 2019."""
    return start_year if month >= FIRST_MONTH else start_year + 1


def year_label(start_year: int) -> str:
    """'2018/19' for the financial year starting in April 2018."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def year_end(start_year: int) -> date:
    """31 March that closes the financial year starting in `start_year`."""
    return date(start_year + 1, FIRST_MONTH - 1, 31)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(start_year: int, number: int) -> date:
    """The last day of quarter `number` of the financial year starting in `start_year`:
    Q1 ends 30 June, Q2 30 September, Q3 31 December, Q4 31 March of the next year."""
    return FinancialQuarter(start_year, number).end


@dataclass(frozen=True, order=True)
class FinancialQuarter:
    """Quarter `number` (1–4) of the financial year that starts in April of `start_year`."""

    start_year: int
    number: int

    @classmethod
    def containing(cls, day: date) -> FinancialQuarter:
        return cls(financial_year_of(day), (day.month - FIRST_MONTH) % 12 // 3 + 1)

    @classmethod
    def parse(cls, label: str) -> FinancialQuarter:
        """'Q3 2018/19' → FinancialQuarter(2018, 3). Raises ValueError on anything else,
        including a year pair that does not follow on ('Q1 2018/20')."""
        match = _QUARTER_LABEL.match(label or "")
        if not match:
            raise ValueError(f'"{label}" is not a financial quarter such as "Q3 2018/19".')
        number, start_year, end_short = int(match[1]), int(match[2]), int(match[3])
        if (start_year + 1) % 100 != end_short:
            raise ValueError(f'"{label}": the second year must follow the first.')
        return cls(start_year, number)

    @property
    def label(self) -> str:
        return f"Q{self.number} {year_label(self.start_year)}"

    @property
    def start(self) -> date:
        month = FIRST_MONTH + 3 * (self.number - 1)
        year = self.start_year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        first = self.start
        return month_end(first.year, first.month + 2)

    @property
    def months(self) -> str:
        """'October to December 2018', or 'January to March 2019'."""
        return f"{self.start:%B} to {self.end:%B %Y}"

    def previous(self) -> FinancialQuarter:
        if self.number == 1:
            return FinancialQuarter(self.start_year - 1, 4)
        return FinancialQuarter(self.start_year, self.number - 1)

    def next(self) -> FinancialQuarter:
        if self.number == 4:
            return FinancialQuarter(self.start_year + 1, 1)
        return FinancialQuarter(self.start_year, self.number + 1)

    def __str__(self) -> str:
        return self.label


def quarter_choices(around: date, before: int = 8, after: int = 2) -> list[tuple[str, str]]:
    """Form choices for the quarters around a date, newest first:
    ('Q3 2018/19', 'Q3 2018/19 (October to December 2018)')."""
    quarter = FinancialQuarter.containing(around)
    for _ in range(after):
        quarter = quarter.next()
    choices = []
    for _ in range(before + after + 1):
        choices.append((quarter.label, f"{quarter.label} ({quarter.months})"))
        quarter = quarter.previous()
    return choices
