"""What a review the import creates is called: its title, type and reference, guessed
from the file so that confirming the column page is enough (docs/imports.md, "Naming
the new review").

Pure functions, no database: the review types and the references already taken arrive
as arguments (imports/selectors.py).

1. Title: the title block above the row of headings (the first one or two lines that are
   neither the position date nor a note), else the sheet's name when it says more than
   "Sheet1", else the file's name.
2. Type: the first review type the title block, sheet name or file name names ("DHR",
   "Safeguarding Adults Review", "quality assurance review", "strategy" ...); else, for
   a plan grouped by workstreams or the like, the strategy or programme plan type.
3. Reference: the type's code, what identifies the review (an anonymised subject such as
   "Mr A and Mr B", an abbreviation the title gives, or its first words) and the year,
   made unique with " (2)", " (3)" ... against the references already taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

from imports.headings import recognise_heading
from imports.planning import NOTE_ROW, POSITION_WORDS, REFERENCE_MAX, TITLE_MAX, text_of
from imports.readers import Sheet
from reviews.choices import PlanGrouping

TITLE_LINES = 2
SHORT_MAX = 32

# Words that name a kind of review, by the code of the default review types
# (reviews/choices.py DEFAULT_REVIEW_TYPES). A type's own code and name are always
# recognised as well; these cover how people write them.
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "DHR": ("domestic homicide review", "domestic homicide reviews"),
    "SAR": ("safeguarding adults review", "safeguarding adult review"),
    "SCR": ("serious case review",),
    "CSPR": ("child safeguarding practice review", "local child safeguarding practice review"),
    "IMR": ("individual management review", "independent management review"),
    "LeDeR": ("learning disabilities mortality review", "learning from lives and deaths"),
    "MHHR": ("mental health homicide",),
    "CDR": ("child death review",),
    "QAR": ("quality assurance review", "qa review", "assurance review"),
    "PLAN": (
        "strategy",
        "strategic plan",
        "programme plan",
        "implementation plan",
        "delivery plan",
        "transforming care",
        "workstream",
        "work stream",
        "programme",
    ),
}
# The type a plan grouped by workstreams, objectives, priorities ... is, when its
# words name none.
PLAN_CODE = "PLAN"

# Sheet names that say nothing about the plan.
GENERIC_SHEET = re.compile(
    r"^(sheet|tabelle|feuil|blad)\s*\d*$|^(action )?plan\s*\d*$|^actions?$|^data$|^export$"
    r"|^tracker$|^table\s*\d*$",
    re.I,
)
# What file names carry besides the plan's name: a leading number, versions, "final".
FILE_NOISE = re.compile(
    r"^\d{1,4}\s+|\b(v|ver|version)\s?\d+(\.\d+)*\b|\b(final|draft|copy|updated?)\b", re.I
)
SUBJECT = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Master|Child|Adult|Baby|Family|Person)\.?\s+[A-Z]{1,2}\b"
    r"(?:\s*(?:,|and|&)\s*(?:Mr|Mrs|Ms|Miss|Mx|Master|Child|Adult|Baby|Family|Person)\.?\s+"
    r"[A-Z]{1,2}\b)*"
)
BRACKETED_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z&]{1,9})\)")
FOUR_DIGIT_YEAR = re.compile(r"\b((?:19|20)\d{2})(?:\s*[-–/]\s*((?:19|20)?\d{2}))?\b")
TWO_DIGIT_YEARS = re.compile(r"\b(\d{2})\s*[-–/]\s*(\d{2})\b")
SEPARATOR = re.compile(r"\s+[–—-]\s+|:\s+|\s*\(|,\s+(?=[a-z])")
SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "to", "&", "a", "an"}


@dataclass(frozen=True)
class ReviewTypeName:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class NewReviewGuess:
    """What the column page proposes for the review the import creates."""

    title: str = ""
    type_id: int | None = None
    type_code: str = ""
    reference: str = ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def title_block_lines(sheet: Sheet, header_row: int) -> list[str]:
    """The lines of the title block: rows above the row of headings holding one piece
    of text and nothing else, that are neither a position date, a note, a date nor a
    heading. A row of headings or of data has several cells and is never one."""
    lines = []
    for row in sheet.rows[: max(header_row - 1, 0)]:
        written = [v for v in row if v is not None]
        if len(written) != 1 or not isinstance(written[0], str):
            continue
        text = _one_line(written[0])
        if not 3 <= len(text) <= TITLE_MAX or not re.search(r"[A-Za-z]{2}", text):
            continue
        if POSITION_WORDS.search(text) or NOTE_ROW.match(text):
            continue
        if re.match(r"^[\d/.\-\s]+$", text):
            continue
        if len(text.split()) <= 3 and recognise_heading(text):
            continue
        lines.append(text)
    return lines


def _name_from_file(filename: str) -> str:
    stem = PurePosixPath(filename or "").stem
    text = re.sub(r"[_\-.]+", " ", stem)
    text = FILE_NOISE.sub(" ", text)
    text = _one_line(text)
    return text[:1].upper() + text[1:] if text else ""


def guess_title(lines: Sequence[str], sheet_name: str, filename: str) -> str:
    if lines:
        title = lines[0]
        for line in lines[1:TITLE_LINES]:
            joined = f"{title} – {line}"
            if len(joined) > TITLE_MAX:
                break
            title = joined
        return title
    # A CSV file's one sheet is named after the file: not a title of its own.
    is_file_name = PurePosixPath(sheet_name).suffix.lower() in {".csv", ".txt"}
    if sheet_name and not is_file_name and not GENERIC_SHEET.match(sheet_name.strip()):
        return _one_line(sheet_name)[:TITLE_MAX]
    return _name_from_file(filename)[:TITLE_MAX]


def _phrase(words: str) -> re.Pattern[str]:
    body = r"[\s\-]+".join(re.escape(w) for w in words.split())
    return re.compile(rf"\b{body}s?\b", re.I)


def guess_type(
    texts: Iterable[str], types: Sequence[ReviewTypeName], grouping: str
) -> ReviewTypeName | None:
    """The first type the texts name, in the order given and, within a text, the first
    written ("quality assurance review of the DHRs" is a QAR); else the plan type for
    a plan without recommendations; else None (the person chooses)."""
    patterns: list[tuple[re.Pattern[str], ReviewTypeName]] = []
    for review_type in types:
        # A code is written in capitals ("DHR", "DHRs"); "plan" in lower case is not
        # the PLAN type.
        patterns.append((re.compile(rf"\b{re.escape(review_type.code)}s?\b"), review_type))
        patterns.append((_phrase(review_type.name), review_type))
        for words in TYPE_WORDS.get(review_type.code, ()):
            patterns.append((_phrase(words), review_type))
    for text in texts:
        found = [(m.start(), n) for n, (p, _t) in enumerate(patterns) if (m := p.search(text))]
        if found:
            return patterns[min(found)[1]][1]
    if grouping != PlanGrouping.RECOMMENDATION:
        return next((t for t in types if t.code == PLAN_CODE), None)
    return None


def _year_in(text: str, position_date: date | None) -> str:
    """The years the title names ("2017-19", "2021"; "17-19" read as 2017-19), else the
    year of the position date."""
    found = FOUR_DIGIT_YEAR.search(text)
    if found:
        first, last = found.group(1), found.group(2)
        return f"{first}-{last[-2:]}" if last and int(last[-2:]) > int(first[-2:]) else first
    for pair in TWO_DIGIT_YEARS.finditer(text):
        first, last = int(pair.group(1)), int(pair.group(2))
        if 0 < last - first <= 5:
            return f"20{pair.group(1)}-{pair.group(2)}"
    return str(position_date.year) if position_date else ""


def _short_name(title: str, type_code: str) -> str:
    """What identifies the review in a reference: the anonymised subject, else the
    abbreviation the title gives in brackets, else the first part of the title with
    long runs of capitalised words made initials ("BHR Transforming Care Partnership"
    → "BHR TCP")."""
    subject = SUBJECT.search(title)
    if subject:
        return _one_line(subject.group(0).replace("&", "and"))
    first_part = SEPARATOR.split(title, maxsplit=1)[0]
    bracketed = BRACKETED_ABBREVIATION.search(title[: len(first_part) + 12])
    if bracketed:
        return bracketed.group(1)
    words = [w.strip(",;") for w in first_part.split() if w.strip(",;")]
    # The type and the year are written around it; "plan" is added for a plan.
    words = [
        w
        for w in words
        if not (FOUR_DIGIT_YEAR.fullmatch(w) or TWO_DIGIT_YEARS.fullmatch(w))
        and w.rstrip("s") != type_code
    ]
    while words and words[-1].lower() in {"plan", "action", "actions"}:
        words.pop()
    pieces: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) >= 3:
            pieces.append("".join(w[0].upper() for w in run))
        else:
            pieces.extend(run)
        run.clear()

    for word in words:
        if word[:1].isupper() and not word.isupper():
            run.append(word)
        elif word.lower() in SMALL_WORDS and run:
            continue
        else:
            close_run()
            pieces.append(word)
    close_run()
    short = " ".join(p for p in pieces if p.lower() != "nhs" and p.rstrip("s") != type_code)
    if len(short) > SHORT_MAX:
        short = short[:SHORT_MAX].rsplit(" ", 1)[0]
    return short.strip(" ,;:–-")


def reference_base(title: str, type_code: str, position_date: date | None) -> str:
    """ "QAR Mr A and Mr B 2018", "BHR TCP plan 2017-19": the type, what identifies the
    review and its year, before it is made unique."""
    if not title:
        return ""
    if type_code:
        # A title that starts with a reference ("DHR 2012/03 action plan") gives it.
        written = re.match(rf"{re.escape(type_code)}\s*\d[\w/.\-]*", title)
        if written:
            return written.group(0)[: REFERENCE_MAX - 5]
    short = _short_name(title, type_code)
    year = _year_in(title, position_date)
    parts = [short, "plan", year] if type_code == PLAN_CODE else [type_code, short, year]
    # Room is left for " (2)" ...
    return _one_line(" ".join(p for p in parts if p))[: REFERENCE_MAX - 5].strip()


def unique_reference(base: str, taken: Iterable[str]) -> str:
    """The base, or the base with " (2)", " (3)" ... when a review has it (case ignored)."""
    used = {text_of(t).casefold() for t in taken}
    candidate, number = base, 2
    while candidate.casefold() in used:
        candidate = f"{base} ({number})"
        number += 1
    return candidate


def guess_new_review(
    *,
    sheet: Sheet,
    header_row: int,
    filename: str,
    grouping: str,
    position_date: date | None,
    types: Sequence[ReviewTypeName],
) -> tuple[str, ReviewTypeName | None]:
    """The title and type; the reference needs the references taken (the selectors')."""
    lines = title_block_lines(sheet, header_row)
    title = guess_title(lines, sheet.name, filename)
    texts = [*lines, sheet.name, _name_from_file(filename)]
    return title, guess_type(texts, types, grouping)
