"""Reads the time frames action plans are written with ("Q3 2018/19", "Quarter 2/3",
"Aug 17", "December 2018/January 2019", "Ongoing") into a due date.

Pure functions, no database. The rules:

- the due date is the *end* of the period named: a quarter's last day, a month's last
  day, a financial year's 31 March, a plain date itself;
- NHS financial years run April to March: Q1 April–June, Q2 July–September,
  Q3 October–December, Q4 January–March of the following calendar year;
- a cell that names several periods ("December 2018/January 2019", "Quarter 2/3", a
  list of milestones) is due at the latest of them, when everything it lists is done;
- dates are day/month/year (UK order), never month/day;
- a period with no year ("Quarter 2/3", "June") takes the plan's financial year, given
  by the person or by the review's dates; without one, no date is guessed;
- "Ongoing", "TBC" and blanks give no date and are flagged for attention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from trackerapp.financial_year import calendar_year_of, month_end, quarter_end, year_end

MONTHS: dict[str, int] = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# "2018", "'18", "’18" or a bare "18" (Aug 17 = August 2017, as plans write it).
YEAR = r"(?:(?P<y4>(?:19|20)\d{2})|'\s?(?P<ya>\d{2})|(?P<y2>\d{2}))(?!\d|st|nd|rd|th)"
JOIN = r"\s*(?:/|-|&|,|\+|and|to|or|into)\s*"

ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
MONTH_YEAR_NUMERIC = re.compile(r"\b(\d{1,2})/((?:19|20)\d{2})\b")
DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{MONTH})(?:,?\s+{YEAR})?\b"
)
MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y4>(?:19|20)\d{{2}})\b"
)
FINANCIAL_YEAR = (
    r"(?:fy\s*|financial\s+year\s*)?(?P<fy1>(?:19|20)?\d{2})\s*[/-]\s*(?P<fy2>(?:19|20)?\d{2})\b"
)
QUARTERS = re.compile(
    rf"\b(?:q|qtr|quarters?)\s*(?P<quarters>[1-4](?:{JOIN}(?:q|qtr|quarter)?\s*[1-4])*)\b"
    rf"(?:\s*(?:of|in|,|-)?\s*(?:{FINANCIAL_YEAR}|(?P<single>(?:19|20)\d{{2}})\b))?"
)
# "Dec-17" is how Excel shows a month-and-year date, and how CSV files saved from it
# write one.
MONTH_RUN = re.compile(rf"\b(?P<months>{MONTH}(?:{JOIN}{MONTH})*)(?:\s*[,-]?\s*{YEAR})?(?![a-z])")
STANDALONE_FY = re.compile(rf"\b{FINANCIAL_YEAR}")
BARE_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")

# Wordings that promise no date: flagged, never guessed.
NO_DATE_WORDS = re.compile(
    r"^(?:ongoing|on-going|on going|continuous|continuing|tbc|tba|tbd|to be (?:confirmed|agreed|decided)"
    r"|n/?a|not applicable|bau|business as usual|as required|as needed|rolling|annual(?:ly)?"
    r"|quarterly|monthly|immediate(?:ly)?|complete[d]?|none|-+|\?+)\.?$"
)
# Words that may surround a bare month ("by end of June") without making it a sentence.
FILLER = re.compile(
    r"\b(?:by|end|of|the|early|mid|late|until|from|to|and|in|before|start|beginning|during|or|around)\b"
)


def _full_year(two_or_four: str) -> int:
    value = int(two_or_four)
    return value if value >= 100 else 2000 + value


def _fy_start(first: str, second: str) -> int | None:
    """ "2018/19", "18/19", "2019/2020" → 2018, 2018, 2019; None when not consecutive."""
    start, end = _full_year(first), _full_year(second)
    return start if end - start == 1 else None


def _month_year(month: int, year: int | None, plan_year: int | None) -> tuple[int, bool] | None:
    """The calendar year of a month: as written, or inside the plan's financial year."""
    if year is not None:
        return year, False
    if plan_year is None:
        return None
    return calendar_year_of(plan_year, month), True


