"""Working days in England: Monday to Friday less the bank holidays of England and Wales,
from the maintained `holidays` package (which follows the government's announcements,
substitute days such as "Boxing Day (observed)" included), so a paper deadline never
falls on a weekend or a bank holiday and nobody has to keep a list of them here."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England's calendar (subdivision ENG) is the England and Wales one.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday_name(day: date) -> str:
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day, "")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def previous_working_day(day: date) -> date:
    """`day` if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def next_working_day(day: date) -> date:
    """`day` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
