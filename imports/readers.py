"""Reads uploaded plans: Excel workbooks (.xlsx) and CSV files, recognised from their
content, never from their name alone.

Pure functions, no database. Every refusal is an UnreadableFile whose message is meant
for the person who uploaded the file. What the reader decides for awkward workbooks:

- cell values are the results Excel saved (openpyxl read-only, data_only), so formulas
  read as their last calculated value; a formula with no saved result is reported by
  cell, never read as blank;
- empty rows after the last row with content are dropped however many there are, and
  cost nothing to keep (they are counted, not stored);
- merged cells: read-only mode does not expose merged ranges, so the sheet's own XML is
  scanned for them, and the value of a merge spanning several rows applies to every row
  it covers (in its first column). Those cells are recorded so the preview can say so;
- solid cell fills given as colours (not theme tints) are kept by cell, since plans
  often give a RAG rating as the colour of an empty cell (colour_word reads them).
"""

from __future__ import annotations

import colorsys
import csv
import io
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from openpyxl.utils import column_index_from_string, coordinate_to_tuple, get_column_letter
from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from trackerapp.uploads import (
    CFB_SIGNATURE,
    Encrypted,
    LargerThanDeclared,
    TooLarge,
    TooManyMembers,
    ZipLimits,
    ZipMembers,
    ZipRefused,
    check_zip,
    decode_text,
    megabytes,
)

logger = logging.getLogger(__name__)

XLSX = "xlsx"
CSV = "csv"
TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})

MAX_ROWS = 50_000
MAX_COLUMNS = 100
# An Excel file protected with a password to open is an OLE compound file holding these
# two streams instead of the usual zip.
ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
PASSWORD_MESSAGE = "This workbook is password-protected; remove the password and upload it again."
DAMAGED_MESSAGE = (
    "This workbook is damaged and cannot be opened. Open it in Excel, save a new copy as "
    "an Excel workbook (.xlsx) and upload that."
)
NOT_A_SPREADSHEET = "Upload an Excel workbook (.xlsx) or a CSV file."

BINARY_KINDS = [
    (b"%PDF-", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF8", "an image (GIF)"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a compressed archive (gzip)"),
    (b"Rar!\x1a\x07", "an archive (RAR)"),
    (b"7z\xbc\xaf\x27\x1c", "an archive (7-Zip)"),
    (b"{\\rtf", "a Word document (RTF)"),
]

MERGE_CELL = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"'
)
ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
CELL_REFERENCE = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
# <v>…</v> with something in it is a saved result; an empty <v/> or <v></v> (what
# openpyxl writes, depending on whether lxml is installed) is none.
HAS_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>/]*)?>\s*[^<\s]")
# A theme's colour scheme: each slot (dk1, lt1, ..., accent1 ...) and its colour, given
# as srgbClr val="RRGGBB" or, for the system colours, sysClr lastClr="RRGGBB".
THEME_SLOT = re.compile(
    rb"<(?:\w+:)?(dk1|lt1|dk2|lt2|accent[1-6]|hlink|folHlink)>\s*"
    rb"<(?:\w+:)?(?:srgbClr[^>]*?\bval|sysClr[^>]*?\blastClr)=\"([0-9A-Fa-f]{6})\"",
)
# A cell's theme colour number names these slots, in this order (light before dark, as
# Excel numbers them).
THEME_ORDER = (
    "lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5",
    "accent6", "hlink", "folHlink",
)  # fmt: skip
TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"


class UnreadableFile(Exception):
    """The file cannot be imported; str() is the message for the person."""


@dataclass
class Sheet:
    """One sheet's cell values. rows[0] is spreadsheet row 1; columns are 0-based."""

    name: str
    rows: list[list[object]]
    # (row number, column index) of cells that took their value from a merged range
    # above them → the range, e.g. "A2:A4".
    merged_from: dict[tuple[int, int], str] = field(default_factory=dict)
    # (row number, column index) of formulas that have no saved result.
    formula_gaps: list[tuple[int, int]] = field(default_factory=list)
    formula_count: int = 0
    trailing_empty_rows: int = 0
    # (row number, column index) → "RRGGBB" of a cell's solid fill.
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    # Row number → (first, last) column index of a merge within that one row, such as a
    # workstream's heading written across the table.
    row_merges: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def cell(self, row_number: int, column: int) -> object:
        if row_number < 1 or row_number > len(self.rows):
            return None
        row = self.rows[row_number - 1]
        return row[column] if column < len(row) else None