@dataclass(frozen=True)
class TimeFrame:
    """A time frame as written and what it means."""

    wording: str
    due: date | None
    # Why no date could be derived, for the row's "needs attention" flag; "" when fine.
    attention: str = ""
    # The year came from the plan's financial year, not from the wording.
    assumed_year: bool = False
    # Pieces that look like dates but are not real ones ("31/02/2019").
    not_real: tuple[str, ...] = field(default_factory=tuple)


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2032", "'")
    text = re.sub(r"[\u2013\u2014\u2012\u2212]", "-", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def _blank(text: str, match: re.Match) -> str:
    """Removes a match from the text so that later, looser patterns cannot read it again."""
    start, end = match.span()
    return text[:start] + " " * (end - start) + text[end:]


def _year_from(match: re.Match) -> int | None:
    groups = match.groupdict()
    if groups.get("y4"):
        return int(groups["y4"])
    for key in ("ya", "y2"):
        if groups.get(key):
            return 2000 + int(groups[key])
    return None


def read_time_frame(value: object, *, plan_year: int | None = None) -> TimeFrame:
    """The due date a time frame gives. `plan_year` is the first calendar year of the
    financial year the plan was written in, for wordings with no year of their own."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return TimeFrame("", None, attention="No time frame given.")
    if isinstance(value, datetime):
        return TimeFrame(f"{value:%d/%m/%Y}", value.date())
    if isinstance(value, date):
        return TimeFrame(f"{value:%d/%m/%Y}", value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return TimeFrame(str(value), None, attention=f"“{value}” is not a time frame.")
    if isinstance(value, int | float):
        wording = str(int(value)) if float(value).is_integer() else str(value)
    else:
        wording = " ".join(value.split())
    text = _normalise(wording)
    if NO_DATE_WORDS.match(text):
        return TimeFrame(
            wording, None, attention=f"“{wording}” gives no date: set a due date after import."
        )

    found: list[date] = []
    not_real: list[str] = []
    assumed = False
    needs_year = False

    def add(year: int, month: int, day: int | None, piece: str) -> None:
        try:
            found.append(date(year, month, day) if day else month_end(year, month))
        except ValueError:
            not_real.append(piece)

    for match in ISO_DATE.finditer(text):
        add(int(match[1]), int(match[2]), int(match[3]), match[0])
        text = _blank(text, match)
    for match in NUMERIC_DATE.finditer(text):
        add(_full_year(match[3]), int(match[2]), int(match[1]), match[0])
        text = _blank(text, match)
    for match in MONTH_YEAR_NUMERIC.finditer(text):
        add(int(match[2]), int(match[1]), None, match[0])
        text = _blank(text, match)
    for match in MONTH_DAY_YEAR.finditer(text):
        month = MONTHS[match["month"].rstrip(".")]
        add(int(match["y4"]), month, int(match["day"]), match[0])
        text = _blank(text, match)
    for match in DAY_MONTH.finditer(text):
        month = MONTHS[match["month"].rstrip(".")]
        resolved = _month_year(month, _year_from(match), plan_year)
        if resolved is None:
            needs_year = True
        else:
            assumed = assumed or resolved[1]
            add(resolved[0], month, int(match["day"]), match[0])
        text = _blank(text, match)
    for match in QUARTERS.finditer(text):
        quarters = [int(q) for q in re.findall(r"[1-4]", match["quarters"])]
        if match["fy1"]:
            fy = _fy_start(match["fy1"], match["fy2"])
            if fy is None:
                not_real.append(match[0])
                text = _blank(text, match)
                continue
        elif match["single"]:
            fy = int(match["single"])
        else:
            fy = plan_year
            if fy is None:
                needs_year = True
                text = _blank(text, match)
                continue
            assumed = True
        found.append(quarter_end(fy, max(quarters)))
        text = _blank(text, match)
    for match in MONTH_RUN.finditer(text):
        months = [MONTHS[m.rstrip(".")] for m in re.findall(MONTH, match["months"])]
        year = _year_from(match)
        if year is None and "may" in re.findall(r"[a-z]+", match["months"]):
            # "may" is a word as well as a month: only a bare month cell counts.
            rest = FILLER.sub(" ", _blank(text, match))
            if re.search(r"[a-z0-9]", rest):
                continue
        last = months[-1]
        resolved = _month_year(last, year, plan_year)
        if resolved is None:
            needs_year = True
        else:
            assumed = assumed or resolved[1]
            add(resolved[0], last, None, match[0])
        text = _blank(text, match)
    for match in STANDALONE_FY.finditer(text):
        fy = _fy_start(match["fy1"], match["fy2"])
        if fy is not None:
            found.append(year_end(fy))
            text = _blank(text, match)
    if not found:
        for match in BARE_YEAR.finditer(text):
            found.append(date(int(match[1]), 12, 31))

    if found:
        return TimeFrame(wording, max(found), assumed_year=assumed, not_real=tuple(not_real))
    if not_real:
        return TimeFrame(
            wording,
            None,
            attention=f"“{not_real[0]}” is not a real date (dates are read day/month/year).",
            not_real=tuple(not_real),
        )
    if needs_year:
        return TimeFrame(
            wording,
            None,
            attention=f"“{wording}” has no year: give the plan's year on the column page.",
        )
    return TimeFrame(
        wording,
        None,
        attention=f"No date could be read from “{wording}”: set a due date after import.",
    )


@dataclass(frozen=True)
class DateReading:
    """A cell of a date column (Due date, Revised due date)."""

    due: date | None
    problem: str = ""  # the row cannot be imported as it stands
    note: str = ""  # how a value that was not a real date was read


EXCEL_SERIAL_RANGE = (36526, 73051)  # 1 January 2000 to 31 December 2099


def read_date(value: object, *, plan_year: int | None = None) -> DateReading:
    """A real Excel date, a date written as text in UK order, or (in a date column) a
    time-frame wording. A number is read as an Excel date serial only within 2000–2099."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DateReading(None)
    if isinstance(value, datetime):
        return DateReading(value.date())
    if isinstance(value, date):
        return DateReading(value)
    if isinstance(value, bool):
        return DateReading(None, problem=f"“{value}” is not a date.")
    if isinstance(value, int | float):
        low, high = EXCEL_SERIAL_RANGE
        if float(value).is_integer() and low <= value <= high:
            from openpyxl.utils.datetime import from_excel

            day = from_excel(value).date()
            return DateReading(
                day, note=f"the number {int(value)} read as the Excel date {day:%d/%m/%Y}"
            )
        return DateReading(None, problem=f"{value} is a number, not a date.")
    text = " ".join(str(value).split())
    numeric = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", text)
    if numeric:
        try:
            day = date(_full_year(numeric[3]), int(numeric[2]), int(numeric[1]))
        except ValueError:
            return DateReading(
                None, problem=f"“{text}” is not a real date (dates are read day/month/year)."
            )
        return DateReading(day, note=f"“{text}” written as text, read as {day:%-d %B %Y}")
    reading = read_time_frame(text, plan_year=plan_year)
    if reading.due is None:
        return DateReading(None, problem=f"“{text}” is not a date.")
    return DateReading(reading.due, note=f"“{text}” read as {reading.due:%-d %B %Y}")
