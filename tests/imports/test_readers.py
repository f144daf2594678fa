"""The workbook reader gives exactly the values openpyxl's own read-only reading gives,
for Excel-style shared strings and openpyxl-style inline strings, rich text, dates,
numbers and gaps; and it never pads a sheet out to its recorded size."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import datetime

from openpyxl import load_workbook

from imports.readers import SpreadsheetSource, clean_value
from tests.imports.workbooks import as_excel_writes_it, xlsx

ROWS: list[list[object]] = [
    ["Rec no.", "Action", "Due date", "Count", "Flag"],
    [1, "Agree a protocol", datetime(2018, 12, 31), 3, True],
    [],
    ["7:7", "  Train staff\u00a0 ", None, 2.5, False],
    [None, None, None, None, None],
    [10, "Report to CQRG", datetime(2019, 3, 31), 0, None],
]
RICH = {
    "B2": b"<is><r><rPr><b/></rPr><t>Agree </t></r><r><t>a protocol</t></r>"
    b'<rPh sb="0" eb="1"><t>ignored</t></rPh></is>'
}


def openpyxl_rows(data: bytes) -> list[list[object]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    rows = [[clean_value(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def our_rows(data: bytes) -> list[list[object]]:
    with SpreadsheetSource(data, "plan.xlsx") as source:
        return source.read().rows


def test_inline_strings_read_as_openpyxl_reads_them():
    data = xlsx(ROWS)
    assert our_rows(data) == openpyxl_rows(data)


def test_shared_strings_and_rich_text_read_as_openpyxl_reads_them():
    data = as_excel_writes_it(xlsx(ROWS), rich=RICH)
    rows = our_rows(data)
    assert rows == openpyxl_rows(data)
    assert rows[1][:3] == [1, "Agree a protocol", datetime(2018, 12, 31)]
    assert rows[3][1] == "Train staff"


def test_a_sheet_recorded_as_a_million_rows_is_read_to_its_last_row_only():
    data = xlsx(ROWS)
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                assert b'<dimension ref="A1:E6"' in body
                body = body.replace(b'<dimension ref="A1:E6"', b'<dimension ref="A1:XFD1048576"')
            target.writestr(item, body)
    started = time.perf_counter()
    rows = our_rows(patched.getvalue())
    assert time.perf_counter() - started < 2
    assert len(rows) == 6