def cell_name(row_number: int, column: int) -> str:
    """ "B5" for row 5, column index 1."""
    return f"{get_column_letter(column + 1)}{row_number}"


def clean_value(value: object) -> object:
    """Text stripped (blank → None, non-breaking spaces → spaces, Windows line ends
    → \\n); numbers, dates and booleans as they are."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").strip()
        return text or None
    if isinstance(value, datetime | date | time | timedelta | bool | int | float):
        return value
    return str(value).strip() or None


def theme_colours(theme_xml: bytes | None) -> list[str]:
    """The workbook theme's colours as "RRGGBB", by theme colour number; empty when the
    workbook has no theme."""
    if not theme_xml:
        return []
    slots = {name.decode(): rgb.decode().upper() for name, rgb in THEME_SLOT.findall(theme_xml)}
    return [slots.get(name, "") for name in THEME_ORDER]


def tinted(rgb: str, tint: float) -> str:
    """A colour lightened (tint above 0) or darkened (below 0) as Excel does, in the
    lightness of its hue, lightness and saturation: "Accent 2, lighter 40%" is tint 0.4."""
    if not tint or len(rgb) != 6:
        return rgb
    try:
        red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return rgb
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    lightness = lightness * (1 + tint) if tint < 0 else lightness * (1 - tint) + tint
    channels = colorsys.hls_to_rgb(hue, min(max(lightness, 0.0), 1.0), saturation)
    return "".join(f"{round(c * 255):02X}" for c in channels)


def colour_word(rgb: str) -> str:
    """The RAG word a fill colour stands for ("Red", "Amber", "Green", "Blue", "Grey"),
    or "" for white, near-white and colours no RAG scale uses. Yellow counts as amber,
    as plans use it so."""
    if len(rgb) != 6:
        return ""
    try:
        red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return ""
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if lightness > 0.95:
        return ""
    if saturation < 0.12 or max(red, green, blue) - min(red, green, blue) < 0.1:
        return "Grey"
    degrees = hue * 360
    if degrees < 20 or degrees >= 340:
        return "Red"
    if degrees < 70:
        return "Amber"
    if degrees < 170:
        return "Green"
    if degrees < 260:
        return "Blue"
    return ""


def identify(data: bytes, filename: str) -> str:
    """XLSX or CSV, from the bytes. Raises UnreadableFile saying what the file is."""
    extension = PurePosixPath((filename or "").lower()).suffix
    if not data:
        raise UnreadableFile("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data)
    if data.startswith(CFB_SIGNATURE):
        if any(stream in data for stream in ENCRYPTION_STREAMS):
            raise UnreadableFile(PASSWORD_MESSAGE)
        raise UnreadableFile(
            "This is an older Excel or Office file (.xls). Open it in Excel, save it as an "
            "Excel workbook (.xlsx) and upload that."
        )
    for signature, what in BINARY_KINDS:
        if data.startswith(signature):
            raise UnreadableFile(f"This file is {what}, not a spreadsheet. {NOT_A_SPREADSHEET}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(
            "This file is saved as Unicode text (UTF-16). Save it from Excel as "
            "“CSV UTF-8 (comma delimited)” and upload that."
        )
    text = decode_text(data)
    if text is None:
        raise UnreadableFile(f"This file is not a spreadsheet. {NOT_A_SPREADSHEET}")
    if re.match(r"\s*<", text):
        raise UnreadableFile(
            f"This file is a web page or other markup (HTML/XML), not a spreadsheet. "
            f"{NOT_A_SPREADSHEET}"
        )
    if extension not in TEXT_EXTENSIONS:
        raise UnreadableFile(
            f"This file is plain text, but its name ends in {extension or 'nothing'}. "
            f"{NOT_A_SPREADSHEET} A CSV file's name ends in .csv."
        )
    return CSV


def _zip_limits() -> ZipLimits:
    return ZipLimits(
        max_members=settings.IMPORT_ZIP_MAX_ENTRIES,
        max_total_bytes=settings.IMPORT_ZIP_MAX_UNCOMPRESSED_BYTES,
    )


def _check_zip(data: bytes) -> str:
    """An .xlsx is a zip holding [Content_Types].xml and xl/workbook.xml. openpyxl
    believes the zip's directory about each part's size, so every part is read here
    first by its real bytes (check_zip, bounded by the limits): a workbook that gets
    past this has a directory that tells the truth, and openpyxl reads no more than it."""
    try:
        with check_zip(data, _zip_limits()) as archive:
            return _check_workbook_parts(archive)
    except TooManyMembers as error:
        raise UnreadableFile(
            f"This file has too many parts ({error.count}) to be a plan."
        ) from None
    except LargerThanDeclared:
        raise UnreadableFile(
            "This workbook unpacks to more than its own index records, as a “zip bomb” "
            "does, so it cannot be imported."
        ) from None
    except TooLarge:
        limit = megabytes(settings.IMPORT_ZIP_MAX_UNCOMPRESSED_BYTES)
        raise UnreadableFile(
            f"This workbook unpacks to far more than a plan needs (over {limit} MB). "
            "Split it, or delete unused sheets and empty rows, and upload it again."
        ) from None
    except Encrypted:
        raise UnreadableFile(PASSWORD_MESSAGE) from None
    except ZipRefused:
        raise UnreadableFile(DAMAGED_MESSAGE) from None


def _check_workbook_parts(archive: ZipMembers) -> str:
    names = archive.names
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise UnreadableFile(
                "This is a Word document, not a spreadsheet. Copy the action plan table "
                "into Excel, save it as .xlsx and upload that."
            )
        if "ppt/presentation.xml" in names:
            raise UnreadableFile(
                f"This is a PowerPoint file, not a spreadsheet. {NOT_A_SPREADSHEET}"
            )
        if "mimetype" in names:
            raise UnreadableFile(
                "This is an OpenDocument file (.ods). Save it as an Excel workbook (.xlsx) "
                "and upload that."
            )
        if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names):
            raise UnreadableFile(DAMAGED_MESSAGE)
        raise UnreadableFile(f"This is a zip archive, not a spreadsheet. {NOT_A_SPREADSHEET}")
    content_types = archive.read(
        "[Content_Types].xml", limit=settings.UPLOAD_ZIP_INDEX_PART_MAX_BYTES
    )
    if b"macroEnabled" in content_types or "xl/vbaProject.bin" in names:
        raise UnreadableFile(
            "This workbook contains macros (.xlsm). Save it as an Excel workbook (.xlsx) "
            "and upload that."
        )
    return XLSX


class _PlainTextParser(WorkSheetParser):
    """openpyxl's sheet parser, except that inline strings (what openpyxl writes, and so
    the tracker's own Excel export) are read as plain text without building rich-text
    objects: the same text (the string and each run's text, phonetic guides left out,
    as openpyxl's Text.content), at a fraction of the cost for a 5,000-row plan."""

    def parse_cell(self, element):
        if element.get("t") != "inlineStr":
            return super().parse_cell(element)
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        value = None
        string = element.find(INLINE_STRING)
        if string is not None:
            pieces = [string.findtext(TEXT_TAG) or ""]
            pieces += [run.findtext(TEXT_TAG) or "" for run in string.findall(RUN_TAG)]
            value = "".join(pieces)
        style_id = int(element.get("s", 0) or 0)
        return {
            "row": row,
            "column": column,
            "value": value,
            "data_type": "s",
            "style_id": style_id,
        }


class _RowCollector:
    """Keeps rows up to the last one with content; runs of empty rows are only counted
    until something follows them, so thousands of trailing empty rows cost nothing."""

    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self.pending_empty = 0

    def add_empty(self, count: int) -> None:
        self.pending_empty += count

    def add(self, values: list[object]) -> None:
        while values and values[-1] is None:
            values.pop()
        if not values:
            self.pending_empty += 1
            return
        if len(self.rows) + self.pending_empty >= MAX_ROWS:
            raise UnreadableFile(
                f"This sheet has more than {MAX_ROWS:,} rows. Split the plan into smaller "
                "files and import each."
            )
        self.rows.extend([] for _ in range(self.pending_empty))
        self.pending_empty = 0
        self.rows.append(values)


class SpreadsheetSource:
    """An uploaded plan, opened for reading. Use as a context manager."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.data = data
        self.filename = filename
        self.kind = identify(data, filename)
        # An openpyxl read-only workbook once opened; its private parts are used below,
        # which the openpyxl stubs do not describe.
        self._workbook: Any = None
        if self.kind == XLSX:
            self._workbook = self._open_workbook()

    def __enter__(self) -> SpreadsheetSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    def _open_workbook(self):
        from openpyxl import load_workbook

        try:
            with warnings.catch_warnings():
                # Extensions openpyxl does not read (data validation, slicers) are
                # irrelevant to the values.
                warnings.simplefilter("ignore")
                return load_workbook(
                    io.BytesIO(self.data), read_only=True, data_only=True, keep_links=False
                )
        except UnreadableFile:
            raise
        except Exception:  # openpyxl raises many kinds for a broken file
            logger.info("Workbook %s could not be opened", self.filename, exc_info=True)
            raise UnreadableFile(DAMAGED_MESSAGE) from None

    @cached_property
    def sheet_names(self) -> list[str]:
        if self.kind == CSV:
            return [self.csv_sheet_name]
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        return [ws.title for ws in self._workbook.worksheets if isinstance(ws, ReadOnlyWorksheet)]

    @property
    def csv_sheet_name(self) -> str:
        return PurePosixPath(self.filename or "plan.csv").name

    def read(self, name: str | None = None) -> Sheet:
        """The sheet's values (the first sheet when no name is given)."""
        names = self.sheet_names
        if not names:
            raise UnreadableFile("This workbook has no sheets with cells in them.")
        name = name if name in names else names[0]
        if self.kind == CSV:
            return self._read_csv(name)
        return self._read_xlsx(name)

    def _read_csv(self, name: str) -> Sheet:
        text = decode_text(self.data) or ""
        sample = text[:8192]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        collector = _RowCollector()
        try:
            for record in csv.reader(io.StringIO(text, newline=""), dialect):
                collector.add([clean_value(v) for v in record[:MAX_COLUMNS]])
        except csv.Error as error:
            raise UnreadableFile(
                f"This CSV file cannot be read ({error}). Save it again from Excel as "
                "“CSV UTF-8 (comma delimited)” and upload that."
            ) from None
        return Sheet(name=name, rows=collector.rows, trailing_empty_rows=collector.pending_empty)

    def _read_xlsx(self, name: str) -> Sheet:
        worksheet = self._workbook[name]
        collector = _RowCollector()
        fills: dict[tuple[int, int], str] = {}
        try:
            expected = 1
            for row_number, values, row_fills in self._xlsx_rows(worksheet):
                collector.add_empty(max(row_number - expected, 0))
                collector.add(values)
                expected = row_number + 1
                for column, colour in row_fills:
                    fills[(row_number, column)] = colour
        except UnreadableFile:
            raise
        except Exception:
            logger.info("Sheet %s of %s could not be read", name, self.filename, exc_info=True)
            raise UnreadableFile(DAMAGED_MESSAGE) from None
        sheet = Sheet(name=name, rows=collector.rows, trailing_empty_rows=collector.pending_empty)
        last = len(sheet.rows)
        sheet.fills = {cell: colour for cell, colour in fills.items() if cell[0] <= last}
        xml = self._sheet_xml(worksheet)
        if xml:
            _apply_merges(sheet, xml)
            _find_formulas(sheet, xml)
        return sheet

    def _xlsx_rows(self, worksheet) -> Iterator[tuple[int, list[object], list[tuple[int, str]]]]:
        """(row number, cleaned values, (column index, fill colour) of filled cells) for
        each row the sheet's XML holds. Driving the parser directly (not
        ReadOnlyWorksheet.iter_rows) means a recorded size of 1,048,576 rows, left by
        formatting whole columns, is never padded out."""
        workbook = self._workbook
        colours = self._fill_colours()
        with worksheet._get_source() as source:
            parser = _PlainTextParser(
                source,
                worksheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for row_number, cells in parser.parse():
                width = min(max((c["column"] for c in cells), default=0), MAX_COLUMNS)
                values: list[object] = [None] * width
                filled: list[tuple[int, str]] = []
                for cell in cells:
                    if cell["column"] <= MAX_COLUMNS:
                        values[cell["column"] - 1] = clean_value(cell["value"])
                        colour = colours.get(cell.get("style_id", 0))
                        if colour:
                            filled.append((cell["column"] - 1, colour))
                # A row of coloured but empty cells is a row with nothing in it.
                yield row_number, values, filled if any(v is not None for v in values) else []

    def _fill_colours(self) -> dict[int, str]:
        """Cell style id → "RRGGBB" for the styles with a solid fill of a given colour:
        an rgb, one of the 64 indexed colours, or a theme colour ("Accent 6"), each
        lightened or darkened by its tint as Excel shows it."""
        from openpyxl.styles.colors import COLOR_INDEX

        workbook = self._workbook
        theme = theme_colours(getattr(workbook, "loaded_theme", None))
        fills = workbook._fills
        colours: dict[int, str] = {}
        for style_id, style in enumerate(workbook._cell_styles):
            fill = fills[style.fillId] if style.fillId < len(fills) else None
            if fill is None or getattr(fill, "fill_type", None) != "solid":
                continue
            colour = fill.fgColor
            rgb = None
            if colour.type == "rgb":
                rgb = colour.rgb
            elif colour.type == "indexed" and colour.indexed < len(COLOR_INDEX):
                rgb = COLOR_INDEX[colour.indexed]
            elif colour.type == "theme" and colour.theme < len(theme):
                rgb = theme[colour.theme]
            if isinstance(rgb, str) and len(rgb) >= 6:
                colours[style_id] = tinted(rgb[-6:].upper(), float(colour.tint or 0))
        return colours

    def _sheet_xml(self, worksheet) -> bytes:
        path = str(getattr(worksheet, "_worksheet_path", "")).lstrip("/")
        if not path:
            return b""
        try:
            # identify() has read every member already; this reads just the one.
            with ZipMembers(self.data, _zip_limits()) as archive:
                return archive.read(path, limit=settings.IMPORT_ZIP_MAX_UNCOMPRESSED_BYTES)
        except (KeyError, ZipRefused):
            return b""


def _apply_merges(sheet: Sheet, xml: bytes) -> None:
    """A merge spanning rows gives its value to every row it covers, in its first
    column. Merges within one row (titles, headings across the table) keep their value
    where it is and are recorded, so the planner can tell a heading row."""
    for match in MERGE_CELL.finditer(xml):
        first_col, first_row, last_col, last_row = match.groups()
        if last_row is None:
            continue
        top, bottom = int(first_row), int(last_row)
        if bottom == top:
            left = column_index_from_string(first_col.decode()) - 1
            right = column_index_from_string(last_col.decode()) - 1
            if right > left:
                sheet.row_merges[top] = (left, right)
            continue
        if bottom < top:
            continue
        column = column_index_from_string(first_col.decode()) - 1
        value = sheet.cell(top, column)
        if value is None:
            continue
        label = f"{first_col.decode()}{top}:{last_col.decode()}{bottom}"
        for row_number in range(top + 1, min(bottom, len(sheet.rows)) + 1):
            row = sheet.rows[row_number - 1]
            if len(row) <= column:
                row.extend([None] * (column + 1 - len(row)))
            if row[column] is None:
                row[column] = value
                sheet.merged_from[(row_number, column)] = label


def _find_formulas(sheet: Sheet, xml: bytes) -> None:
    """Counts formulas and records those with no saved result (a workbook written by a
    program that never calculated it): their cells would otherwise read as blank."""
    if not ANY_FORMULA.search(xml):
        return
    for match in CELL.finditer(xml):
        body = match.group(2)
        if not body or not ANY_FORMULA.search(body):
            continue
        sheet.formula_count += 1
        if HAS_VALUE.search(body):
            continue
        reference = CELL_REFERENCE.search(match.group(1))
        if reference:
            column = column_index_from_string(reference.group(1).decode()) - 1
            sheet.formula_gaps.append((int(reference.group(2)), column))
